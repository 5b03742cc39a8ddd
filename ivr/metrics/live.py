"""LiveCollector: gauges read from the app's memory when Prometheus scrapes.

Calls in progress by step (the live sessions), each app-run queue's load (its
QueueService snapshot: on hold, callbacks pending, agents, the wait a new caller would
have) and the SMS outbox's depth (the last sample ``OutboxDepth`` took; the outbox is a
table, and a scrape never queries the database). All of it is on the loop already: a
scrape costs a pass over the live calls and the queues, nothing more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from prometheus_client.core import GaugeMetricFamily, Metric

from ivr.metrics.labels import LabelValues, step_kind


class Stepped(Protocol):
    """A live call, as far as a metric cares: the step it is at (CallSession)."""

    @property
    def last_step(self) -> str: ...


LiveCalls = Callable[[], Iterable[Stepped]]
QueueLoads = Callable[[], Mapping[str, Mapping[str, Any]]]  # QueueService.snapshot
Depth = Callable[[], int | None]

# QueueService.snapshot's keys -> (metric, help)
QUEUE_GAUGES = {
    "on_hold": ("ivr_queue_waiting", "Callers on hold in an app-run queue now."),
    "callbacks": ("ivr_callbacks_pending", "Callbacks booked and not yet placed, by queue."),
    "agents": ("ivr_queue_agents", "Agents serving a queue (signed in)."),
    "agents_free": ("ivr_queue_agents_free", "Agents serving a queue who are free now."),
    "wait_s": (
        "ivr_queue_expected_wait_seconds",
        "The wait a caller joining the queue now would be told (absent when unknown).",
    ),
}


class LiveCollector:
    """A prometheus_client collector over the running app's state."""

    def __init__(
        self,
        live: LiveCalls,
        queues: QueueLoads,
        outbox_depth: Depth,
        queue_label: LabelValues | None = None,
    ) -> None:
        self._live = live
        self._queues = queues
        self._depth = outbox_depth
        self._step = LabelValues()
        self._queue = queue_label or LabelValues()

    def collect(self) -> Iterator[Metric]:
        yield self._calls()
        yield from self._queue_gauges()
        depth = self._depth()
        outbox = GaugeMetricFamily(
            "ivr_sms_outbox_depth",
            "Texts stored and not yet sent or given up (queued or sending), last sampled.",
        )
        if depth is not None:
            outbox.add_metric([], depth)
        yield outbox

    def _calls(self) -> Metric:
        steps = Counter(self._step(step_kind(call.last_step)) for call in self._live())
        family = GaugeMetricFamily(
            "ivr_calls_in_progress", "Calls the app is running now, by step.", labels=["step"]
        )
        for step, count in sorted(steps.items()):
            family.add_metric([step], count)
        return family

    def _queue_gauges(self) -> Iterator[Metric]:
        loads = self._queues()
        for key, (name, text) in QUEUE_GAUGES.items():
            family = GaugeMetricFamily(name, text, labels=["queue"])
            values: dict[str, float] = {}  # queues past the label guard share "other"
            for queue, load in sorted(loads.items()):
                value = load.get(key)
                if isinstance(value, int | float):
                    label = self._queue(queue)
                    values[label] = values.get(label, 0.0) + float(value)
            for label, total in values.items():
                family.add_metric([label], total)
            yield family
