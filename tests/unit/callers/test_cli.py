"""``ivr callers flag | show | unflag``: a round trip through the real CLI and database."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.cli import main


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("IVR_CALLER_KEY", "test-key")
    return str(tmp_path / "calls.db")


def test_flag_show_unflag_round_trip(
    db_location: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """On each engine: ``--db`` takes a file or a PostgreSQL URL."""
    monkeypatch.setenv("IVR_CALLER_KEY", "test-key")
    db = db_location
    args = ["callers", "flag", "07700 900123", "--db", db, "--flag", "vulnerable"]
    assert main([*args, "--reason", "lives alone, hard of hearing", "--by", "op7"]) == 0
    assert "vulnerable set for" in capsys.readouterr().out

    assert main(["callers", "show", "+447700900123", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "flags now: vulnerable" in out
    assert "set by op7" in out and "lives alone, hard of hearing" in out
    assert "7700" not in out  # the screen shows a pseudonym, not the number

    assert main(["callers", "unflag", "07700900123", "--db", db, "--flag", "vulnerable"]) == 0
    assert main(["callers", "unflag", "07700900123", "--db", db, "--flag", "vulnerable"]) == 1
    capsys.readouterr()
    assert main(["callers", "show", "07700900123", "--db", db]) == 0
    assert "flags now: none" in capsys.readouterr().out


def test_without_the_key_or_a_real_number_nothing_is_written(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["callers", "show", "withheld", "--db", db]) == 2
    monkeypatch.delenv("IVR_CALLER_KEY")
    assert main(["callers", "show", "07700900123", "--db", db]) == 2
    assert "IVR_CALLER_KEY" in capsys.readouterr().err
    assert not Path(db).exists()


def test_bad_flag_names_and_days_are_refused(db: str) -> None:
    with pytest.raises(SystemExit):
        main(["callers", "flag", "07700900123", "--db", db, "--flag", "Bad Flag", "--reason", "x"])
    with pytest.raises(SystemExit):
        main(
            ["callers", "flag", "07700900123", "--flag", "nuisance", "--reason", "x", "--days", "0"]
        )
