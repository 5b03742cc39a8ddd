"""Timed rows (diverts, incident messages): in force from one time until another, unless
cancelled first. One SQLite connection on its own thread (StoreThread), as the other
stores; the rows in force are kept in memory by their owners, so a call reads none.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ivr.console.errors import BadRequest
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.thread import StoreThread

Row = dict[str, Any]
MAX_AHEAD = timedelta(days=7)  # a divert or message left on for longer is forgotten, not meant


class TimedTable(StrEnum):
    DIVERTS = "diverts"
    INCIDENT_MESSAGES = "incident_messages"


class TimedRows:
    """Synchronous queries; used only on the store's thread."""

    def __init__(self, path: str) -> None:
        self._calls = CallStore(path)
        self.db = self._calls.db

    def close(self) -> None:
        self._calls.close()

    def insert(self, table: TimedTable, row: Row) -> Row:
        with write_transaction(self.db):
            names, marks = ", ".join(row), ", ".join("?" * len(row))
            cursor = self.db.execute(
                f"INSERT INTO {table.value} ({names}) VALUES ({marks})", list(row.values())
            )
        return {**row, "id": cursor.lastrowid, "cancelled_at": None, "cancelled_by": None}

    def cancel(self, table: TimedTable, row_id: int, at: str, by: str) -> bool:
        """True when this cancelled it (False: no such row, or cancelled already)."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                f"UPDATE {table.value} SET cancelled_at = ?, cancelled_by = ?"
                " WHERE id = ? AND cancelled_at IS NULL",
                [at, by, row_id],
            )
        return cursor.rowcount == 1

    def in_force(self, table: TimedTable, at: str) -> list[Row]:
        rows = self.db.execute(
            f"SELECT * FROM {table.value} WHERE cancelled_at IS NULL AND until > ? ORDER BY id",
            [at],
        )
        names = [d[0] for d in rows.description]
        return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]


def timed_thread(path: str, name: str) -> StoreThread[TimedRows]:
    return StoreThread(name, lambda: TimedRows(path), lambda: RuntimeError(f"{name} is not open"))


def checked_until(value: Any, now: datetime) -> datetime:
    """An end time from a request: ISO 8601 with a zone, after now, within MAX_AHEAD."""
    if not isinstance(value, str):
        raise BadRequest("until must be a time (ISO 8601, e.g. 2026-12-03T08:00:00+00:00)")
    try:
        until = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"until is not an ISO 8601 time: {value[:40]!r}") from None
    if until.tzinfo is None:
        raise BadRequest("until needs a time zone (e.g. +00:00 or Z)")
    if until <= now:
        raise BadRequest("until is in the past")
    if until - now > MAX_AHEAD:
        raise BadRequest(f"until is more than {MAX_AHEAD.days} days ahead")
    return until


def parsed(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def stored(at: datetime) -> str:
    return iso(at)
