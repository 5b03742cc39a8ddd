"""The fit recovers a synthetic log's KNOWN demand, and simulating the log's own
settings reproduces its figures within the stated tolerance (fixed seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.replay.source import Period
from ivr.whatif.fit import Demand
from ivr.whatif.report import Tolerance
from ivr.whatif.runs import ALL, by_queue, simulate_runs
from ivr.whatif.simulate import Scenario
from ivr.whatif.source import read_queue_log
from tests.unit.whatif.synthetic import FCR, RC, START, KnownQueue


def mean_open_rate(demand: Demand, queue: KnownQueue) -> float:
    """The fitted weekday rate averaged over the queue's open slots."""
    rates = demand.queues[queue.name].rates
    slots = [
        rates.get((day, slot), 0.0)
        for day in range(5)
        for slot in range(queue.opens * 4, queue.closes * 4)
    ]
    return sum(slots) / len(slots)


@pytest.mark.parametrize("queue", [FCR, RC], ids=lambda q: q.name)
def test_the_fit_recovers_the_known_demand(synthetic_db: Path, queue: KnownQueue) -> None:
    demand = Demand.fit(read_queue_log(synthetic_db, Period()))
    fitted = demand.queues[queue.name]
    assert fitted.agents == queue.agents
    assert mean_open_rate(demand, queue) == pytest.approx(queue.weekday_rate, rel=0.05)
    assert fitted.mean_handling() == pytest.approx(queue.talk_mean_s, rel=0.06)
    # Kaplan-Meier on waits censored by answers: the known median patience
    assert fitted.patience.median() == pytest.approx(queue.patience_median_s, rel=0.10)
    assert fitted.patience.quantile(0.25) == pytest.approx(
        queue.patience_mean_s * 0.2877,
        rel=0.12,  # exponential: -ln(0.75) of the mean
    )
    closed = [r for (day, slot), r in fitted.rates.items() if slot < queue.opens * 4]
    assert closed == []


def test_the_logs_own_settings_reproduce_its_figures(synthetic_db: Path) -> None:
    log = read_queue_log(synthetic_db, Period())
    demand = Demand.fit(log)
    logged = by_queue(log.calls, 300.0)
    simulated = simulate_runs(demand, Scenario(), runs=8, seed=101).figures
    tolerance = Tolerance()
    for queue in ("fcr", "rc", ALL):
        assert tolerance.misses(queue, logged[queue], simulated[queue]) == []
        assert simulated[queue].offered == pytest.approx(logged[queue].offered, rel=0.03)


def test_a_run_is_repeatable_for_a_seed(synthetic_db: Path) -> None:
    demand = Demand.fit(read_queue_log(synthetic_db, Period()))
    once = simulate_runs(demand, Scenario(), runs=1, seed=5).figures
    again = simulate_runs(demand, Scenario(), runs=1, seed=5).figures
    other = simulate_runs(demand, Scenario(), runs=1, seed=6).figures
    assert once == again and once != other


def test_scenarios_move_the_figures_the_way_they_should(synthetic_db: Path) -> None:
    demand = Demand.fit(read_queue_log(synthetic_db, Period()))
    own = simulate_runs(demand, Scenario(), runs=3, seed=1).figures
    staffed = simulate_runs(demand, Scenario(agents={"rc": 2}), runs=3, seed=1).figures
    assert staffed["rc"].service_level > own["rc"].service_level + 0.15
    assert staffed["rc"].abandonment < own["rc"].abandonment / 2
    assert staffed["fcr"] == own["fcr"]  # the same callers (common random numbers)
    deflected = simulate_runs(demand, Scenario(deflection=0.3), runs=3, seed=1)
    assert deflected.figures[ALL].offered == pytest.approx(own[ALL].offered * 0.7, rel=0.05)
    assert deflected.deflected == pytest.approx(own[ALL].offered * 0.3, rel=0.1)
    callbacks = simulate_runs(
        demand, Scenario(callbacks=True, callback_acceptance=1.0), runs=3, seed=1
    ).figures
    assert callbacks["rc"].callbacks > 0
    assert callbacks["rc"].abandonment < own["rc"].abandonment
    moved = simulate_runs(demand, Scenario(moves={"rc": {"fcr": 0.5}}), runs=3, seed=1)
    assert moved.figures["rc"].offered == pytest.approx(own["rc"].offered / 2, rel=0.1)
    assert moved.figures["fcr"].offered > own["fcr"].offered


def test_a_period_keeps_only_its_calls(synthetic_db: Path) -> None:
    week = Period(START, START.replace(day=START.day + 7))
    log = read_queue_log(synthetic_db, week)
    everything = read_queue_log(synthetic_db, Period())
    assert 0 < len(log.calls) < len(everything.calls) / 3
    assert log.first is not None and log.first >= START.timestamp()
