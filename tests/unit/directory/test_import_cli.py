"""``ivr directory import``: every refusal as file:line, and a symlinked target kept.

A missing schedules file, a name that spans lines (a quote out of place in the export)
and a directory.yaml that is a link to a managed copy.
"""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import pytest

from ivr.directory import Directory, DirectoryError
from ivr.directory.cli import cmd_import
from ivr.directory_import import import_csv
from tests.unit.directory.folders import own_rules

HEADER = "id,kind,name,rank,aliases,extension,hours,team\n"
GOOD = HEADER + "sarah-j,person,Sarah Jones,DC,,4101,,\n"


def test_a_missing_schedules_file_is_reported_as_file_and_line(tmp_path: Path) -> None:
    src, schedules = tmp_path / "in.csv", tmp_path / "nope" / "schedules.yaml"
    src.write_text(GOOD, encoding="utf-8")
    report = import_csv(src, tmp_path / "directory.yaml", schedules=schedules)
    assert report.errors == [f"{schedules}:0: cannot read: No such file or directory"]
    assert not (tmp_path / "directory.yaml").exists()


def test_the_command_prints_the_missing_schedules_file_as_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, schedules = tmp_path / "in.csv", tmp_path / "schedules.yaml"
    src.write_text(GOOD, encoding="utf-8")
    args = argparse.Namespace(
        csv=src, to=tmp_path / "directory.yaml", schedules=schedules, bank_holidays="auto"
    )
    assert cmd_import(args) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{schedules}:0: cannot read: No such file or directory"
    ]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ('x-1,person,"Sarah\nJones",DC,,4101,,', "name"),
        ('x-1,person,"Sarah Jones\n",DC,,4101,,', "name"),
        ('x-1,department,"Front\r\nDesk",,,4101,,', "name"),
        ('x-1,person,Sarah Jones,DC,"sj;\nsarah",4101,,', "aliases"),
        ('x-1,person,Sarah Jones,DC,,4101,,"cid\nteam"', "team"),
    ],
)
def test_a_field_that_spans_lines_is_refused_with_its_line(
    tmp_path: Path, row: str, field: str
) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "directory.yaml"
    src.write_text(GOOD + "ok-2,person,Pat Staff,,,4102,,\n" + row + "\n", encoding="utf-8")
    report = import_csv(src, dest)
    assert len(report.errors) == 1, report.errors
    [error] = report.errors
    assert error.startswith(f"{src}:4: {field} ")
    assert error.endswith("spans lines; one line each [directory-field-multiline]")
    assert not dest.exists()


def test_a_name_that_spans_lines_in_the_yaml_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(
        'entries:\n  - {id: a, kind: department, name: "Front\\nDesk", extension: "1"}\n'
    )
    with pytest.raises(DirectoryError, match=r":2: name 'Front\\nDesk' spans lines"):
        Directory.load_yaml(path)


def test_a_symlinked_directory_is_written_through_the_link(tmp_path: Path) -> None:
    managed = tmp_path / "managed"
    managed.mkdir()
    target = managed / "directory.yaml"
    target.write_text("entries: []\n")
    target.chmod(0o604)
    rules = own_rules(tmp_path / "routing_rules")
    link = rules / "directory.yaml"
    link.symlink_to(target)
    src = tmp_path / "in.csv"
    src.write_text(GOOD, encoding="utf-8")

    assert import_csv(src, link).written
    assert link.is_symlink() and link.resolve() == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    sarah = Directory.load_yaml(target).get("sarah-j")
    assert sarah is not None and sarah.name == "Sarah Jones"
    assert not list(rules.glob(".*.tmp")) and not list(managed.glob(".*.tmp"))


def test_a_relative_symlink_is_written_through_too(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("entries: []\n")
    link = own_rules(tmp_path) / "directory.yaml"
    link.symlink_to("real.yaml")
    src = tmp_path / "in.csv"
    src.write_text(GOOD, encoding="utf-8")
    assert import_csv(src, link).written
    assert link.is_symlink()
    assert Directory.load_yaml(tmp_path / "real.yaml").get("sarah-j") is not None
