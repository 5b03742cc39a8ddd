"""``ivr directory import`` with literal hours: schedules reused or added, all or nothing.

Each import writes into a ruleset folder with rules of its own, then the folder is
loaded the way ``ivr rules check`` loads it: the import must leave it valid.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.cli import main
from ivr.directory import Directory
from ivr.directory.cli import cmd_import
from ivr.directory_import import import_csv
from ivr.routing.bundle import DEFAULT_FOLDER, load_bundle
from ivr.routing.schedules_add import HolidayHours
from ivr.routing.schedules_text import EXPECTED
from tests.unit.directory.folders import own_rules

HEADER = "id,kind,name,rank,aliases,extension,hours,team\n"
SCHEDULES = """\
# our force's hours (a comment the import must keep)
schedules:
  office-hours:
    hours: {mon-fri: "08:00-18:00"}
"""
LONDON = ZoneInfo("Europe/London")


def folder_with_schedules(tmp_path: Path) -> Path:
    folder = own_rules(tmp_path / "rules")
    (folder / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    return folder


def export(tmp_path: Path, *rows: str) -> Path:
    src = tmp_path / "export.csv"
    src.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return src


def test_literal_hours_add_a_schedule_the_reloaded_ruleset_keeps(tmp_path: Path) -> None:
    folder = folder_with_schedules(tmp_path)
    src = export(
        tmp_path,
        "front-desk,department,Front Desk,,,3001,Tue 10:00-12:00 14:00-16:00,",
        'lost-property,department,Lost Property,,,3002,"Mon-Thu 08:00-18:00, Fri 08:00-16:30",',
        "sarah-j,person,Sarah Jones,DC,,4101,,",
    )
    report = import_csv(src, folder / "directory.yaml")

    assert report.written, report.errors
    assert report.schedules_added == (
        "hours-tue-1000-1200-1400-1600",
        "hours-mon-thu-0800-1800-fri-0800-1630",
    )
    assert report.schedules_file == folder / "schedules.yaml"
    text = (folder / "schedules.yaml").read_text(encoding="utf-8")
    assert text.startswith(SCHEDULES)  # the admin's file, comment and all, then the new ones
    bundle = load_bundle(folder)
    desk = bundle.directory.get("front-desk")
    assert desk is not None and desk.hours == "hours-tue-1000-1200-1400-1600"
    tuesday = datetime(2026, 11, 24, 11, 0, tzinfo=LONDON)
    assert bundle.schedules.is_open(desk.hours, tuesday)
    assert not bundle.schedules.is_open(desk.hours, tuesday.replace(hour=13))
    assert "2 schedule(s) added to" in report.summary()


def test_hours_an_import_already_added_reuse_it_and_leave_the_file_alone(
    tmp_path: Path,
) -> None:
    folder = folder_with_schedules(tmp_path)
    first = export(tmp_path, "front-desk,department,Front Desk,,,3001,Mon-Fri 8am-6pm,")
    report = import_csv(first, folder / "directory.yaml")
    # office-hours has that week, but a policy and closures of its own: not taken on
    assert report.written and report.schedules_added == ("hours-mon-fri-0800-1800",)
    after_first = (folder / "schedules.yaml").read_text(encoding="utf-8")
    src = export(
        tmp_path,
        "front-desk,department,Front Desk,,,3001,monday to friday 0800-1800,",
        "back-desk,department,Back Desk,,,3002,24/7,",
    )
    report = import_csv(src, folder / "directory.yaml")
    assert report.written and report.schedules_added == ()
    assert report.schedules_reused == ("hours-mon-fri-0800-1800",)
    assert (folder / "schedules.yaml").read_text(encoding="utf-8") == after_first
    directory = Directory.load_yaml(folder / "directory.yaml")
    assert [e.hours for e in directory] == ["hours-mon-fri-0800-1800", ""]  # 24/7: always
    load_bundle(folder)


def test_an_out_of_hours_desk_is_open_on_christmas_night_and_the_option_can_close_it(
    tmp_path: Path,
) -> None:
    folder = folder_with_schedules(tmp_path)
    src = export(tmp_path, "night-desk,department,Night Desk,,,3001,Daily 18:00-08:00,")
    christmas_night = datetime(2026, 12, 25, 21, 0, tzinfo=LONDON)
    assert import_csv(src, folder / "directory.yaml").written
    bundle = load_bundle(folder)
    assert bundle.schedules.is_open("hours-mon-sun-1800-0800", christmas_night)

    other = folder_with_schedules(tmp_path / "other")
    report = import_csv(src, other / "directory.yaml", bank_holidays=HolidayHours.CLOSED)
    assert report.written
    assert not load_bundle(other).schedules.is_open("hours-mon-sun-1800-0800", christmas_night)


def test_without_schedules_of_its_own_the_folder_gets_the_shipped_ones_plus_additions(
    tmp_path: Path,
) -> None:
    folder = own_rules(tmp_path / "rules")
    plain = export(tmp_path, "front-desk,department,Front Desk,,,3001,firearms-licensing,")
    assert import_csv(plain, folder / "directory.yaml").written
    assert not (folder / "schedules.yaml").exists(), "a shipped schedule named: nothing to add"

    src = export(tmp_path, "front-desk,department,Front Desk,,,3001,Sat 10:00-14:00,")
    assert import_csv(src, folder / "directory.yaml").written
    shipped = (DEFAULT_FOLDER / "schedules.yaml").read_text(encoding="utf-8")
    written = (folder / "schedules.yaml").read_text(encoding="utf-8")
    assert written.startswith(shipped.rstrip("\n"))
    assert "  hours-sat-1000-1400:" in written
    load_bundle(folder)


def test_unreadable_hours_refuse_the_whole_import_with_the_row_and_what_was_expected(
    tmp_path: Path,
) -> None:
    folder = folder_with_schedules(tmp_path)
    dest = folder / "directory.yaml"
    dest.write_text("entries: [{id: old, kind: department, name: Old, extension: '1'}]\n")
    before = dest.read_text()
    src = export(
        tmp_path,
        "front-desk,department,Front Desk,,,3001,Sat 10:00-14:00,",
        "back-desk,department,Back Desk,,,3002,Mon-Fri 9-5,",
        "side-desk,department,Side Desk,,,3003,ofice-hours,",
    )
    report = import_csv(src, dest)
    assert report.errors == [
        f"{src}:3: entry 'back-desk': hours 'Mon-Fri 9-5': time '9' needs minutes or am/pm"
        f" (09:00, 9am); {EXPECTED} [hours-invalid]",
        f"{src}:4: entry 'side-desk': unknown schedule 'ofice-hours' (not in schedules.yaml)"
        " [schedule-unknown]",
    ]
    assert dest.read_text() == before
    assert (folder / "schedules.yaml").read_text(encoding="utf-8") == SCHEDULES


def test_a_directory_that_cannot_be_written_takes_the_added_schedules_back(
    tmp_path: Path,
) -> None:
    schedules = tmp_path / "schedules.yaml"
    schedules.write_text(SCHEDULES, encoding="utf-8")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be\n")
    dest = blocker / "directory.yaml"
    src = export(
        tmp_path,
        # the shipped rules (this folder has none) cover firearms-licensing: keep it
        "firearms-licensing,department,Firearms Licensing,,,3001,Sat 10:00-14:00,",
    )
    report = import_csv(src, dest, schedules=schedules)
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{dest}:0: cannot write:")
    assert schedules.read_text(encoding="utf-8") == SCHEDULES
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_yaml_export_takes_literal_hours_too_and_names_the_line(tmp_path: Path) -> None:
    folder = folder_with_schedules(tmp_path)
    src = tmp_path / "export.yaml"
    src.write_text(
        "entries:\n"
        "  - id: front-desk\n"
        "    kind: department\n"
        "    name: Front Desk\n"
        "    extension: '3001'\n"
        "    hours: Mon-Sat 08:00-20:00; Sun closed\n"
        "  - {id: back-desk, kind: department, name: Back Desk, extension: '3002',\n"
        "     hours: 'Sun 25:00-26:00'}\n",
        encoding="utf-8",
    )
    report = import_csv(src, folder / "directory.yaml")
    assert report.errors == [
        f"{src}:8: entry 'back-desk': hours 'Sun 25:00-26:00': time '25:00' is not within"
        f" 00:00-24:00; {EXPECTED} [hours-invalid]"
    ]
    src.write_text(src.read_text().replace("Sun 25:00-26:00", "sunday 10am-4pm"))
    report = import_csv(src, folder / "directory.yaml")
    assert report.schedules_added == ("hours-mon-sat-0800-2000", "hours-sun-1000-1600")
    load_bundle(folder)


def test_the_option_is_read_from_the_command_line_and_a_wrong_one_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["directory", "import", "--help"])
    assert "--bank-holidays {auto,closed,open}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["directory", "import", "x.csv", "--bank-holidays", "sometimes"])
    assert exited.value.code == 2
    assert "invalid choice: 'sometimes'" in capsys.readouterr().err


def test_the_command_says_what_it_added(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = folder_with_schedules(tmp_path)
    src = export(tmp_path, "front-desk,department,Front Desk,,,3001,daily 22:00-06:00,")
    args = argparse.Namespace(
        csv=src, to=folder / "directory.yaml", schedules=None, bank_holidays="auto"
    )
    assert cmd_import(args) == 0
    out = capsys.readouterr().out
    assert f"1 schedule(s) added to {folder / 'schedules.yaml'}" in out
    assert (
        "  hours-mon-sun-2200-0600 (Mon-Sun 22:00-06:00): open on bank holidays (usual hours)"
        " [--bank-holidays auto: open if the hours include a weekend day, else closed]"
    ) in out.splitlines()
    assert "hours-mon-sun-2200-0600" in (folder / "schedules.yaml").read_text(encoding="utf-8")
