"""The call database: schema migration, WAL, and the non-blocking writer; on both engines
(``db_location``) but for what is SQLite's own (WAL)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from ivr.store.db import CallStore
from ivr.store.engine import Database, is_postgres, open_database, table
from ivr.store.log import CallLogDown, SqliteCallLog
from ivr.store.migrations import MIGRATIONS

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_new_database_is_migrated_to_the_latest_schema(db_location: str) -> None:
    store = CallStore(db_location)
    assert store.migrate() == len(MIGRATIONS)
    assert {"calls", "call_events", "decisions", "schema_migrations"} <= set(store.db.table_names())
    store.close()


def test_a_sqlite_database_is_in_wal_mode(tmp_path: Path) -> None:
    """SQLite only: WAL lets the console and exports read while calls are written
    (PostgreSQL's readers never block its writers)."""
    store = CallStore(tmp_path / "calls.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_reopening_does_not_reapply_migrations_or_lose_rows(db_location: str) -> None:
    store = CallStore(db_location)
    store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    store.close()
    again = CallStore(db_location)
    assert again.get_call("c1") is not None
    versions = [r["version"] for r in again.db.rows_where("schema_migrations", order_by="version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    again.close()


def test_decisions_keep_their_candidates_and_evidence(db_location: str) -> None:
    store = CallStore(db_location)
    store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    store.add_decision(
        "c1",
        "t1",
        {
            "action": "route",
            "destination": "rc",
            "rule": "keypad-menu",
            "reason": "pressed 1",
            "candidates": [{"destination": "rc", "score": 1.0}],
            "evidence": {"digits": "1"},
        },
    )
    (decision,) = store.decisions_for("c1")
    assert decision["candidates"][0]["destination"] == "rc"
    assert decision["evidence"] == {"digits": "1"}
    store.close()


async def test_the_call_log_writes_everything_queued_before_shutdown(db_location: str) -> None:
    call_log = SqliteCallLog(db_location)
    await call_log.open()
    worker = asyncio.create_task(call_log.run())
    call_log.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    for n in range(50):
        call_log.event("c1", AT, "dtmf", {"digit": str(n % 10)})
    call_log.call_updated("c1", {"outcome": "abandoned", "last_step": "play:welcome"})
    await call_log.flush()
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker
    db = open_database(db_location)
    assert db.count("call_events") == 50
    assert db.scalar("select outcome from calls") == "abandoned"
    db.close()


async def test_a_bad_write_is_counted_and_does_not_block_the_rest(db_location: str) -> None:
    """On PostgreSQL a failed statement aborts its transaction: the bad record is
    undone alone (a savepoint), and the rest of its batch is written."""
    call_log = SqliteCallLog(db_location)
    await call_log.open()
    worker = asyncio.create_task(call_log.run())
    call_log.call_started({"call_id": "c0", "channel_id": "c0", "started_at": "t0"})
    call_log.event("no-such-call", AT, "dtmf", {})  # foreign key violation
    call_log.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    await call_log.flush()
    rows = await call_log.query(lambda store: [store.get_call("c0"), store.get_call("c1")])
    assert None not in rows and call_log.failed == 1
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker


async def test_a_failing_disk_is_retried_not_dropped(db_location: str) -> None:
    call_log = SqliteCallLog(db_location)
    await call_log.open()
    worker = asyncio.create_task(call_log.run())
    await call_log.flush()
    failures = 2

    def flaky(store: CallStore) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise full_disk(db_location)
        store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})

    call_log._put(flaky)
    await asyncio.wait_for(call_log.flush(), 10)
    assert await call_log.query(lambda s: s.get_call("c1")) is not None
    assert call_log.failed == 0 and not call_log.retrying
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker


def full_disk(location: str) -> Exception:
    """What each engine raises for a full disk."""
    if is_postgres(location):
        return psycopg.errors.DiskFull("could not extend file: No space left on device")
    return sqlite3.OperationalError("database or disk is full")


async def test_a_dropped_postgresql_connection_is_retried_not_dropped(pg_url: str) -> None:
    """A PostgreSQL restart or failover: the batch that meets the broken connection is
    written again, on a new connection, once the retry comes round."""
    call_log = SqliteCallLog(pg_url)
    await call_log.open()
    worker = asyncio.create_task(call_log.run())
    try:
        pid = await call_log.query(lambda store: store.db.scalar("SELECT pg_backend_pid()"))
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
        call_log.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
        call_log.event("c1", AT, "dtmf", {"digit": "1"})
        await asyncio.wait_for(call_log.flush(), 20)
        assert await call_log.query(lambda s: len(s.events_for("c1"))) == 1
        assert call_log.failed == 0 and not call_log.retrying
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


def unopenable(location: str) -> str:
    """A database that cannot be opened: a missing folder, or no such PostgreSQL database."""
    if is_postgres(location):
        return location.replace("/ivr?", "/no_such_database?")
    return str(Path(location).parent / "missing-dir" / "calls.db")


async def test_a_database_that_cannot_open_fails_at_once(db_location: str) -> None:
    call_log = SqliteCallLog(unopenable(db_location))
    with pytest.raises((sqlite3.OperationalError, psycopg.OperationalError)):
        await call_log.open()
    with pytest.raises(CallLogDown):
        await call_log.flush()


async def test_a_full_queue_counts_what_it_drops_instead_of_growing() -> None:
    call_log = SqliteCallLog(":memory:", max_queued=3)
    for n in range(5):
        call_log.event("c1", AT, "dtmf", {"n": n})
    assert call_log.dropped == 2
    assert not call_log.healthy


def versions_table(db: Database) -> None:
    db.create_table(table("schema_migrations", {"version": int, "applied_at": str}, pk="version"))


def test_a_version_1_database_is_brought_forward_without_losing_decisions(
    db_location: str,
) -> None:
    from ivr.store import migrations

    old = open_database(db_location)
    migrations._m1_initial(old)
    versions_table(old)
    old.insert("schema_migrations", {"version": 1, "applied_at": "t"})
    old.insert("calls", {"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    old.insert(
        "decisions",
        {
            "call_id": "c1",
            "at": "t1",
            "action": "route",
            "destination": "rc",
            "intent": "",
            "rule": "keypad",
            "reason": "pressed 1",
            "candidates": "[]",
            "evidence": "{}",
        },
    )
    old.close()
    store = CallStore(db_location)
    (decision,) = store.decisions_for("c1")
    assert decision["destination"] == "rc" and decision["offers"] == []
    assert "message" in store.db.columns("decisions")
    store.close()


def test_a_migration_interrupted_half_way_is_finished_on_the_next_start(
    db_location: str,
) -> None:
    from ivr.store import migrations

    half = open_database(db_location)
    versions_table(half)
    for version in range(1, len(migrations.MIGRATIONS)):
        migrations.MIGRATIONS[version - 1](half)
        half.insert("schema_migrations", {"version": version, "applied_at": "t"})
    migrations.MIGRATIONS[-1](half)  # the last step ran, but the crash came before it was recorded
    half.close()
    store = CallStore(db_location)
    assert store.migrate() == len(migrations.MIGRATIONS)
    store.close()
