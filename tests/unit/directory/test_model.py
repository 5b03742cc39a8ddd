"""Loading the directory from YAML and CSV: every error with its line, nothing half-loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.directory import Directory, DirectoryEntry, DirectoryError, rank_code
from ivr.directory.sample import sample_directory
from ivr.directory_import import import_csv
from tests.unit.directory.folders import own_rules

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[3]

# bad file -> (line, fragment of the message)
BAD = {
    "duplicate_id.yaml": [(6, "duplicate id 'a' (first on line 2)")],
    "bad_kind.yaml": [(3, "kind 'persn'")],
    "unknown_rank.yaml": [(5, "unknown rank 'admiral'")],
    "missing_name.yaml": [(2, "name is missing")],
    "bad_id.yaml": [(2, "id 'Bad_Id' must be lower-case")],
    "duplicate_key.yaml": [(5, "duplicate key 'name'")],
    "wrong_type.yaml": [(5, "aliases must be a list"), (6, "extension must be a string")],
}


def test_good_file_loads() -> None:
    d = Directory.load_yaml(FIXTURES / "good/directory.yaml")
    assert len(d) == 3
    sarah = d.get("sarah-johnson")
    assert sarah is not None
    assert (sarah.rank, sarah.first_name, sarah.surname) == ("PC", "Sarah", "Johnson")
    assert sarah.spoken_name == "PC Sarah Johnson"
    assert sarah.destination == "directory:sarah-johnson"
    ann = d.get("ann-van-der-berg")
    assert ann is not None and ann.rank == "DS" and ann.surname == "van der Berg"
    assert ann.hours == "office-hours" and ann.aliases == ("Annie",)
    fire = d.get("firearms-licensing")
    assert fire is not None and fire.spoken_name == "Firearms Licensing" and fire.rank == ""


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_reports_lines(name: str) -> None:
    path = FIXTURES / "bad" / name
    with pytest.raises(DirectoryError) as info:
        Directory.load_yaml(path)
    assert info.value.error_id == "directory-invalid"
    for line, fragment in BAD[name]:
        assert any(e.startswith(f"{path}:{line}: ") and fragment in e for e in info.value.errors), (
            info.value.errors
        )


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "entries:\n  - id: a\n    kind: department\n    name: X\n"
        '    alias: [y]\n    extension: "1"\n'
    )
    with pytest.raises(DirectoryError, match="unknown key 'alias'"):
        Directory.load_yaml(path)


def test_rank_codes() -> None:
    assert rank_code("Detective Constable") == "DC"
    assert rank_code("d c") == "DC"
    assert rank_code("D.S.") == "DS"
    assert rank_code("sarge") == "PS"
    assert rank_code("ch_supt") == "CH_SUPT"
    assert rank_code("admiral") is None


def test_the_short_forms_staff_lists_write_are_ranks() -> None:
    # An independent writer's list had "Ch Insp"; the load refused the whole file.
    said = ("Ch Insp", "Ch. Insp.", "Chief Insp", "Det Sgt", "Det Insp", "Det Ch Insp", "Det Con")
    assert [rank_code(s) for s in said] == ["CI", "CI", "CI", "DS", "DI", "DCI", "DC"]


def test_a_courtesy_title_in_a_staff_list_is_police_staff_not_an_unknown_rank() -> None:
    assert [rank_code(title) for title in ("Mrs", "Mr.", "ms", "Miss", "Dr")] == ["STAFF"] * 5


def test_the_special_constabularys_ranks_and_a_chaplains_title_load() -> None:
    # Two independent writers' staff lists had both; the load refused the whole file.
    said = ("SC", "Special Constable", "Special Insp", "SInsp", "special sergeant", "SCI")
    assert [rank_code(rank) for rank in said] == ["SC", "SC", "SINSP", "SINSP", "SPS", "SCI"]
    assert [rank_code(title) for title in ("Revd", "Rev.", "Reverend")] == ["STAFF"] * 3
    # ... and written with the constabulary's letters before the rank (a third writer's)
    prefixed = ("SC Insp", "SC Sgt", "SC CI")
    assert [rank_code(rank) for rank in prefixed] == ["SINSP", "SPS", "SCI"]


def test_chief_officers_and_detective_superintendents_are_ranks() -> None:
    said = ("Chief Constable", "DCC", "Assistant Chief Constable", "Det Supt")
    assert [rank_code(rank) for rank in said] == ["CC", "DCC", "ACC", "SUPT"]


def test_yaml_round_trip_and_shipped_file_is_generated(tmp_path: Path) -> None:
    d = sample_directory()
    out = tmp_path / "directory.yaml"
    d.to_yaml(out, "header")
    assert Directory.load_yaml(out).entries == d.entries
    shipped = Directory.load_yaml(ROOT / "routing_rules/directory.yaml")
    assert (
        shipped.entries == d.entries
    )  # run scripts/make_directory.py after changing sample.py/.yaml
    people = [e for e in shipped if e.kind == "person"]
    assert len(people) == 200 and len(shipped) - len(people) == 12
    assert len({e.extension for e in shipped}) == len(shipped)


CSV_GOOD = (
    "\ufeffid,kind,name,rank,aliases,extension,hours,team,notes\n"
    "sarah-johnson,person,Sarah Johnson,Detective Constable,,4101,,CID Burglary,ignored\n"
    'firearms,department,Firearms Licensing,,"gun licence; shotgun certificate",'
    "3001,office-hours,,x\n"
    "\n"
    "pat-staff,person,Pat Staff,,,4102,,,\n"
)


def test_csv_import_writes_yaml(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", own_rules(tmp_path / "out") / "directory.yaml"
    src.write_text(CSV_GOOD, encoding="utf-8")
    seen: list[int] = []
    report = import_csv(src, dest, seen.append)
    assert report.ok and report.people == 2 and report.departments == 1, report.errors
    assert seen[-1] == 3
    d = Directory.load_yaml(dest)
    sarah = d.get("sarah-johnson")
    assert sarah is not None and sarah.rank == "DC"
    fire = d.get("firearms")
    assert fire is not None and fire.aliases == ("gun licence", "shotgun certificate")
    staff = d.get("pat-staff")
    assert staff is not None and staff.rank == "STAFF" and staff.spoken_name == "Pat Staff"
    assert not list(dest.parent.glob(".*.tmp"))


def test_csv_bad_rows_reported_and_nothing_written(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "directory.yaml"
    dest.write_text("entries: []\n")
    src.write_text(
        "id,kind,name,rank,aliases,extension,hours,team\n"
        "ok-1,person,Good Name,PC,,4101,,\n"
        "Bad Id,person,Some One,PC,,4102,,\n"
        "ok-1,person,Dup Licate,PC,,4103,,\n"
        'x-2,robot,"Multi\nLine",,,4104,,\n'
        "x-3,person,,captain,,,,\n",
        encoding="utf-8",
    )
    report = import_csv(src, dest)
    assert not report.ok and not report.written
    errors = report.errors
    assert any(e.startswith(f"{src}:3: id 'Bad Id'") for e in errors), errors
    assert any(e.startswith(f"{src}:4: duplicate id 'ok-1' (first on line 2)") for e in errors)
    assert any(e.startswith(f"{src}:5: kind 'robot'") for e in errors), errors
    assert {f"{src}:7: name is missing", f"{src}:7: extension is missing"} <= set(errors)
    assert any(e.startswith(f"{src}:7: unknown rank 'captain'") for e in errors)
    assert dest.read_text() == "entries: []\n"
    assert "not changed" in report.summary()


def test_csv_header_required(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("sarah-johnson,person,Sarah Johnson,PC,,4101,,\n")
    report = import_csv(src, tmp_path / "d.yaml")
    assert report.errors and report.errors[0].startswith(f"{src}:1: header lacks column(s)")
    assert not (tmp_path / "d.yaml").exists()
    with pytest.raises(DirectoryError):
        Directory.load_csv(tmp_path / "missing.csv")


def test_csv_import_of_a_header_only_file_is_refused_and_nothing_written(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", tmp_path / "directory.yaml"
    dest.write_text("entries: [{id: a, kind: department, name: A, extension: '1'}]\n")
    src.write_text("id,kind,name,rank,aliases,extension,hours,team\n\n")
    report = import_csv(src, dest)
    assert report.errors == [f"{src}:1: no entries, only a header [directory-import-empty]"]
    assert dest.read_text().startswith("entries: [{id: a")


def test_csv_import_refuses_an_hours_schedule_that_does_not_exist(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", own_rules(tmp_path) / "directory.yaml"
    (tmp_path / "schedules.yaml").write_text("schedules:\n  office-hours: {hours: always}\n")
    src.write_text(
        "id,kind,name,rank,aliases,extension,hours,team\n"
        "ok-1,person,Good Name,PC,,4101,office-hours,\n"
        "ok-2,person,Other Name,PC,,4102,ofice-hours,\n",
        encoding="utf-8",
    )
    report = import_csv(src, dest)
    assert report.errors == [
        f"{src}:3: entry 'ok-2': unknown schedule 'ofice-hours' (not in schedules.yaml)"
        " [schedule-unknown]"
    ]
    assert not dest.exists(), "all or nothing: the good row was not written either"
    (tmp_path / "schedules.yaml").write_text(
        "schedules:\n  office-hours: {hours: always}\n  ofice-hours: {hours: always}\n"
    )
    assert import_csv(src, dest).ok and dest.exists()


def test_a_destination_names_its_entry_and_a_queue_names_none() -> None:
    entry = DirectoryEntry("cid", "department", "CID", extension="2000")
    directory = Directory([entry])
    assert directory.named_by("directory:cid") is entry
    assert directory.named_by("directory:nobody") is None
    assert directory.named_by("rc") is None and directory.named_by(None) is None
