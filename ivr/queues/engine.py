"""QueueEngine: who waits where, who is served next, and what to tell them. Pure.

The engine owns the order of callers and the state of agents and nothing
else: it never dials, plays or sleeps. Every method takes ``now`` (seconds on
the app's clock) so the same code runs under the app, the tests and the
day-long simulation (``ivr.queues.simulation``) and gives the same answers.

The app's wiring turns the engine's actions (values of ``ivr.queues.outcomes``) into ARI:

* ``join`` when a routed caller enters the holding bridge (``Joined.position``
  for the first announcement; a full queue refuses everyone but an emergency
  transfer, which the wiring sends on to its fallback);
* ``dispatch`` / ``agent_free`` return ``Connect`` (dial the agent, bridge the
  caller) or ``PlaceCallback`` (hand to the CallbackWorker: the caller has
  hung up and their place reached the front);
* ``leave`` when a waiting caller hangs up (an ``Abandonment`` says where and
  after how long);
* ``retransfer`` RC↔FCR keeps ``joined_at``; ``requeue`` puts an entry back
  at its own place (agent did not answer, callback retry after backoff).

Order is strict priority then FIFO (``QueueEntry.sort_key``); an agent of
several queues takes the best entry across them, so an emergency transfer in
the FCR queue is taken before any 101 caller, however long that caller waited.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict, deque
from dataclasses import replace

from ivr.queues.estimator import Estimate, WaitEstimator
from ivr.queues.model import (
    Agent,
    AgentState,
    Callback,
    Priority,
    QueueEntry,
    QueuesConfig,
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


class QueueEngine:
    """The queues of one app instance. Not thread-safe: one owner (the event loop)."""

    SERVED_MEMORY = 10_000  # served entries kept so an answered call can be re-transferred

    def __init__(self, config: QueuesConfig, estimator: WaitEstimator | None = None) -> None:
        self.config = config
        self.estimator = estimator or WaitEstimator(config)
        self._queues: dict[str, list[QueueEntry]] = {name: [] for name in config.queues}
        self._where: dict[str, str] = {}  # call id -> queue
        self._agents: dict[str, Agent] = {}
        self._served: OrderedDict[str, QueueEntry] = OrderedDict()
        self._seq = 0
        # The latest abandonments (for the console and analysis), bounded: a live app runs
        # for months.
        self.abandoned: deque[Abandonment] = deque(maxlen=self.SERVED_MEMORY)

    # --- callers -----------------------------------------------------------------------

    def join(self, entry: QueueEntry, now: float) -> Joined:
        """Add a caller; their position counts everyone served before them (callbacks too)."""
        queue = self._queue(entry.queue)
        if entry.call_id in self._where:
            raise QueueError(
                f"call {entry.call_id!r} is already in queue {self._where[entry.call_id]}"
            )
        live = sum(1 for e in queue if not e.virtual)
        capacity = self.config.queue(entry.queue).capacity
        if (
            not entry.virtual
            and live >= capacity
            and entry.priority is not Priority.EMERGENCY_TRANSFER  # never refused: overtakes
        ):
            return Joined(entry, False, 0, f"queue {entry.queue} full ({live}/{capacity})")
        if entry.seq == 0:
            self._seq += 1
            entry = replace(entry, seq=self._seq)
        self._insert(entry, now)
        return Joined(entry, True, self.position(entry.call_id))

    def leave(
        self, call_id: str, now: float, where: str = "", *, abandoned: bool = True
    ) -> Abandonment:
        """A waiting caller hung up: remove them and record where and after how long.

        ``abandoned=False``: the call moved on for another reason (a failure, an
        operator, an emergency's waiting limit): not counted as the caller giving up.
        """
        entry = self._take(call_id, now)
        position = self._position_of(entry, self._queues[entry.queue]) + 1
        record = Abandonment(
            call_id,
            entry.queue,
            entry.priority,
            position,
            now - entry.joined_at,
            now,
            where or f"queue:{entry.queue}",
        )
        if abandoned:
            self.abandoned.append(record)
            self.estimator.observe_abandon(entry.queue, now)
        return record

    def retransfer(self, call_id: str, to_queue: str, now: float) -> Joined:
        """Move a caller RC↔FCR (waiting or already answered) keeping their original joined_at."""
        self._queue(to_queue)
        if call_id in self._where:
            entry = self._take(call_id, now)
        elif call_id in self._served:
            entry = self._served.pop(call_id)
        else:
            raise QueueError(f"call {call_id!r} is in no queue and was not served here")
        moved = replace(entry, queue=to_queue, transfers=entry.transfers + 1)
        self._insert(moved, now)  # past capacity: a misrouted caller is never refused
        return Joined(moved, True, self.position(call_id))

    def reprioritise(self, call_id: str, priority: Priority, flag: str) -> QueueEntry:
        """A waiting caller moves to ``priority`` (never down), keeping ``joined_at``: an
        operator learnt they are vulnerable, or a repeat victim, during this call."""
        entry = self.entry(call_id)
        better = min(entry.priority, priority)
        moved = replace(entry, priority=better, flags=entry.flags | {flag})
        queue = self._queues[entry.queue]
        queue.remove(entry)
        bisect.insort(queue, moved, key=lambda e: e.sort_key)
        return moved

    def requeue(self, entry: QueueEntry, now: float) -> int:
        """Put a served entry back at its own place (agent no answer, callback retry)."""
        self._served.pop(entry.call_id, None)
        if entry.call_id in self._where:
            raise QueueError(f"call {entry.call_id!r} is already waiting")
        self._insert(entry, now)
        return self.position(entry.call_id)

    def accept_callback(self, call_id: str, number: str, now: float) -> QueueEntry:
        """The caller accepted a callback: same place, now virtual, with a promised time.

        The promise is the top of the wait range, stretched by ``promise_factor``, plus a
        margin: what we say we will do must be what we can do ("give a time ... and meet
        that commitment").
        """
        entry = self.entry(call_id)
        estimate = self.estimate(call_id, now)
        top = estimate.high if estimate.known else 4 * 3600.0  # a duration, like estimate.high
        settings = self.config.callback
        promised = now + top * settings.promise_factor + settings.promise_margin_s
        # Not rung back while they are still hearing "thank you".
        ready = now + self.config.callback.hold_off_s
        updated = replace(entry, callback=Callback(number, now, promised, ready_at=ready))
        self._replace(updated)
        return updated

    def cancel_callback(self, call_id: str) -> QueueEntry:
        """The callback could not be stored: the caller holds on, in the same place."""
        entry = replace(self.entry(call_id), callback=None)
        self._replace(entry)
        return entry

    def callback_attempted(
        self, entry: QueueEntry, now: float, *, answered: bool
    ) -> QueueEntry | None:
        """Record one callback attempt; unanswered and attempts left → requeued after backoff.

        Returns the requeued entry, or None when the callback is finished (answered, or
        out of attempts: the wiring then tells the caller by SMS).
        """
        if entry.callback is None:
            raise QueueError(f"call {entry.call_id!r} has no callback")
        attempts = entry.callback.attempts + 1
        if answered or attempts >= self.config.callback.max_attempts:
            self._served.pop(entry.call_id, None)
            return None
        ready = now + self.config.callback.backoff(attempts)
        retry = replace(entry, callback=replace(entry.callback, attempts=attempts, ready_at=ready))
        self.requeue(retry, now)
        return retry

    # --- agents ------------------------------------------------------------------------

    def add_agent(self, agent: Agent, now: float) -> None:
        for q in agent.queues:
            self._queue(q)
        self._agents[agent.id] = (
            replace(agent, free_since=now) if agent.state is AgentState.FREE else agent
        )

    def remove_agent(self, agent_id: str, now: float) -> Agent:
        """An agent logs off; one logging off at the end of a call still counts its handling."""
        agent = self._agents.pop(agent_id)
        if agent.state is not AgentState.FREE and agent.busy_since is not None:
            queue = agent.serving_queue or min(agent.queues)
            self.estimator.observe_handling(queue, now, now - agent.busy_since)
        return agent

    def agent_busy(self, agent_id: str, now: float, call_id: str | None = None) -> None:
        """An agent took a call outside the queue (e.g. a direct transfer)."""
        agent = self._agent(agent_id)
        self._agents[agent_id] = replace(
            agent, state=AgentState.BUSY, busy_since=now, serving=call_id, serving_queue=None
        )

    def agent_wrap_up(self, agent_id: str, now: float) -> None:
        """The call ended; the agent is writing up and still counts as busy."""
        agent = self._agent(agent_id)
        self._agents[agent_id] = replace(agent, state=AgentState.WRAP_UP)

    def agent_free(self, agent_id: str, now: float) -> Action | None:
        """The agent is ready: record their handling time and give them the next caller."""
        agent = self._agent(agent_id)
        if agent.state is not AgentState.FREE and agent.busy_since is not None:
            queue = agent.serving_queue or min(agent.queues)
            self.estimator.observe_handling(queue, now, now - agent.busy_since)
        self._agents[agent_id] = replace(
            agent,
            state=AgentState.FREE,
            busy_since=None,
            serving=None,
            serving_queue=None,
            free_since=now,
        )
        return self._serve(agent_id, now)

    def agent_missed(self, action: Action, now: float) -> int:
        """The agent did not answer: set away (removed); the caller keeps their place."""
        self._agents.pop(action.agent_id, None)
        return self.requeue(action.entry, now)

    def dispatch(self, now: float) -> list[Action]:
        """Pair every free agent (longest idle first) with the best waiting entry."""
        actions: list[Action] = []
        free = sorted(
            (a for a in self._agents.values() if a.state is AgentState.FREE),
            key=lambda a: (a.free_since, a.id),
        )
        for agent in free:
            action = self._serve(agent.id, now)
            if action is not None:
                actions.append(action)
        return actions

    # --- what to tell callers ------------------------------------------------------------

    def position(self, call_id: str) -> int:
        queue = self._queues[self._queue_of(call_id)]
        return self._position_of(self.entry(call_id), queue) + 1

    def positions(self, queue: str) -> list[tuple[QueueEntry, int]]:
        """Everyone in a queue with their position, for the periodic announcements."""
        return [(e, i + 1) for i, e in enumerate(self._queue(queue))]

    def entry(self, call_id: str) -> QueueEntry:
        queue = self._queues[self._queue_of(call_id)]
        for e in queue:
            if e.call_id == call_id:
                return e
        raise QueueError(call_id)  # pragma: no cover - _where and lists agree

    def served_entry(self, call_id: str) -> QueueEntry | None:
        """The entry of a call given to an agent (None: not served here, or long ago)."""
        return self._served.get(call_id)

    def waiting(self, queue: str) -> int:
        return len(self._queue(queue))

    def agents(self, queue: str | None = None) -> list[Agent]:
        return [a for a in self._agents.values() if queue is None or queue in a.queues]

    def estimate(self, call_id: str, now: float) -> Estimate:
        entry = self.entry(call_id)
        return self.estimator.estimate(
            entry.queue, self.position(call_id), now, self.agents(entry.queue)
        )

    def estimate_for_new(
        self, queue: str, now: float, priority: Priority = Priority.NORMAL
    ) -> Estimate:
        """The wait a caller joining now with ``priority`` would have (before they join)."""
        ahead = sum(1 for e in self._queue(queue) if int(e.priority) <= int(priority))
        return self.estimator.estimate(queue, ahead + 1, now, self.agents(queue))

    def queue_waits(self, now: float) -> dict[str, float]:
        """Seconds a NORMAL caller joining each queue now would wait (inf: unknown).

        For ``RoutingInputs.queue_waits`` so the rules' ``wait_above`` sees the same
        honest figure the caller hears.
        """
        return {q: self.estimate_for_new(q, now).seconds for q in self._queues}

    def offer_callback(
        self, call_id: str, now: float, threshold_s: float | None = None
    ) -> CallbackOffer:
        """Whether to offer a callback: the estimated wait is above the threshold.

        ``threshold_s`` is the rules' ``wait_above`` when the routing decision named one,
        else the queue's ``callback_offer_above_s``. Emergency transfers are never
        offered one (they are answered first), nor is a caller who already has one.
        """
        entry = self.entry(call_id)
        threshold = (
            threshold_s
            if threshold_s is not None
            else self.config.queue(entry.queue).callback_offer_above_s
        )
        return CallbackOffer.weigh(entry, self.estimate(call_id, now), threshold)

    # --- internals -------------------------------------------------------------------

    def _queue(self, name: str) -> list[QueueEntry]:
        try:
            return self._queues[name]
        except KeyError:
            raise QueueError(f"unknown queue {name!r}") from None

    def _queue_of(self, call_id: str) -> str:
        try:
            return self._where[call_id]
        except KeyError:
            raise QueueError(f"call {call_id!r} is not waiting") from None

    def _agent(self, agent_id: str) -> Agent:
        try:
            return self._agents[agent_id]
        except KeyError:
            raise QueueError(f"unknown agent {agent_id!r}") from None

    @staticmethod
    def _position_of(entry: QueueEntry, queue: list[QueueEntry]) -> int:
        return bisect.bisect_left(queue, entry.sort_key, key=lambda e: e.sort_key)

    def _insert(self, entry: QueueEntry, now: float) -> None:
        queue = self._queue(entry.queue)
        bisect.insort(queue, entry, key=lambda e: e.sort_key)
        self._where[entry.call_id] = entry.queue
        if len(queue) == 1:
            self.estimator.note_backlog(entry.queue, now, True)

    def _take(self, call_id: str, now: float) -> QueueEntry:
        name = self._queue_of(call_id)
        queue = self._queues[name]
        for i, e in enumerate(queue):
            if e.call_id == call_id:
                del queue[i]
                del self._where[call_id]
                if not queue:
                    self.estimator.note_backlog(name, now, False)
                return e
        raise QueueError(call_id)  # pragma: no cover

    def _replace(self, entry: QueueEntry) -> None:
        queue = self._queues[entry.queue]
        for i, e in enumerate(queue):
            if e.call_id == entry.call_id:
                queue[i] = entry
                return
        raise QueueError(entry.call_id)  # pragma: no cover

    def _serve(self, agent_id: str, now: float) -> Action | None:
        agent = self._agents[agent_id]
        best: QueueEntry | None = None
        for name in agent.queues:
            for e in self._queues[name]:
                if e.ready(now):
                    if best is None or e.sort_key < best.sort_key:
                        best = e
                    break  # the list is sorted: the first ready one is this queue's best
        if best is None:
            return None
        entry = self._take(best.call_id, now)
        # An agent who has just come free and finds someone waiting measures capacity; an idle
        # agent taking a caller who just joined measures demand, and is left out.
        capacity_bound = agent.free_since >= now and entry.joined_at < now
        self.estimator.observe_answer(entry.queue, now, backlogged=capacity_bound)
        self._served[entry.call_id] = entry
        while len(self._served) > self.SERVED_MEMORY:
            self._served.popitem(last=False)
        self._agents[agent_id] = replace(
            agent,
            state=AgentState.BUSY,
            busy_since=now,
            serving=entry.call_id,
            serving_queue=entry.queue,
        )
        waited = now - entry.joined_at
        if entry.callback is not None:
            return PlaceCallback(agent_id, entry, waited)
        return Connect(agent_id, entry, waited)
