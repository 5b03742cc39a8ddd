"""A database another build migrated (its own step N) is refused at start-up, naming what
is missing; a database this build migrated opens as before."""

from __future__ import annotations

import pytest

from ivr.cli import main
from ivr.store.db import CallStore
from ivr.store.engine import is_postgres, open_database, table
from ivr.store.migrations import MIGRATIONS, _m11_consolefin
from ivr.store.schema import SchemaMismatch, missing, needed


def migrated_by_a_branch(location: str) -> None:
    """Every step recorded as done, but step 11 was the branch's own (it made nothing)."""
    db = open_database(location)
    db.create_table(table("schema_migrations", {"version": int, "applied_at": str}, pk="version"))
    for version, step in enumerate(MIGRATIONS, start=1):
        if step is not _m11_consolefin:
            step(db)
        db.insert("schema_migrations", {"version": version, "applied_at": "x"})
    db.close()


def test_a_database_migrated_by_another_build_is_refused_naming_what_it_lacks(
    db_location: str,
) -> None:
    migrated_by_a_branch(db_location)
    with pytest.raises(SchemaMismatch) as refused:
        CallStore(db_location)
    message = str(refused.value)
    assert "column audit.session (step 11)" in message
    assert "DELETE FROM schema_migrations WHERE version >= 11" in message
    assert ("psql" if is_postgres(db_location) else "sqlite3") in message


def test_running_the_steps_again_as_the_message_says_repairs_it(db_location: str) -> None:
    migrated_by_a_branch(db_location)
    db = open_database(db_location)
    db.execute("DELETE FROM schema_migrations WHERE version >= 11")
    db.close()
    store = CallStore(db_location)
    assert missing(store.db) == []
    store.close()


def test_a_database_this_build_migrated_lacks_nothing(db_location: str) -> None:
    store = CallStore(db_location)
    assert needed() and missing(store.db) == []
    assert {n.what for n in needed()} >= {"table audit", "column audit.session"}
    store.close()


def test_the_command_line_refuses_it_in_one_line(
    db_location: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    migrated_by_a_branch(db_location)
    monkeypatch.setenv("IVR_DB", db_location)
    assert main(["store", "purge"]) == 2
    err = capsys.readouterr().err
    assert "audit.session" in err and "[database-schema-mismatch]" in err
    assert "Traceback" not in err
