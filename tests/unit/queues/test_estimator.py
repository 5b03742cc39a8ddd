"""The estimated wait is position-aware, staffing-aware, and never falsely low."""

from __future__ import annotations

import math
from itertools import pairwise

from ivr.queues.estimator import WaitEstimator, lognormal_residual
from ivr.queues.model import Agent, AgentState, QueuesConfig

from .conftest import small_config


def busy(n: int, now: float = 1000.0, elapsed: float = 60.0, queue: str = "rc") -> list[Agent]:
    return [
        Agent(f"a{i}", frozenset({queue}), AgentState.BUSY, busy_since=now - elapsed)
        for i in range(n)
    ]


def test_no_data_falls_back_to_configured_handling_times(config: QueuesConfig) -> None:
    est = WaitEstimator(config)
    mean, p90 = est.handling("rc", 0.0)
    handling = config.queue("rc").handling
    assert math.isclose(mean, handling.mean_s, rel_tol=1e-6)
    assert math.isclose(p90, handling.p90_s, rel_tol=1e-6)
    # one agent, just started a call, 5 callers ahead: about six handling times, not "0 minutes"
    e = est.estimate("rc", 6, 1000.0, busy(1, elapsed=0.0))
    assert e.known and e.weight_observed == 0.0
    assert e.seconds > 5 * handling.median_s
    assert e.low > 0


def test_nobody_staffed_and_no_answers_is_unknown_not_zero(config: QueuesConfig) -> None:
    e = WaitEstimator(config).estimate("rc", 3, 0.0, [])
    assert not e.known and e.seconds == math.inf
    assert "cannot" in e.phrase()


def test_more_agents_shorter_wait(config: QueuesConfig) -> None:
    est = WaitEstimator(config)
    waits = [est.estimate("rc", 10, 1000.0, busy(n)).seconds for n in (1, 2, 4, 8)]
    assert waits == sorted(waits, reverse=True) and waits[0] > 3 * waits[-1]


def test_position_aware_and_monotonic(config: QueuesConfig) -> None:
    est = WaitEstimator(config)
    agents = busy(3)
    waits = [est.estimate("rc", k, 1000.0, agents).seconds for k in range(1, 30)]
    assert all(a <= b for a, b in pairwise(waits))
    assert waits[3] > waits[0]  # three agents free up together, the fourth caller waits longer
    # deep in the queue: about (k / N) mean handling times
    mean, _ = est.handling("rc", 1000.0)
    assert math.isclose(waits[-1], 29 / 3 * mean, rel_tol=0.25)


def test_free_agent_means_no_wait(config: QueuesConfig) -> None:
    agents = [*busy(1), Agent("f", frozenset({"rc"}))]
    e = WaitEstimator(config).estimate("rc", 1, 1000.0, agents)
    assert e.seconds == 0.0 and e.phrase() == "less than a minute"


def test_range_is_sane(config: QueuesConfig) -> None:
    est = WaitEstimator(config)
    for k in (1, 3, 10, 40):
        e = est.estimate("rc", k, 1000.0, busy(2))
        assert 0 <= e.low <= e.seconds <= e.high
        lo, hi = e.minutes_range()
        assert lo <= e.low / 60 + 1e-9 and hi >= e.high / 60 - 1e-9
    near = est.estimate("rc", 3, 1000.0, busy(2))
    deep = est.estimate("rc", 40, 1000.0, busy(2))
    # relative spread narrows deep in the queue
    assert (deep.high - deep.low) / deep.seconds < (near.high - near.low) / near.seconds
    assert deep.phrase().startswith("about ") and deep.phrase().endswith(" minutes")


def test_long_running_calls_are_expected_to_run_on() -> None:
    mu, sigma = math.log(300), 0.7
    residuals = [lognormal_residual(e, mu, sigma) for e in (0, 60, 600, 3600, 36000)]
    assert residuals[0] == math.exp(mu + sigma**2 / 2)
    assert residuals[-1] > residuals[-2] > residuals[2]  # heavy tail: the longer, the longer
    assert all(r > 0 and math.isfinite(r) for r in residuals)


def test_observed_slow_answers_lengthen_the_estimate(config: QueuesConfig) -> None:
    """Staffing says 4 agents, but answers come at one per 10 min: the figure follows the facts."""
    est = WaitEstimator(config)
    agents = busy(4, now=7200.0)
    before = est.estimate("rc", 10, 0.0, busy(4, now=0.0)).seconds
    est.note_backlog("rc", 0.0, True)
    for i in range(1, 13):
        est.observe_answer("rc", i * 600.0, backlogged=True)
    after = est.estimate("rc", 10, 7200.0, agents)
    assert after.weight_observed > 0.1
    assert after.seconds > 1.3 * before
    # and an answer while agents sat idle (demand, not capacity) is not evidence
    idle = WaitEstimator(config)
    idle.observe_answer("rc", 10.0, backlogged=False)
    assert idle.answer_rate("rc", 10.0) == (0.0, 0.0)


def test_observed_handling_times_are_learned() -> None:
    config = small_config()
    est = WaitEstimator(config)
    for i in range(200):
        est.observe_handling("rc", float(i), 900.0)
    mean, _ = est.handling("rc", 200.0)
    assert mean > 700.0  # the configured 300 s median has been outweighed
