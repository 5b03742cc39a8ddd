"""``ivr whatif`` end to end on the synthetic log, and its refusals (exit 2, no traceback)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ivr.analysis.kpis import KpiCollector
from ivr.analysis.reader import CallLogSource, Period
from ivr.cli import main
from tests.unit.whatif.synthetic import KnownQueue, write_log


def test_the_table_sets_log_simulation_and_scenario_side_by_side(
    synthetic_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["whatif", "--db", str(synthetic_db), "--agents", "rc=2", "--runs", "2"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "scenario: rc=2 agents, callbacks off" in out
    header = next(line for line in out.splitlines() if line.startswith("queue"))
    assert header.split() == ["queue", "measure", "log", "simulated", "scenario"]
    assert "validation: the log's own settings simulated: reproduced" in out
    assert "simulating the scenario: run 2/2" in err


def test_without_changes_only_the_log_and_its_simulation(
    synthetic_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["whatif", "--db", str(synthetic_db), "--runs", "1"]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("queue"))
    assert header.split() == ["queue", "measure", "log", "simulated"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--agents", "nosuch=3"], "--agents names no queue of the log: nosuch"),
        (["--from", "2027-01-01"], "no queued calls"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "--from must be before --to"),
        (["--rules", "/nonexistent/rules"], "rules folder"),
    ],
)
def test_a_bad_request_is_refused_in_a_line(
    synthetic_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert main(["whatif", "--db", str(synthetic_db), *args]) == 2
    assert says in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [["--agents", "rc"], ["--deflection", "1.5"], ["--runs", "0"], ["--target", "nan"]],
)
def test_bad_arguments_are_usage_errors(
    synthetic_db: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["whatif", "--db", str(synthetic_db), *args])
    assert exited.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_the_log_may_be_a_postgresql_database(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read through a read-only connection, as from a file: the queued calls, the
    rerouting replay and the log's own figures (a small queue: PostgreSQL writes are
    slower to set up than a file's)."""
    small = KnownQueue("rc", 1, 0.5, 0.0, 9, 12, 200.0, 0.5, 300.0)
    calls = write_log(pg_url, (small,))
    assert main(["whatif", "--db", pg_url, "--agents", "rc=2", "--runs", "1"]) == 0
    out, err = capsys.readouterr()
    header = next(line for line in out.splitlines() if line.startswith("queue"))
    assert header.split() == ["queue", "measure", "log", "simulated", "scenario"]
    assert f"{calls:,} queued calls" in out + err and "postgresql://" in out + err


def test_a_file_that_is_no_log_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    assert main(["whatif", "--db", str(junk)]) == 2
    err = capsys.readouterr().err
    assert f"{junk}: cannot read it as a call database (file is not a database)" in err
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    assert main(["whatif", "--db", str(other)]) == 2
    assert f"{other}: no call_events table (not an ivr101 database)" in capsys.readouterr().err
    assert main(["whatif", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no database" in capsys.readouterr().err


def log_cell(out: str, queue: str, measure: str) -> str:
    """The log column's cell of a measure of a queue in the printed table."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == [queue])
    row = next(line for line in lines[start:] if measure in line)
    return row.split(measure)[1].split()[0]


def test_the_logs_figures_are_the_reports_against_the_configured_target(
    synthetic_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "ivr.toml"
    config.write_text("[analysis]\nanswer_target_s = 60\n", encoding="utf-8")
    assert main(["whatif", "--db", str(synthetic_db), "--config", str(config), "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "target 60 s" in out
    collector = KpiCollector(target_s=60.0)
    with CallLogSource(synthetic_db) as log:
        for journey in log.journeys(Period()):
            collector.add(journey)
    for queue in ("fcr", "rc"):
        report = collector.figures().queue(queue)
        assert report is not None and report.service_level is not None
        assert log_cell(out, queue, "answered within target") == f"{report.service_level:.1%}"[:-1]
        assert log_cell(out, queue, "offered") == f"{report.offered:,}"


def test_the_target_on_the_command_line_wins_and_a_bad_config_is_refused(
    synthetic_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "ivr.toml"
    config.write_text("[analysis]\nanswer_target_s = 60\n", encoding="utf-8")
    args = ["whatif", "--db", str(synthetic_db), "--config", str(config), "--runs", "1"]
    assert main([*args, "--target", "20"]) == 0
    assert "target 20 s" in capsys.readouterr().out
    config.write_text("[analysis]\nanswer_target_s = -5\n", encoding="utf-8")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("ivr whatif:") and "answer_target_s" in err and "Traceback" not in err


def test_a_stray_time_far_in_the_future_is_refused_not_a_traceback(
    synthetic_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One queue join stamped 9999 (a broken clock) would have the fit walk every day to it."""
    import shutil
    import sqlite3

    db = tmp_path / "stray.db"
    shutil.copy(synthetic_db, db)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE call_events SET at = '9999-12-31T23:59:00+00:00' WHERE id ="
            " (SELECT max(id) FROM call_events WHERE kind = 'queue-joined')"
        )
    assert main(["whatif", "--db", str(db), "--runs", "1"]) == 2
    assert "give --from and --to" in capsys.readouterr().err
