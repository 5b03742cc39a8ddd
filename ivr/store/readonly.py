"""The call database opened read-only, for the tools that read past calls.

``ivr report``, ``ivr replay``, ``ivr whatif``, ``ivr rules suggest`` and the draft's
replay jobs read the live database a running server writes to: nothing they do may
write to it, lock the call log out or migrate it. On SQLite the file is opened with
``mode=ro`` (never created, never migrated); on PostgreSQL every transaction of the
connection is read-only (``default_transaction_read_only``), a reconnect included.

``open_call_database`` is how a reader opens one: every way it can fail (no file, not
openable, not readable, a table missing) is one ``CallDatabaseUnusable`` whose message
says which, so each reader only says what it needs.

``stream`` reads a long result a batch at a time, so memory stays flat however long
the period: SQLite steps its cursor; PostgreSQL needs a server-side cursor, which
lives in a transaction (otherwise psycopg would fetch the whole result first).
"""

from __future__ import annotations

import functools
import itertools
import os
import sqlite3
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import sqlite_utils

from ivr.store.engine import (
    Database,
    Params,
    PostgresDatabase,
    SqliteDatabase,
    is_postgres,
    redact,
    to_pyformat,
)

Location = str | Path  # a SQLite file's path, or a postgresql:// URL
BATCH: Final = 1000


class ReadOnlyDatabase(Database):
    """A Database that refuses every write, with ``stream`` for long reads."""

    @abstractmethod
    def stream(self, sql: str, params: Params = (), size: int = BATCH) -> Iterator[list[Any]]:
        """The rows of one query, ``size`` at a time (tuples, as ``execute`` gives)."""


class ReadOnlySqlite(SqliteDatabase, ReadOnlyDatabase):
    """A SQLite file opened ``mode=ro``: no pragmas, no WAL switch, nothing created."""

    def __init__(self, path: Path) -> None:  # not SqliteDatabase's: that one writes
        self.location = str(path)
        self.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        self.utils = sqlite_utils.Database(self.conn)
        self._savepoints = 0

    def stream(self, sql: str, params: Params = (), size: int = BATCH) -> Iterator[list[Any]]:
        cursor = self.conn.execute(sql, list(params))
        while rows := cursor.fetchmany(size):
            yield rows


class ReadOnlyPostgres(PostgresDatabase, ReadOnlyDatabase):
    """A PostgreSQL connection whose every transaction is read-only."""

    _cursors = itertools.count(1)

    def _connect(self) -> Any:
        conn = super()._connect()
        conn.execute("SET default_transaction_read_only = on")
        return conn

    def stream(self, sql: str, params: Params = (), size: int = BATCH) -> Iterator[list[Any]]:
        name = f"ivr_read_{next(self._cursors)}"
        with self.transaction(), self._conn.cursor(name=name) as cur:
            if params:
                cur.execute(to_pyformat(sql), list(params))
            else:
                cur.execute(sql)
            while rows := cur.fetchmany(size):
                yield rows


def open_read_only(location: Location) -> ReadOnlyDatabase:
    """``location``'s database, read-only. Errors are the engine's own (``read_errors``):
    a SQLite file that is not a database says so at its first query."""
    text = os.fspath(location)
    if is_postgres(text):
        return ReadOnlyPostgres(text)
    return ReadOnlySqlite(Path(text))


def describe(location: Location) -> str:
    """``location`` for a message: a path as it is, a URL without its password."""
    text = os.fspath(location)
    return redact(text) if is_postgres(text) else text


def name_of(location: Location) -> str:
    """A short name for titles: the file's name, or the PostgreSQL database's."""
    text = os.fspath(location)
    if is_postgres(text):
        return urlsplit(text).path.lstrip("/") or text
    return Path(text).name


def missing(location: Location) -> bool:
    """No SQLite file there (a PostgreSQL URL is tried by connecting)."""
    text = os.fspath(location)
    return not is_postgres(text) and not Path(text).is_file()


def as_location(text: str) -> Location:
    """An argparse ``type`` for ``--db``: a URL kept as text (a Path would fold its
    ``//``), anything else a Path."""
    return text if is_postgres(text) else Path(text)


@functools.cache
def read_errors() -> tuple[type[Exception], ...]:
    """What either engine raises for a database it cannot open or read (psycopg is
    imported on first need, as ivr.store.engine does)."""
    import psycopg

    return (sqlite3.Error, psycopg.Error)


class CallDatabaseUnusable(ValueError):
    """A call database a reader cannot use; the message names it (no password) and why."""


@dataclass(frozen=True, slots=True)
class CallDatabase:
    """A call database opened read-only (close ``db`` when done), and its tables."""

    db: ReadOnlyDatabase
    tables: frozenset[str]
    name: str  # ``describe``'s: for messages


def open_call_database(location: Location, needs: Iterable[str]) -> CallDatabase:
    """``location``'s database, read-only, once it is known to hold the tables in ``needs``;
    CallDatabaseUnusable otherwise (and nothing left open)."""
    if missing(location):
        raise CallDatabaseUnusable(f"no database at {location} (no such database file)")
    name = describe(location)
    try:
        db = open_read_only(location)
    except read_errors() as exc:
        raise CallDatabaseUnusable(f"{name}: cannot open it ({exc})") from exc
    try:
        tables = frozenset(db.table_names())
    except read_errors() as exc:
        db.close()
        raise CallDatabaseUnusable(f"{name}: cannot read it as a call database ({exc})") from exc
    lacking = sorted(set(needs) - tables)
    if lacking:
        db.close()
        raise CallDatabaseUnusable(
            f"{name}: no {', '.join(lacking)} table{'s' if len(lacking) > 1 else ''}"
            " (not an ivr101 database)"
        )
    return CallDatabase(db, tables, name)
