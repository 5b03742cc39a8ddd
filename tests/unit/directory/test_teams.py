"""Teams as destinations: loading, validation by line, CSV, import, and matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.decisions import Candidate, Hypothesis
from ivr.directory import Directory, DirectoryError, DirectoryMatcher
from ivr.directory.entry import team_key
from ivr.directory.sample import SampleForce, sample_directory
from ivr.directory_import import import_csv
from tests.unit.directory.folders import own_rules

# A small force: teams routed by a department, by the map to a queue and to a
# department, and one team (Dog Section) with no destination.
PEOPLE = [  # id, name, rank, team
    ("mark-johnston", "Mark Johnston", "PC", "Roads Policing"),
    ("sarah-johnson", "Sarah Johnson", "PC", "Neighbourhood North"),
    ("gareth-jones", "Gareth Jones", "INSP", "Roads Policing"),
    ("emma-clarke", "Emma Clarke", "DC", "Economic Crime"),
    ("anil-patel", "Anil Patel", "DC", "CID Burglary"),
    ("david-lee", "David Lee", "DS", "CID Burglary"),
    ("rachel-smyth", "Rachel Smyth", "DC", "Child Protection"),
    ("ben-hall", "Ben Hall", "PC", "Dog Section"),
    ("tom-reid", "Tom Reid", "PC", "Dog Section"),
]
FORCE = (
    "entries:\n"
    + "".join(
        f"  - {{id: {i}, kind: person, name: {n}, rank: {r}, team: {t}, extension: '1'}}\n"
        for i, n, r, t in PEOPLE
    )
    + """\
  - id: traffic-unit
    kind: department
    name: Traffic Unit
    teams: [Roads Policing, Motorway Patrol]
    extension: "3001"
  - id: fraud-desk
    kind: department
    name: Fraud Desk
    aliases: [fraud]
    teams: [Economic Crime]
    extension: "3002"
  - {id: force-hq, kind: department, name: Force Headquarters, extension: "3003"}
teams:
  CID Burglary: rc
  Child Protection: switchboard
  Neighbourhood North: fcr
  Corporate Services: directory:force-hq
