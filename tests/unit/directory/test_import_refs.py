"""An import that would leave a rule or intent naming no entry is refused with a did-you-mean;
cases and queues that would dangle are warnings, and the directory is written."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ivr.directory.cli import cmd_import
from ivr.directory_import import import_csv
from ivr.routing.bundle import BundleError, load_bundle

HEADER = "id,kind,name,rank,aliases,extension,hours,team\n"
RULES = """\
keypad:
  "1": rc
  "2": fcr
  "3": ask:reference
  "4": ask:name
  "0": switchboard
  "9": emergency

alternatives:
  Firearms Team: switchboard

rules:
  - name: nuisance-caller
    when:
      caller: nuisance
    then:
      route: switchboard

  - name: crime-bureau-hours
    when:
      destination: rc
      closed: rc-hours
    then:
      route: directory:dept-crime-bureau
      reason: the bureau's own line out of hours
"""
CURRENT = """\
entries:
  - {id: dept-crime-bureau, kind: department, name: Crime Bureau, extension: '3001'}
  - {id: firearms, kind: department, name: Firearms Licensing, extension: '3002',
     team: Firearms Team}
"""
NEW_ROWS = (
    "dept-crime-bureau-north,department,Crime Bureau North,,,3001,,\n"
    "dept-crime-bureau-south,department,Crime Bureau South,,,3003,,\n"
    "fl-unit,department,Firearms Licensing,,,3002,,Firearms Team\n"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "rules.yaml").write_text(RULES, encoding="utf-8")
    (folder / "directory.yaml").write_text(CURRENT, encoding="utf-8")
    load_bundle(folder)  # valid as it stands
    return folder


def export(tmp_path: Path, rows: str = NEW_ROWS) -> Path:
    src = tmp_path / "export.csv"
    src.write_text(HEADER + rows, encoding="utf-8")
    return src


def test_a_rule_naming_a_dropped_id_refuses_the_import_with_the_closest_one(
    folder: Path, tmp_path: Path
) -> None:
    report = import_csv(export(tmp_path), folder / "directory.yaml")
    line = RULES.splitlines().index("      route: directory:dept-crime-bureau") + 1
    assert report.errors == [
        f"{folder / 'rules.yaml'}:{line}: rule `crime-bureau-hours` sends to `dept-crime-bureau`,"
        " not in the new directory; did you mean `dept-crime-bureau-north`?"
        " [directory-import-dangling]"
    ]
    assert (folder / "directory.yaml").read_text(encoding="utf-8") == CURRENT
    load_bundle(folder)  # still valid: nothing was written


def test_with_the_rule_fixed_as_suggested_the_import_goes_through(
    folder: Path, tmp_path: Path
) -> None:
    rules = folder / "rules.yaml"
    rules.write_text(RULES.replace("dept-crime-bureau\n", "dept-crime-bureau-north\n"))
    assert import_csv(export(tmp_path), folder / "directory.yaml").written
    assert load_bundle(folder).directory.get("dept-crime-bureau-north") is not None


def test_an_id_renamed_under_the_same_name_is_suggested_by_name(
    folder: Path, tmp_path: Path
) -> None:
    rules = folder / "rules.yaml"
    rules.write_text(RULES.replace("directory:dept-crime-bureau\n", "directory:firearms\n"))
    load_bundle(folder)
    [error] = import_csv(export(tmp_path), folder / "directory.yaml").errors
    # by spelling "firearms" is nothing like "fl-unit"; the old entry's name says it is
    assert "sends to `firearms`, not in the new directory; did you mean `fl-unit`?" in error


def test_a_rule_that_only_tests_for_the_id_names_it(folder: Path, tmp_path: Path) -> None:
    rules = folder / "rules.yaml"
    rules.write_text(
        RULES.replace("destination: rc\n", "destination: directory:dept-crime-bureau\n").replace(
            "route: directory:dept-crime-bureau", "route: fcr"
        )
    )
    load_bundle(folder)
    [error] = import_csv(export(tmp_path), folder / "directory.yaml").errors
    assert "rule `crime-bureau-hours` names `dept-crime-bureau`, not in the new" in error


def test_nothing_close_says_so(folder: Path, tmp_path: Path) -> None:
    rows = "switchboard-desk,department,Switchboard Desk,,,3009,,Firearms Team\n"
    [error] = import_csv(export(tmp_path, rows), folder / "directory.yaml").errors
    assert error.endswith(
        "`dept-crime-bureau`, not in the new directory; no close id or name in the new"
        " directory [directory-import-dangling]"
    )


def test_a_closed_hours_cover_for_a_team_that_is_gone_suggests_a_team(
    folder: Path, tmp_path: Path
) -> None:
    rows = NEW_ROWS.replace(",Firearms Team\n", ",Firearms Teams\n")
    rules = folder / "rules.yaml"
    rules.write_text(RULES.replace("dept-crime-bureau\n", "dept-crime-bureau-north\n"))
    [error] = import_csv(export(tmp_path, rows), folder / "directory.yaml").errors
    assert error == (
        f"{rules}:10: alternatives: the cover for closed hours names `Firearms Team`,"
        " not in the new directory; did you mean `Firearms Teams`? [directory-import-dangling]"
    )


def test_an_intent_naming_a_dropped_id_refuses_the_import(folder: Path, tmp_path: Path) -> None:
    shipped = (Path(__file__).resolve().parents[3] / "routing_rules" / "intents.yaml").read_text()
    intents = folder / "intents.yaml"
    intents.write_text(shipped.replace("destination: online", "destination: directory:firearms"))
    (folder / "rules.yaml").write_text(
        RULES.replace("dept-crime-bureau\n", "dept-crime-bureau-north\n")
    )
    report = import_csv(export(tmp_path), folder / "directory.yaml")
    assert report.errors, "the new directory has no `firearms`"
    assert all(
        "intent `" in e and "sends to `firearms`" in e and "did you mean `fl-unit`?" in e
        for e in report.errors
    ), report.errors
    line = int(report.errors[0].split(":")[1])
    assert "directory:firearms" in intents.read_text().splitlines()[line - 1]
    with pytest.raises(BundleError):  # what `ivr rules check` would say had it been written
        load_bundle(folder.parent / "nowhere") if False else _with_new_directory(folder, tmp_path)


def _with_new_directory(folder: Path, tmp_path: Path) -> None:
    """The folder as it would be had the import been written: the check refuses it."""
    (folder / "directory.yaml").write_text(
        "entries: [{id: fl-unit, kind: department, name: Firearms Licensing, extension: '1'}]\n"
    )
    load_bundle(folder)


def test_cases_of_a_dropped_officer_are_a_warning_and_the_import_is_written(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "rules.yaml").write_text(
        RULES.replace("dept-crime-bureau\n", "dept-crime-bureau-north\n")
    )
    cases = folder / "cases.csv"
    cases.write_text(
        "reference,officer_id,status\n"
        "42/18734/24,dept-crime-bureau-north,open\n"
        "42/18735/24,sarah-jonson,open\n"
        "42/18736/24,sarah-jonson,closed\n"
    )
    rows = NEW_ROWS + "sarah-johnson,person,Sarah Johnson,DC,,4101,,\n"
    args = argparse.Namespace(
        csv=export(tmp_path, rows),
        to=folder / "directory.yaml",
        schedules=None,
        bank_holidays="auto",
    )
    assert cmd_import(args) == 0
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "cases.csv" in line] == [
        f"{cases}:3: warning: case 42/18735/24 (and 1 more) names officer `sarah-jonson`,"
        " not in the new directory (callers quoting it get the tracking link by SMS);"
        " did you mean `sarah-johnson`? [directory-import-dangling]"
    ]
    assert load_bundle(folder).directory.get("sarah-johnson") is not None


def test_queue_settings_for_a_dropped_id_are_a_warning(folder: Path, tmp_path: Path) -> None:
    (folder / "rules.yaml").write_text(
        RULES.replace("dept-crime-bureau\n", "dept-crime-bureau-north\n")
    )
    shipped = (Path(__file__).resolve().parents[3] / "routing_rules" / "queues.yaml").read_text()
    queues = folder / "queues.yaml"
    queues.write_text(shipped.replace('"directory:firearms-licensing"', '"directory:firearms"'))
    line = next(n for n, t in enumerate(queues.read_text().splitlines(), 1) if "directory:" in t)
    report = import_csv(export(tmp_path), folder / "directory.yaml")
    assert report.written
    assert (
        f"{queues}:{line}: warning: queue settings are for `firearms`, not in the new"
        " directory (its queue settings go unused); did you mean `fl-unit`?"
        " [directory-import-dangling]" in report.warnings
    )
