"""``ivr replay``: the report on stdout only, every call in --json, and a one-line error with
exit 2 for what cannot be used (arguments, database, rules folder, --json file)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from ivr.cli import main
from tests.unit.replay.support import MONDAY_10AM, draft_rules, fixture_log, keyed


@pytest.fixture
async def logged(db_location: str) -> str:
    """Three calls, in a SQLite file or PostgreSQL (``db_location``)."""
    path = db_location
    async with fixture_log(path) as log:
        log.decided("c1", keyed("1"))
        log.decided("c2", keyed("5", MONDAY_10AM + timedelta(minutes=1)))
        log.moved("c2", MONDAY_10AM + timedelta(minutes=2), "online", "rc")
        log.decided_before_inputs_were_stored("c3", keyed("5", MONDAY_10AM + timedelta(hours=2)))
    return path


def test_the_report_goes_to_stdout_and_every_call_to_the_json_file(
    logged: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "replay.json"
    argv = ["replay", "--db", logged, "--rules", str(draft_rules(tmp_path))]
    assert main([*argv, "--json", str(out_file), "--show", "1"]) == 0
    out, err = capsys.readouterr()
    assert "online → rc" in out and "changed calls (first 1 of 2" in out
    assert "now right" in out and "call c2" in out
    assert "approximate" in out and "logged before inputs were stored" in out
    assert err == ""  # progress only once a second, and this replay takes less
    report = json.loads(out_file.read_text())
    assert sorted(c["call_id"] for c in report["changed"]) == ["c2", "c3"]
    assert [c["judgement"] for c in report["overridden"]] == ["now right"]
    assert report["summary"]["replayed"] == {"exact": 2, "approximate": 1, "damaged": 0}
    c2 = next(c for c in report["changed"] if c["call_id"] == "c2")
    assert (c2["old"]["destination"], c2["new"]["destination"]) == ("online", "rc")
    assert c2["old"]["reason"] and c2["new"]["reason"]


def test_from_and_to_take_uk_local_time_without_a_zone(
    logged: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["replay", "--db", logged, "--rules", str(draft_rules(tmp_path))]
    assert main([*argv, "--from", "2026-01-12T10:00", "--to", "2026-01-12T11:00"]) == 0
    out, _ = capsys.readouterr()
    assert "replayed 2 of 2 engine decisions" in out and "approximate" not in out


def test_the_help_says_both_ends_are_uk_local_time(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["replay", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert text.count("UK local time (Europe/London)") == 2  # --from and --to


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


def test_a_missing_or_foreign_database_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = str(draft_rules(tmp_path))
    err = _refused(["replay", "--db", str(tmp_path / "none.db"), "--rules", rules], capsys)
    assert err == f"ivr replay: no database at {tmp_path / 'none.db'} (no such database file)\n"
    (tmp_path / "notes.txt").write_text("not a database at all, just some words\n" * 50)
    err = _refused(["replay", "--db", str(tmp_path / "notes.txt"), "--rules", rules], capsys)
    assert err.startswith("ivr replay: ") and "cannot read it as a call database" in err
    assert "file is not a database" in err
    assert err.count("\n") == 1
    import sqlite3

    with sqlite3.connect(tmp_path / "other.db") as db:
        db.execute("CREATE TABLE things (x)")
    err = _refused(["replay", "--db", str(tmp_path / "other.db"), "--rules", rules], capsys)
    assert "other.db: no decisions table (not an ivr101 database)" in err
    assert err.count("\n") == 1


def test_an_invalid_rules_folder_lists_its_errors_with_line_numbers(
    logged: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = draft_rules(tmp_path)
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace('  "1": rc\n', '  "1": nowhere\n'))
    err = _refused(["replay", "--db", logged, "--rules", str(folder)], capsys)
    lines = err.splitlines()
    assert any(line.startswith(f"{rules}:") and "nowhere" in line for line in lines)
    assert lines[-1].startswith("ivr replay: ") and "error(s) in the rules folder" in lines[-1]
    err = _refused(["replay", "--db", logged, "--rules", str(tmp_path / "gone")], capsys)
    assert "not a folder" in err


def test_bad_arguments_are_refused_with_exit_2(
    logged: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["replay", "--db", logged, "--rules", str(draft_rules(tmp_path))]
    err = _refused([*argv, "--from", "2026-01-13", "--to", "2026-01-12"], capsys)
    assert err == "ivr replay: --from must be before --to\n"
    err = _refused([*argv, "--json", str(tmp_path / "no" / "such" / "dir.json")], capsys)
    assert err.startswith("ivr replay: cannot write ") and err.count("\n") == 1
    for bad in (["--from", "last tuesday"], ["--show", "-1"], ["--show", "many"]):
        with pytest.raises(SystemExit) as exited:
            main([*argv, *bad])
        assert exited.value.code == 2
        assert capsys.readouterr().out == ""
