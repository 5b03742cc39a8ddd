"""The call log read-only and streamed: calls in start order, a batch at a time, each
turned into a ``CallJourney`` with its events and decisions.

Read-only (ivr.store.readonly: SQLite ``mode=ro``, or a read-only PostgreSQL connection):
a report beside a running server never writes to its database. Memory stays flat however
long the period: one batch of calls (and only the event kinds the figures use) is held at
a time. On SQLite the JSON fields of decisions are picked by SQLite (``json_extract``),
not parsed whole in Python; PostgreSQL 15 has no test for valid JSON, so there the
evidence is parsed in Python, where a damaged row costs only its own fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
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
from ivr.store.engine import Database, Dialect
from ivr.store.readonly import (
    CallDatabaseUnusable,
    Location,
    open_call_database,
    read_errors,
)

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
    """The database cannot be read as a call log: missing, unreadable, or no calls table."""

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
        return " AND ".join(parts) or "1 = 1", params


_CALLS = (
    "SELECT call_id, started_at, coalesce(dialled, ''), coalesce(outcome, ''),"
    " coalesce(destination, ''), coalesce(last_step, ''), coalesce(ended_by, ''),"
    " duration_s, ended_at FROM calls"
)
# The evidence fields the figures use, in this order (``_decision`` unpacks them).
_PICKED: Final = (
    ("inputs", "attempt"),
    ("inputs", "digits"),
    ("inputs", "heard", 0, "text"),
    ("from",),
    ("danger_check",),
)
_NONE: Final = (None,) * len(_PICKED)
_SQLITE_PICKED: Final = (
    "CASE WHEN json_valid(evidence) THEN json_extract(evidence, '$.inputs.attempt',"
    " '$.inputs.digits', '$.inputs.heard[0].text', '$.from', '$.danger_check') END"
)


def _decisions_sql(db: Database) -> str:
    """The decisions' columns, the picked evidence fields last: a JSON array of them
    (SQLite), or the evidence whole, picked in Python (``_picked``; PostgreSQL)."""
    picked = "evidence" if db.dialect is Dialect.POSTGRES else _SQLITE_PICKED
    return (
        "SELECT call_id, coalesce(action, ''), coalesce(destination, ''), coalesce(rule, ''),"
        f" {picked} FROM decisions"
    )


def _date_like(db: Database, column: str) -> str:
    """SQL true for a stored time that starts with a date (YYYY-MM-DD): damaged text
    must not become a period's first or last call."""
    if db.dialect is Dialect.POSTGRES:
        return f"{column} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}'"
    return f"{column} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"


class CallLogSource:
    """A call database, read-only; ``with CallLogSource(path) as log: log.journeys(...)``.

    ``path``: a SQLite file, or a ``postgresql://`` URL."""

    def __init__(self, path: Location, *, batch: int = BATCH) -> None:
        try:
            opened = open_call_database(path, needs=("calls", "call_events", "decisions"))
        except CallDatabaseUnusable as exc:
            raise LogUnreadable(str(exc)) from exc
        self.db, self.tables, self.path = opened.db, opened.tables, opened.name
        self.batch = batch
        self.damage = Damage()
        self._decisions = _decisions_sql(self.db)
        self._parse_evidence = self.db.dialect is Dialect.POSTGRES

    def __enter__(self) -> CallLogSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows (tuples) of one query."""
        try:
            return self.db.execute(sql, params).fetchall()
        except read_errors() as exc:
            raise LogUnreadable(f"cannot read {self.path}: {exc}") from exc

    def count(self, period: Period) -> int:
        where, params = period.clause("started_at")
        return int(self.query(f"SELECT count(*) FROM calls WHERE {where}", params)[0][0])

    def started_range(self, period: Period) -> tuple[datetime, datetime] | None:
        """The first and last readable start time of the calls in ``period`` (None: none)."""
        where, params = period.clause("started_at")
        ((first, last),) = self.query(
            f"SELECT min(started_at), max(started_at) FROM calls WHERE {where}"
            f" AND {_date_like(self.db, 'started_at')}",
            params,
        )
        try:
            return (stored_time(first), stored_time(last)) if first else None
        except ValueError:
            return None  # damaged beyond a date: the rows themselves are skipped

    def journeys(self, period: Period) -> Iterator[CallJourney]:
        """Every call that started in ``period``, in start order."""
        where, params = period.clause("started_at")
        sql = f"{_CALLS} WHERE {where} ORDER BY started_at, call_id"
        try:
            batches = self.db.stream(sql, params, self.batch)
            for rows in batches:
                yield from self._batch(rows)
        except read_errors() as exc:
            raise LogUnreadable(f"cannot read {self.path}: {exc}") from exc

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
        sql = f"{self._decisions} WHERE call_id IN ({marks}) ORDER BY call_id, id"
        for row in self.query(sql, ids):
            decisions.setdefault(row[0], []).append(_decision(row, self._parse_evidence))
        for row in rows:
            try:
                yield build_journey(
                    row, events.get(row[0], ()), decisions.get(row[0], []), self.damage
                )
            except DamagedRow:
                self.damage.calls += 1


def _extracted(found: Any) -> Sequence[Any]:
    """The ``_PICKED`` fields from SQLite's ``json_extract`` with several paths (a JSON
    array of them; NULL for a damaged evidence)."""
    try:
        fields = json.loads(found) if found else None
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        fields = None
    return fields if isinstance(fields, list) and len(fields) == len(_PICKED) else _NONE


def _picked(evidence: Any) -> Sequence[Any]:
    """The ``_PICKED`` fields of an evidence text, parsed here (PostgreSQL)."""
    try:
        found = json.loads(evidence) if isinstance(evidence, str) else None
    except (ValueError, RecursionError):
        return _NONE
    if not isinstance(found, dict):
        return _NONE
    return [_at(found, path) for path in _PICKED]


def _at(value: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and len(value) > key else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value


def _decision(row: tuple[Any, ...], whole: bool = False) -> SeenDecision:
    """A decision row; its last column is the picked fields (``whole``: the evidence)."""
    _call, action, destination, rule, found = row
    attempt, digits, heard, moved_from, how = _picked(found) if whole else _extracted(found)
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
