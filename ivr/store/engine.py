"""One store interface, two engines: SQLite (the embedded default) and PostgreSQL.

Every store (call log, callbacks, SMS outbox, caller history, console, rulesets, chat)
talks to a ``Database``: SQL written once, with ``?`` placeholders, in the subset both
engines run (``ON CONFLICT``, ``RETURNING``, ``COALESCE``, ``CASE``); the few things
they spell differently (JSON fields, types, triggers) are asked of ``dialect``.

``open_database(location)`` picks the engine: ``postgresql://...`` (or
``postgres://``) is PostgreSQL through psycopg 3, anything else a SQLite file.
A store still runs on one thread with one connection (ivr.store.thread); the
PostgreSQL connection is in autocommit, like sqlite-utils, so a statement outside
``transaction()`` commits on its own.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol
from urllib.parse import urlsplit, urlunsplit

import sqlite_utils

Row = dict[str, Any]
Params = Sequence[Any]

DB_MODE: Final = 0o600
POSTGRES_SCHEMES: Final = ("postgresql", "postgres")


class Dialect(StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgresql"


class Cursor(Protocol):
    """What a store reads from ``execute``: DB-API rows as tuples."""

    @property
    def description(self) -> Any: ...

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


# Column types by the Python type a migration names them with.
_SQLITE_TYPES: Final = {str: "TEXT", int: "INTEGER", float: "FLOAT", bytes: "BLOB"}
_POSTGRES_TYPES: Final = {str: "TEXT", int: "BIGINT", float: "DOUBLE PRECISION", bytes: "BYTEA"}


@dataclass(frozen=True)
class Column:
    name: str
    type: type
    not_null: bool = False
    default: Any = None


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    other: str


@dataclass(frozen=True)
class TableSpec:
    """A table as a migration step declares it; each engine writes its own DDL."""

    name: str
    columns: tuple[Column, ...]
    pk: str | tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)


def table(
    name: str,
    columns: Mapping[str, type],
    *,
    pk: str | tuple[str, ...],
    not_null: Collection[str] = (),
    defaults: Mapping[str, Any] | None = None,
    foreign_keys: Sequence[tuple[str, str, str]] = (),
) -> TableSpec:
    """A TableSpec in the shape sqlite-utils' ``create`` took (the older steps' shape)."""
    defaults = defaults or {}
    unknown = (set(not_null) | set(defaults)) - set(columns)
    if unknown:
        raise ValueError(f"table {name}: no such columns {sorted(unknown)}")
    return TableSpec(
        name,
        tuple(
            Column(c, t, c in not_null or c in defaults, defaults.get(c))
            for c, t in columns.items()
        ),
        pk,
        tuple(ForeignKey(*fk) for fk in foreign_keys),
    )


def _literal(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"unsupported default {value!r}")
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Database(ABC):
    """A connection to the call database; one thread uses it (ivr.store.thread)."""

    dialect: Dialect
    location: str  # a path, or the URL without its password: for messages

    # --- statements -------------------------------------------------------------------

    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> Cursor:
        """One statement, ``?`` placeholders; commits on its own outside ``transaction``."""

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        cur = self.execute(sql, params)
        if cur.description is None:
            return []
        names = [d[0] for d in cur.description]
        return [dict(zip(names, values, strict=True)) for values in cur.fetchall()]

    def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @abstractmethod
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes that commit together, the write lock taken first; nested: a savepoint."""

    @property
    @abstractmethod
    def in_transaction(self) -> bool: ...

    @abstractmethod
    def close(self) -> None: ...

    # --- rows ---------------------------------------------------------------------------

    def insert(self, table: str, row: Row, *, ignore: bool = False) -> None:
        """One row; ``ignore``: a row whose key is taken already is left as it is."""
        names = ", ".join(_quote(c) for c in row)
        marks = ", ".join("?" for _ in row)
        conflict = " ON CONFLICT DO NOTHING" if ignore else ""
        self.execute(
            f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks}){conflict}", list(row.values())
        )

    def insert_id(self, table: str, row: Row, id_column: str = "id") -> int:
        """One row into a table whose key the database numbers; returns the new key."""
        names = ", ".join(_quote(c) for c in row)
        marks = ", ".join("?" for _ in row)
        value = self.scalar(
            f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks}) RETURNING {_quote(id_column)}",
            list(row.values()),
        )
        return int(value)

    def update(self, table: str, where: Mapping[str, Any], fields: Row) -> int:
        """``fields`` set on the rows matching every ``where`` column; the count changed."""
        if not fields:
            return 0
        sets = ", ".join(f"{_quote(c)} = ?" for c in fields)
        conds = " AND ".join(f"{_quote(c)} = ?" for c in where)
        cur = self.execute(
            f"UPDATE {_quote(table)} SET {sets} WHERE {conds}",
            [*fields.values(), *where.values()],
        )
        return int(cur.rowcount)

    def rows_where(
        self,
        table: str,
        where: str | None = None,
        params: Params = (),
        *,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        sql = f"SELECT * FROM {_quote(table)}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {_quote(table)}"))

    # --- schema ------------------------------------------------------------------------

    @abstractmethod
    def table_names(self) -> list[str]:
        """Tables (not views), without the engine's own."""

    @abstractmethod
    def columns(self, table: str) -> list[str]:
        """The table's column names, in order; [] when there is no such table."""

    @abstractmethod
    def trigger_names(self) -> list[str]: ...

    def has_table(self, table: str) -> bool:
        return table in self.table_names()

    def create_table(self, spec: TableSpec) -> None:
        """CREATE TABLE IF NOT EXISTS, in this engine's types."""
        types = _POSTGRES_TYPES if self.dialect is Dialect.POSTGRES else _SQLITE_TYPES
        single = spec.pk if isinstance(spec.pk, str) else None
        parts = []
        for col in spec.columns:
            sql = f"{_quote(col.name)} {types[col.type]}"
            if col.name == single:
                numbered = col.type is int and col.name == "id"
                if numbered and self.dialect is Dialect.POSTGRES:
                    sql += " GENERATED BY DEFAULT AS IDENTITY"
                sql += " PRIMARY KEY"
            if col.not_null:
                sql += " NOT NULL"
            if col.default is not None:
                sql += f" DEFAULT {_literal(col.default)}"
            parts.append(sql)
        if single is None:
            parts.append(f"PRIMARY KEY ({', '.join(_quote(c) for c in spec.pk)})")
        parts.extend(
            f"FOREIGN KEY ({_quote(fk.column)}) REFERENCES {_quote(fk.table)} ({_quote(fk.other)})"
            for fk in spec.foreign_keys
        )
        self.execute(f"CREATE TABLE IF NOT EXISTS {_quote(spec.name)} ({', '.join(parts)})")

    def create_index(
        self,
        table: str,
        columns: Sequence[str],
        *,
        unique: bool = False,
        name: str | None = None,
        where: str = "",
    ) -> None:
        """CREATE INDEX IF NOT EXISTS, named as sqlite-utils names them (idx_<table>_<cols>)."""
        name = name or f"idx_{table}_{'_'.join(columns)}"
        kind = "UNIQUE INDEX" if unique else "INDEX"
        cols = ", ".join(_quote(c) for c in columns)
        partial = f" WHERE {where}" if where else ""
        self.execute(
            f"CREATE {kind} IF NOT EXISTS {_quote(name)} ON {_quote(table)} ({cols}){partial}"
        )

    def add_column(self, table: str, name: str, kind: type, default: Any = None) -> None:
        """A column the table lacks (a no-op if it has it); with a default, NOT NULL."""
        if name in self.columns(table):
            return
        types = _POSTGRES_TYPES if self.dialect is Dialect.POSTGRES else _SQLITE_TYPES
        tail = "" if default is None else f" NOT NULL DEFAULT {_literal(default)}"
        self.execute(f"ALTER TABLE {_quote(table)} ADD COLUMN {_quote(name)} {types[kind]}{tail}")

    # --- dialect ------------------------------------------------------------------------

    def json_text(self, column: str, key: str) -> str:
        """SQL for a JSON text column's top-level field, as text (NULL if absent)."""
        if self.dialect is Dialect.POSTGRES:
            return f"(({column})::jsonb ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"

    def json_valid(self, column: str) -> str:
        """SQL true when the column holds JSON (PostgreSQL 15 has no test: the stores
        write only JSON there, through json.dumps)."""
        if self.dialect is Dialect.POSTGRES:
            return "TRUE"
        return f"json_valid({column})"

    def epoch_now(self) -> str:
        """SQL for the database server's clock, in seconds since 1970: one clock for every
        node (leases), whatever each machine's own says."""
        if self.dialect is Dialect.POSTGRES:
            return "extract(epoch from clock_timestamp())"
        return "((julianday('now') - 2440587.5) * 86400.0)"

    def skip_locked(self) -> str:
        """SQL to end a SELECT that claims rows: on PostgreSQL the rows are locked and
        rows another node is claiming right now are passed over, not waited for; on
        SQLite nothing (BEGIN IMMEDIATE already lets one writer in at a time)."""
        if self.dialect is Dialect.POSTGRES:
            return " FOR UPDATE SKIP LOCKED"
        return ""

    def seconds_between(self, start: str, end: str) -> str:
        """SQL for the seconds from one stored ISO time to another."""
        if self.dialect is Dialect.POSTGRES:
            return f"EXTRACT(EPOCH FROM (({end})::timestamptz - ({start})::timestamptz))"
        return f"(julianday({end}) - julianday({start})) * 86400"

    def json_number(self, column: str, key: str) -> str:
        """SQL for a JSON text column's top-level number (NULL if absent)."""
        if self.dialect is Dialect.POSTGRES:
            return f"(({column})::jsonb ->> '{key}')::double precision"
        return f"json_extract({column}, '$.{key}')"


