"""``ivr whatif`` end to end on the synthetic log, and its refusals (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli import main


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


def test_a_file_that_is_no_log_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    assert main(["whatif", "--db", str(junk)]) == 2
    assert "cannot be read as a call log" in capsys.readouterr().err
    assert main(["whatif", "--db", str(tmp_path / "missing.db")]) == 2
    assert "no database" in capsys.readouterr().err
