"""write_transaction: writers on several connections queue instead of failing; a failed
write leaves nothing behind (both engines)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest

from ivr.store.db import CallStore, write_transaction


def test_a_read_then_write_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """SQLite only: BEGIN IMMEDIATE takes SQLite's one write lock first, so a reader that
    then writes waits its turn. PostgreSQL locks rows, not the database, and a reader is
    never blocked: stores that read then write rely on ON CONFLICT or a conditional
    UPDATE there, not on this."""
    path = tmp_path / "calls.db"
    first, second = CallStore(path), CallStore(path)
    first.db.execute("CREATE TABLE n (v INTEGER)")
    held = threading.Event()

    def hold_the_lock() -> None:
        with write_transaction(first.db):
            first.db.execute("INSERT INTO n VALUES (1)")
            held.set()
            time.sleep(0.3)

    writer = threading.Thread(target=hold_the_lock)
    writer.start()
    held.wait()
    with write_transaction(second.db):  # a deferred BEGIN would fail here at once
        (count,) = second.db.execute("SELECT COUNT(*) FROM n").fetchone()
        second.db.execute("INSERT INTO n VALUES (?)", [count + 1])
    writer.join()
    assert [r["v"] for r in second.db.query("SELECT v FROM n ORDER BY v")] == [1, 2]
    first.close()
    second.close()


def test_a_failed_write_leaves_nothing_behind(db_location: str) -> None:
    store = CallStore(db_location)
    store.db.execute("CREATE TABLE n (v INTEGER UNIQUE)")
    with (
        pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)),
        write_transaction(store.db),
    ):
        store.db.execute("INSERT INTO n VALUES (1)")
        store.db.execute("INSERT INTO n VALUES (1)")
    assert store.db.execute("SELECT COUNT(*) FROM n").fetchone()[0] == 0
    store.close()
