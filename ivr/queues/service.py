"""QueueService: the pure QueueEngine on the event loop, with agents, timers and callbacks.

The engine decides who is served next; this class keeps it fed with the
clock (epoch seconds, so a persisted callback's place and promise mean the
same after a restart), turns its actions into work for others and runs the
agents' timers:

* ``Connect`` goes to the waiting caller's ``Ticket`` (the ``WaitInQueue``
  verb dials the agent from the caller's own session and bridges them);
* ``PlaceCallback`` goes to the ``CallbackPlacer`` (``CallbackWorker``);
* an agent whose call ended is busy for the queue's wrap-up time, then free;
  an agent who did not answer is skipped for ``agent_away_s`` and the caller
  keeps their place.

Agents come from settings ``[agents]``; a destination with none is not an
app-run queue (its calls ring ``[destinations]`` as before).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from ivr.channel_ids import agent_of
from ivr.notifier import Notifier
from ivr.queues.engine import QueueEngine
from ivr.queues.estimator import Estimate
from ivr.queues.model import (
    PRIORITY_FLAGS,
    Agent,
    AgentState,
    QueueEntry,
    QueuesConfig,
    priority_for,
)
from ivr.queues.outcomes import (
    Abandonment,
    Action,
    CallbackOffer,
    Connect,
    Joined,
    PlaceCallback,
    QueueError,
)
from ivr.queues.settings import AgentSpec

log = logging.getLogger(__name__)

EpochClock = Callable[[], float]
RAISED_MEMORY = 10_000  # calls whose raised priority is remembered (a live app runs for months)


class CallbackPlacer(Protocol):
    """Places a callback whose place reached the front (ivr.queues.callbacks.CallbackWorker)."""

    def place(self, action: PlaceCallback) -> None: ...


@dataclass
class Ticket:
    """A live caller's place: ``offers`` receives the agent the engine chose for them."""

    entry: QueueEntry
    offers: asyncio.Queue[Connect] = field(default_factory=asyncio.Queue)


