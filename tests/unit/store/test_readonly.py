"""The call database opened read-only (ivr.store.readonly), on either engine: what the
readers of past calls (report, replay, what-if, suggestions) open the live one with."""

from __future__ import annotations

import gc
import sqlite3
from pathlib import Path

import psycopg
import pytest

from ivr.store.db import CallStore
from ivr.store.readonly import as_location, describe, missing, name_of, open_read_only
from tests.unit.store.rows import insert_all

# What each engine raises for a write on a read-only connection.
READ_ONLY = (sqlite3.OperationalError, psycopg.errors.ReadOnlySqlTransaction)


@pytest.fixture
def logged(db_location: str) -> str:
    """A call database with five calls."""
    store = CallStore(db_location)
    rows = [
        {"call_id": f"c{n}", "channel_id": f"c{n}", "started_at": f"2026-03-02T10:0{n}:00Z"}
        for n in range(5)
    ]
    insert_all(store.db, "calls", rows)
    store.close()
    return db_location


def test_nothing_can_be_written_through_it(logged: str) -> None:
    db = open_read_only(logged)
    try:
        with pytest.raises(READ_ONLY):
            db.execute("UPDATE calls SET outcome = 'changed'")
        with pytest.raises(READ_ONLY):
            db.execute("CREATE TABLE t (x INTEGER)")
        assert db.scalar("SELECT count(*) FROM calls WHERE outcome IS NULL") == 5
    finally:
        db.close()


def test_a_long_result_comes_in_batches_and_ends_its_transaction(logged: str) -> None:
    db = open_read_only(logged)
    try:
        batches = list(db.stream("SELECT call_id FROM calls ORDER BY call_id", size=2))
        assert [[row[0] for row in batch] for batch in batches] == [
            ["c0", "c1"],
            ["c2", "c3"],
            ["c4"],
        ]
        assert not db.in_transaction
        params = db.stream("SELECT call_id FROM calls WHERE call_id > ? ORDER BY 1", ["c2"])
        assert [row[0] for batch in params for row in batch] == ["c3", "c4"]
    finally:
        db.close()


def test_a_reader_that_stops_early_and_closes_leaves_nothing_behind(logged: str) -> None:
    """A report stopped half-way (an error, a cancel): the stream is dropped after the
    connection closed; nothing is raised from the dropped stream (pytest would fail on
    an unraisable exception)."""
    db = open_read_only(logged)
    batches = db.stream("SELECT call_id FROM calls ORDER BY call_id", size=2)
    assert [row[0] for row in next(batches)] == ["c0", "c1"]
    db.close()
    del batches
    gc.collect()


def test_the_tables_and_columns_are_read_as_the_engine_reads_them(logged: str) -> None:
    db = open_read_only(logged)
    try:
        assert {"calls", "call_events", "decisions"} <= set(db.table_names())
        assert db.columns("calls")[:2] == ["call_id", "channel_id"]
    finally:
        db.close()


def test_a_missing_sqlite_file_is_never_created(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    assert missing(path)
    with pytest.raises(sqlite3.OperationalError):
        open_read_only(path)
    assert not path.exists()


def test_a_reopened_postgresql_connection_is_read_only_too(pg_url: str) -> None:
    CallStore(pg_url).close()
    db = open_read_only(pg_url)
    try:
        pid = db.scalar("SELECT pg_backend_pid()")
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
        with pytest.raises(psycopg.OperationalError):
            db.scalar("SELECT 1")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            db.execute("UPDATE calls SET outcome = 'changed'")
        assert db.scalar("SELECT pg_backend_pid()") != pid
    finally:
        db.close()


def test_a_url_stays_a_url_and_its_password_stays_out_of_messages() -> None:
    url = "postgresql://ivr:secret@db.example/calls?sslmode=require"
    assert as_location(url) == url  # a Path would fold its //
    assert as_location("var/ivr101.db") == Path("var/ivr101.db")
    assert "secret" not in describe(url) and "db.example" in describe(url)
    assert not missing(url)
    assert (name_of(url), name_of(Path("var/ivr101.db"))) == ("calls", "ivr101.db")