@dataclass(frozen=True)
class Guard:
    """A trigger that refuses every UPDATE or DELETE on a table (``when``), with a
    message: the append-only tables (audit, rulesets). Retention lifts the audit's
    DELETE guard inside its transaction and makes it again before committing."""

    name: str
    table: str
    when: str
    message: str

    def make(self, db: Database) -> None:
        if db.dialect is Dialect.POSTGRES:
            db.execute(_REFUSE_FUNCTION)
            db.execute(
                f"CREATE OR REPLACE TRIGGER {self.name} BEFORE {self.when} ON {self.table}"
                f" FOR EACH ROW EXECUTE FUNCTION ivr_refuse('{self.message}')"
            )
            return
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {self.name} BEFORE {self.when} ON {self.table}"
            f" BEGIN SELECT RAISE(ABORT, '{self.message}'); END"
        )

    def drop(self, db: Database) -> None:
        on = f" ON {self.table}" if db.dialect is Dialect.POSTGRES else ""
        db.execute(f"DROP TRIGGER IF EXISTS {self.name}{on}")


# A trigger function that refuses the statement with its argument as the message, as
# SQLite's RAISE(ABORT, ...) does.
_REFUSE_FUNCTION: Final = (
    "CREATE OR REPLACE FUNCTION ivr_refuse() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'raise_exception'; END $$"
)


