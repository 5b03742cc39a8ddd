"""Live gauges are read from memory at scrape time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ivr.metrics.instruments import IvrMetrics
from ivr.metrics.live import LiveCollector
from tests.unit.metrics.scrape import scrape, value


@dataclass
class Call:
    last_step: str


def collector_scrape(
    calls: list[Call], loads: dict[str, dict[str, Any]], depth: int | None
) -> dict[Any, float]:
    metrics = IvrMetrics()
    metrics.registry.register(LiveCollector(lambda: calls, lambda: loads, lambda: depth))
    return scrape(metrics.registry)


def test_calls_in_progress_by_step_queue_loads_and_the_outbox() -> None:
    calls = [Call("queue:fcr"), Call("queue:rc"), Call("play:welcome"), Call("start")]
    loads: dict[str, dict[str, Any]] = {
        "fcr": {"on_hold": 3, "callbacks": 2, "agents": 4, "agents_free": 0, "wait_s": 240},
        "rc": {"on_hold": 0, "callbacks": 0, "agents": 1, "agents_free": 1, "wait_s": None},
    }
    got = collector_scrape(calls, loads, 7)
    assert value(got, "ivr_calls_in_progress", step="queue") == 2
    assert value(got, "ivr_calls_in_progress", step="play") == 1
    assert value(got, "ivr_calls_in_progress", step="start") == 1
    assert value(got, "ivr_queue_waiting", queue="fcr") == 3
    assert value(got, "ivr_callbacks_pending", queue="fcr") == 2
    assert value(got, "ivr_queue_agents_free", queue="rc") == 1
    assert value(got, "ivr_queue_expected_wait_seconds", queue="fcr") == 240
    assert value(got, "ivr_queue_expected_wait_seconds", queue="rc") is None  # unknown
    assert value(got, "ivr_sms_outbox_depth") == 7


def test_each_scrape_reads_the_state_of_that_moment() -> None:
    calls = [Call("queue:fcr")]
    metrics = IvrMetrics()
    metrics.registry.register(LiveCollector(lambda: calls, dict, lambda: None))
    assert value(scrape(metrics.registry), "ivr_calls_in_progress", step="queue") == 1
    calls.clear()
    got = scrape(metrics.registry)
    assert value(got, "ivr_calls_in_progress", step="queue") is None
    assert value(got, "ivr_sms_outbox_depth") is None  # never sampled: no figure, not 0
