"""``ivr analysis-copy``: a copy of the call database fit to explore (Datasette, sqlite3).

The live database holds far more than figures: officers' password hashes and sessions,
the console's audit trail, callers' numbers, what they said and the texts sent to them.
The copy is taken as one consistent snapshot (``VACUUM INTO``: a server writing to the
WAL meanwhile is fine, where ``cp`` can miss writes), then only the tables the figures
need are kept (``KEPT``: anything else, a table added later included, is dropped) and
their personal columns blanked. ``secure_delete`` and a final VACUUM leave no old
page of the removed data in the file.

From PostgreSQL the copy is still a SQLite file (what Datasette opens): this build's
schema is made in it (tables, views), then the kept tables' rows are read through a
read-only connection in one REPEATABLE READ transaction (one snapshot, as ``VACUUM
INTO`` gives), streamed, and cleaned as above. Personal tables are never read.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ivr.analysis.understanding import masked_phrase
from ivr.store.db import CallStore
from ivr.store.engine import is_postgres
from ivr.store.readonly import (
    Location,
    ReadOnlyDatabase,
    describe,
    missing,
    open_read_only,
    read_errors,
)
from ivr.store.retention import NUMBER_EVENTS

# Tables kept; every other table is dropped (views over them stay).
KEPT: Final = frozenset(
    {
        "calls",
        "call_events",
        "decisions",
        "callbacks",
        "callback_attempts",
        "caller_calls",
        "sms_outbox",
        "survey_responses",
        "schema_migrations",
    }
)

# What is blanked in the kept tables (each statement guarded by the table being there).
_BLANKING: Final = (
    (
        "calls",
        "UPDATE calls SET caller_number = '', caller_name = '', personal_cleared = 1",
    ),
    # What the caller said (and its alternatives), kept by the speech events.
    (
        "call_events",
        "UPDATE call_events SET detail = json_remove(detail, '$.text', '$.alternatives')"
        " WHERE kind = 'speech' AND json_valid(detail)",
    ),
    # The whole RoutingInputs (words heard, digits) and the evidence's copy of them.
    (
        "decisions",
        "UPDATE decisions SET inputs = NULL, reason = masked(reason), message = NULL,"
        " evidence = CASE WHEN json_valid(evidence) THEN json_replace(evidence,"
        " '$.inputs.heard', json('[]'), '$.inputs.digits', NULL) END",
    ),
    ("callbacks", "UPDATE callbacks SET number = ''"),
    ("callback_attempts", "UPDATE callback_attempts SET agent_id = NULL, channel_id = NULL"),
    ("caller_calls", "UPDATE caller_calls SET pseudonym = ''"),
    (
        "sms_outbox",
        # '' not NULL: both columns are NOT NULL (their defaults) on databases made since
        # the engine took over the schema.
        "UPDATE sms_outbox SET to_number = '', body = '', last_error = '',"
        " provider_id = '', reference = ''",
    ),
    ("survey_responses", "UPDATE survey_responses SET comment = NULL"),
)


class CopyRefused(ValueError):
    error_id = "analysis-copy"


@dataclass(frozen=True, slots=True)
class CopyReport:
    dropped: tuple[str, ...]  # the tables left out
    calls: int


# Rows written to the copy per batch, from PostgreSQL.
BATCH: Final = 1000


class AnalysisCopy:
    """Writes the copy of ``source`` (a SQLite file or a PostgreSQL URL) at ``target``, a
    SQLite file which must not exist yet."""

    def __init__(self, source: Location, target: Path) -> None:
        self.source = source
        self.target = target

    def write(self) -> CopyReport:
        if missing(self.source):
            raise CopyRefused(f"no database at {self.source}")
        if self.target.exists():
            raise CopyRefused(f"{self.target} exists: the copy is written to a new file")
        try:
            if is_postgres(str(self.source)):
                left_out = self._copy_rows()
                return self._clean(left_out)
            self._snapshot()
            return self._clean()
        except read_errors() as exc:
            self._discard()  # never leave a half-cleaned copy
            raise CopyRefused(f"cannot copy {describe(self.source)}: {exc}") from exc
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.target}{suffix}").unlink(missing_ok=True)

    def _snapshot(self) -> None:
        source = sqlite3.connect(f"{Path(self.source).resolve().as_uri()}?mode=ro", uri=True)
        try:
            source.execute("VACUUM INTO ?", [str(self.target)])
        finally:
            source.close()

    def _copy_rows(self) -> tuple[str, ...]:
        """This build's schema in a new SQLite file, then the kept tables' rows from the
        PostgreSQL source, one snapshot; returns the source's tables left out."""
        source = open_read_only(self.source)
        try:
            with source.transaction():
                source.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                tables = set(source.table_names())
                if "calls" not in tables:
                    raise CopyRefused(
                        f"{describe(self.source)} is not a call database (no calls table)"
                    )
                CallStore(self.target).close()  # this build's tables and views
                target = sqlite3.connect(self.target, isolation_level=None)
                try:
                    target.execute("BEGIN")
                    for table in sorted(KEPT & tables - {"schema_migrations"}):
                        _copy_table(source, target, table)
                    target.execute("COMMIT")
                finally:
                    target.close()
        finally:
            source.close()
        return tuple(sorted(tables - KEPT))

    def _clean(self, left_out: tuple[str, ...] = ()) -> CopyReport:
        db = sqlite3.connect(self.target, isolation_level=None)
        try:
            db.create_function("masked", 1, _masked, deterministic=True)
            db.execute("PRAGMA journal_mode = DELETE")  # one file to hand over
            db.execute("PRAGMA secure_delete = ON")
            tables = {
                r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "calls" not in tables:
                raise CopyRefused(
                    f"{describe(self.source)} is not a call database (no calls table)"
                )
            dropped = tuple(sorted(t for t in tables - KEPT if not t.startswith("sqlite_")))
            db.execute("BEGIN")
            for table in dropped:
                db.execute(f'DROP TABLE "{table}"')
            for table, update in _BLANKING:
                if table in tables:
                    db.execute(update)
            for kind, key in NUMBER_EVENTS.items():  # details that can quote a number
                db.execute(
                    f"UPDATE call_events SET detail = json_replace(detail, '$.{key}', '')"
                    " WHERE kind = ? AND json_valid(detail)",
                    [kind],
                )
            db.execute("COMMIT")
            db.execute("VACUUM")
            calls = int(db.execute("SELECT count(*) FROM calls").fetchone()[0])
            return CopyReport(tuple(sorted({*dropped, *left_out})), calls)
        except BaseException:
            db.close()
            self.target.unlink(missing_ok=True)
            raise
        finally:
            db.close()


def _copy_table(source: ReadOnlyDatabase, target: sqlite3.Connection, table: str) -> None:
    """The rows of ``table``, in the columns both the source and the copy have (a later
    build's extra column is left out; so are columns of this build the source lacks)."""
    have = {row[1] for row in target.execute(f'PRAGMA table_info("{table}")')}
    columns = [c for c in source.columns(table) if c in have]
    names = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    for rows in source.stream(f'SELECT {names} FROM "{table}"', size=BATCH):
        target.executemany(insert, rows)


def _masked(text: object) -> str | None:
    return masked_phrase(text) if isinstance(text, str) else None
