"""AppMetrics: the metrics of one app, built from what the composition root has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web

from ivr.metrics import web as metrics_web
from ivr.metrics.instruments import ANSWER_TARGET_S, IvrMetrics
from ivr.metrics.live import LiveCalls, LiveCollector, QueueLoads
from ivr.metrics.monitors import Counts, LoopLagMonitor, OutboxDepth
from ivr.metrics.tee import MetricsCallLog
from ivr.metrics_settings import Network
from ivr.queues.service import QueueService
from ivr.store.log import CallLog


@dataclass
class AppMetrics:
    instruments: IvrMetrics
    endpoint: metrics_web.MetricsEndpoint

    @classmethod
    def build(
        cls,
        *,
        live: LiveCalls,
        queues: QueueService | None,
        outbox_counts: Counts | None,
        scrapers: Sequence[Network] = (),
        token: str = "",
        target_s: float = ANSWER_TARGET_S,
    ) -> AppMetrics:
        """``outbox_counts``: ``SmsOutbox.counts`` (None: no outbox, no depth); ``token``:
        the scrape-only token; ``target_s``: [analysis] answer_target_s."""
        instruments = IvrMetrics(target_s)
        depth = OutboxDepth(outbox_counts)
        instruments.registry.register(
            LiveCollector(live, _loads(queues), depth, instruments.queue_label)
        )
        lag = LoopLagMonitor(instruments)
        endpoint = metrics_web.MetricsEndpoint(
            instruments, scrapers, (lag.run, depth.run), token=token
        )
        return cls(instruments, endpoint)

    def tee(self, inner: CallLog) -> MetricsCallLog:
        """The call log to give the sessions: ``inner``, counted on the way."""
        return MetricsCallLog(inner, self.instruments)

    def register(self, app: web.Application) -> None:
        metrics_web.register(app, self.endpoint)


def _loads(queues: QueueService | None) -> QueueLoads:
    """Each app-run queue's load (none without [agents]: Asterisk's queues are its own)."""
    if queues is None:
        return lambda: {}
    return queues.snapshot
