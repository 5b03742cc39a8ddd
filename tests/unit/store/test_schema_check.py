"""A database another build migrated (its own step N) is refused at start-up, naming what
is missing; a database this build migrated opens as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from ivr.cli import main
from ivr.store.db import CallStore
from ivr.store.migrations import MIGRATIONS, _m11_consolefin
from ivr.store.schema import SchemaMismatch, missing, needed


def migrated_by_a_branch(path: Path) -> None:
    """Every step recorded as done, but step 11 was the branch's own (it made nothing)."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    db["schema_migrations"].create({"version": int, "applied_at": str}, pk="version")  # type: ignore[union-attr]
    for version, step in enumerate(MIGRATIONS, start=1):
        if step is not _m11_consolefin:
            step(db)
        db["schema_migrations"].insert({"version": version, "applied_at": "x"})  # type: ignore[union-attr]
    db.conn.close()


def test_a_database_migrated_by_another_build_is_refused_naming_what_it_lacks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calls.db"
    migrated_by_a_branch(path)
    with pytest.raises(SchemaMismatch) as refused:
        CallStore(path)
    message = str(refused.value)
    assert "column audit.session (step 11)" in message
    assert "DELETE FROM schema_migrations WHERE version >= 11" in message


def test_running_the_steps_again_as_the_message_says_repairs_it(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    migrated_by_a_branch(path)
    db = sqlite3.connect(path)
    db.execute("DELETE FROM schema_migrations WHERE version >= 11")
    db.commit()
    db.close()
    store = CallStore(path)
    assert missing(store.db) == []
    store.close()


def test_a_database_this_build_migrated_lacks_nothing(tmp_path: Path) -> None:
    store = CallStore(tmp_path / "calls.db")
    assert needed() and missing(store.db) == []
    assert {n.what for n in needed()} >= {"table audit", "column audit.session"}
    store.close()


def test_the_command_line_refuses_it_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "calls.db"
    migrated_by_a_branch(path)
    monkeypatch.setenv("IVR_DB", str(path))
    assert main(["rules", "history"]) == 2
    err = capsys.readouterr().err
    assert "audit.session" in err and "[database-schema-mismatch]" in err
    assert "Traceback" not in err
