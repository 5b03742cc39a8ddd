"""The app's metrics: one ``CollectorRegistry`` per app and what is counted in it.

Counters and histograms move as things happen (``MetricsCallLog`` calls the ``*_seen``
methods); gauges of live state are read at scrape time by ``LiveCollector``. Every
label value goes through a ``LabelValues`` guard (ivr.metrics.labels), and a decision's
destination is first reduced to its route category (``route_of``, as the report counts
its route mix): a directory entry is a person, never a label. A danger check ("is
someone in danger right now?") is labelled ``destination="danger-check"``: it sends the
call nowhere yet, and its answer is a decision of its own (999 handling or the ordinary
route), so a sum by destination never counts one emergency twice.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ivr.analysis.kpis import route_of
from ivr.metrics.labels import LabelValues, SeriesCap

CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
# Seconds to answer: 20 s and 5 min are the usual service-level targets for 101.
WAIT_BUCKETS = (5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 180.0, 300.0, 600.0, 900.0, 1800.0)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


ANSWER_TARGET_S = 300.0  # [analysis] answer_target_s's default
DANGER_CHECK = "danger-check"  # a danger check's destination label


class IvrMetrics:
    """The registry and its instruments; build one per app.

    ``target_s``: the answer target ([analysis] answer_target_s), so the service level is
    answered within it over offered, as ``ivr report`` counts it (ivr.analysis.tally).
    """

    def __init__(self, target_s: float = ANSWER_TARGET_S) -> None:
        self.target_s = target_s
        self.registry = CollectorRegistry()
        r = self.registry
        self.decisions = Counter(
            "ivr_decisions",
            "Routing decisions stored, by action, destination's route category and rule.",
            ["action", "destination", "rule"],
            registry=r,
        )
        self.asr_confidence = Histogram(
            "ivr_asr_confidence",
            "Confidence of each recognised utterance (top alternative), by engine.",
            ["engine"],
            buckets=CONFIDENCE_BUCKETS,
            registry=r,
        )
        self.answer_wait = Histogram(
            "ivr_queue_answer_wait_seconds",
            "Time a caller waited in an app-run queue before a person answered.",
            ["queue"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.abandoned_wait = Histogram(
            "ivr_queue_abandoned_wait_seconds",
            "Time a caller waited in an app-run queue before hanging up.",
            ["queue"],
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.offered = Counter(
            "ivr_queue_offered",
            "Places taken in an app-run queue (each join counts, as in ivr report).",
            ["queue"],
            registry=r,
        )
        self.answered_in_target = Counter(
            "ivr_queue_answered_in_target",
            "Queue places a person answered within the answer target ([analysis]).",
            ["queue"],
            registry=r,
        )
        self.answer_target = Gauge(
            "ivr_queue_answer_target_seconds",
            "The answer target the service level counts against ([analysis] answer_target_s).",
            registry=r,
        )
        self.answer_target.set(target_s)
        self.calls_ended = Counter(
            "ivr_calls_ended", "Calls ended, by outcome.", ["outcome"], registry=r
        )
        self.loop_lag = Histogram(
            "ivr_event_loop_lag_seconds",
            "How late a periodic wake-up of the event loop ran (time the loop was busy).",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.loop_lag_last = Gauge(
            "ivr_event_loop_lag_last_seconds",
            "The latest event-loop lag measured.",
            registry=r,
        )
        self._action = LabelValues(name="action")
        self._destination = LabelValues(name="destination")
        self._rule = LabelValues(name="rule")
        self._engine = LabelValues(name="engine")
        self._queue = LabelValues(name="queue")
        self._outcome = LabelValues(name="outcome")
        self._decision_series = SeriesCap("ivr_decisions")
        self.queue_label = self._queue  # the live collector's queues share the bound

    def decision_seen(
        self, action: str, destination: str, rule: str, *, danger_check: bool = False
    ) -> None:
        """``danger_check``: the decision asks (``Decision.is_danger_check``), sends nowhere."""
        where = DANGER_CHECK if danger_check else route_of(destination)
        labels = self._decision_series(
            self._action(action), self._destination(where), self._rule(rule)
        )
        self.decisions.labels(*labels).inc()

    def speech_seen(self, engine: str, confidence: float) -> None:
        if 0.0 <= confidence <= 1.0:
            self.asr_confidence.labels(self._engine(engine)).observe(confidence)

    def joined(self, queue: str) -> None:
        self.offered.labels(self._queue(queue)).inc()

    def answered(self, queue: str, waited_s: float) -> None:
        label, wait = self._queue(queue), max(0.0, waited_s)
        self.answer_wait.labels(label).observe(wait)
        if wait <= self.target_s:
            self.answered_in_target.labels(label).inc()

    def abandoned(self, queue: str, waited_s: float) -> None:
        self.abandoned_wait.labels(self._queue(queue)).observe(max(0.0, waited_s))

    def ended(self, outcome: str) -> None:
        self.calls_ended.labels(self._outcome(outcome)).inc()

    def lag_seen(self, seconds: float) -> None:
        lag = max(0.0, seconds)
        self.loop_lag.observe(lag)
        self.loop_lag_last.set(lag)
