"""SQLite schema and queries (sqlite-utils), migrated forward at start-up.

WAL mode so the console and exports can read while calls are being written.
Each migration is a numbered step recorded in ``schema_migrations``; a
database from an older release is brought forward, never rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import sqlite_utils

Row = dict[str, Any]


def iso(at: datetime) -> str:
    """The stored form of a time: UTC, milliseconds, so the strings sort as times do.

    Retention and every "since" query compare these strings; a local offset
    (the demo's Europe/London clock in summer) would put them an hour out.
    """
    if at.tzinfo is None:
        raise ValueError("stored times must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """Writes that commit together, with the write lock taken first (BEGIN IMMEDIATE).

    Several connections (call log, caller history, outbox, callbacks) write to one WAL
    database. A deferred transaction that reads before it writes cannot wait for
    another writer: SQLite answers "database is locked" at once. Taking the lock up
    front lets the busy timeout queue writers instead. (sqlite-utils commits each
    statement on its own outside a transaction, so ``with conn:`` groups nothing.)
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():  # nested: a savepoint inside the caller's transaction
            yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.OperationalError):  # an error may have ended it
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _m1_initial(db: sqlite_utils.Database) -> None:
    db["calls"].create(  # type: ignore[union-attr]
        {
            "call_id": str,
            "channel_id": str,
            "caller_number": str,
            "caller_name": str,
            "dialled": str,
            "started_at": str,
            "answered_at": str,
            "ended_at": str,
            "duration_s": float,
            "outcome": str,
            "destination": str,
            "last_step": str,
            "ended_by": str,
        },
        pk="call_id",
        not_null={"channel_id", "started_at"},
        if_not_exists=True,
    )
    db["calls"].create_index(["started_at"], if_not_exists=True)  # type: ignore[union-attr]
    db["call_events"].create(  # type: ignore[union-attr]
        {"id": int, "call_id": str, "at": str, "kind": str, "detail": str},
        pk="id",
        foreign_keys=[("call_id", "calls", "call_id")],
        if_not_exists=True,
    )
    db["call_events"].create_index(["call_id", "at"], if_not_exists=True)  # type: ignore[union-attr]
    db["decisions"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "call_id": str,
            "at": str,
            "action": str,
            "destination": str,
            "intent": str,
            "rule": str,
            "reason": str,
            "candidates": str,
            "evidence": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "call_id")],
        if_not_exists=True,
    )
    db["decisions"].create_index(["call_id"], if_not_exists=True)  # type: ignore[union-attr]


def _m2_decision_message_and_offers(db: sqlite_utils.Database) -> None:
    """Issue 3: a Decision also names a prompt to play and the offers it makes."""
    columns = db["decisions"].columns_dict
    for name in ("message", "offers"):
        if name not in columns:
            db["decisions"].add_column(name, str)  # type: ignore[union-attr]


def _m3_caller_history(db: sqlite_utils.Database) -> None:
    """Issue 5: caller history by pseudonym (ivr/callers), never by number.

    ``caller_calls`` is keyed by call_id so an adopted call (after a restart) updates its
    row rather than counting twice; ``linked_call_id`` ties a re-dial to the abandoned
    call before it. ``caller_flags`` keeps every flag ever set (cleared or expired rows
    stay, for audit); the lookups read both tables by pseudonym and time.
    """
    db["caller_calls"].create(  # type: ignore[union-attr]
        {
            "call_id": str,
            "pseudonym": str,
            "at": str,
            "outcome": str,
            "destination": str,
            "ended_at": str,
            "abandoned": int,
            "linked_call_id": str,
        },
        pk="call_id",
        not_null={"pseudonym", "at"},
        if_not_exists=True,
    )
    db["caller_calls"].create_index(["pseudonym", "at"], if_not_exists=True)  # type: ignore[union-attr]
    db["caller_flags"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "pseudonym": str,
            "flag": str,
            "set_by": str,
            "reason": str,
            "set_at": str,
            "expires_at": str,
            "cleared_at": str,
            "cleared_by": str,
        },
        pk="id",
        not_null={"pseudonym", "flag", "set_at"},
        if_not_exists=True,
    )
    db["caller_flags"].create_index(["pseudonym", "flag"], if_not_exists=True)  # type: ignore[union-attr]


