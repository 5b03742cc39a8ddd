"""The start-up check that the call database has what this build's code uses.

Migrations are tracked by their place in MIGRATIONS, so a database a different build
migrated (a branch with its own step 11, say) is marked as done with steps this build
never ran: its queries would then fail at run time (every audit insert, for one). So
after migrating, CallStore compares the database with the schema MIGRATIONS build on
an empty database (tables, their columns, triggers) and refuses to open one that lacks
any, naming what is missing and the step that makes it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from ivr.sections import ConfigError
from ivr.store.engine import Database, Dialect, SqliteDatabase
from ivr.store.migrations import MIGRATIONS

SHOWN = 5  # missing things named in the message; the rest are counted


class SchemaMismatch(ConfigError):
    error_id = "database-schema-mismatch"


@dataclass(frozen=True, order=True)
class Needed:
    """A table, column or trigger, and the migration step (1-based) that makes it."""

    step: int
    what: str


def _schema(db: Database) -> set[str]:
    found = {f"trigger {name}" for name in db.trigger_names()}
    for name in db.table_names():
        found.add(f"table {name}")
        found.update(f"column {name}.{c}" for c in db.columns(name))
    return found


@functools.cache
def needed() -> tuple[Needed, ...]:
    """What each step adds, found by running them on an empty database (once a process)."""
    db = SqliteDatabase(":memory:")
    seen: set[str] = set()
    found: list[Needed] = []
    for step, migrate in enumerate(MIGRATIONS, start=1):
        migrate(db)
        now = _schema(db)
        found.extend(Needed(step, what) for what in sorted(now - seen))
        seen = now
    db.close()
    return tuple(found)


def missing(db: Database) -> list[Needed]:
    have = _schema(db)
    return [n for n in needed() if n.what not in have]


def check_schema(db: Database, path: str) -> None:
    """SchemaMismatch if ``db`` lacks anything this build's migrations make."""
    lacking = missing(db)
    if lacking:
        raise SchemaMismatch(mismatch_message(path, lacking, db.dialect))


def mismatch_message(
    path: str, lacking: Sequence[Needed], dialect: Dialect = Dialect.SQLITE
) -> str:
    first = min(n.step for n in lacking)
    tool = "psql" if dialect is Dialect.POSTGRES else "sqlite3"
    named = ", ".join(f"{n.what} (step {n.step})" for n in lacking[:SHOWN])
    more = f" and {len(lacking) - SHOWN} more" if len(lacking) > SHOWN else ""
    return (
        f"the database {path} lacks what this build uses: {named}{more}. Its"
        " schema_migrations table says those steps ran, so another build (a branch's own"
        " step, say) migrated it. Back it up, then let this build run its steps again from"
        f" {first} (they are written to re-run): {tool} {path}"
        f" 'DELETE FROM schema_migrations WHERE version >= {first}'"
    )
