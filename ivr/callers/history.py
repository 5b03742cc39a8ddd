"""Caller history in the call database (tables of migration 3), synchronous: call it off
the event loop. The same SQL on SQLite and PostgreSQL (ivr.store.engine).

Everything is keyed by pseudonym (see pseudonym.py) and read through the
``(pseudonym, at)`` and ``(pseudonym, flag)`` indexes, so a lookup costs the
same with a hundred rows or a million: the profile is two aggregate/seek
queries and one flag query, whatever the table size.

Times are stored as UTC ISO strings of one fixed shape, so comparing
strings compares times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ivr.callers.model import (
    NUISANCE,
    REDIAL_AFTER,
    REPEAT,
    CallerPolicy,
    CallerProfile,
    CallRecord,
)
from ivr.store.db import iso
from ivr.store.engine import Database

Row = dict[str, Any]


class CallerHistory:
    """Reads and writes ``caller_calls`` and ``caller_flags`` on one connection's thread."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- calls -----------------------------------------------------------------------

    def record_call(self, pseudonym: str, call: CallRecord) -> None:
        """Insert the call, or update its outcome when an adopted call ends a second time.

        The first row's start time and link stay: after a restart the adopting process
        does not know when the call really started.
        """
        self.db.execute(
            """
            INSERT INTO caller_calls
                (call_id, pseudonym, at, outcome, destination, ended_at, abandoned, linked_call_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(call_id) DO UPDATE SET
                outcome = excluded.outcome,
                destination = excluded.destination,
                ended_at = excluded.ended_at,
                abandoned = excluded.abandoned,
                linked_call_id = coalesce(caller_calls.linked_call_id, excluded.linked_call_id)
            """,
            [
                call.call_id,
                pseudonym,
                iso(call.at),
                call.outcome,
                call.destination,
                iso(call.ended_at) if call.ended_at else None,
                int(call.abandoned),
                call.linked_call_id,
            ],
        )

    def calls(self, pseudonym: str, limit: int = 20) -> list[Row]:
        """The caller's latest calls, newest first (for operators and ``ivr callers show``)."""
        return self.db.query(
            "SELECT call_id, at, ended_at, outcome, destination, abandoned, linked_call_id"
            " FROM caller_calls WHERE pseudonym = ? ORDER BY at DESC LIMIT ?",
            [pseudonym, limit],
        )

    # --- flags -----------------------------------------------------------------------

    def set_flag(
        self,
        pseudonym: str,
        flag: str,
        *,
        set_by: str,
        reason: str,
        at: datetime,
        expires_at: datetime | None,
    ) -> int:
        """Set a flag (a live flag of the same name is superseded, not duplicated)."""
        stamp = iso(at)
        self.db.execute(
            "UPDATE caller_flags SET cleared_at = ?, cleared_by = ?"
            " WHERE pseudonym = ? AND flag = ? AND cleared_at IS NULL",
            [stamp, f"superseded by {set_by}", pseudonym, flag],
        )
        return self.db.insert_id(
            "caller_flags",
            {
                "pseudonym": pseudonym,
                "flag": flag,
                "set_by": set_by,
                "reason": reason,
                "set_at": stamp,
                "expires_at": iso(expires_at) if expires_at else None,
            },
        )

    def clear_flag(self, pseudonym: str, flag: str, *, cleared_by: str, at: datetime) -> int:
        """Clear a live flag; the row stays for audit. Returns how many were live."""
        cursor = self.db.execute(
            "UPDATE caller_flags SET cleared_at = ?, cleared_by = ?"
            " WHERE pseudonym = ? AND flag = ? AND cleared_at IS NULL"
            " AND (expires_at IS NULL OR expires_at > ?)",
            [iso(at), cleared_by, pseudonym, flag, iso(at)],
        )
        return int(cursor.rowcount)

    def flags(self, pseudonym: str, at: datetime) -> list[Row]:
        """Flags in force at ``at``: not cleared, not expired."""
        return self.db.query(
            "SELECT flag, set_by, reason, set_at, expires_at FROM caller_flags"
            " WHERE pseudonym = ? AND cleared_at IS NULL"
            " AND (expires_at IS NULL OR expires_at > ?) ORDER BY flag",
            [pseudonym, iso(at)],
        )

    # --- the profile -----------------------------------------------------------------

    def profile(
        self, pseudonym: str, call_id: str, at: datetime, policy: CallerPolicy
    ) -> CallerProfile:
        """The caller at the start of call ``call_id`` (which is never counted twice)."""
        now = iso(at)
        day_start = iso(at - timedelta(days=1))
        window_start = iso(at - timedelta(days=policy.repeat_days))
        earliest = min(day_start, window_start)
        before, today = self.db.execute(
            "SELECT count(*) FILTER (WHERE at >= ?), count(*) FILTER (WHERE at >= ?)"
            " FROM caller_calls"
            " WHERE pseudonym = ? AND at >= ? AND at <= ? AND call_id != ?",
            [window_start, day_start, pseudonym, earliest, now, call_id],
        ).fetchone()
        recent_calls = int(before) + 1
        calls_today = int(today) + 1
        stored = {row["flag"] for row in self.flags(pseudonym, at)}
        flags = set(stored)
        if recent_calls >= policy.repeat_calls:
            flags.add(REPEAT)
        if calls_today > policy.nuisance_calls_per_day:
            flags.add(NUISANCE)
        redial_of, gap, after = self._redial_of(pseudonym, call_id, at, policy)
        return CallerProfile(
            pseudonym=pseudonym,
            flags=frozenset(flags),
            recent_calls=recent_calls,
            calls_today=calls_today,
            redial_of=redial_of,
            redial_after_s=gap,
            redial_of_outcome=after,
        )

    def _redial_of(
        self, pseudonym: str, call_id: str, at: datetime, policy: CallerPolicy
    ) -> tuple[str | None, float | None, str]:
        """The caller's previous call, its gap and outcome, if it ended within the link
        window as abandoned or sent to chat (``REDIAL_AFTER``).

        Only the call just before counts: once the caller has been through again
        (answered or not), that later call is the one a re-dial follows.
        """
        row = self.db.execute(
            "SELECT call_id, at, ended_at, abandoned, outcome FROM caller_calls"
            " WHERE pseudonym = ? AND at <= ? AND call_id != ? ORDER BY at DESC LIMIT 1",
            [pseudonym, iso(at), call_id],
        ).fetchone()
        if row is None or not (row[3] or row[4] in REDIAL_AFTER):
            return None, None, ""
        gave_up = datetime.fromisoformat(row[2] or row[1])
        gap = (at - gave_up).total_seconds()
        if gap > policy.redial_link_hours * 3600:
            return None, None, ""
        return str(row[0]), max(0.0, gap), "abandoned" if row[3] else str(row[4])
