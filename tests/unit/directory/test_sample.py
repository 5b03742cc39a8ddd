"""The example force in ivr/directory/sample.yaml: well formed, and shipped in the wheel."""

from __future__ import annotations

import tomllib

from ivr.directory import rank_code
from ivr.directory.sample import SAMPLE_FILE, SampleForce, sample_directory
from ivr.shipped import REPO_ROOT


def test_the_force_is_consistent() -> None:
    force = SampleForce.load()
    assert len(force.departments) == 12
    assert len({d.id for d in force.departments}) == 12
    for person in force.fixed_people:
        assert person.team in force.teams, person
        assert rank_code(person.rank) == person.rank, person
    for code, weight in force.rank_weights:
        assert rank_code(code) == code and weight > 0


def test_a_force_can_be_given() -> None:
    force = SampleForce.load()
    small = SampleForce.parse(
        {
            "teams": {"uniform": ["A", "B"], "detective": ["C"], "staff": ["D"]},
            "departments": [{"id": "x", "name": "X", "aliases": [], "hours": ""}],
            "fixed_people": [["Ann Other", "PC", "A"]],
            "first_names": list(force.first_names),
            "surnames": list(force.surnames),
            "rank_weights": {"PC": 1},
        }
    )
    directory = sample_directory(people=3, force=small)
    assert directory.entries[0].id == "ann-other" and directory.get("x") is not None
    assert {e.team for e in directory if e.kind == "person"} <= {"A", "B"}


def test_the_force_is_package_data() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert SAMPLE_FILE in pyproject["tool"]["setuptools"]["package-data"]["ivr.directory"]
