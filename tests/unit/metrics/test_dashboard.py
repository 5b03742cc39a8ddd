"""The sample Grafana dashboard asks only for metrics the app serves."""

from __future__ import annotations

import json
import re

from ivr.metrics.instruments import IvrMetrics
from ivr.metrics.live import LiveCollector
from ivr.shipped import REPO_ROOT
from tests.unit.metrics.scrape import scrape

DASHBOARD = REPO_ROOT / "docs" / "grafana" / "ivr101.json"


def served_names() -> set[str]:
    metrics = IvrMetrics()
    metrics.registry.register(LiveCollector(list, dict, lambda: 0))
    metrics.decision_seen("route", "fcr", "keypad")
    metrics.speech_seen("whisper", 0.9)
    metrics.joined("fcr")
    metrics.answered("fcr", 10.0)
    metrics.abandoned("fcr", 10.0)
    metrics.ended("transferred")
    metrics.lag_seen(0.01)
    names = {name for name, _ in scrape(metrics.registry)}
    # families that a scrape of an idle app leaves without samples
    return names | {
        "ivr_calls_in_progress",
        "ivr_queue_waiting",
        "ivr_callbacks_pending",
        "ivr_queue_agents",
        "ivr_queue_agents_free",
        "ivr_queue_expected_wait_seconds",
    }


def test_every_metric_the_dashboard_queries_is_served() -> None:
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    asked = {
        name
        for panel in board["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bivr_[a-z_]+", target["expr"])
    }
    assert asked, "the dashboard queries nothing"
    assert asked - served_names() == set()