def _m4_sms_outbox(db: sqlite_utils.Database) -> None:
    """Issue 5: SMS outbox (stored before sent; ivr/notify) and post-call survey replies.

    ``reference`` is the per-message idempotency key sent to the provider. No foreign key
    to ``calls``: the outbox commits on its own connection, possibly before the call log's
    writer has stored the call row.
    """
    db["sms_outbox"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "reference": str,
            "call_id": str,
            "to_number": str,
            "body": str,
            "kind": str,
            "created_at": str,
            "state": str,  # queued | sending | sent | failed
            "attempts": int,
            "next_attempt_at": str,
            "last_attempt_at": str,
            "sent_at": str,
            "last_error": str,
            "provider_id": str,
        },
        pk="id",
        not_null={"reference", "to_number", "body", "kind", "created_at", "state"},
        defaults={"attempts": 0, "last_error": "", "provider_id": ""},
        if_not_exists=True,
    )
    db["sms_outbox"].create_index(["reference"], unique=True, if_not_exists=True)  # type: ignore[union-attr]
    db["sms_outbox"].create_index(["state", "next_attempt_at"], if_not_exists=True)  # type: ignore[union-attr]
    db["sms_outbox"].create_index(["to_number", "kind"], if_not_exists=True)  # type: ignore[union-attr]
    db["sms_outbox"].create_index(["call_id"], if_not_exists=True)  # type: ignore[union-attr]
    db["survey_responses"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "outbox_id": int,
            "call_id": str,
            "q1_overall": int,
            "q2_time_to_answer": int,
            "q3_dealt_with": int,
            "comment": str,
            "received_at": str,
        },
        pk="id",
        not_null={"outbox_id", "received_at"},
        foreign_keys=[("outbox_id", "sms_outbox", "id")],
        if_not_exists=True,
    )
    db["survey_responses"].create_index(["outbox_id"], unique=True, if_not_exists=True)  # type: ignore[union-attr]


def _m5_callbacks(db: sqlite_utils.Database) -> None:
    """Issue 5: accepted callbacks (a caller's place in a queue, kept across restarts).

    ``number`` is the number to ring back: it has to be stored to be dialled, and is
    blanked when the callback is finished (``ivr.queues.book``). ``attempts`` counts
    callbacks placed: it is committed *before* each originate, so a crash can never
    ring the caller twice for the same attempt.
    """
    db["callbacks"].create(  # type: ignore[union-attr]
        {
            "call_id": str,
            "queue": str,
            "priority": int,
            "joined_at": float,
            "seq": int,
            "flags": str,
            "intent": str,
            "number": str,
            "accepted_at": float,
            "promised_by": float,
            "attempts": int,
            "ready_at": float,
            "state": str,  # waiting | placing | done | failed
            "outcome": str,
            "late_sms": int,
            "updated_at": float,
        },
        pk="call_id",
        not_null={"queue", "number", "state"},
        defaults={"attempts": 0, "ready_at": 0.0, "outcome": "", "late_sms": 0},
        if_not_exists=True,
    )
    db["callbacks"].create_index(["state"], if_not_exists=True)  # type: ignore[union-attr]
    db["callback_attempts"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "call_id": str,
            "attempt": int,
            "agent_id": str,
            "channel_id": str,
            "started_at": float,
            "ended_at": float,
            "outcome": str,  # answered | no-answer | busy | failed | interrupted
            "detail": str,
        },
        pk="id",
        not_null={"call_id", "attempt", "started_at"},
        if_not_exists=True,
    )
    db["callback_attempts"].create_index(  # type: ignore[union-attr]
        ["call_id", "attempt"], unique=True, if_not_exists=True
    )


def _m6_callback_rings(db: sqlite_utils.Database) -> None:
    """A callback whose agent did not answer is rung again as the same caller attempt.

    The caller's attempt count is guarded by ``callbacks.attempts`` (compare-and-set in
    ``begin_attempt``); each ring is a row of its own, unique by its channel id.
    """
    db.execute("DROP INDEX IF EXISTS idx_callback_attempts_call_id_attempt")
    db["callback_attempts"].create_index(  # type: ignore[union-attr]
        ["call_id", "attempt"], if_not_exists=True
    )
    db["callback_attempts"].create_index(  # type: ignore[union-attr]
        ["channel_id"], unique=True, if_not_exists=True
    )


def _m7_retention(db: sqlite_utils.Database) -> None:
    """Retention (ivr/store/retention.py): which calls are blanked, indexes on the ages.

    ``personal_cleared`` = 1 once a call's numbers are blanked; the partial index
    finds the calls not yet blanked without reading the ones that are.
    """
    if "personal_cleared" not in db["calls"].columns_dict:
        db.execute("ALTER TABLE calls ADD COLUMN personal_cleared INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_calls_not_cleared ON calls (started_at)"
        " WHERE personal_cleared = 0"
    )
    db["sms_outbox"].create_index(["created_at"], if_not_exists=True)  # type: ignore[union-attr]
    db["callbacks"].create_index(["accepted_at"], if_not_exists=True)  # type: ignore[union-attr]
    db["caller_calls"].create_index(["at"], if_not_exists=True)  # type: ignore[union-attr]


