"""CallbackBook: accepted callbacks in the call database: a caller's place survives restarts.

The promise to a caller is only made after the row is committed ("accepting
keeps the caller's place in the queue and is persisted before the caller hears
thank you"). Exactly-once placing rests on one rule: the attempt number is
committed (``state = 'placing'``, ``attempts + 1``, an attempt row) *before*
the originate is sent. After a crash, a ``placing`` row whose channel is gone
is finished as ``interrupted``: the caller may or may not have been rung, so
it counts as a spent attempt and is retried after the backoff like a no-answer
(at most ``max_attempts`` calls in all), never re-placed at once.

Several nodes may share the book (ivr.ha.claims): each callback is claimed by one
node's origin (``claimed_by``) until ``claim_until``, which that node renews while it
lives (``claim``); ``accept`` claims for the accepting node. ``begin_attempt`` also
requires the claim to be this origin's and live, so a node that lost a callback to
another (its claim ran out) can never place it. Once a dead node's claim has run out,
another node's ``claim`` takes its callbacks over (an attempt it had under way is then
finished as interrupted, by the worker).

One connection on one thread (like the SMS outbox): the loop never blocks. SQLite or
PostgreSQL (ivr.store.engine): the SQL is the same on both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ivr.ha.claims import ALONE
from ivr.queues.model import Callback, Priority, QueueEntry
from ivr.store.db import CallStore, write_transaction
from ivr.store.thread import StoreThread

WAITING, PLACING, DONE, FAILED = "waiting", "placing", "done", "failed"
# Taken back before it was put through (the caller broke out to 999 after booking it):
# closed like a failed one, but nobody is texted and nothing of it is retried.
WITHDRAWN = "withdrawn"
OPEN_STATES = (WAITING, PLACING)
CLOSED_STATES = (DONE, FAILED, WITHDRAWN)
# How long a node's claim on its callbacks lasts unrenewed ([queues] callback_claim_s):
# another node takes a dead one's callbacks over after this.
DEFAULT_CLAIM_S = 30.0


@dataclass(frozen=True, slots=True)
class BookedCallback:
    """A callback row as the worker needs it at start-up, or as it claims it."""

    entry: QueueEntry
    state: str
    late_sms: bool
    held_by: str = ""  # the origin that held it before this claim ("" nobody)


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
_REBOOKED = ", ".join(
    f"{name} = excluded.{name}"
    for name in (*_BOOKED[1:], "outcome", "late_sms", "claimed_by", "claim_until")
)


def _booked(row: dict[str, Any]) -> BookedCallback:
    return BookedCallback(
        _entry(row), row["state"], bool(row["late_sms"]), str(row.get("claimed_by") or "")
    )


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

    def __init__(self, path: str, origin: str = ALONE, claim_s: float = DEFAULT_CLAIM_S) -> None:
        self._calls = CallStore(path)
        self.db = self._calls.db
        self.origin = origin  # the claims' holder (ivr.ha.claims)
        self.claim_s = claim_s

    def close(self) -> None:
        self._calls.close()

    def accept(self, entry: QueueEntry, now: float) -> None:
        cb = entry.callback
        assert cb is not None
        with write_transaction(self.db):
            self.db.execute(
                f"INSERT INTO callbacks ({', '.join(_BOOKED)}, outcome, late_sms, claimed_by,"
                f" claim_until) VALUES ({', '.join('?' for _ in _BOOKED)}, '', 0, ?,"
                f" {self.db.epoch_now()} + ?) ON CONFLICT (call_id) DO UPDATE SET {_REBOOKED}",
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
                    self.origin,
                    self.claim_s,
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
        """Every open callback, whoever holds it."""
        rows = self.db.rows_where(
            "callbacks", "state IN (?, ?)", [WAITING, PLACING], order_by="joined_at, seq"
        )
        return [_booked(row) for row in rows]

    def claim(self) -> list[BookedCallback]:
        """Claim (or renew) for ``claim_s`` the open callbacks this origin may serve: its
        own, nobody's, and those whose claim ran out (their node died); in queue order,
        each with who held it before. A callback not among them is another node's.

        Rows are locked as they are read, and those another node is claiming at that
        moment are skipped (PostgreSQL), so no callback is claimed by two at once."""
        now = self.db.epoch_now()
        claimable = f"state IN (?, ?) AND (claimed_by IN ('', ?) OR claim_until < {now})"
        with write_transaction(self.db):
            rows = self.db.query(
                f"SELECT * FROM callbacks WHERE {claimable}"
                f" ORDER BY joined_at, seq{self.db.skip_locked()}",
                [*OPEN_STATES, self.origin],
            )
            if rows:
                ids = [row["call_id"] for row in rows]
                self.db.execute(
                    f"UPDATE callbacks SET claimed_by = ?, claim_until = {now} + ?"
                    f" WHERE call_id IN ({', '.join('?' for _ in ids)}) AND {claimable}",
                    [self.origin, self.claim_s, *ids, *OPEN_STATES, self.origin],
                )
        return [_booked(row) for row in rows]

    def begin_attempt(
        self, call_id: str, attempt: int, agent_id: str, channel_id: str, now: float
    ) -> None:
        """Commit attempt ``attempt`` (``placing``) before it rings: only the next one,
        only from waiting, only by the node whose live claim it is (else DoubleAttempt,
        or ClaimLost)."""
        mine = f"claimed_by = ? AND claim_until >= {self.db.epoch_now()}"
        with write_transaction(self.db):
            cur = self.db.execute(
                "UPDATE callbacks SET state = ?, attempts = ?, updated_at = ?"
                f" WHERE call_id = ? AND state = ? AND attempts = ? AND {mine}",
                [PLACING, attempt, now, call_id, WAITING, attempt - 1, self.origin],
            )
            if cur.rowcount != 1:
                held = self.db.scalar(
                    f"SELECT CASE WHEN {mine} THEN 1 ELSE 0 END FROM callbacks WHERE call_id = ?",
                    [self.origin, call_id],
                )
                if held == 0:
                    raise ClaimLost(f"callback {call_id} is no longer claimed by {self.origin}")
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
            # Only by its holder: one another node took over has moved on without it.
            number_sql = ", number = ''" if state in CLOSED_STATES else ""
            self.db.execute(
                f"UPDATE callbacks SET state = ?, outcome = ?, ready_at = ?, updated_at = ?"
                f"{number_sql} WHERE call_id = ? AND state = ? AND claimed_by = ?",
                [state, outcome, ready_at, now, call_id, PLACING, self.origin],
            )
            if attempts is not None:
                self.db.execute(
                    "UPDATE callbacks SET attempts = ?"
                    " WHERE call_id = ? AND state != ? AND claimed_by = ?",
                    [attempts, call_id, WITHDRAWN, self.origin],
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


class ClaimLost(DoubleAttempt):
    """Another node holds the callback now (this one's claim ran out): not placed here."""

    error_id = "callback-claim-lost"


class CallbackBook(StoreThread[BookStore]):
    """Async face of the callback table: one connection, one thread.

    ``origin``: the node's, which holds the callbacks it serves; ``claim_s``: how long
    its claim lasts unrenewed (the worker renews it three times as often)."""

    def __init__(self, path: str, *, origin: str = ALONE, claim_s: float = DEFAULT_CLAIM_S) -> None:
        super().__init__(
            "callbacks",
            lambda: BookStore(path, origin, claim_s),
            lambda: RuntimeError("the callback book is not open"),
        )
        self.origin = origin
        self.claim_s = claim_s
