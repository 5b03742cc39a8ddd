"""The call database's schema and queries, migrated forward at start-up.

On SQLite (WAL mode, so the console and exports read while calls are written) or
PostgreSQL (ivr.store.engine). The schema is a list of numbered migration steps
(``ivr.store.migrations``), each recorded in ``schema_migrations``; a database from
an older release is brought forward, never rebuilt.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ivr.store.engine import Database, Dialect, open_database, table
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
def write_transaction(db: Database) -> Iterator[None]:
    """Writes that commit together, the write lock taken first (``Database.transaction``)."""
    with db.transaction():
        yield


class CallStore:
    """Synchronous access to the call database; keep it off the event loop (see SqliteCallLog).

    ``location`` is a SQLite file's path or a ``postgresql://`` URL (ivr.store.engine).
    """

    def __init__(self, location: str | Path) -> None:
        self.path = str(location)
        self.db = open_database(self.path)
        try:
            self.migrate()
        except BaseException:
            self.db.close()
            raise

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; return the schema version.

        Each step and its version row commit together; the steps are still written to
        be re-run (IF NOT EXISTS), as databases migrated before that was so may hold half.
        Two processes starting on one PostgreSQL database take turns (an advisory lock).
        SchemaMismatch if the database then lacks anything the steps make (ivr.store.schema).
        """
        db = self.db
        with migration_lock(db):
            db.create_table(
                table("schema_migrations", {"version": int, "applied_at": str}, pk="version")
            )
            done = {row["version"] for row in db.query("SELECT version FROM schema_migrations")}
            for version, step in enumerate(MIGRATIONS, start=1):
                if version in done:
                    continue
                with db.transaction():
                    step(db)
                    db.insert("schema_migrations", {"version": version, "applied_at": _now_iso()})
        check_schema(db, db.location)
        return len(MIGRATIONS)

    def close(self) -> None:
        self.db.close()

    # --- writes --------------------------------------------------------------------

    def call_started(self, row: Row) -> None:
        """First sight of a call; a call adopted after a restart keeps its original row."""
        self.db.insert("calls", row, ignore=True)

    def call_updated(self, call_id: str, fields: Row) -> None:
        self.db.update("calls", {"call_id": call_id}, fields)

    def close_interrupted(self, live: Sequence[str], at: str, origin: str = "") -> int:
        """Calls a dead process left "in-progress" that nobody took over: ended as
        ``interrupted`` (by ``app-crash``), never in progress for ever. Only ``origin``'s
        (the Asterisk this node answers; "": calls stored before origins): another
        Asterisk node's calls on the same database are its own business."""
        marks = ",".join("?" for _ in live)
        keep = f" AND call_id NOT IN ({marks})" if live else ""
        cur = self.db.execute(
            "UPDATE calls SET outcome = 'interrupted', ended_by = 'app-crash', ended_at = ?"
            f" WHERE outcome = 'in-progress' AND origin IN ('', ?){keep}",
            [at, origin, *live],
        )
        return int(cur.rowcount)

    def add_event(self, call_id: str, at: str, kind: str, detail: Row) -> None:
        self.db.insert(
            "call_events",
            {"call_id": call_id, "at": at, "kind": kind, "detail": json.dumps(detail)},
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
        self.db.insert("decisions", row)

    # --- reads ---------------------------------------------------------------------

    def get_call(self, call_id: str) -> Row | None:
        rows = self.db.rows_where("calls", "call_id = ?", [call_id])
        return rows[0] if rows else None

    def recent_calls(self, limit: int = 50) -> list[Row]:
        return self.db.rows_where("calls", order_by="started_at desc", limit=limit)

    def events_for(self, call_id: str) -> list[Row]:
        rows = self.db.rows_where("call_events", "call_id = ?", [call_id], order_by="id")
        return [{**r, "detail": json.loads(r["detail"])} for r in rows]

    def decisions_for(self, call_id: str) -> list[Row]:
        rows = self.db.rows_where("decisions", "call_id = ?", [call_id], order_by="id")
        return [
            {
                **r,
                "candidates": json.loads(r["candidates"]),
                "evidence": json.loads(r["evidence"]),
                "offers": json.loads(r["offers"] or "[]"),
            }
            for r in rows
        ]


# Any fixed number, the same in every process: the key of the advisory lock migrations hold.
MIGRATION_LOCK: Final = 0x1F1101


@contextlib.contextmanager
def migration_lock(db: Database) -> Iterator[None]:
    """One process at a time migrates a shared PostgreSQL database (SQLite's own
    write lock does this for a file, step by step)."""
    if db.dialect is not Dialect.POSTGRES:
        yield
        return
    db.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
    try:
        yield
    finally:
        db.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])


def _now_iso() -> str:
    return iso(datetime.now(UTC))
