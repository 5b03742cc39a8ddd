"""`ivr route` and `ivr rules check`, through ivr.cli.main as a user runs them."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.routing.bundle import DEFAULT_FOLDER

CASES = Path(__file__).parent / "fixtures" / "bundle"
TUESDAY = "2026-11-24T10:00"


def test_route_text_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["route", "--text", "I want to report a burglary", "--at", TUESDAY, "--json",
                 "--wait", "rc=14"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (out["action"], out["destination"], out["intent"], out["rule"]) == (
        "route", "rc", "report_crime", "rc-long-wait",
    )  # fmt: skip
    assert out["offers"] == ["callback", "deflect-sms"]
    assert "candidates" in out and "rc wait 14 min > 10 min" in out["reason"]


def test_route_readable_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--text", "PC Johnson please", "--at", TUESDAY]) == 0
    out = capsys.readouterr().out
    assert out.startswith("route → directory:sarah-johnson   (rule directory-high)")
    assert "  why: directory PC Sarah Johnson" in out and "candidate 0.91 PC Sarah Johnson" in out


def test_route_digits_and_a_rules_folder(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["route", "--digits", "4218734#24", "--rules", str(CASES), "--json", "--at", TUESDAY]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["destination"] == "directory:sarah-johnson"


def test_route_reads_stdin_as_json_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("he has a gun\n\nlost my phone\n"))
    assert main(["route", "--at", TUESDAY, "--flag", "vulnerable"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["text"], r["destination"]) for r in lines] == [
        ("he has a gun", "emergency"),
        ("lost my phone", "rc"),  # vulnerable callers are not deflected
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--text", "x", "--at", "tuesday"], "is not an ISO time"),
        (["--text", "x", "--wait", "rc"], "expected NAME=VALUE"),
        (["--text", "x", "--wait", "rc=soon"], "is not a number"),
        (["--text", "x", "--attempt", "0"], "--attempt must be >= 1"),
        (["--text", "x", "--rules", "/nonexistent/rules"], "not a folder"),
    ],
)
def test_route_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["route", *argv]) == 2
    assert message in capsys.readouterr().err


def test_rules_check_ok_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", str(DEFAULT_FOLDER)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and "rules," in out and "intents," in out and "schedules" in out
    assert main(["rules", "check"]) == 0


def test_rules_check_prints_each_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - name: a\n    then: {offer: pizza}\n")
    assert main(["rules", "check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"{tmp_path}/rules.yaml:3: rule 'a' then.offer: 'pizza'" in captured.out
    assert "1 error(s)" in captured.err


def test_rules_check_also_checks_the_queues_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "queues.yaml").write_text("queues: [\n")
    assert main(["rules", "check", str(tmp_path)]) == 1
    assert "queues.yaml:2:" in capsys.readouterr().out


INCIDENT_RULE = """rules:
  - name: incident-message
    when: {dialled: "01245 491491"}
    then: {message: incident_update, continue: true}
"""


def test_route_refuses_rules_that_play_a_prompt_missing_from_the_catalogue(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "rules.yaml").write_text(INCIDENT_RULE)
    assert main(["route", "--rules", str(tmp_path), "--digits", "1", "--at", TUESDAY]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}/rules.yaml:2: rule 'incident-message' plays 'incident_update'" in err
    assert "[prompt-unknown]" in err
    assert main(["rules", "check", str(tmp_path)]) == 1
    assert "plays 'incident_update'" in capsys.readouterr().out


def test_rules_check_reports_an_empty_directory_as_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "directory.csv").write_text("id,kind,name,extension\n")
    assert main(["rules", "check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"{tmp_path}/directory.csv:1: the directory has no entries" in captured.out
    assert "[directory-empty]" in captured.out and "error(s)" in captured.err


def test_every_prompt_the_rules_readme_plays_is_in_the_catalogue() -> None:
    """An admin copying an example from the README gets rules that pass `ivr rules check`."""
    from ivr.config import DEFAULT_PROMPTS
    from ivr.prompts import PromptCatalogue

    readme = (DEFAULT_FOLDER / "README.md").read_text()
    played = re.findall(r"\bmessage: ([a-z0-9_]+)", readme)
    catalogue = PromptCatalogue.load(DEFAULT_PROMPTS)
    assert played, "the README shows rules that play a message"
    assert [p for p in played if p not in catalogue] == []