class QueueService:
    def __init__(
        self,
        config: QueuesConfig,
        agents: Mapping[str, AgentSpec],
        *,
        away_s: float = 60.0,
        clock: EpochClock = time.time,
    ) -> None:
        self.config = config
        self.engine = QueueEngine(config)
        self.specs = dict(agents)
        self.away_s = away_s
        self.clock = clock
        self.placer: CallbackPlacer | None = None
        self._tickets: dict[str, Ticket] = {}
        self._raised: dict[str, frozenset[str]] = {}  # call id -> flags an operator raised
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._timers_fired = Notifier()
        self._closed = False
        unknown = {q for spec in agents.values() for q in spec.queues} - set(config.queues)
        if unknown:
            raise QueueError(f"agents name queues not in queues.yaml: {sorted(unknown)}")
        now = clock()
        for agent_id, spec in self.specs.items():
            self.engine.add_agent(Agent(agent_id, frozenset(spec.queues)), now)
        self.queued = frozenset(q for spec in agents.values() for q in spec.queues)

    # --- what the flow asks -----------------------------------------------------------

    def runs(self, destination: str) -> bool:
        """True when the app queues this destination itself (it has agents)."""
        return destination in self.queued

    def endpoint(self, agent_id: str) -> str:
        return self.specs[agent_id].endpoint

    def waits(self) -> dict[str, float]:
        """Seconds a new caller would wait per app-run queue (RoutingInputs.queue_waits)."""
        now = self.clock()
        return {q: w for q, w in self.engine.queue_waits(now).items() if q in self.queued}

    def claim_agent(
        self, channel_id: str, channel_name: str, call_id: str
    ) -> tuple[str, str] | None:
        """The agent a channel found after a restart belongs to, marked busy: (agent, queue).

        The app marks the channels it rings agents on with the agent's id
        (``ivr.channel_ids``). A channel without a mark known here (rung by an older
        release, or an agent since renamed) is matched by its name,
        ``<endpoint>-<sequence>`` (``PJSIP/fcr-1-0000001a``), which works only for
        plain endpoints.
        """
        agent_id = agent_of(channel_id)
        if agent_id not in self.specs:
            agent_id = next(
                (
                    a
                    for a, spec in self.specs.items()
                    if channel_name.startswith(spec.endpoint + "-")
                ),
                None,
            )
        if agent_id is None:
            return None
        try:
            self.engine.agent_busy(agent_id, self.clock(), call_id)
        except QueueError as exc:  # not in the engine now (set away meanwhile)
            log.info("agent %s: %s", agent_id, exc)
            return None
        return agent_id, self.specs[agent_id].queues[0]

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Per app-run queue, for /health and operators: who waits, who answers, how long."""
        now = self.clock()
        out: dict[str, dict[str, Any]] = {}
        for queue in sorted(self.queued):
            entries = [e for e, _ in self.engine.positions(queue)]
            agents = self.engine.agents(queue)
            wait = self.engine.estimate_for_new(queue, now)
            out[queue] = {
                "on_hold": sum(1 for e in entries if e.callback is None),
                "callbacks": sum(1 for e in entries if e.callback is not None),
                "agents": len(agents),
                "agents_free": sum(1 for a in agents if a.state == AgentState.FREE),
                "wait_s": round(wait.seconds) if wait.known else None,
            }
        return out

    def place_of(self, call_id: str) -> dict[str, Any] | None:
        """A waiting caller's queue, position and estimated wait; None when not queued."""
        try:
            entry = self.engine.entry(call_id)
        except QueueError:
            return None
        wait = self.engine.estimate(call_id, self.clock())
        return {
            "queue": entry.queue,
            "position": self.engine.position(call_id),
            "wait_s": round(wait.seconds) if wait.known else None,
        }

    def entry_of(self, call_id: str) -> QueueEntry | None:
        """A waiting caller's entry (None when not waiting in an app-run queue)."""
        try:
            return self.engine.entry(call_id)
        except QueueError:
            return None

    def raise_priority(self, call_id: str, flag: str) -> QueueEntry:
        """An operator raises a waiting caller to the risk class (``flag``: vulnerable,
        repeat victim, hate incident) for this call; QueueError when not waiting.

        Remembered for the call, so a move to another queue keeps it.
        """
        if flag not in PRIORITY_FLAGS:
            raise QueueError(f"{flag!r} is not a priority flag")
        entry = self.engine.reprioritise(call_id, priority_for({flag}), flag)
        self._raised[call_id] = self._raised.get(call_id, frozenset()) | {flag}
        while len(self._raised) > RAISED_MEMORY:
            del self._raised[next(iter(self._raised))]
        self.dispatch()
        return entry

    def estimate_for_new(self, queue: str) -> Estimate:
        return self.engine.estimate_for_new(queue, self.clock())

    # --- callers ----------------------------------------------------------------------

    def join(self, entry: QueueEntry) -> tuple[Joined, Ticket | None]:
        raised = self._raised.get(entry.call_id)
        if raised:  # an operator raised this call's priority in a queue it has left
            entry = replace(
                entry,
                priority=min(entry.priority, priority_for(raised)),
                flags=entry.flags | raised,
            )
        joined = self.engine.join(entry, self.clock())
        if not joined.accepted:
            return joined, None
        ticket = Ticket(joined.entry)
        self._tickets[entry.call_id] = ticket
        self.dispatch()
        return joined, ticket

    def position(self, call_id: str) -> int:
        return self.engine.position(call_id)

    def estimate(self, call_id: str) -> Estimate:
        return self.engine.estimate(call_id, self.clock())

    def offer_callback(self, call_id: str, threshold_s: float | None = None) -> CallbackOffer:
        return self.engine.offer_callback(call_id, self.clock(), threshold_s)

    def leave(self, call_id: str, where: str = "") -> Abandonment | None:
        """A waiting caller hung up; ``where`` names another reason to move on (not an
        abandonment: "moved-on", "gave-up")."""
        self._close_ticket(call_id)
        try:
            return self.engine.leave(call_id, self.clock(), where, abandoned=not where)
        except QueueError:
            return None  # already served or never joined

    def accept_callback(self, call_id: str, number: str) -> QueueEntry:
        """The caller's entry becomes virtual (same place); persist it before thanking them.

        The ticket stays until the verb ends: if storing fails they hold on as before.
        """
        return self.engine.accept_callback(call_id, number, self.clock())

    def restore_callback(self, entry: QueueEntry) -> None:
        """A callback from the book (after a restart) takes back its own place."""
        self.engine.requeue(entry, self.clock())
        self.dispatch()

    def requeue(self, entry: QueueEntry) -> None:
        self.engine.requeue(entry, self.clock())
        self.dispatch()

    # --- agents -----------------------------------------------------------------------

    def agent_missed(self, action: Action) -> None:
        """The agent did not answer: skip them for a while; the caller keeps their place."""
        if action.entry.callback is None and action.entry.call_id not in self._tickets:
            # The caller left while their agent rang: free the agent, nobody to requeue.
            self._free_later(action.agent_id, 0.0)
            return
        self.engine.agent_missed(action, self.clock())
        self._later(action.agent_id, self.away_s, self._back_from_away, action.agent_id)
        log.warning("agent %s did not answer; away for %.0f s", action.agent_id, self.away_s)
        self.dispatch()

    def claim_agents(
        self, channels: Iterable[tuple[str, str]], call_id: str
    ) -> ClaimedAgents | None:
        """The app's agents on a conversation taken over after a restart (channel id,
        name), busy until ``ClaimedAgents.release`` (None: none of them is ours)."""
        claimed = {c[0]: c for cid, name in channels if (c := self.claim_agent(cid, name, call_id))}
        return ClaimedAgents(self, tuple(claimed.values())) if claimed else None

    def agent_done(self, agent_id: str, queue: str) -> None:
        """The agent's call ended: wrap-up (still busy), then free for the next caller."""
        with _known_agent(agent_id):
            self.engine.agent_wrap_up(agent_id, self.clock())
        wrap = self.config.queues[queue].wrap_up_s if queue in self.config.queues else 0.0
        self._free_later(agent_id, wrap)

    def served(self, call_id: str) -> None:
        """The caller is with their agent, or gone: the ticket is spent."""
        self._close_ticket(call_id)

    def _close_ticket(self, call_id: str) -> None:
        """An agent offered to a caller who will never take them is free again at once."""
        ticket = self._tickets.pop(call_id, None)
        while ticket is not None and not ticket.offers.empty():
            action = ticket.offers.get_nowait()
            log.info("agent %s: offered to %s, who has moved on; free", action.agent_id, call_id)
            self._free_later(action.agent_id, 0.0)

    def dispatch(self) -> None:
        if self._closed:
            return  # shutting down: nobody new is put through or called back
        for action in self.engine.dispatch(self.clock()):
            self._hand_out(action)

    # --- internals --------------------------------------------------------------------

    def _hand_out(self, action: Action) -> None:
        if isinstance(action, PlaceCallback):
            if self.placer is None:
                log.error("callback %s due but no worker: kept in place", action.entry.call_id)
                self.engine.agent_missed(action, self.clock())
                self._later(action.agent_id, self.away_s, self._back_from_away, action.agent_id)
                return
            self.placer.place(action)
            return
        ticket = self._tickets.get(action.entry.call_id)
        if ticket is None:
            # Nobody holds this place any more (a race with a hang-up): free the agent.
            self._free_later(action.agent_id, 0.0)
            return
        ticket.offers.put_nowait(action)

    def _free_later(self, agent_id: str, delay: float) -> None:
        self._later(agent_id, delay, self._free, agent_id)

    def _free(self, agent_id: str) -> None:
        with _known_agent(agent_id):
            action = self.engine.agent_free(agent_id, self.clock())
            if action is not None:
                self._hand_out(action)
        self.dispatch()

    def _back_from_away(self, agent_id: str) -> None:
        spec = self.specs.get(agent_id)
        if spec is not None and agent_id not in {a.id for a in self.engine.agents()}:
            self.engine.add_agent(Agent(agent_id, frozenset(spec.queues)), self.clock())
        self.dispatch()

    def _later(self, key: str, delay: float, fn: Callable[[str], None], arg: str) -> None:
        if self._closed:
            return
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.pop(key, None)
            try:
                fn(arg)
            finally:
                self._timers_fired.notify()

        self._timers[key] = loop.call_later(max(0.0, delay), fire)

    def next_timer(self) -> asyncio.Future[None]:
        """Resolved once the next of the agents' timers (away, wrap-up, free) has fired and
        its dispatch is done: what an agent's state waits on, for whoever watches it."""
        return self._timers_fired.next()

    def close(self) -> None:
        """Stop: no more dispatching or timers (calls being let go may still report in)."""
        self._closed = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


class _known_agent:
    """Ignore an agent the engine no longer knows (set away meanwhile): log, never raise."""

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: object, tb: object) -> bool:
        if isinstance(exc, QueueError):
            log.info("agent %s: %s", self.agent_id, exc)
            return True
        return False


class ClaimedAgents:
    """Agents busy on an adopted conversation; released (wrap-up) when it ends."""

    def __init__(self, service: QueueService, agents: tuple[tuple[str, str], ...]) -> None:
        self._service = service
        self.agents = agents  # (agent id, queue)

    def release(self) -> None:
        for agent_id, queue in self.agents:
            self._service.agent_done(agent_id, queue)
