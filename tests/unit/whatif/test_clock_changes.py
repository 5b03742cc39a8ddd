"""Clock-change days: arrivals are fitted and simulated on the UK local clock."""

from __future__ import annotations

from datetime import datetime

from ivr.whatif.figures import Fate, QueuedCall
from ivr.whatif.fit import LOCAL, Demand, slot_of
from ivr.whatif.simulate import Scenario, Simulation
from ivr.whatif.source import QueueLog

SPRING = datetime(2026, 3, 29, tzinfo=LOCAL)  # a Sunday: 01:00 GMT -> 02:00 BST
AUTUMN = datetime(2026, 10, 25, tzinfo=LOCAL)  # a Sunday: 02:00 BST -> 01:00 GMT


def log_of(joins: list[float]) -> QueueLog:
    calls = [QueuedCall("fcr", t, Fate.ANSWERED, 1.0, 60.0, f"c{n}") for n, t in enumerate(joins)]
    return QueueLog(calls=calls, first=min(joins), last=max(joins))


def test_a_spring_day_simulates_its_calls_at_the_local_hour_they_came() -> None:
    nine = datetime(2026, 3, 29, 9, 0, tzinfo=LOCAL).timestamp()
    demand = Demand.fit(log_of([nine + 60.0 * n for n in range(15)]))
    assert demand.queues["fcr"].rates == {(6, 36): 15.0}
    outcome = Simulation(demand, Scenario(), seed=1).run()
    assert outcome.calls, "the simulation drew no callers"
    hours = {datetime.fromtimestamp(c.joined, LOCAL).strftime("%H:%M") for c in outcome.calls}
    assert all("09:00" <= h < "09:15" for h in hours), hours


def test_the_repeated_october_hour_is_two_slots_of_demand_not_one_doubled() -> None:
    # one call in every real quarter hour of the 25-hour day
    start = AUTUMN.timestamp()
    joins = [start + 450.0 + 900.0 * n for n in range(100)]
    assert len({slot_of(t) for t in joins}) == 96  # 01:00-01:59 happens twice
    demand = Demand.fit(log_of(joins))
    rates = demand.queues["fcr"].rates
    assert set(rates.values()) == {1.0}  # the repeated slots occurred twice: 2 calls / 2
    # and the simulation runs both: calls in the second 01:00 (GMT) as in the first (BST)
    calls = [c for s in range(10) for c in Simulation(demand, Scenario(), seed=s).run().calls]
    folds = [datetime.fromtimestamp(c.joined, LOCAL) for c in calls]
    first = sum(1 for t in folds if t.hour == 1 and t.fold == 0)
    second = sum(1 for t in folds if t.hour == 1 and t.fold == 1)
    assert first > 20 and second > 20  # 40 expected each (4 slots x 1 call x 10 runs)
    assert 900 < len(calls) < 1100  # 100 a day
