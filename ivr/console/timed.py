"""Timed rows (diverts, incident messages): in force from one time until another, unless
cancelled first. One database connection on its own thread (StoreThread), as the other
stores; the rows in force are kept in memory by their owners, so a call reads none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

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
            row_id = self.db.insert_id(table.value, row)
        return {**row, "id": row_id, "cancelled_at": None, "cancelled_by": None}

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
        return self.db.rows_where(
            table.value, "cancelled_at IS NULL AND until > ?", [at], order_by="id"
        )


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


class Timed(Protocol):
    """A row of a TimedTable as its owner reads it (Divert, IncidentMessage)."""

    @property
    def id(self) -> int: ...
    @property
    def until(self) -> datetime: ...
    def in_force(self, at: datetime) -> bool: ...


T = TypeVar("T", bound=Timed)


class InForce(Generic[T]):
    """A TimedTable on its own thread, and the rows in force kept in memory: what a call
    asks (the diverts, the messages to play) is answered without a query."""

    def __init__(self, db_path: str, table: TimedTable, of_row: Callable[[Row], T]) -> None:
        self._thread = timed_thread(db_path, table.value)
        self._table = table
        self._of_row = of_row
        self._rows: dict[int, T] = {}

    async def open(self, now: datetime) -> None:
        """What was in force before a restart is again."""
        await self._thread.open()
        await self.refresh(now)

    async def refresh(self, now: datetime) -> None:
        """Read again what is in force: another node sharing the database (an operator on
        its console, or the node this one took over from) may have set or cancelled rows.

        A snapshot never hides this node's own insert or cancel: the one thread runs them
        in order, so a read queued before a write is laid down before that write's own
        change to memory, and a read queued after it sees it."""
        at = stored(now)
        rows = await self._thread.run(lambda s: s.in_force(self._table, at))
        self._rows = {item.id: item for item in map(self._of_row, rows)}

    async def close(self) -> None:
        await self._thread.close()

    def listed(self, at: datetime) -> list[T]:
        for gone in [i for i, item in self._rows.items() if item.until <= at]:
            del self._rows[gone]  # ended by itself
        return [item for item in self._rows.values() if item.in_force(at)]

    def get(self, row_id: int) -> T | None:
        return self._rows.get(row_id)

    async def insert(self, row: Row) -> T:
        saved = await self._thread.run(lambda s: s.insert(self._table, row))
        item = self._of_row(saved)
        self._rows[item.id] = item
        return item

    async def cancel(self, row_id: int, now: datetime, by: str) -> datetime:
        """Stored as cancelled at ``now`` by ``by`` (returns the time as stored)."""
        at = stored(now)
        await self._thread.run(lambda s: s.cancel(self._table, row_id, at, by))
        self._rows.pop(row_id, None)
        return datetime.fromisoformat(at)
