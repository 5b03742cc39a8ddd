"""A reader's call database (ivr.store.readonly.open_call_database), on either engine:
opened read-only with its tables, or refused with one error that says why."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from ivr.store.db import CallStore
from ivr.store.readonly import CallDatabaseUnusable, describe, open_call_database
from tests.postgres import PostgresServer

# What each engine raises for a write on a read-only connection.
READ_ONLY = (sqlite3.OperationalError, psycopg.errors.ReadOnlySqlTransaction)


def test_a_call_database_opens_read_only_with_its_tables(db_location: str) -> None:
    CallStore(db_location).close()
    opened = open_call_database(db_location, needs=("calls", "decisions"))
    try:
        assert {"calls", "call_events", "decisions"} <= opened.tables
        assert opened.name == describe(db_location)
        with pytest.raises(READ_ONLY):
            opened.db.execute("UPDATE calls SET outcome = 'changed'")
    finally:
        opened.db.close()


def test_a_database_lacking_a_needed_table_is_refused_naming_it(db_location: str) -> None:
    CallStore(db_location).close()
    with pytest.raises(CallDatabaseUnusable, match="no not_a_table table"):
        open_call_database(db_location, needs=("calls", "not_a_table"))


def test_a_missing_sqlite_file_is_refused_and_never_created(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    with pytest.raises(CallDatabaseUnusable, match="no such database file"):
        open_call_database(path, needs=("calls",))
    assert not path.exists()


def test_a_file_that_is_no_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(CallDatabaseUnusable, match="cannot read it as a call database"):
        open_call_database(junk, needs=("calls",))
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(CallDatabaseUnusable, match=r"no calls, decisions tables \(not an ivr101"):
        open_call_database(other, needs=("decisions", "calls"))


def test_a_postgresql_database_that_cannot_be_opened_is_refused_without_its_password(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url(database="no_such_database").replace("postgres@", "ivr:secret@")
    with pytest.raises(CallDatabaseUnusable, match="cannot open it") as refused:
        open_call_database(url, needs=("calls",))
    assert "secret" not in str(refused.value)
