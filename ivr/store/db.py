"""SQLite schema and queries (sqlite-utils), migrated forward at start-up.

WAL mode so the console and exports can read while calls are being written.
The schema is a list of numbered migration steps (``ivr.store.migrations``),
each recorded in ``schema_migrations``; a database from an older release is
brought forward, never rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import sqlite_utils

from ivr.store.migrations import MIGRATIONS
from ivr.store.schema import check_schema

Row = dict[str, Any]

# The evidence key an engine decision's stored RoutingInputs (ivr.replay.codec's JSON text)
# travel under to the writer, which moves them into the decisions.inputs column: so neither
# the CallLog seam nor CallSession's API grows a parameter for them.
STORED_INPUTS: Final = "routing_inputs"


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
        try:
            self.migrate()
        except BaseException:
            conn.close()
            raise

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; return the schema version.

        Each step and its version row commit together; the steps are still written to
        be re-run (IF NOT EXISTS), as databases migrated before that was so may hold half.
        SchemaMismatch if the database then lacks anything the steps make (ivr.store.schema).
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
        check_schema(self.db, self.path)
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
        evidence = dict(decision.get("evidence", {}))
        inputs = evidence.pop(STORED_INPUTS, None)
        row = {
            "call_id": call_id,
            "at": at,
            "action": decision.get("action", ""),
            "destination": decision.get("destination", ""),
            "intent": decision.get("intent") or "",
            "rule": decision.get("rule", ""),
            "reason": decision.get("reason", ""),
            "candidates": json.dumps(decision.get("candidates", [])),
            "evidence": json.dumps(evidence),
            "message": decision.get("message") or "",
            "offers": json.dumps(decision.get("offers", [])),
            "ruleset_version": decision.get("ruleset_version"),
            "inputs": inputs if isinstance(inputs, str) else None,
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
