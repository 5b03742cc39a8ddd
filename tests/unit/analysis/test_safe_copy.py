"""``ivr analysis-copy``: the call database without personal data, its figures intact; a
SQLite copy from a SQLite file or from PostgreSQL alike (``db_location``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.shipped import REPO_ROOT
from ivr.store.engine import open_database
from ivr.store.migrations import KPI_VIEW_NAMES
from tests.unit.analysis.handlog import write_log

SECRETS = ("07700900001", "my bike was stolen", "crime reference please", "pbkdf2$secret")


@pytest.fixture
def live(db_location: str) -> str:
    path = write_log(db_location)
    db = open_database(path)
    db.execute(
        "INSERT INTO users (name, role, phone, password_hash, created_at)"
        " VALUES ('pc.smith', 'operator', '07700900002', 'pbkdf2$secret', 'now')"
    )
    db.execute(
        "INSERT INTO sms_outbox (reference, call_id, to_number, body, kind, created_at,"
        " state, attempts) VALUES ('r1', 'F', '07700900001', 'Hi, about 07700900001',"
        " 'online-link', '2026-03-02T10:10:20Z', 'sent', 1)"
    )
    db.close()
    return path


def test_the_copy_keeps_the_figures_and_not_the_people(
    live: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    assert main(["analysis-copy", "--db", live, "--out", str(copy)]) == 0
    said = capsys.readouterr().out
    assert "8 calls" in said and "users" in said.split("tables left out")[1]
    raw = copy.read_bytes()
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    db = sqlite3.connect(copy)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert not {"users", "console_sessions", "audit", "caller_flags"} & tables
        assert db.execute("SELECT count(*) FROM sms_outbox").fetchone() == (1,)
        for name in KPI_VIEW_NAMES:
            db.execute(f"SELECT * FROM {name}").fetchall()
        assert db.execute("SELECT count(*) FROM decisions WHERE inputs IS NOT NULL").fetchone() == (
            0,
        )
    finally:
        db.close()
    report = tmp_path / "r.html"
    assert main(["report", "--db", str(copy), "--out", str(report)]) == 0
    assert "Service level by queue" in report.read_text(encoding="utf-8")


def test_the_copy_is_a_new_file(
    live: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "copy.db"
    out.write_text("mine")
    assert main(["analysis-copy", "--db", live, "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err and out.read_text() == "mine"
    assert main(["analysis-copy", "--db", str(tmp_path / "no.db"), "--out", str(out)]) == 2
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite")
    assert main(["analysis-copy", "--db", str(bad), "--out", str(tmp_path / "c.db")]) == 2
    assert not (tmp_path / "c.db").exists()
    assert "Traceback" not in capsys.readouterr().err


def test_the_metadata_describes_the_copy(live: str, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert main(["analysis-copy", "--db", live, "--out", str(copy)]) == 0
    db = sqlite3.connect(copy)
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    finally:
        db.close()
    metadata = json.loads((REPO_ROOT / "docs" / "datasette-metadata.json").read_text("utf-8"))
    (database,) = metadata["databases"].values()
    assert set(database["tables"]) <= names
    assert "analysis copy" in metadata["description"]
