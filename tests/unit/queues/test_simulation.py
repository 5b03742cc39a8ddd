"""The busy-day simulation: deterministic, callbacks help, deflection is counted apart."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ivr.queues.day_callers import generate_callers
from ivr.queues.day_result import DayResult
from ivr.queues.model import QueuesConfig
from ivr.queues.queues_yaml import load_queues_config
from ivr.queues.simulation import BASELINE, CALLBACKS, CALLBACKS_DEFLECTION, simulate_day


@pytest.fixture(scope="module")
def shipped() -> QueuesConfig:
    config = load_queues_config()
    return replace(config, day=replace(config.day, calls=400))  # a smaller day: fast


def summary(r: DayResult) -> tuple[object, ...]:
    return (
        r.calls,
        r.abandoned,
        r.answered,
        r.wait_total_s,
        r.callbacks_completed,
        r.deflected,
        r.promises_kept,
        tuple(r.ewt_errors),
    )


def test_shipped_config_loads() -> None:
    config = load_queues_config()
    assert {"rc", "fcr", "switchboard"} <= set(config.queues)
    assert config.day.calls == 1000
    assert all(len(q.staffing) == 24 for q in config.queues.values())
    weights = config.day.arrivals_by_hour
    assert max(range(24), key=lambda h: weights[h]) in range(15, 20)  # late afternoon / evening


def test_arrivals_peak_late_afternoon(shipped: QueuesConfig) -> None:
    callers = generate_callers(replace(shipped, day=replace(shipped.day, calls=1000)), 7)
    assert len(callers) == 1000
    peak = sum(1 for c in callers if 15 * 3600 <= c.arrival < 20 * 3600)
    night = sum(1 for c in callers if c.arrival < 5 * 3600)
    assert peak > 4 * night


def test_deterministic_for_a_seed(shipped: QueuesConfig) -> None:
    a = simulate_day(shipped, CALLBACKS_DEFLECTION, seed=3)
    b = simulate_day(shipped, CALLBACKS_DEFLECTION, seed=3)
    c = simulate_day(shipped, CALLBACKS_DEFLECTION, seed=4)
    assert summary(a) == summary(b)
    assert summary(a) != summary(c)


def test_callbacks_reduce_abandonment_with_the_same_staffing() -> None:
    busy_day = load_queues_config()  # the full 1,000-call day: a quieter one proves little
    for seed in (1, 2):
        base = simulate_day(busy_day, BASELINE, seed)
        cb = simulate_day(busy_day, CALLBACKS, seed)
        assert base.callbacks_offered == 0
        assert cb.callbacks_accepted > 0 and cb.callbacks_completed > 0
        assert cb.abandonment_rate < base.abandonment_rate
        assert cb.promises_kept <= cb.callbacks_accepted


def test_deflection_is_counted_apart_from_abandonment(shipped: QueuesConfig) -> None:
    cb = simulate_day(shipped, CALLBACKS, 5)
    de = simulate_day(shipped, CALLBACKS_DEFLECTION, 5)
    assert cb.deflected == 0 and de.deflected > 0
    assert de.offered == de.calls - de.deflected
    # deflected callers are neither abandoned nor answered
    settled = de.abandoned + de.refused + de.answered + de.callbacks_completed + de.callbacks_failed
    assert settled + de.deflected + de.unresolved <= de.calls
    assert de.abandonment_rate == (de.abandoned + de.refused) / de.offered


def test_every_call_is_settled(shipped: QueuesConfig) -> None:
    r = simulate_day(shipped, CALLBACKS, 9)
    assert r.unresolved == 0
    assert (
        r.abandoned + r.refused + r.answered + r.callbacks_completed + r.callbacks_failed == r.calls
    )
