"""MetricsCallLog: a CallLog that forwards every record, then counts what it says.

The sessions already tell the call log everything a metric needs (a decision, the words'
confidence, a queue's dial and answer, a caller giving up, the call's end), so a tee over
it counts each where it happens, in memory, without a query. Like the board's tee
(ivr.console.notes.BoardCallLog) it never raises into a call: the forward comes first,
and a record it cannot read is skipped (and logged once).
"""

from __future__ import annotations

import logging
from datetime import datetime

from ivr.decisions import Decision
from ivr.metrics.instruments import IvrMetrics
from ivr.store.db import Row
from ivr.store.log import CallLog

log = logging.getLogger(__name__)

SPEECH_KINDS = frozenset({"speech", "speech-unstored"})


class MetricsCallLog:
    """Forwards to ``inner`` (the CallLog the sessions would write to), and counts."""

    def __init__(self, inner: CallLog, metrics: IvrMetrics) -> None:
        self.inner = inner
        self.metrics = metrics
        # call id -> (queue, when its agent was dialled, seconds it had waited by then):
        # the answer that follows gives the whole time to answer, ring time included.
        self._dialled: dict[str, tuple[str, datetime, float]] = {}
        self._complained = False

    def call_started(self, row: Row) -> None:
        self.inner.call_started(row)

    def call_updated(self, call_id: str, fields: Row) -> None:
        self.inner.call_updated(call_id, fields)

    def event(self, call_id: str, at: datetime, kind: str, detail: Row) -> None:
        self.inner.event(call_id, at, kind, detail)
        try:
            self._count(call_id, at, kind, detail)
        except Exception:  # a metric is never worth a call
            self._complain(kind)

    def decision(self, call_id: str, at: datetime, decision: Decision) -> None:
        self.inner.decision(call_id, at, decision)
        try:
            self.metrics.decision_seen(
                decision.action,
                decision.destination or "",
                decision.rule,
                danger_check=decision.is_danger_check,
            )
        except Exception:
            self._complain("decision")

    def _count(self, call_id: str, at: datetime, kind: str, detail: Row) -> None:
        m = self.metrics
        if kind in SPEECH_KINDS and detail.get("confidence") is not None:
            m.speech_seen(str(detail.get("engine", "")), float(detail["confidence"]))
        elif kind == "queue-joined":
            m.joined(str(detail.get("queue", "")))
        elif kind == "dial" and detail.get("waited_s") is not None:
            queue = str(detail.get("destination", ""))
            self._dialled[call_id] = (queue, at, float(detail["waited_s"]))
        elif kind == "connected":
            dialled = self._dialled.pop(call_id, None)
            if dialled is not None and dialled[0] == detail.get("destination"):
                queue, dialled_at, waited = dialled
                m.answered(queue, waited + (at - dialled_at).total_seconds())
        elif kind == "dial-failed":
            self._dialled.pop(call_id, None)  # the caller waits on: the next dial counts
        elif kind == "queue-abandoned":
            m.abandoned(str(detail.get("queue", "")), float(detail.get("waited_s") or 0.0))
        elif kind == "ended":
            self._dialled.pop(call_id, None)
            m.ended(str(detail.get("outcome", "")))

    def _complain(self, kind: str) -> None:
        if not self._complained:
            self._complained = True
            log.exception("metrics: a %r record could not be counted (logged once)", kind)
