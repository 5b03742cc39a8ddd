"""docs/deployment.md's backup and restore, done as it says, on both engines: the copy
opens with this build's schema check, holds the rows, and keeps the audit trail
append-only."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from ivr.store.db import CallStore
from tests.postgres import PG_BIN, PostgresServer

STARTED = "2026-12-01T09:00:00.000+00:00"


def fill(store: CallStore) -> None:
    store.call_started({"call_id": "c1", "channel_id": "c1", "started_at": STARTED})
    store.add_decision("c1", STARTED, {"action": "route", "destination": "rc"})
    store.db.insert("audit", {"at": STARTED, "who": "ann", "action": "sign-in", "detail": "{}"})


def assert_restored(store: CallStore) -> None:
    assert store.get_call("c1") is not None
    assert [d["destination"] for d in store.decisions_for("c1")] == ["rc"]
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("DELETE FROM audit")
    # Numbering goes on after the restored rows, not from 1 again.
    store.add_decision("c1", STARTED, {"action": "route", "destination": "fcr"})
    assert [d["id"] for d in store.decisions_for("c1")] == [1, 2]


def test_a_sqlite_backup_taken_while_open_restores_whole(tmp_path: Path) -> None:
    live = CallStore(tmp_path / "ivr101.db")
    fill(live)
    backup = tmp_path / "backup.db"
    # sqlite3's online backup (the `.backup` command), with the server still writing.
    with sqlite3.connect(backup) as target:
        live.db.conn.backup(target)  # type: ignore[attr-defined]
    live.close()
    restored = CallStore(backup)
    assert_restored(restored)
    restored.close()


def test_a_pg_dump_restored_into_a_new_database_opens_whole(
    postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    live = CallStore(pg_url)
    fill(live)
    live.close()
    schema = pg_url.rsplit("search_path%3D", 1)[1]
    dump = tmp_path / "ivr101.dump"
    source = postgres_server.url()
    subprocess.run(
        [
            str(PG_BIN / "pg_dump"),
            "--format=custom",
            f"--schema={schema}",
            f"--file={dump}",
            source,
        ],
        check=True,
        capture_output=True,
    )
    postgres_server.admin("CREATE DATABASE restored")
    subprocess.run(
        [
            str(PG_BIN / "pg_restore"),
            "--no-owner",
            f"--dbname={postgres_server.url(database='restored')}",
            str(dump),
        ],
        check=True,
        capture_output=True,
    )
    restored = CallStore(postgres_server.url(schema, database="restored"))
    assert_restored(restored)
    restored.close()
