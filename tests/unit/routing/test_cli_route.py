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
    ],
)
def test_route_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["route", *argv]) == 2
    assert message in capsys.readouterr().err


def test_route_and_rules_check_exit_1_for_a_rules_folder_that_is_not_there(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Bad rules are the rules' fault, not the command line's: both tools exit 1."""
    assert main(["route", "--text", "x", "--rules", "/nonexistent/rules"]) == 1
    assert "not a folder" in capsys.readouterr().err
    assert main(["rules", "check", "/nonexistent/rules"]) == 1
    assert "not a folder" in capsys.readouterr().out


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
    assert main(["route", "--rules", str(tmp_path), "--digits", "1", "--at", TUESDAY]) == 1
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
    from ivr.prompts import PromptCatalogue
    from ivr.shipped import PROMPT_CATALOGUE as DEFAULT_PROMPTS

    readme = (DEFAULT_FOLDER / "README.md").read_text()
    played = re.findall(r"\bmessage: ([a-z0-9_]+)", readme)
    catalogue = PromptCatalogue.load(DEFAULT_PROMPTS)
    assert played, "the README shows rules that play a message"
    assert [p for p in played if p not in catalogue] == []


def _force_config(tmp_path: Path, extra_prompt: str | None, drop_prompt: str | None) -> Path:
    """A force's settings whose [prompts] catalogue is the shipped one, edited."""
    from ivr.shipped import PROMPT_CATALOGUE as DEFAULT_PROMPTS

    lines = DEFAULT_PROMPTS.read_text(encoding="utf-8").splitlines()
    if drop_prompt is not None:
        start = lines.index(f"  {drop_prompt}:")
        end = next(i for i in range(start + 1, len(lines)) if re.match(r"  [a-z0-9_]+:$", lines[i]))
        del lines[start:end]
    if extra_prompt is not None:
        lines += [f"  {extra_prompt}:", "    text: We know about the incident on the A12."]
    catalogue = tmp_path / "prompts" / "catalogue.yaml"
    catalogue.parent.mkdir()
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = tmp_path / "ivr.toml"
    config.write_text(f'[prompts]\ncatalogue = "{catalogue}"\n', encoding="utf-8")
    return config


@pytest.fixture(autouse=True)
def no_ivr_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tools read ``ivr serve``'s settings: here from the file alone, never the shell's."""
    import os

    for name in [n for n in os.environ if n.startswith("IVR_")]:
        monkeypatch.delenv(name)


def test_the_tools_accept_a_message_the_configured_catalogue_has(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "rules.yaml").write_text(INCIDENT_RULE)
    config = _force_config(tmp_path, extra_prompt="incident_update", drop_prompt=None)
    assert main(["rules", "check", str(rules), "--config", str(config)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")
    argv = ["route", "--rules", str(rules), "--digits", "1", "--at", TUESDAY, "--json"]
    assert main([*argv, "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["destination"] == "rc"
    # without the force's settings, the shipped catalogue lacks it: as before
    assert main(["rules", "check", str(rules)]) == 1


def test_the_tools_refuse_a_message_the_configured_catalogue_lacks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The shipped rules play a prompt this force's catalogue has not got: serve refuses."""
    played = re.findall(r"message: ([a-z0-9_]+)", (DEFAULT_FOLDER / "rules.yaml").read_text())
    assert played, "the shipped rules play a message"
    config = _force_config(tmp_path, extra_prompt=None, drop_prompt=played[0])
    assert main(["rules", "check", "--config", str(config)]) == 1
    assert f"plays '{played[0]}'" in capsys.readouterr().out
    assert main(["route", "--digits", "1", "--at", TUESDAY, "--config", str(config)]) == 1
    assert f"plays '{played[0]}'" in capsys.readouterr().err


def test_rules_check_checks_the_configured_rules_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "rules.yaml").write_text("rules:\n  - name: a\n    then: {offer: pizza}\n")
    config = tmp_path / "ivr.toml"
    config.write_text(f'[routing]\nrules = "{rules}"\n', encoding="utf-8")
    assert main(["rules", "check", "--config", str(config)]) == 1
    assert f"{rules}/rules.yaml:3: rule 'a' then.offer: 'pizza'" in capsys.readouterr().out


def test_a_settings_file_the_tools_cannot_use_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "ivr.toml"
    config.write_text("[prompts]\nkatalogue = 1\n", encoding="utf-8")
    assert main(["rules", "check", "--config", str(config)]) == 2
    assert "[config-invalid]" in capsys.readouterr().err
    assert main(["route", "--text", "x", "--config", str(config)]) == 2