"""
)


def _load(tmp_path: Path, text: str, name: str = "directory.yaml") -> Directory:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Directory.load_yaml(path)


def _errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(DirectoryError) as info:
        _load(tmp_path, text)
    return info.value.errors


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> DirectoryMatcher:
    return DirectoryMatcher(_load(tmp_path_factory.mktemp("force"), FORCE))


def _top(matcher: DirectoryMatcher, text: str) -> Candidate:
    found = matcher.match([Hypothesis(text)])
    assert found, f"nothing for {text!r}"
    return found[0]


# --- loading ------------------------------------------------------------------


def test_department_teams_and_the_map_load(tmp_path: Path) -> None:
    d = _load(tmp_path, FORCE)
    traffic = d.get("traffic-unit")
    assert traffic is not None and traffic.teams == ("Roads Policing", "Motorway Patrol")
    assert d.team_map == {
        "CID Burglary": "rc",
        "Child Protection": "switchboard",
        "Neighbourhood North": "fcr",
        "Corporate Services": "directory:force-hq",
    }
    roads = d.team_route("roads  POLICING")
    assert roads is not None and roads.destination == "directory:traffic-unit"
    assert roads.via == "Traffic Unit"
    hq = d.team_route("Corporate Services")
    assert hq is not None and (hq.destination, hq.via) == (
        "directory:force-hq",
        "Force Headquarters",
    )
    assert d.team_route("Dog Section") is None  # no department lists it, not in the map
    assert len(d.teams) == 7


def test_round_trip_keeps_teams_and_map(tmp_path: Path) -> None:
    d = _load(tmp_path, FORCE)
    out = tmp_path / "again.yaml"
    d.to_yaml(out, "header")
    again = Directory.load_yaml(out)
    assert again.entries == d.entries and again.team_map == d.team_map
    assert "\nteams:\n  CID Burglary: rc\n" in out.read_text(encoding="utf-8")


def test_shipped_directory_gives_every_team_of_its_people_a_destination() -> None:
    shipped = Directory.load_yaml(
        Path(__file__).resolve().parents[3] / "routing_rules/directory.yaml"
    )
    teams = {e.team for e in shipped if e.kind == "person" and e.team}
    assert teams and all(shipped.team_route(t) is not None for t in teams)
    assert set(SampleForce.load().teams) == teams
    # the generator without departments has no team destinations (nothing to name)
    assert sample_directory(50, departments=False).teams == ()


# --- validation: every error with its line ------------------------------------


def test_a_team_listed_by_two_departments(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "entries:\n"
        "  - {id: a, kind: department, name: A, teams: [Roads Policing], extension: '1'}\n"
        "  - id: b\n    kind: department\n    name: B\n"
        "    teams: [roads policing]\n    extension: '2'\n",
    )
    path = tmp_path / "directory.yaml"
    assert len(errors) == 1
    assert errors[0].startswith(
        f"{path}:6: team 'roads policing' is already given by department 'a'"
    )
    assert f"({path}:2)" in errors[0] and "[directory-team-twice]" in errors[0]


@pytest.mark.parametrize(
    ("value", "line", "fragment"),
    [
        ("directory:nobody", 5, "no directory entry 'directory:nobody' [directory-team-unknown]"),
        ("directory:p", 5, "'directory:p' is a person; a team goes to a department or a queue"),
        ("emergency", 5, "never routes to emergency"),
        ("control-room", 5, "destination 'control-room' is unknown (one of fcr, online, rc,"),
        ("directory:", 5, "destination 'directory:' is unknown"),
    ],
)
def test_a_mapped_team_that_goes_nowhere(
    tmp_path: Path, value: str, line: int, fragment: str
) -> None:
    errors = _errors(
        tmp_path,
        "entries:\n  - {id: p, kind: person, name: Pat Lee, team: Roads, extension: '1'}\n"
        "  - {id: d, kind: department, name: D, extension: '2'}\n"
        f"teams:\n  Roads: '{value}'\n",
    )
    assert len(errors) == 1 and errors[0].startswith(f"{tmp_path / 'directory.yaml'}:{line}: ")
    assert fragment in errors[0], errors


def test_map_and_department_both_claiming_a_team(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "entries:\n  - {id: d, kind: department, name: D, teams: [Roads], extension: '2'}\n"
        "teams:\n  Roads: rc\n",
    )
    assert len(errors) == 1 and ":4: team 'Roads' is already given by department 'd'" in errors[0]


def test_a_team_named_like_a_department_that_goes_elsewhere(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "entries:\n  - {id: rc-desk, kind: department, name: Resolution Centre, extension: '2'}\n"
        "  - {id: d, kind: department, name: D, aliases: [Roads desk], extension: '3'}\n"
        "teams:\n  Resolution Centre: rc\n  roads desk: directory:d\n",
    )
    # the second names its own department: no clash
    assert len(errors) == 1 and ":5: team 'Resolution Centre' is also what department" in errors[0]
    assert "[directory-team-clash]" in errors[0]


def test_bad_teams_fields(tmp_path: Path) -> None:
    errors = _errors(
        tmp_path,
        "entries:\n"
        "  - {id: p, kind: person, name: Pat Lee, teams: [Roads], extension: '1'}\n"
        "  - {id: d, kind: department, name: D, teams: [A, a], extension: '2'}\n"
        "  - {id: e, kind: department, name: E, teams: 7, extension: '3'}\n"
        "teams:\n  Dogs: 5\n  '': rc\n",
    )
    joined = "\n".join(errors)
    assert ":2: a person has one 'team'" in joined and "[directory-teams-person]" in joined
    assert ":3: team 'a' listed twice" in joined
    assert ":4: teams must be a list of strings" in joined
    assert ":6: teams: 'Dogs': expected a destination" in joined
    assert ":7: teams: '' is no team name" in joined
    assert len(errors) == 5, errors


def test_teams_map_must_be_a_mapping_and_may_be_empty(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "entries: []\nteams: [rc]\n")
    assert errors == [f"{tmp_path / 'directory.yaml'}:2: teams: expected a mapping"]
    assert _load(tmp_path, "entries: []\nteams:\n").teams == ()


def test_constructor_checks_too() -> None:
    with pytest.raises(DirectoryError) as info:
        Directory([], {"Roads": "directory:gone"})
    assert info.value.errors == [
        "<directory>:0: team 'Roads': no directory entry 'directory:gone' [directory-team-unknown]"
    ]


# --- CSV ----------------------------------------------------------------------

CSV_TEAMS = (
    "id,kind,name,rank,aliases,extension,hours,team,teams\n"
    "mark-johnston,person,Mark Johnston,PC,,4103,,Roads Policing,\n"
    'traffic,department,Traffic Unit,,,3001,,,"Roads Policing; Motorway Patrol"\n'
)


def test_csv_teams_column(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(CSV_TEAMS, encoding="utf-8")
    d = Directory.load_csv(path)
    traffic = d.get("traffic")
    assert traffic is not None and traffic.teams == ("Roads Policing", "Motorway Patrol")
    route = d.team_route("motorway patrol")
    assert route is not None and route.destination == "directory:traffic"


def test_csv_team_errors_name_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        CSV_TEAMS
        + "other,department,Other,,,3002,,,Roads Policing\n"
        + "pat,person,Pat Lee,PC,,4104,,Dogs,Dogs\n",
        encoding="utf-8",
    )
    with pytest.raises(DirectoryError) as info:
        Directory.load_csv(path)
    assert len(info.value.errors) == 2
    assert info.value.errors[0].startswith(f"{path}:5: a person has one 'team'")
    assert info.value.errors[1].startswith(
        f"{path}:4: team 'Roads Policing' is already given by department 'traffic' ({path}:3)"
    )


def test_import_writes_teams_and_keeps_the_map_it_replaces(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", own_rules(tmp_path / "out") / "directory.yaml"
    src.write_text(CSV_TEAMS, encoding="utf-8")
    dest.write_text(
        "entries:\n  - {id: x, kind: department, name: X, extension: '1'}\n"
        "teams:\n  Response Team: fcr\n",
        encoding="utf-8",
    )
    report = import_csv(src, dest)
    assert report.ok, report.errors
    d = Directory.load_yaml(dest)
    assert d.team_map == {"Response Team": "fcr"}
    traffic = d.get("traffic")
    assert traffic is not None and traffic.teams == ("Roads Policing", "Motorway Patrol")


def test_import_refused_when_the_kept_map_names_a_lost_entry(tmp_path: Path) -> None:
    src, dest = tmp_path / "in.csv", own_rules(tmp_path / "out") / "directory.yaml"
    src.write_text(CSV_TEAMS, encoding="utf-8")
    before = (
        "entries:\n  - {id: x, kind: department, name: X, extension: '1'}\n"
        "teams:\n  Response Team: directory:x\n"
    )
    dest.write_text(before, encoding="utf-8")
    report = import_csv(src, dest)
    assert not report.ok and dest.read_text(encoding="utf-8") == before
    assert report.errors[0].startswith(f"{dest}:0: the current teams: map, kept for the import")
    assert "no directory entry 'directory:x'" in report.errors[0]


# --- matching -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "destination"),
    [
        ("roads policing please", "directory:traffic-unit"),
        ("roads policing", "directory:traffic-unit"),
        ("motorway patrol", "directory:traffic-unit"),
        ("someone from economic crime", "directory:fraud-desk"),
        ("the CID burglary team", "rc"),
        ("can I speak to someone in child protection", "switchboard"),
        ("corporate services please", "directory:force-hq"),
        # what a recognizer makes of them
        ("roads policin", "directory:traffic-unit"),
        ("economic crimes", "directory:fraud-desk"),
        ("road policing", "directory:traffic-unit"),
    ],
)
def test_a_team_routes_to_its_destination(
    matcher: DirectoryMatcher, said: str, destination: str
) -> None:
    top = _top(matcher, said)
    assert top.destination == destination and top.score >= 0.85, top
    assert top.evidence.startswith("team '"), top.evidence


def test_team_evidence_and_names(matcher: DirectoryMatcher) -> None:
    roads = _top(matcher, "roads policing please")
    assert roads.name == "Traffic Unit"
    assert roads.evidence == "team 'Roads Policing' → Traffic Unit exact"
    queue = _top(matcher, "the CID burglary team")
    assert (queue.name, queue.score) == ("CID Burglary", 0.96)  # a queue named by its team
    assert queue.evidence == "team 'CID Burglary' → rc exact"
    near = _top(matcher, "roads policin")
    assert near.score < roads.score and "'policing'~'policin' fuzzy" in near.evidence


def test_part_of_a_team_name_is_a_confirm(matcher: DirectoryMatcher) -> None:
    """ "the burglary team" says half of "CID Burglary": the RC, to confirm."""
    top = _top(matcher, "the burglary team")
    assert top.destination == "rc" and 0.6 <= top.score < 0.85, top
    assert "team 'CID Burglary' → rc 50% of words" in top.evidence


def test_a_person_asked_for_with_their_team_stays_the_person(matcher: DirectoryMatcher) -> None:
    found = matcher.match([Hypothesis("PC Johnson in roads policing")])
    assert found[0].destination == "directory:mark-johnston"
    assert "team 'Roads Policing' (100%)" in found[0].evidence
    team = next(c for c in found if c.destination == "directory:traffic-unit")
    assert team.score < found[0].score - 0.2 and "'johnson' names a person" in team.evidence
    top = _top(matcher, "I'm trying to reach Rachel Smyth in child protection")
    assert top.destination == "directory:rachel-smyth" and top.score >= 0.85
    assert _top(matcher, "inspector jones from roads policing").destination == (
        "directory:gareth-jones"
    )


def test_a_team_with_no_destination_finds_its_members(matcher: DirectoryMatcher) -> None:
    found = matcher.match([Hypothesis("someone in the dog section")])
    assert {c.destination for c in found} == {"directory:ben-hall", "directory:tom-reid"}
    assert found[0].score == found[1].score < 0.85


def test_team_words_of_a_routed_team_are_names(matcher: DirectoryMatcher) -> None:
    assert matcher.names_in("roads policing please")
    assert not matcher.names_in("my car was broken into")


def test_the_same_directory_without_destinations_keeps_the_members(tmp_path: Path) -> None:
    """Before teams had destinations a bare team found its members; it still does without."""
    plain = Directory(list(_load(tmp_path, FORCE).entries)[:9])
    found = DirectoryMatcher(plain).match([Hypothesis("roads policing please")])
    assert {c.destination for c in found} == {
        "directory:mark-johnston",
        "directory:gareth-jones",
    }


def test_a_team_name_compares_without_its_case_spacing_or_stray_quotes() -> None:
    # A hand-written YAML left the quotes in: team: '"Alcohol Licensing"'.
    assert team_key('"Alcohol  Licensing"') == team_key("alcohol licensing")
    assert team_key("'Roads Policing' ") == "roads policing"
