"""`ivr rules suggest` through ivr.cli.main, on a log written by the real writer, in a
SQLite file or PostgreSQL (``db_location``)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.cli import main
from ivr.store.engine import is_postgres, open_database
from ivr.suggest.calls import CallLogReader
from ivr.suggest.cli import UsageError, parse_since
from tests.unit.suggest.logged import prisoner_calls, write_log

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
UK = ZoneInfo("Europe/London")


@pytest.fixture
async def db(db_location: str) -> str:
    await write_log(db_location, prisoner_calls(), start=datetime.now(UTC) - timedelta(days=2))
    return db_location


def digest(location: str) -> str:
    """The whole database: a SQLite file's bytes, or every PostgreSQL table's rows."""
    if not is_postgres(location):
        return hashlib.sha256(Path(location).read_bytes()).hexdigest()
    db = open_database(location)
    try:
        tables = {t: db.query(f'SELECT * FROM "{t}" ORDER BY 1') for t in db.table_names()}
    finally:
        db.close()
    return hashlib.sha256(repr(tables).encode()).hexdigest()


def test_json_lists_the_alias_with_its_calls(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(db)
    assert main(["rules", "suggest", "--db", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["calls"] == 19
    (alias,) = out["suggestions"]
    assert (alias["kind"], alias["target"], alias["text"], alias["count"]) == (
        "alias", "custody-enquiries", "prisoner", 7,
    )  # fmt: skip
    assert [c["call_id"] for c in alias["calls"]] == [f"pris-{n}" for n in range(7)]
    assert alias["calls"][0]["said"] == "my brother is a prisoner at the station"
    assert alias["from"] == ["online"] and alias["first"] < alias["last"]
    assert digest(db) == before  # read-only


def test_text_names_the_question_the_why_and_each_call(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "suggest", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("1 suggestion(s) from 19 calls since ")
    assert lines[1] == (
        "1. callers saying 'prisoner' were moved from online to Custody Enquiries 7 times:"
        " add alias 'prisoner' to custody-enquiries?"
    )
    assert lines[2].startswith("   why: 7 of the 7 calls that said 'prisoner'")
    assert len(lines) == 4 + 7 and "pris-6" in lines[-1] and "'prisoner property" in lines[-1]


def test_a_period_that_ends_before_the_calls_finds_none(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "suggest", "--db", db, "--since", "1h"]) == 0
    assert capsys.readouterr().out.startswith("no suggestions from 0 calls since ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "last week"], "expected 28d, 12h, 2w"),
        (["--since", "2999-01-01"], "in the future"),
        (["--db", "nowhere.db"], "no such database file"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    db: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["rules", "suggest", "--db", db]
    assert main([*base, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_file_that_is_no_call_database_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all, just some bytes" * 100)
    assert main(["rules", "suggest", "--db", str(junk)]) == 2
    assert "cannot read it as a call database" in capsys.readouterr().err
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert main(["rules", "suggest", "--db", str(other)]) == 2
    assert "not an ivr101 database" in capsys.readouterr().err


def test_invalid_rules_exit_1(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "intents.yaml").write_text("intents: 3\n", encoding="utf-8")
    assert main(["rules", "suggest", "--db", db, "--rules", str(rules)]) == 1
    assert "are invalid" in capsys.readouterr().err


def test_since_reads_spans_and_dates() -> None:
    assert parse_since("28d", NOW) == NOW - timedelta(days=28)
    assert parse_since("2w", NOW) == NOW - timedelta(weeks=2)
    assert parse_since("2026-11-01", NOW) == datetime(2026, 11, 1, tzinfo=UK)
    assert parse_since("2026-11-01T09:00+00:00", NOW) == datetime(2026, 11, 1, 9, tzinfo=UTC)
    with pytest.raises(UsageError):
        parse_since("-3d", NOW)


def test_a_time_without_a_zone_is_uk_local_as_in_ivr_replay(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In summer, midnight in London is 23:00 UTC the day before: the operator's date."""
    assert parse_since("2026-07-01", NOW) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert parse_since("2026-07-01T08:30", NOW) == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    with pytest.raises(SystemExit):
        main(["rules", "suggest", "--help"])
    assert "UK local time (Europe/London)" in " ".join(capsys.readouterr().out.split())


async def test_a_long_read_reports_progress(db_location: str) -> None:
    path = db_location
    await write_log(path, prisoner_calls())
    seen: list[int] = []
    reader = CallLogReader(path)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    calls = list(reader.calls(start, NOW, seen.append, every=5))
    assert len(calls) == 19 and seen == [5, 10, 15]
    assert len(list(reader.calls(start, NOW, seen.append))) == 19
    reader.close()
    assert seen == [5, 10, 15]  # fewer than PROGRESS_EVERY: quiet
