"""The logged decisions a replay reads: a call database opened read-only, in batches.

Read-only (ivr.store.readonly: SQLite ``mode=ro``, or a read-only PostgreSQL connection)
so a replay beside a running server can never write to it; one cursor stepped ``batch``
rows at a time, so memory stays flat however long the period.
Rows come call by call (``ORDER BY call_id, id``: the call_id index), so an operator's
move meets the engine decision it overrode without holding other calls in memory.

Engine decisions are RouteCall's rows: those with stored inputs, and, logged before the
inputs column, those whose evidence has the verb's ``inputs.attempt``. Those are rebuilt
from what the evidence kept (time, words and confidences, keys, attempt, confirmed, and
the call's dialled number), without caller flags, queue waits or diverts: APPROXIMATE.
Rows whose keyed digits retention blanked (``KEYS_CLEARED``, after ``numbers_days``) are
counted apart and not decided again: without their keys they would only seem to change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from ivr.decisions import Hypothesis
from ivr.replay.codec import StoredInputsError, from_json
from ivr.replay.model import Fidelity, Verdict
from ivr.routing.model import RoutingInputs
from ivr.store.db import iso
from ivr.store.engine import Database, Params
from ivr.store.json_sql import json_path
from ivr.store.readonly import (
    CallDatabaseUnusable,
    Location,
    open_call_database,
    read_errors,
)
from ivr.store.retention import KEYS_CLEARED

OPERATOR_MOVE: Final = "operator-move"  # the rule of an operator's move (CallSession)
BATCH: Final = 1000


class LogUnreadable(ValueError):
    """The database cannot be replayed from: missing, unreadable, or no decisions table."""

    error_id = "replay-db"


@dataclass(frozen=True, slots=True)
class Period:
    """From ``start`` (inclusive) to ``end`` (exclusive); None: open on that side."""

    start: datetime | None = None
    end: datetime | None = None

    def clause(self) -> tuple[str, list[str]]:
        """SQL on ``d.at``: stored as ``iso`` writes it (UTC text, which sorts as time does)."""
        parts, params = [], []
        if self.start is not None:
            parts.append("d.at >= ?")
            params.append(iso(self.start))
        if self.end is not None:
            parts.append("d.at < ?")
            params.append(iso(self.end))
        return " AND ".join(parts) or "1 = 1", params


@dataclass(frozen=True, slots=True)
class LoggedDecision:
    """One row: an engine decision with the inputs to replay it, or an operator's move."""

    row_id: int
    call_id: str
    at: str
    verdict: Verdict
    inputs: RoutingInputs | None  # None: an operator's move
    fidelity: Fidelity = Fidelity.EXACT
    moved_by: str = ""

    @property
    def said(self) -> str:
        """What the caller said (top alternative) or keyed; "confirmed X" on a re-decide."""
        if self.inputs is None:
            return ""
        if self.inputs.hypotheses:
            return self.inputs.hypotheses[0].text
        if self.inputs.digits:
            return f"keyed {self.inputs.digits}"
        if self.inputs.confirmed:
            return f"confirmed {self.inputs.confirmed}"
        return "(nothing)"


def _engine_row(db: Database, inputs: str) -> str:
    """SQL true for RouteCall's rows: stored inputs, or the verb's ``inputs.attempt`` in
    the evidence (a row a damaged JSON would break is not one, on SQLite)."""
    attempt = json_path(db, "d.evidence", "inputs", "attempt")
    valid = db.json_valid("d.evidence")
    return f"({inputs} IS NOT NULL OR (CASE WHEN {valid} THEN {attempt} END) IS NOT NULL)"