def _m8_no_none_destinations(db: sqlite_utils.Database) -> None:
    """Calls that went nowhere were stored with the text 'None' as their destination.

    (``str(None)`` of a decision that asks again.) Repaired to "", as the session
    now writes them.
    """
    db.execute("UPDATE calls SET destination = '' WHERE destination = 'None'")
    db.execute("UPDATE caller_calls SET destination = '' WHERE destination = 'None'")


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _m1_initial,
    _m2_decision_message_and_offers,
    _m3_caller_history,
    _m4_sms_outbox,
    _m5_callbacks,
    _m6_callback_rings,
    _m7_retention,
    _m8_no_none_destinations,
)


DB_MODE: Final = 0o600


def _create_private(path: str) -> None:
    """Create the database owner-only (0600) before SQLite does (it would use 0644).

    It holds callers' numbers and what they said. SQLite gives its -wal and -shm files
    the database's own mode. An existing file keeps the mode its admin gave it.
    """
    if path == ":memory:" or path.startswith("file:"):
        return
    # Exists already, or cannot be made: sqlite3.connect then opens it or says why not.
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DB_MODE))


class CallStore:
    """Synchronous access to the call database; keep it off the event loop (see SqliteCallLog)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        _create_private(self.path)
        conn = sqlite3.connect(self.path, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; return the schema version.

        Each step and its version row commit together; the steps are still written to
        be re-run (IF NOT EXISTS), as databases migrated before that was so may hold half.
        """
        table = self.db["schema_migrations"]
        if not table.exists():
            table.create({"version": int, "applied_at": str}, pk="version")  # type: ignore[union-attr]
        done = {row["version"] for row in self.db["schema_migrations"].rows}
        for version, step in enumerate(MIGRATIONS, start=1):
            if version in done:
                continue
            with write_transaction(self.db):
                step(self.db)
                self.db["schema_migrations"].insert(  # type: ignore[union-attr]
                    {"version": version, "applied_at": _now_iso()}
                )
        return len(MIGRATIONS)

    def close(self) -> None:
        self.db.conn.close()

    # --- writes --------------------------------------------------------------------

    def call_started(self, row: Row) -> None:
        """First sight of a call; a call adopted after a restart keeps its original row."""
        self.db["calls"].insert(row, pk="call_id", ignore=True)  # type: ignore[union-attr]

    def call_updated(self, call_id: str, fields: Row) -> None:
        self.db["calls"].update(call_id, fields)  # type: ignore[union-attr]

    def close_interrupted(self, live: Sequence[str], at: str) -> int:
        """Calls a dead process left "in-progress" that nobody took over: ended as
        ``interrupted`` (by ``app-crash``), never in progress for ever."""
        marks = ",".join("?" for _ in live)
        keep = f" AND call_id NOT IN ({marks})" if live else ""
        cur = self.db.execute(
            "UPDATE calls SET outcome = 'interrupted', ended_by = 'app-crash', ended_at = ?"
            f" WHERE outcome = 'in-progress'{keep}",
            [at, *live],
        )
        return int(cur.rowcount)

    def add_event(self, call_id: str, at: str, kind: str, detail: Row) -> None:
        self.db["call_events"].insert(  # type: ignore[union-attr]
            {"call_id": call_id, "at": at, "kind": kind, "detail": json.dumps(detail)}
        )

    def add_decision(self, call_id: str, at: str, decision: Row) -> None:
        row = {
            "call_id": call_id,
            "at": at,
            "action": decision.get("action", ""),
            "destination": decision.get("destination", ""),
            "intent": decision.get("intent") or "",
            "rule": decision.get("rule", ""),
            "reason": decision.get("reason", ""),
            "candidates": json.dumps(decision.get("candidates", [])),
            "evidence": json.dumps(decision.get("evidence", {})),
            "message": decision.get("message") or "",
            "offers": json.dumps(decision.get("offers", [])),
        }
        self.db["decisions"].insert(row)  # type: ignore[union-attr]

    # --- reads ---------------------------------------------------------------------

    def get_call(self, call_id: str) -> Row | None:
        rows = list(self.db["calls"].rows_where("call_id = ?", [call_id]))
        return rows[0] if rows else None

    def recent_calls(self, limit: int = 50) -> list[Row]:
        return list(self.db["calls"].rows_where(order_by="started_at desc", limit=limit))

    def events_for(self, call_id: str) -> list[Row]:
        rows = self.db["call_events"].rows_where("call_id = ?", [call_id], order_by="id")
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def decisions_for(self, call_id: str) -> list[Row]:
        rows = self.db["decisions"].rows_where("call_id = ?", [call_id], order_by="id")
        return [
            {
                **r,
                "candidates": json.loads(r["candidates"]),
                "evidence": json.loads(r["evidence"]),
                "offers": json.loads(r["offers"] or "[]"),
            }
            for r in rows
        ]


def _now_iso() -> str:
    return iso(datetime.now(UTC))
