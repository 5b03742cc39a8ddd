"""write_transaction: writers on several connections queue instead of failing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from ivr.store.db import CallStore, write_transaction


def test_a_read_then_write_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
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
    assert [r[0] for r in second.db.execute("SELECT v FROM n ORDER BY v")] == [1, 2]
    first.close()
    second.close()


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    store.db.execute("CREATE TABLE n (v INTEGER UNIQUE)")
    with pytest.raises(sqlite3.IntegrityError), write_transaction(store.db):
        store.db.execute("INSERT INTO n VALUES (1)")
        store.db.execute("INSERT INTO n VALUES (1)")
    assert store.db.execute("SELECT COUNT(*) FROM n").fetchone()[0] == 0
    store.close()
