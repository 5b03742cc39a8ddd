"""A busy 101 day as a discrete-event simulation driving the real QueueEngine and estimator.

Why a simulation: the question the issue asks ("do callbacks and deflection
help, with the same staffing?") cannot be answered by unit tests, and a force
cannot try it on live callers. The engine is pure and takes ``now``, so the
same code the app runs is driven here by simulated time; nothing is mocked.

The day (``routing_rules/queues.yaml`` ``day:``): its callers and their draws are
``ivr.queues.day_callers``, what a scenario came to is ``ivr.queues.day_result``; here:

* a share of abandoning callers ring back within ``redial_within_s`` (a new call);
* agents by hour of day from each queue's ``staffing``; an agent due off
  finishes the call in hand first.

Scenarios share staffing and callers (common random numbers: each caller's
draws are fixed before the scenario runs), so the differences come from
callbacks and deflection alone:

* **baseline**: callers wait or give up;
* **callbacks**: at joining and at each announcement, a caller whose estimated
  wait is above the queue's threshold is offered a callback once; accepting
  keeps their place; when it reaches the front an agent is reserved and the
  caller rung (answers with ``answer_probability``; retries with backoff up
  to ``max_attempts``); a promise is kept when the first attempt is placed by
  the promised time;
* **callbacks + deflection**: callers whose intent is in ``deflection.intents``
  (and who are not flagged: vulnerable and repeat callers speak to a person)
  are offered the online link; those who accept are *deflected*, counted apart
  from abandoned calls.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass

from ivr.queues.day_callers import Caller, draw_caller, generate_callers
from ivr.queues.day_result import ANSWER_WITHIN_S, DayResult
from ivr.queues.engine import QueueEngine
from ivr.queues.model import (
    Agent,
    Priority,
    QueueEntry,
    QueuesConfig,
)
from ivr.queues.outcomes import Action, Connect

CALLBACK_PICKUP_S = 8.0  # a callback the caller answers rings this long first
HORIZON_S = 48 * 3600.0  # the day's calls are all settled well before this


@dataclass(frozen=True, slots=True)
class Scenario:
    """One way of running the day: callbacks offered or not, deflection or not."""

    name: str
    callbacks: bool = False
    deflection: bool = False


BASELINE = Scenario("baseline")
CALLBACKS = Scenario("callbacks", callbacks=True)
CALLBACKS_DEFLECTION = Scenario("callbacks + deflection", callbacks=True, deflection=True)
SCENARIOS = (BASELINE, CALLBACKS, CALLBACKS_DEFLECTION)


class _Day:
    """One scenario's run: an event heap over simulated seconds."""

    def __init__(self, config: QueuesConfig, scenario: Scenario, seed: int) -> None:
        self.config = config
        self.scenario = scenario
        self.seed = seed
        self.engine = QueueEngine(config)
        self.result = DayResult(scenario.name)
        self.events: list[tuple[float, int, str, object]] = []
        self.seq = 0
        self.callers: dict[str, Caller] = {}
        self.announced: dict[str, tuple[float, float, float]] = {}  # central, low, high
        self.asterisk_said: dict[str, float] = {}
        self.offered: set[str] = set()
        self.first_attempt: dict[str, float] = {}
        self.leaving: set[str] = set()
        self.agent_count: dict[str, int] = {q: 0 for q in config.queues}
        self.holdtime: dict[str, float] = {q: 0.0 for q in config.queues}  # Asterisk's EWMA
        self.next_index = 10 * len(config.queues) + 10_000_000

    def push(self, at: float, kind: str, payload: object) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, payload))

    def run(self, callers: list[Caller]) -> DayResult:
        for caller in callers:
            self.push(caller.arrival, "arrive", caller)
        for hour in range(int(HORIZON_S // 3600)):
            self.push(hour * 3600.0, "shift", hour)
        while self.events:
            now, _, kind, payload = heapq.heappop(self.events)
            if now > HORIZON_S:
                break
            getattr(self, f"on_{kind}")(now, payload)
        self.result.unresolved = sum(self.engine.waiting(q) for q in self.config.queues)
        return self.result

    # --- events ---------------------------------------------------------------------

    def on_shift(self, now: float, hour: object) -> None:
        assert isinstance(hour, int)
        for name, settings in self.config.queues.items():
            want = settings.agents_at(hour)
            have = self.agent_count[name]
            if want > have:
                # agents due off but still on a call stay on instead of new ones logging in
                for agent in self.engine.agents(name):
                    if have < want and agent.id in self.leaving:
                        self.leaving.discard(agent.id)
                        have += 1
                for n in range(want - have):
                    agent_id = f"{name}#{hour}.{n}"
                    self.engine.add_agent(Agent(agent_id, frozenset({name})), now)
                have = want
            elif want < have:
                agents = sorted(self.engine.agents(name), key=lambda a: (a.state != "free", a.id))
                for agent in agents:
                    if have <= want:
                        break
                    if agent.id in self.leaving:
                        continue
                    if agent.state == "free":
                        self.engine.remove_agent(agent.id, now)
                    else:
                        self.leaving.add(agent.id)
                    have -= 1
            self.agent_count[name] = have
        self.dispatch(now)

    def on_arrive(self, now: float, payload: object) -> None:
        assert isinstance(payload, Caller)
        caller = payload
        self.result.calls += 1
        if caller.redial_of is not None:
            self.result.redials += 1
        deflection = self.config.deflection
        if (
            self.scenario.deflection
            and caller.intent in deflection.intents
            and caller.priority is Priority.NORMAL
            and caller.u_deflect < deflection.acceptance
        ):
            self.result.deflected += 1
            return
        entry = QueueEntry(caller.call_id, caller.queue, caller.priority, now, intent=caller.intent)
        joined = self.engine.join(entry, now)
        if not joined.accepted:
            self.result.refused += 1
            return
        self.callers[caller.call_id] = caller
        estimate = self.engine.estimate(caller.call_id, now)
        if estimate.known:
            self.announced[caller.call_id] = (estimate.seconds, estimate.low, estimate.high)
        self.asterisk_said[caller.call_id] = self.holdtime[caller.queue]
        self.push(now + caller.patience_s, "patience", caller.call_id)
        self.maybe_offer(now, caller.call_id)
        self.push(now + self.config.day.announce_every_s, "announce", caller.call_id)
        self.dispatch(now)

    def on_announce(self, now: float, call_id: object) -> None:
        assert isinstance(call_id, str)
        if not self.waiting_on_line(call_id):
            return
        self.maybe_offer(now, call_id)
        self.push(now + self.config.day.announce_every_s, "announce", call_id)

    def on_patience(self, now: float, call_id: object) -> None:
        assert isinstance(call_id, str)
        if not self.waiting_on_line(call_id):
            return
        record = self.engine.leave(call_id, now)
        self.result.abandoned += 1
        self.result.abandoned_waits.append(record.waited_s)
        caller = self.callers[call_id]
        if caller.u_redial < self.config.day.redial_share:
            self.next_index += 1
            rng = random.Random(f"{self.seed}:redial:{caller.index}")
            again = draw_caller(
                rng,
                self.config,
                self.next_index,
                now + caller.redial_after_s,
                caller.queue,
                caller.intent,
                caller.priority,
                redial_of=caller.index,
            )
            self.push(again.arrival, "arrive", again)

    def on_done(self, now: float, agent_id: object) -> None:
        assert isinstance(agent_id, str)
        if agent_id in self.leaving:
            self.leaving.discard(agent_id)
            self.engine.remove_agent(agent_id, now)
            return
        action = self.engine.agent_free(agent_id, now)
        if action is not None:
            self.start(now, action)

    def on_ring(self, now: float, payload: object) -> None:
        """A callback attempt's outcome is known: talk, or free the agent and retry later."""
        assert isinstance(payload, tuple)
        action, answered = payload
        entry: QueueEntry = action.entry
        caller = self.callers[entry.call_id]
        retry = self.engine.callback_attempted(entry, now, answered=answered)
        if answered:
            self.result.callbacks_completed += 1
            assert entry.callback is not None
            self.result.callback_wait_total_s += now - entry.callback.accepted_at
            wrap = self.config.queue(entry.queue).wrap_up_s
            self.push(now + caller.talk_s + wrap, "done", action.agent_id)
            return
        if retry is None:
            self.result.callbacks_failed += 1
        elif retry.callback is not None:
            self.push(retry.callback.ready_at, "ready", retry.call_id)
        self.on_done(now, action.agent_id)

    def on_ready(self, now: float, call_id: object) -> None:
        self.dispatch(now)

    # --- helpers --------------------------------------------------------------------

    def waiting_on_line(self, call_id: str) -> bool:
        try:
            return not self.engine.entry(call_id).virtual
        except KeyError:
            return False

    def maybe_offer(self, now: float, call_id: str) -> None:
        if not self.scenario.callbacks or call_id in self.offered:
            return
        decision = self.engine.offer_callback(call_id, now)
        if not decision.offer:
            return
        self.offered.add(call_id)
        self.result.callbacks_offered += 1
        if self.callers[call_id].u_callback < self.config.callback.acceptance:
            self.result.callbacks_accepted += 1
            self.engine.accept_callback(call_id, f"+4470000{call_id[1:]:0>5}", now)

    def dispatch(self, now: float) -> None:
        for action in self.engine.dispatch(now):
            self.start(now, action)

    def answered(self, waited: float) -> None:
        self.result.answered += 1
        self.result.wait_total_s += waited
        if waited <= ANSWER_WITHIN_S:
            self.result.answered_within += 1

    def start(self, now: float, action: Action) -> None:
        entry = action.entry
        caller = self.callers[entry.call_id]
        wrap = self.config.queue(entry.queue).wrap_up_s
        if isinstance(action, Connect):
            self.answered(action.waited_s)
            said = self.announced.get(entry.call_id)
            if said is not None:
                central, low, high = said
                self.result.ewt_errors.append(abs(central - action.waited_s))
                self.result.ewt_in_range += low - 1 <= action.waited_s <= high + 1
            asterisk = self.asterisk_said.get(entry.call_id, 0.0)
            self.result.asterisk_errors.append(abs(asterisk - action.waited_s))
            old = self.holdtime[entry.queue]
            self.holdtime[entry.queue] = (3 * old + action.waited_s) / 4
            self.push(now + caller.talk_s + wrap, "done", action.agent_id)
            return
        callback = entry.callback
        assert callback is not None
        self.result.callback_attempts += 1
        if entry.call_id not in self.first_attempt:
            self.first_attempt[entry.call_id] = now
            self.result.promises_kept += now <= callback.promised_by
        rng = random.Random(f"{self.seed}:callback:{caller.index}:{callback.attempts}")
        answered = rng.random() < self.config.callback.answer_probability
        delay = CALLBACK_PICKUP_S if answered else self.config.callback.ring_s
        self.push(now + delay, "ring", (action, answered))


def simulate_day(config: QueuesConfig, scenario: Scenario, seed: int = 101) -> DayResult:
    """Run one scenario of the configured day; deterministic for a seed."""
    return _Day(config, scenario, seed).run(generate_callers(config, seed))


def simulate(config: QueuesConfig, seed: int = 101) -> Iterator[DayResult]:
    """Every scenario with the same callers and staffing."""
    for scenario in SCENARIOS:
        yield simulate_day(config, scenario, seed)
