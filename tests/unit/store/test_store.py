"""The call database: schema migration, WAL, and the non-blocking writer."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.store.db import CallStore
from ivr.store.log import CallLogDown, SqliteCallLog
from ivr.store.migrations import MIGRATIONS

AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_new_database_is_migrated_to_the_latest_schema_in_wal_mode(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    assert store.migrate() == len(MIGRATIONS)
    assert {"calls", "call_events", "decisions", "schema_migrations"} <= set(store.db.table_names())
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_reopening_does_not_reapply_migrations_or_lose_rows(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    store = CallStore(path)
    store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    store.close()
    again = CallStore(path)
    assert again.get_call("c1") is not None
    versions = [r["version"] for r in again.db["schema_migrations"].rows]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    again.close()


def test_decisions_keep_their_candidates_and_evidence(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
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


async def test_the_call_log_writes_everything_queued_before_shutdown(tmp_path: Path) -> None:
    path = str(tmp_path / "calls.db")
    call_log = SqliteCallLog(path)
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
    conn = sqlite3.connect(path)
    assert conn.execute("select count(*) from call_events").fetchone()[0] == 50
    assert conn.execute("select outcome from calls").fetchone()[0] == "abandoned"
    conn.close()


async def test_a_bad_write_is_counted_and_does_not_block_the_rest(tmp_path: Path) -> None:
    call_log = SqliteCallLog(str(tmp_path / "calls.db"))
    await call_log.open()
    worker = asyncio.create_task(call_log.run())
    call_log.event("no-such-call", AT, "dtmf", {})  # foreign key violation
    call_log.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})
    await call_log.flush()
    row = await call_log.query(lambda store: store.get_call("c1"))
    assert row is not None and call_log.failed == 1
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker


async def test_a_failing_disk_is_retried_not_dropped(tmp_path: Path) -> None:
    call_log = SqliteCallLog(str(tmp_path / "calls.db"))
    await call_log.open()
    worker = asyncio.create_task(call_log.run())
    await call_log.flush()
    failures = 2

    def flaky(store: CallStore) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})

    call_log._put(flaky)
    await asyncio.wait_for(call_log.flush(), 10)
    assert await call_log.query(lambda s: s.get_call("c1")) is not None
    assert call_log.failed == 0 and not call_log.retrying
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await worker


async def test_a_database_that_cannot_open_fails_at_once(tmp_path: Path) -> None:
    call_log = SqliteCallLog(str(tmp_path / "missing-dir" / "calls.db"))
    with pytest.raises(sqlite3.OperationalError):
        await call_log.open()
    with pytest.raises(CallLogDown):
        await call_log.flush()


async def test_a_full_queue_counts_what_it_drops_instead_of_growing() -> None:
    call_log = SqliteCallLog(":memory:", max_queued=3)
    for n in range(5):
        call_log.event("c1", AT, "dtmf", {"n": n})
    assert call_log.dropped == 2
    assert not call_log.healthy


def test_a_version_1_database_is_brought_forward_without_losing_decisions(tmp_path: Path) -> None:
    import sqlite_utils

    from ivr.store import migrations

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(str(path))
    migrations._m1_initial(old)
    old["schema_migrations"].insert({"version": 1, "applied_at": "t"}, pk="version")  # type: ignore[union-attr]
    old["calls"].insert({"call_id": "c1", "channel_id": "c1", "started_at": "t0"})  # type: ignore[union-attr]
    old["decisions"].insert(  # type: ignore[union-attr]
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
        }
    )
    old.conn.close()
    store = CallStore(path)
    (decision,) = store.decisions_for("c1")
    assert decision["destination"] == "rc" and decision["offers"] == []
    assert "message" in store.db["decisions"].columns_dict
    store.close()


def test_a_migration_interrupted_half_way_is_finished_on_the_next_start(tmp_path: Path) -> None:
    import sqlite_utils

    from ivr.store import migrations

    path = tmp_path / "half.db"
    half = sqlite_utils.Database(str(path))
    half["schema_migrations"].create({"version": int, "applied_at": str}, pk="version")  # type: ignore[union-attr]
    for version in range(1, len(migrations.MIGRATIONS)):
        migrations.MIGRATIONS[version - 1](half)
        half["schema_migrations"].insert({"version": version, "applied_at": "t"})  # type: ignore[union-attr]
    migrations.MIGRATIONS[-1](half)  # the last step ran, but the crash came before it was recorded
    half.conn.close()
    store = CallStore(path)
    assert store.migrate() == len(migrations.MIGRATIONS)
    store.close()
