"""The call log read-only and streamed: calls in start order, a batch at a time, each
turned into a ``CallJourney`` with its events and decisions.

Read-only (``mode=ro``): a report beside a running server never writes to its database.
Memory stays flat however long the period: one batch of calls (and only the event kinds
the figures use) is held at a time. JSON fields of decisions are read by SQLite
(``json_extract``), not parsed whole in Python: most of a decision row is its inputs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ivr.analysis.journey import (
    CALLBACK_LEG,
    CALLBACK_PREFIX,
    OPERATOR_MOVE,
    CallJourney,
    SeenDecision,
    Source,
    Visit,
)
from ivr.analysis.visits import VisitTracker
from ivr.store.db import iso

BATCH: Final = 1000
CHAT_OUTCOME: Final = "deflected:chat"  # ivr.session.outcomes.CallOutcome.DEFLECTED_CHAT

# The event kinds the figures read (steps and keys are most of a log, and are not needed).
KINDS: Final = (
    "queue-joined",
    "queue-full",
    "queue-abandoned",
    "queue-gave-up",
    "dial",
    "dial-failed",
    "connected",
    "agent-hung-up",
    "callback-offered",
    "callback-declined",
    "callback-accepted",
    "link-offered",
    "link-declined",
    "deflected",
    "chat-offered",
    "chat-declined",
    "chat-accepted",
    "chat-not-offered",
    "chat-link-expired",
    "speech",
    "caller-profile",
    "redial-of",
    "emergency-breakout",
    "ended",
)


class DamagedRow(ValueError):
    """A calls row whose times or duration cannot be read: the call is skipped."""


@dataclass(slots=True)
class Damage:
    """Rows skipped as unreadable (a crafted or damaged database), told to the user."""

    calls: int = 0
    events: int = 0

    @property
    def total(self) -> int:
        return self.calls + self.events


class LogUnreadable(ValueError):
    """The database cannot be read as a call log: missing, not SQLite, or no calls table."""

    error_id = "analysis-db"


@dataclass(frozen=True, slots=True)
class Period:
    """Calls that started from ``start`` (inclusive) to ``end`` (exclusive); None: open."""

    start: datetime | None = None
    end: datetime | None = None

    def clause(self, column: str) -> tuple[str, list[str]]:
        """SQL on a stored time column (``iso`` UTC text, which sorts as time does)."""
        parts, params = [], []
        if self.start is not None:
            parts.append(f"{column} >= ?")
            params.append(iso(self.start))
        if self.end is not None:
            parts.append(f"{column} < ?")
            params.append(iso(self.end))
        return " AND ".join(parts) or "1", params


_CALLS = (
    "SELECT call_id, started_at, coalesce(dialled, ''), coalesce(outcome, ''),"
    " coalesce(destination, ''), coalesce(last_step, ''), coalesce(ended_by, ''),"
    " duration_s, ended_at FROM calls"
)
_DECISIONS = (
    "SELECT call_id, coalesce(action, ''), coalesce(destination, ''), coalesce(rule, ''),"
    " CASE WHEN json_valid(evidence) THEN json_extract(evidence, '$.inputs.attempt',"
    " '$.inputs.digits', '$.inputs.heard[0].text', '$.from', '$.danger_check') END"
    " FROM decisions"
)


class CallLogSource:
    """A call database, read-only; ``with CallLogSource(path) as log: log.journeys(...)``."""

    def __init__(self, path: Path, *, batch: int = BATCH) -> None:
        if not path.is_file():
            raise LogUnreadable(f"no database at {path}")
        self.path = path
        self.batch = batch
        try:
            self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise LogUnreadable(f"{path} cannot be read as a call database: {exc}") from exc
        missing = {"calls", "call_events", "decisions"} - tables
        if missing:
            self.db.close()
            raise LogUnreadable(f"{path} is not a call database (no {', '.join(sorted(missing))})")
        self.tables = frozenset(tables)
        self.damage = Damage()

    def __enter__(self) -> CallLogSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise LogUnreadable(f"cannot read {self.path}: {exc}") from exc

    def count(self, period: Period) -> int:
        where, params = period.clause("started_at")
        return int(self.query(f"SELECT count(*) FROM calls WHERE {where}", params).fetchone()[0])

    def started_range(self, period: Period) -> tuple[datetime, datetime] | None:
        """The first and last readable start time of the calls in ``period`` (None: none)."""
        where, params = period.clause("started_at")
        first, last = self.query(
            f"SELECT min(started_at), max(started_at) FROM calls WHERE {where}"
            " AND started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'",
            params,
        ).fetchone()
        try:
            return (stored_time(first), stored_time(last)) if first else None
        except ValueError:
            return None  # damaged beyond a date: the rows themselves are skipped

    def journeys(self, period: Period) -> Iterator[CallJourney]:
        """Every call that started in ``period``, in start order."""
        where, params = period.clause("started_at")
        cursor = self.query(f"{_CALLS} WHERE {where} ORDER BY started_at, call_id", params)
        while rows := cursor.fetchmany(self.batch):
            yield from self._batch(rows)

    def _batch(self, rows: list[tuple[Any, ...]]) -> Iterator[CallJourney]:
        ids = [row[0] for row in rows]
        marks = ",".join("?" * len(ids))
        kinds = ",".join("?" * len(KINDS))
        events: dict[str, list[tuple[str, str, str]]] = {}
        for call_id, at, kind, detail in self.query(
            f"SELECT call_id, at, kind, detail FROM call_events WHERE call_id IN ({marks})"
            f" AND kind IN ({kinds}) ORDER BY call_id, id",
            [*ids, *KINDS],
        ):
            events.setdefault(call_id, []).append((at, kind, detail))
        decisions: dict[str, list[SeenDecision]] = {}
        for row in self.query(f"{_DECISIONS} WHERE call_id IN ({marks}) ORDER BY call_id, id", ids):
            decisions.setdefault(row[0], []).append(_decision(row))
        for row in rows:
            try:
                yield build_journey(
                    row, events.get(row[0], ()), decisions.get(row[0], []), self.damage
                )
            except DamagedRow:
                self.damage.calls += 1


def _decision(row: tuple[Any, ...]) -> SeenDecision:
    _call, action, destination, rule, found = row
    try:
        attempt, digits, heard, moved_from, how = json.loads(found) if found else (None,) * 5
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        attempt = digits = heard = moved_from = how = None
    if isinstance(digits, str) and digits:
        source, said = Source.KEYPAD, f"keyed {digits}"
    elif isinstance(heard, str) and heard:
        source, said = Source.SPEECH, heard
    else:
        source, said = Source.NOTHING, ""
    return SeenDecision(
        action=str(action),
        destination=str(destination),
        rule=str(rule),
        engine=attempt is not None and rule != OPERATOR_MOVE,
        source=source,
        said=said,
        moved_from=moved_from if isinstance(moved_from, str) else "",
        danger_check=how if isinstance(how, str) else "",
    )


def stored_time(text: object) -> datetime:
    """A stored time; one without an offset is read as UTC (what ``iso`` writes)."""
    if not isinstance(text, str):
        raise ValueError(f"not a time: {text!r}")
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def build_journey(
    row: Sequence[Any],
    events: Sequence[tuple[str, str, str]],
    decisions: list[SeenDecision],
    damage: Damage | None = None,
) -> CallJourney:
    """A call's journey from its row, its events (at, kind, detail JSON) and decisions.

    Raises ``DamagedRow`` when the row's times or duration are unreadable; an unreadable
    event is skipped (counted in ``damage``) and the rest of the call still counts.
    """
    call_id, started, dialled, outcome, destination, last_step, ended_by, duration, ended = row
    try:
        started_at = stored_time(started)
        end = stored_time(ended) if ended not in (None, "") else None
        duration_s = float(duration) if duration is not None else None
    except (ValueError, TypeError, OverflowError) as exc:
        raise DamagedRow(f"call {call_id!r}: {exc}") from exc
    journey = CallJourney(
        call_id=str(call_id),
        started_at=started_at,
        dialled=str(dialled),
        outcome=str(outcome),
        destination=str(destination),
        last_step=str(last_step),
        ended_by=str(ended_by),
        duration_s=duration_s,
        decisions=decisions,
    )
    visits = VisitTracker(journey.started_at)
    for at_text, kind, text in events:
        try:
            detail = json.loads(text) if text else {}
            at = stored_time(at_text)
        except (ValueError, RecursionError):
            if damage is not None:
                damage.events += 1
            continue
        if not isinstance(detail, dict):
            detail = {}
        visits.event(kind, at, detail)
        _note(journey, kind, detail)
    journey.visits = _named(visits.finish(end, outcome=journey.outcome), journey.dialled)
    return journey


def _named(visits: list[Visit], dialled: str) -> list[Visit]:
    """A callback's own call: every place it rings is ``callback:<queue>``, whichever side
    was rung first (caller first, its dial names the bare queue: ivr.flows.callbacks), so
    its work is never counted again as the queue's volume."""
    if dialled != CALLBACK_LEG:
        return visits
    return [
        v
        if v.destination.startswith(CALLBACK_PREFIX)
        else replace(v, destination=f"{CALLBACK_PREFIX}{v.destination}")
        for v in visits
    ]


