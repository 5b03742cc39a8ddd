"""The queued calls of a call database, read-only, as ``QueuedCall``s.

Only app-run queues leave what a what-if needs (when a caller joined, was answered or
gave up): ``queue-joined``, ``dial`` (the agent), ``connected``, ``agent-hung-up``,
``queue-abandoned`` and ``ended`` events, as ivr.verbs.queue writes them. One cursor over
those events, call by call (the ``call_id, at`` index), so memory holds one call at a time.
A call that joins again (after a break-out, or a move) counts once, in its last queue,
from its first join there.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.replay.source import Period
from ivr.whatif.figures import Fate, QueuedCall

KINDS = (
    "queue-joined",
    "dial",
    "connected",
    "agent-hung-up",
    "queue-abandoned",
    "callback-offered",
    "ended",
)


class LogUnusable(ValueError):
    """The database cannot be read as a call log."""

    error_id = "whatif-db"


@dataclass
class QueueLog:
    """What the log says about its queues, besides the calls themselves."""

    calls: list[QueuedCall] = field(default_factory=list)
    agents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    callback_offers: int = 0
    first: float | None = None  # the first and last join, epoch seconds
    last: float | None = None


def read_queue_log(path: Path, period: Period) -> QueueLog:
    """The queued calls that joined in ``period``; LogUnusable when the file is no log."""
    if not path.is_file():
        raise LogUnusable(f"no database at {path}")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LogUnusable(f"cannot open {path}: {exc}") from exc
    try:
        return _read(db, period)
    except sqlite3.DatabaseError as exc:
        raise LogUnusable(f"{path} cannot be read as a call log: {exc}") from exc
    finally:
        db.close()


def _read(db: sqlite3.Connection, period: Period) -> QueueLog:
    marks = ",".join("?" for _ in KINDS)
    cursor = db.execute(
        f"SELECT call_id, at, kind, detail FROM call_events WHERE kind IN ({marks})"
        " ORDER BY call_id, at, id",
        KINDS,
    )
    log = QueueLog()
    start = period.start.timestamp() if period.start else None
    end = period.end.timestamp() if period.end else None
    call: _Call | None = None
    while rows := cursor.fetchmany(1000):
        for call_id, at, kind, detail in rows:
            if call is None or call.call_id != call_id:
                _keep(call, log, start, end)
                call = _Call(call_id)
            try:
                when = _epoch(at)
            except (TypeError, ValueError):
                continue  # a row with no readable time says nothing about waits
            call.add(when, kind, _json(detail), log)
    _keep(call, log, start, end)
    return log


def _keep(call: _Call | None, log: QueueLog, start: float | None, end: float | None) -> None:
    queued = call.queued() if call is not None else None
    if queued is None:
        return
    if (start is not None and queued.joined < start) or (end is not None and queued.joined >= end):
        return
    log.calls.append(queued)
    log.first = queued.joined if log.first is None else min(log.first, queued.joined)
    log.last = queued.joined if log.last is None else max(log.last, queued.joined)


@dataclass
class _Call:
    call_id: str
    queue: str = ""
    joined: float | None = None
    fate: Fate = Fate.OTHER
    waited: float = 0.0
    answered_at: float | None = None
    handled: float | None = None

    def add(self, at: float, kind: str, detail: dict[str, Any], log: QueueLog) -> None:
        if kind == "queue-joined":
            queue = str(detail.get("queue", ""))
            if queue != self.queue or self.joined is None:
                self.queue, self.joined = queue, at
            self.fate = Fate.OTHER
        elif self.joined is None:
            return
        elif kind == "dial" and detail.get("agent"):
            log.agents[str(detail.get("destination", self.queue))].add(str(detail["agent"]))
        elif kind == "connected" and detail.get("destination") == self.queue:
            self.fate, self.waited, self.answered_at = Fate.ANSWERED, at - self.joined, at
        elif kind == "queue-abandoned":
            self.fate, self.waited = Fate.ABANDONED, at - self.joined
        elif kind == "callback-offered":
            log.callback_offers += 1
        elif kind in ("agent-hung-up", "ended"):
            if self.answered_at is not None and self.handled is None:
                self.handled = at - self.answered_at
            if kind == "ended" and detail.get("outcome") == "callback":
                self.fate, self.waited = Fate.CALLBACK, at - self.joined

    def queued(self) -> QueuedCall | None:
        if self.joined is None:
            return None
        handled = self.handled if self.fate is Fate.ANSWERED else None
        waited = max(0.0, self.waited)
        return QueuedCall(self.queue, self.joined, self.fate, waited, handled, self.call_id)


def _epoch(text: str) -> float:
    at = datetime.fromisoformat(text)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _json(text: Any) -> dict[str, Any]:
    try:
        found = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
