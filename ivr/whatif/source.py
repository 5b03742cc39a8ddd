"""The queued calls of a call database, read-only, as ``QueuedCall``s.

Only app-run queues leave what a what-if needs (when a caller joined, was answered or
gave up): ``queue-joined``, ``dial`` (the agent), ``connected``, ``agent-hung-up``,
``queue-abandoned``, ``queue-gave-up``, ``callback-accepted``, ``emergency-breakout`` and
``ended`` events, as ivr.verbs.queue writes them. One cursor over those events, call by
call (the ``call_id, at`` index), so memory holds one call at a time; the database (a
SQLite file or a PostgreSQL URL) opened read-only (ivr.store.readonly).

Every queue place counts, as ``ivr report`` counts them (ivr.analysis.visits): a call that
joins again (after a move, a break-out) is offered again. A place that ended any way but
an answer, a hang-up or a callback (the queue's limit, a break-out, a move, the call's
end) records the time it was left: its wait is *censored* there for the patience fit,
never taken as 0 s.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ivr.replay.source import Period
from ivr.store.readonly import (
    CallDatabaseUnusable,
    Location,
    ReadOnlyDatabase,
    open_call_database,
    read_errors,
)
from ivr.whatif.figures import Fate, QueuedCall

KINDS = (
    "queue-joined",
    "dial",
    "connected",
    "agent-hung-up",
    "queue-abandoned",
    "queue-gave-up",
    "emergency-breakout",
    "callback-offered",
    "callback-accepted",
    "ended",
)
# A place ends here without an answer: the wait is censored at the event's time.
LEAVES = frozenset({"queue-gave-up", "emergency-breakout"})  # (agent-hung-up: answered)


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


def read_queue_log(path: Location, period: Period) -> QueueLog:
    """The queued calls that joined in ``period``; LogUnusable when the file is no log."""
    try:
        opened = open_call_database(path, needs=("call_events",))
    except CallDatabaseUnusable as exc:
        raise LogUnusable(str(exc)) from exc
    try:
        return _read(opened.db, period)
    except read_errors() as exc:
        raise LogUnusable(f"{opened.name} cannot be read as a call log: {exc}") from exc
    finally:
        opened.db.close()


def _read(db: ReadOnlyDatabase, period: Period) -> QueueLog:
    marks = ",".join("?" for _ in KINDS)
    batches = db.stream(
        f"SELECT call_id, at, kind, detail FROM call_events WHERE kind IN ({marks})"
        " ORDER BY call_id, at, id",
        KINDS,
    )
    log = QueueLog()
    start = period.start.timestamp() if period.start else None
    end = period.end.timestamp() if period.end else None
    call: _Call | None = None
    for rows in batches:
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
    if call is None:
        return
    call.close(None)
    for queued in call.places:
        if (start is not None and queued.joined < start) or (
            end is not None and queued.joined >= end
        ):
            continue
        log.calls.append(queued)
        log.first = queued.joined if log.first is None else min(log.first, queued.joined)
        log.last = queued.joined if log.last is None else max(log.last, queued.joined)


@dataclass
class _Place:
    queue: str
    joined: float
    fate: Fate = Fate.OTHER
    waited: float | None = None  # None: not left yet
    answered_at: float | None = None
    handled: float | None = None


@dataclass
class _Call:
    call_id: str
    places: list[QueuedCall] = field(default_factory=list)
    open: _Place | None = None

    def add(self, at: float, kind: str, detail: dict[str, Any], log: QueueLog) -> None:
        place = self.open
        if kind == "callback-offered":
            log.callback_offers += 1
        elif kind == "queue-joined":
            self.close(at)  # an operator moved them, or they joined again
            self.open = _Place(str(detail.get("queue", "")), at)
        elif place is None:
            return
        elif kind == "dial" and detail.get("agent"):
            log.agents[str(detail.get("destination", place.queue))].add(str(detail["agent"]))
        elif kind == "dial" and detail.get("destination") not in (None, place.queue):
            self.close(at)  # put through elsewhere: the place was left then
        elif kind == "connected" and detail.get("destination") == place.queue:
            if place.answered_at is None:
                place.fate, place.waited, place.answered_at = Fate.ANSWERED, at - place.joined, at
        elif kind == "queue-abandoned":
            waited = detail.get("waited_s")
            place.fate = Fate.ABANDONED
            if isinstance(waited, int | float) and not isinstance(waited, bool):
                place.waited = float(waited)  # the queue's own count, as the report reads it
            else:
                place.waited = at - place.joined
            self.close(at)
        elif kind == "callback-accepted":
            place.fate, place.waited = Fate.CALLBACK, at - place.joined
            self.close(at)
        elif kind in LEAVES or kind == "agent-hung-up":
            self.close(at)
        elif kind == "ended":
            if place.answered_at is None and detail.get("outcome") == "callback":
                place.fate, place.waited = Fate.CALLBACK, at - place.joined
            elif place.answered_at is None and detail.get("outcome") == "abandoned":
                place.fate, place.waited = Fate.ABANDONED, at - place.joined  # while it rang
            self.close(at)

    def close(self, at: float | None) -> None:
        """The open place ends at ``at`` (None: the log ends with it open)."""
        place, self.open = self.open, None
        if place is None:
            return
        if place.answered_at is not None:
            if at is not None and place.handled is None:
                place.handled = at - place.answered_at
        elif place.waited is None:
            # left without an answer: censored when it was left (0 s if never seen to leave)
            place.waited = at - place.joined if at is not None else 0.0
        handled = place.handled if place.fate is Fate.ANSWERED else None
        waited = max(0.0, place.waited or 0.0)
        self.places.append(
            QueuedCall(place.queue, place.joined, place.fate, waited, handled, self.call_id)
        )


def _epoch(text: str) -> float:
    at = datetime.fromisoformat(text)
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def _json(text: Any) -> dict[str, Any]:
    try:
        found = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
