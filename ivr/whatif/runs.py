"""Several seeded runs of a scenario, averaged into figures per queue (and "all")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ivr.whatif.figures import SERVICE_TARGET_S, Figures, QueuedCall
from ivr.whatif.fit import Demand
from ivr.whatif.simulate import Scenario, Simulation

ALL = "all"
Progress = Callable[[int, int], None]  # (runs done, runs)


@dataclass(frozen=True)
class Result:
    figures: dict[str, Figures]  # queue, and ALL -> mean over the runs
    deflected: float  # mean per run
    rerouted_out: float


def by_queue(calls: Iterable[QueuedCall], target_s: float) -> dict[str, Figures]:
    kept = list(calls)
    queues = sorted({c.queue for c in kept})
    found = {q: Figures.of((c for c in kept if c.queue == q), target_s) for q in queues}
    found[ALL] = Figures.of(kept, target_s)
    return found


def simulate_runs(
    demand: Demand,
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    target_s: float = SERVICE_TARGET_S,
    progress: Progress | None = None,
) -> Result:
    """``runs`` runs with seeds ``seed``, ``seed + 1``, ...: every scenario run with the
    same seeds draws the same callers where it can (common random numbers)."""
    each: list[dict[str, Figures]] = []
    deflected = rerouted = 0
    for n in range(runs):
        outcome = Simulation(demand, scenario, seed + n).run()
        each.append(by_queue(outcome.calls, target_s))
        deflected += outcome.deflected
        rerouted += outcome.rerouted_out
        if progress is not None:
            progress(n + 1, runs)
    names = sorted({q for figures in each for q in figures})
    mean = {q: Figures.mean([f.get(q, Figures.mean([])) for f in each]) for q in names}
    return Result(mean, deflected / max(runs, 1), rerouted / max(runs, 1))