def _note_chat(journey: CallJourney, kind: str, detail: dict[str, Any]) -> None:
    """Live chat's events (ivr.verbs.chat_offer, ivr.chat.expiry)."""
    if kind == "chat-offered":
        journey.chat_offered = True
    elif kind == "chat-declined":
        journey.chat_declined = True
    elif kind == "chat-accepted":
        journey.chat_accepted = True
    elif kind == "chat-link-expired":
        journey.chat_link_expired = True
    elif kind == "chat-not-offered":
        journey.chat_not_offered = str(detail.get("reason") or "unknown")


def _note(journey: CallJourney, kind: str, detail: dict[str, Any]) -> None:
    """What an event says about the call as a whole (offers, speech, the caller)."""
    if kind == "speech":
        confidence = detail.get("confidence")
        if isinstance(confidence, int | float):
            journey.confidences.append(float(confidence))
    elif kind == "link-offered":
        journey.links_offered += 1
    elif kind == "link-declined":
        journey.links_declined += 1
    elif kind == "deflected":
        journey.deflected = True
    elif kind == "callback-offered":
        journey.callbacks_offered += 1
    elif kind == "callback-declined":
        journey.callbacks_declined += 1
    elif kind == "callback-accepted":
        journey.callback_accepted = True
    elif kind == "caller-profile":
        flags = detail.get("flags")
        journey.flags = tuple(str(f) for f in flags) if isinstance(flags, list) else ()
        recent = detail.get("recent_calls")
        journey.recent_calls = recent if isinstance(recent, int) else 0
    elif kind == "redial-of":
        if detail.get("after") == CHAT_OUTCOME:
            journey.redial_after_chat = True
        else:
            journey.redial = True
    elif kind.startswith("chat-"):
        _note_chat(journey, kind, detail)
    elif kind == "emergency-breakout":
        journey.breakout_from = str(detail.get("step", ""))
