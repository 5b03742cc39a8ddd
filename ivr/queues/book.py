"""CallbackBook: accepted callbacks in the call database: a caller's place survives restarts.

The promise to a caller is only made after the row is committed ("accepting
keeps the caller's place in the queue and is persisted before the caller hears
thank you"). Exactly-once placing rests on one rule: the attempt number is
committed (``state = 'placing'``, ``attempts + 1``, an attempt row) *before*
the originate is sent. After a crash, a ``placing`` row whose channel is gone
is finished as ``interrupted``: the caller may or may not have been rung, so
it counts as a spent attempt and is retried after the backoff like a no-answer
(at most ``max_attempts`` calls in all), never re-placed at once.

One connection on one thread (like the SMS outbox): the loop never blocks. SQLite or
PostgreSQL (ivr.store.engine): the SQL is the same on both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ivr.queues.model import Callback, Priority, QueueEntry
from ivr.store.db import CallStore, write_transaction
from ivr.store.thread import StoreThread

WAITING, PLACING, DONE, FAILED = "waiting", "placing", "done", "failed"
# Taken back before it was put through (the caller broke out to 999 after booking it):
# closed like a failed one, but nobody is texted and nothing of it is retried.
WITHDRAWN = "withdrawn"
OPEN_STATES = (WAITING, PLACING)
CLOSED_STATES = (DONE, FAILED, WITHDRAWN)


@dataclass(frozen=True, slots=True)
class BookedCallback:
    """A callback row as the worker needs it at start-up."""

    entry: QueueEntry
    state: str
    late_sms: bool


# The columns ``accept`` writes from the entry. Accepting again (the same call) replaces
# the whole row, as INSERT OR REPLACE did: every column is set anew, outcome and late_sms
# back to their start.
_BOOKED = (
    "call_id",
    "queue",
    "priority",
    "joined_at",
    "seq",
    "flags",
    "intent",
    "number",
    "accepted_at",
    "promised_by",
    "attempts",
    "ready_at",
    "state",
    "updated_at",
)
_REBOOKED = ", ".join(f"{name} = excluded.{name}" for name in (*_BOOKED[1:], "outcome", "late_sms"))


def _entry(row: dict[str, Any]) -> QueueEntry:
    return QueueEntry(
        call_id=row["call_id"],
        queue=row["queue"],
        priority=Priority(int(row["priority"])),
        joined_at=float(row["joined_at"]),
        flags=frozenset(json.loads(row["flags"] or "[]")),
        intent=row["intent"] or "",
        seq=int(row["seq"] or 0),
        callback=Callback(
            number=row["number"],
            accepted_at=float(row["accepted_at"]),
            promised_by=float(row["promised_by"]),
            attempts=int(row["attempts"] or 0),
            ready_at=float(row["ready_at"] or 0.0),
        ),
    )


class BookStore:
    """Synchronous queries; used only on the book's thread."""

    def __init__(self, path: str) -> None:
        self._calls = CallStore(path)
        self.db = self._calls.db

    def close(self) -> None:
        self._calls.close()

    def accept(self, entry: QueueEntry, now: float) -> None:
        cb = entry.callback
        assert cb is not None
        with write_transaction(self.db):
            self.db.execute(
                f"INSERT INTO callbacks ({', '.join(_BOOKED)}, outcome, late_sms)"
                f" VALUES ({', '.join('?' for _ in _BOOKED)}, '', 0)"
                f" ON CONFLICT (call_id) DO UPDATE SET {_REBOOKED}",
                [
                    entry.call_id,
                    entry.queue,
                    int(entry.priority),
                    entry.joined_at,
                    entry.seq,
                    json.dumps(sorted(entry.flags)),
                    entry.intent,
                    cb.number,
                    cb.accepted_at,
                    cb.promised_by,
                    cb.attempts,
                    cb.ready_at,
                    WAITING,
                    now,
                ],
            )

    def forget(self, call_id: str) -> None:
        """A callback accepted but never confirmed to the caller (the call moved on)."""
        with write_transaction(self.db):
            self.db.execute(
                "DELETE FROM callbacks WHERE call_id = ? AND state = ? AND attempts = 0",
                [call_id, WAITING],
            )

    def open_callbacks(self) -> list[BookedCallback]:
        rows = self.db.rows_where(
            "callbacks", "state IN (?, ?)", [WAITING, PLACING], order_by="joined_at, seq"
        )
        return [BookedCallback(_entry(row), row["state"], bool(row["late_sms"])) for row in rows]

    def begin_attempt(
        self, call_id: str, attempt: int, agent_id: str, channel_id: str, now: float
    ) -> None:
        with write_transaction(self.db):
            cur = self.db.execute(
                "UPDATE callbacks SET state = ?, attempts = ?, updated_at = ?"
                " WHERE call_id = ? AND state = ? AND attempts = ?",
                [PLACING, attempt, now, call_id, WAITING, attempt - 1],
            )
            if cur.rowcount != 1:
                raise DoubleAttempt(f"callback {call_id} attempt {attempt} is not due")
            self.db.execute(
                "INSERT INTO callback_attempts (call_id, attempt, agent_id, channel_id,"
                " started_at, outcome, detail) VALUES (?, ?, ?, ?, ?, 'placing', '')",
                [call_id, attempt, agent_id, channel_id, now],
            )

    def finish_attempt(
        self,
        call_id: str,
        attempt: int,
        outcome: str,
        now: float,
        *,
        state: str,
        ready_at: float = 0.0,
        detail: str = "",
        attempts: int | None = None,
    ) -> None:
        """``attempts``: set the count back (an attempt that never rang the caller)."""
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE callback_attempts SET outcome = ?, ended_at = ?, detail = ?"
                " WHERE call_id = ? AND attempt = ? AND outcome = 'placing'",
                [outcome, now, detail, call_id, attempt],
            )
            # A finished callback keeps no phone number. Only a callback still placing
            # moves on: one withdrawn while its attempt rang stays closed.
            number_sql = ", number = ''" if state in CLOSED_STATES else ""
            self.db.execute(
                f"UPDATE callbacks SET state = ?, outcome = ?, ready_at = ?, updated_at = ?"
                f"{number_sql} WHERE call_id = ? AND state = ?",
                [state, outcome, ready_at, now, call_id, PLACING],
            )
            if attempts is not None:
                self.db.execute(
                    "UPDATE callbacks SET attempts = ? WHERE call_id = ? AND state != ?",
                    [attempts, call_id, WITHDRAWN],
                )

    def withdraw(self, call_id: str, reason: str, now: float) -> bool:
        """Close an open callback for good (``reason``: why, e.g. "emergency"); its
        number is blanked. False when it was not open (done, failed, never booked)."""
        with write_transaction(self.db):
            cur = self.db.execute(
                "UPDATE callbacks SET state = ?, outcome = ?, number = '', updated_at = ?"
                " WHERE call_id = ? AND state IN (?, ?)",
                [WITHDRAWN, f"withdrawn-{reason}", now, call_id, *OPEN_STATES],
            )
            return cur.rowcount == 1

    def ready_now(self, call_id: str, now: float) -> bool:
        """A waiting callback an operator wants placed at once: a restart keeps that."""
        with write_transaction(self.db):
            cur = self.db.execute(
                "UPDATE callbacks SET ready_at = ?, updated_at = ? WHERE call_id = ? AND state = ?",
                [now, now, call_id, WAITING],
            )
            return cur.rowcount == 1

    def mark_late_sms(self, call_id: str, now: float) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE callbacks SET late_sms = 1, updated_at = ? WHERE call_id = ?",
                [now, call_id],
            )

    def attempts(self, call_id: str) -> list[dict[str, Any]]:
        return self.db.rows_where("callback_attempts", "call_id = ?", [call_id], order_by="attempt")

    def get(self, call_id: str) -> dict[str, Any] | None:
        """The call's callback row, whatever its state (see ``open_callback``)."""
        rows = self.db.rows_where("callbacks", "call_id = ?", [call_id])
        return rows[0] if rows else None

    def open_callback(self, call_id: str) -> dict[str, Any] | None:
        """The call's callback while it is still to be put through (waiting or placing):
        one done, failed or withdrawn promises the caller nothing any more."""
        rows = self.db.rows_where(
            "callbacks", "call_id = ? AND state IN (?, ?)", [call_id, *OPEN_STATES]
        )
        return rows[0] if rows else None


class DoubleAttempt(RuntimeError):
    """The attempt was already begun (by this or a previous process): do not ring again."""

    error_id = "callback-double-attempt"


class CallbackBook(StoreThread[BookStore]):
    """Async face of the callback table: one connection, one thread."""

    def __init__(self, path: str) -> None:
        super().__init__(
            "callbacks",
            lambda: BookStore(path),
            lambda: RuntimeError("the callback book is not open"),
        )
