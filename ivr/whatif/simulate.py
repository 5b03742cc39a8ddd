"""The fitted demand run through a discrete-event model of the app-run queues.

Each queue: its agents (the log's, or the scenario's), first come first served; a caller
joins, waits for a free agent or gives up when their patience (drawn from the fitted
curve) runs out. With callbacks on, a caller told a wait above ``callback_above_s`` is
offered one and accepts with the log's acceptance share: they keep their place off the
line and no longer give up. Deflection takes a share of callers out before they queue
(the online link); a routing change moves a share of each queue's callers elsewhere
(``ivr.whatif.rerouting``), to another queue or out of the queues altogether.

Every random draw comes from one ``random.Random(seed)``: a run is repeatable.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.whatif.figures import Fate, QueuedCall
from ivr.whatif.fit import SLOT_S, Demand, QueueDemand, slot_starts

OUT = ""  # a routing change's destination that is no app-run queue
# Callers offered a callback who take it, when the log offered none to learn from
# (routing_rules/queues.yaml's ``callback: acceptance``).
DEFAULT_CALLBACK_ACCEPTANCE = 0.5


@dataclass(frozen=True)
class Scenario:
    """What changes; the defaults are the log's own settings."""

    agents: Mapping[str, int] = field(default_factory=dict)  # queue -> agents (else the log's)
    callbacks: bool = False
    callback_above_s: float = 120.0
    callback_acceptance: float | None = None  # None: the log's share (or the default)
    deflection: float = 0.0  # share of callers who take the online link instead
    moves: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # see rerouting


@dataclass
class Outcome:
    calls: list[QueuedCall]
    deflected: int = 0
    rerouted_out: int = 0  # sent by the routing change to no app-run queue


@dataclass(eq=False)
class _Caller:
    queue: str
    arrival: float
    patience: float
    talk: float
    callback: bool = False
    gone: bool = False  # gave up: left in the deque, skipped when reached
    served: bool = False


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (inversion; a normal approximation above 60)."""
    if mean <= 0:
        return 0
    if mean > 60:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


class Simulation:
    def __init__(self, demand: Demand, scenario: Scenario, seed: int) -> None:
        self.demand = demand
        self.scenario = scenario
        self.rng = random.Random(seed)
        self.acceptance = next(
            share
            for share in (
                scenario.callback_acceptance,
                demand.callback_acceptance,
                DEFAULT_CALLBACK_ACCEPTANCE,
            )
            if share is not None
        )

    def run(self) -> Outcome:
        outcome = Outcome([])
        arrivals = self._arrivals(outcome)
        for name, callers in arrivals.items():
            outcome.calls.extend(self._queue(self.demand.queues[name], callers))
        outcome.calls.sort(key=lambda c: c.joined)
        return outcome

    # --- who calls ----------------------------------------------------------------------

    def _arrivals(self, outcome: Outcome) -> dict[str, list[_Caller]]:
        rng, scenario = self.rng, self.scenario
        queues = self.demand.queues
        found: dict[str, list[_Caller]] = {name: [] for name in queues}
        for day in self.demand.days():
            weekday, slots = day.weekday(), slot_starts(day)  # on the local clock
            for name in sorted(queues):
                rates = queues[name].rates
                for start, slot in slots:
                    rate = rates.get((weekday, slot), 0.0)
                    for _ in range(poisson(rng, rate)):
                        at = start + rng.random() * SLOT_S
                        target = self._moved(name)
                        if target == OUT:
                            outcome.rerouted_out += 1
                        elif rng.random() < scenario.deflection:
                            outcome.deflected += 1
                        else:
                            found[target].append(self._caller(queues[target], at))
        for callers in found.values():
            callers.sort(key=lambda c: c.arrival)
        return found

    def _moved(self, queue: str) -> str:
        shares = self.scenario.moves.get(queue)
        if not shares:
            return queue
        u, total = self.rng.random(), 0.0
        for target, share in sorted(shares.items()):
            total += share
            if u < total:
                return target if target == OUT or target in self.demand.queues else OUT
        return queue

    def _caller(self, queue: QueueDemand, at: float) -> _Caller:
        rng = self.rng
        talk = rng.choice(queue.handling) if queue.handling else 0.0
        return _Caller(queue.queue, at, queue.patience.draw(rng), talk)

    # --- one queue ----------------------------------------------------------------------

    def _queue(self, queue: QueueDemand, callers: list[_Caller]) -> list[QueuedCall]:
        agents = self.scenario.agents.get(queue.queue, queue.agents)
        mean_talk = queue.mean_handling()
        events: list[tuple[float, int, str, _Caller | None]] = []
        seq = 0

        def push(at: float, kind: str, caller: _Caller | None) -> None:
            nonlocal seq
            seq += 1
            heapq.heappush(events, (at, seq, kind, caller))

        for joining in callers:
            push(joining.arrival, "arrive", joining)
        free = agents
        waiting: deque[_Caller] = deque()
        in_queue = 0  # in ``waiting`` and not gone
        done: list[QueuedCall] = []

        def serve(now: float, caller: _Caller) -> None:
            caller.served = True
            fate = Fate.CALLBACK if caller.callback else Fate.ANSWERED
            waited = now - caller.arrival
            done.append(QueuedCall(queue.queue, caller.arrival, fate, waited, caller.talk))
            push(now + caller.talk, "free", None)

        while events:
            now, _, kind, caller = heapq.heappop(events)
            if kind == "arrive":
                assert caller is not None
                if free > 0:
                    free -= 1
                    serve(now, caller)
                    continue
                waiting.append(caller)
                in_queue += 1
                told = (in_queue / max(agents, 1)) * mean_talk
                if (
                    self.scenario.callbacks
                    and told > self.scenario.callback_above_s
                    and self.rng.random() < self.acceptance
                ):
                    caller.callback = True
                    continue
                if math.isfinite(caller.patience):
                    push(now + caller.patience, "patience", caller)
            elif kind == "patience":
                assert caller is not None
                if not caller.served:
                    caller.gone = True
                    in_queue -= 1
                    done.append(
                        QueuedCall(queue.queue, caller.arrival, Fate.ABANDONED, caller.patience)
                    )
            else:  # an agent is free
                free += 1
                while waiting and free > 0:
                    head = waiting.popleft()
                    if not head.gone:
                        free -= 1
                        in_queue -= 1
                        serve(now, head)
        # nobody to answer them (no agents) and no end to their patience
        done.extend(
            QueuedCall(queue.queue, c.arrival, Fate.OTHER, 0.0) for c in waiting if not c.gone
        )
        return done