# --- SQLite ---------------------------------------------------------------------------


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


class SqliteDatabase(Database):
    """A SQLite file in WAL mode (the console and exports read while calls are written)."""

    dialect = Dialect.SQLITE

    def __init__(self, path: str) -> None:
        self.location = path
        _create_private(path)
        # isolation_level=None: sqlite3 opens no transaction behind our back; a statement
        # outside transaction() commits on its own, as on PostgreSQL in autocommit.
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.utils = sqlite_utils.Database(conn)
        self.conn = conn
        self._savepoints = 0
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self.conn.execute(sql, list(params))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: several connections write to one WAL file, and a deferred
        transaction that reads before it writes cannot wait for another writer (SQLite
        says "database is locked" at once); taking the lock first lets the busy timeout
        queue writers. (sqlite3 outside a transaction commits each statement.)"""
        conn = self.conn
        if conn.in_transaction:  # nested: a savepoint inside the caller's transaction
            self._savepoints += 1
            name = f"sp{self._savepoints}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._savepoints -= 1
            conn.execute(f"RELEASE {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.OperationalError):  # an error may have ended it
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def close(self) -> None:
        self.conn.close()

    def table_names(self) -> list[str]:
        return list(self.utils.table_names())

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info({_quote(table)})")]

    def trigger_names(self) -> list[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return [row[0] for row in rows]


# --- PostgreSQL -----------------------------------------------------------------------


@functools.lru_cache(maxsize=2048)
def to_pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` doubled), outside quotes."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        if ch == "%":
            out.append("%%")
            continue
        out.append(ch)
    return "".join(out)


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


class PostgresDatabase(Database):
    """A PostgreSQL database through psycopg 3, one connection in autocommit.

    A connection that breaks (the server restarted, a failover) is opened again on the
    next statement outside a transaction; inside one, the error goes to the caller,
    whose whole transaction is then retried by nobody but them.
    """

    dialect = Dialect.POSTGRES

    def __init__(self, url: str) -> None:
        self.url = url
        self.location = redact(url)
        self._conn = self._connect()
        self._depth = 0

    def _connect(self) -> Any:
        import psycopg
        from psycopg.types.numeric import FloatLoader

        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        # avg() and round() give NUMERIC; the stores and reports work in floats, as on SQLite.
        conn.adapters.register_loader("numeric", FloatLoader)
        return conn

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        if self._conn.closed and self._depth == 0:
            self._conn = self._connect()
        cur = self._conn.cursor()
        if params:
            return cur.execute(to_pyformat(sql), list(params))  # type: ignore[no-any-return]
        return cur.execute(sql)  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self._conn.closed and self._depth == 0:
            self._conn = self._connect()
        self._depth += 1
        try:
            with self._conn.transaction():
                yield
        finally:
            self._depth -= 1

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def close(self) -> None:
        self._conn.close()

    def table_names(self) -> list[str]:
        rows = self.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " ORDER BY table_name"
        ).fetchall()
        return [row[0] for row in rows]

    def columns(self, table: str) -> list[str]:
        rows = self.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return [row[0] for row in rows]

    def trigger_names(self) -> list[str]:
        rows = self.execute(
            "SELECT DISTINCT trigger_name FROM information_schema.triggers"
            " WHERE trigger_schema = current_schema()"
        ).fetchall()
        return [row[0] for row in rows]


def is_postgres(location: str) -> bool:
    return urlsplit(location).scheme in POSTGRES_SCHEMES


def make_room(location: str) -> None:
    """The folder a SQLite file is to be made in (a PostgreSQL URL names none)."""
    if not is_postgres(location):
        Path(location).parent.mkdir(parents=True, exist_ok=True)


def open_database(location: str) -> Database:
    """The engine ``location`` names: a PostgreSQL URL, or a SQLite file's path."""
    if is_postgres(location):
        return PostgresDatabase(location)
    return SqliteDatabase(location)