class DecisionLog:
    """A call database's decisions, read-only; ``with DecisionLog(path) as log: ...``.

    ``path``: a SQLite file, or a ``postgresql://`` URL."""

    def __init__(self, path: Location, *, batch: int = BATCH) -> None:
        try:
            opened = open_call_database(path, needs=("decisions",))
        except CallDatabaseUnusable as exc:
            raise LogUnreadable(str(exc)) from exc
        self._db, self.path = opened.db, opened.name
        self.batch = batch
        self.skipped = 0  # rows with no readable time: nothing to replay them at
        self.keys_cleared = 0  # rows whose keyed digits retention blanked: not replayable
        try:
            self._columns = set(self._db.columns("decisions"))
        except read_errors() as exc:
            self._db.close()
            raise self._unreadable(exc) from exc
        has_calls = "calls" in opened.tables
        # A database from before the inputs column: every engine row is approximate.
        inputs = "d.inputs" if "inputs" in self._columns else "NULL"
        self._select = (
            f"SELECT d.id, d.call_id, d.at, d.action, d.destination, d.rule, d.reason,"
            f" d.evidence, {inputs} AS inputs,"
            f" {'c.dialled' if has_calls else 'NULL'} AS dialled FROM decisions d"
            f"{' LEFT JOIN calls c ON c.call_id = d.call_id' if has_calls else ''}"
        )
        self._engine_row = _engine_row(self._db, inputs)

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def count(self, period: Period) -> int:
        """The engine decisions in ``period``: the replay's total."""
        where, params = period.clause()
        sql = f"SELECT count(*) FROM decisions d WHERE {where} AND {self._engine_row}"
        try:
            return int(self._db.scalar(sql, params))
        except read_errors() as exc:
            raise self._unreadable(exc) from exc

    def batches(self, period: Period) -> Iterator[list[LoggedDecision]]:
        """The engine decisions and operator moves in ``period``, call by call, in batches."""
        where, params = period.clause()
        sql = (
            f"{self._select} WHERE {where} AND ({self._engine_row} OR d.rule = ?)"
            " ORDER BY d.call_id, d.id"
        )
        for rows in self._stream(sql, [*params, OPERATOR_MOVE]):
            parsed = [self._parse(row) for row in rows]
            yield [row for row in parsed if row is not None]

    def _stream(self, sql: str, params: Params) -> Iterator[list[Any]]:
        try:
            yield from self._db.stream(sql, params, self.batch)
        except read_errors() as exc:
            raise self._unreadable(exc) from exc

    def _unreadable(self, exc: Exception) -> LogUnreadable:
        return LogUnreadable(f"cannot read the decisions in {self.path}: {exc}")

    def _parse(self, row: tuple[Any, ...]) -> LoggedDecision | None:
        row_id, call_id, at, action, destination, rule, reason, evidence, inputs, dialled = row
        found = _json_object(evidence)
        verdict = Verdict.logged(
            str(action or ""), str(destination or ""), str(rule), str(reason or ""), found
        )
        if rule == OPERATOR_MOVE and inputs is None:
            by = found.get("by")
            return LoggedDecision(
                row_id, call_id, at, verdict, None, moved_by=by if isinstance(by, str) else ""
            )
        if found.get(KEYS_CLEARED) is True:
            # Decided again without its keys, a keyed call would only seem to change.
            self.keys_cleared += 1
            return None
        fidelity = Fidelity.APPROXIMATE
        if isinstance(inputs, str):
            try:
                return LoggedDecision(row_id, call_id, at, verdict, from_json(inputs))
            except StoredInputsError:
                fidelity = Fidelity.DAMAGED
        try:
            rebuilt = _from_evidence(found, _logged_time(at), dialled)
        except (TypeError, ValueError):
            self.skipped += 1
            return None
        return LoggedDecision(row_id, call_id, at, verdict, rebuilt, fidelity)


def _from_evidence(evidence: Mapping[str, Any], at: datetime, dialled: Any) -> RoutingInputs:
    """What an engine row logged before the inputs column kept (ivr.replay.record's
    ``inputs`` evidence); the rest as for a caller with no history, no waits, no diverts."""
    seen = evidence.get("inputs")
    seen = seen if isinstance(seen, dict) else {}
    heard = tuple(
        Hypothesis(item["text"], float(item.get("confidence", 1.0)))
        for item in seen.get("heard") or []
        if isinstance(item, dict) and isinstance(item.get("text"), str)
    )
    digits, attempt, confirmed = seen.get("digits"), seen.get("attempt"), seen.get("confirmed")
    return RoutingInputs(
        at=at,
        hypotheses=heard,
        digits=digits if isinstance(digits, str) else None,
        attempt=attempt if isinstance(attempt, int) and not isinstance(attempt, bool) else 1,
        dialled=dialled if isinstance(dialled, str) and dialled else "101",
        confirmed=confirmed if isinstance(confirmed, str) else None,
    )


def _json_object(text: Any) -> dict[str, Any]:
    try:
        found = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _logged_time(text: Any) -> datetime:
    at = datetime.fromisoformat(text)  # TypeError / ValueError: the row is skipped
    return at if at.tzinfo else at.replace(tzinfo=UTC)
