"""A believable example force directory, generated from a fixed seed.

The shipped ``routing_rules/directory.yaml`` (via scripts/make_directory.py),
the benchmark's 10,000-entry directory and the tests all come from here, so
the hard cases the matcher must handle (Johnson/Johnston, Clarke/Clark,
Smith/Smyth, three Patels, two Joneses) are always present and stable.

The force itself (teams, departments, the fixed people, the name pools, the
spread of ranks) is data, in ``sample.yaml`` beside this module (package data);
this module is the generator.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from ivr.directory.model import Directory, DirectoryEntry

__all__ = ["SampleForce", "sample_directory", "slug"]

SAMPLE_FILE = "sample.yaml"
_DETECTIVE = {"DC", "DS", "DI", "DCI"}


@dataclass(frozen=True, slots=True)
class SampleDepartment:
    id: str
    name: str
    aliases: tuple[str, ...]
    hours: str  # a schedule name; "" for always open
    teams: tuple[str, ...] = ()  # the people's teams it answers for


@dataclass(frozen=True, slots=True)
class SamplePerson:
    """One of the people the tests and prompts rely on; the id is a slug of the name."""

    name: str
    rank: str
    team: str


@dataclass(frozen=True, slots=True)
class SampleForce:
    """The example force ``sample_directory`` draws from (``sample.yaml``)."""

    teams_uniform: tuple[str, ...]
    teams_detective: tuple[str, ...]
    teams_staff: tuple[str, ...]
    departments: tuple[SampleDepartment, ...]
    fixed_people: tuple[SamplePerson, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    rank_weights: tuple[tuple[str, int], ...]  # order matters: the draws are seeded
    team_destinations: tuple[tuple[str, str], ...] = ()  # team -> queue or directory:<id>

    @property
    def teams(self) -> tuple[str, ...]:
        return self.teams_uniform + self.teams_detective + self.teams_staff

    @classmethod
    def load(cls) -> SampleForce:
        """The force shipped in ``sample.yaml`` beside this module."""
        text = resources.files("ivr.directory").joinpath(SAMPLE_FILE).read_text(encoding="utf-8")
        return cls.parse(yaml.safe_load(text))

    @classmethod
    def parse(cls, data: dict[str, Any]) -> SampleForce:
        teams = data["teams"]
        return cls(
            teams_uniform=tuple(map(str, teams["uniform"])),
            teams_detective=tuple(map(str, teams["detective"])),
            teams_staff=tuple(map(str, teams["staff"])),
            departments=tuple(
                SampleDepartment(
                    str(d["id"]),
                    str(d["name"]),
                    tuple(map(str, d["aliases"])),
                    str(d["hours"]),
                    tuple(map(str, d.get("teams", ()))),
                )
                for d in data["departments"]
            ),
            fixed_people=tuple(
                SamplePerson(str(name), str(rank), str(team))
                for name, rank, team in data["fixed_people"]
            ),
            first_names=tuple(map(str, data["first_names"])),
            surnames=tuple(map(str, data["surnames"])),
            rank_weights=tuple((str(code), int(w)) for code, w in data["rank_weights"].items()),
            team_destinations=tuple(
                (str(team), str(dest))
                for team, dest in (data.get("team_destinations") or {}).items()
            ),
        )


def slug(text: str) -> str:
    """An id from a name: "Siobhán O'Neill" -> "siobhan-oneill"."""
    folded = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch)).replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _team_for(force: SampleForce, rank: str, rng: random.Random) -> str:
    if rank in _DETECTIVE:
        return rng.choice(force.teams_detective)
    if rank == "STAFF":
        return rng.choice(force.teams_staff + force.teams_detective[:1])
    if rank == "PCSO":
        return rng.choice(force.teams_uniform[:2])
    return rng.choice(force.teams_uniform)


def sample_directory(
    people: int = 200,
    seed: int = 101,
    departments: bool = True,
    force: SampleForce | None = None,
) -> Directory:
    """``people`` people (the fixed ones first) and the twelve departments of ``force``
    (the shipped ``sample.yaml`` unless given), with the teams they answer for and the
    force's top-level team destinations (only with the departments: a team may name one).

    Random names never reuse a fixed person's surname, so the deliberate
    near-homophones and shared surnames stay exactly as tests expect.
    Large directories (the benchmark) repeat names; ids get a numeric suffix.
    """
    force = force or SampleForce.load()
    rng = random.Random(seed)
    entries: list[DirectoryEntry] = []
    ids: set[str] = set()
    extension = 4100

    def add_person(name: str, rank: str, team: str) -> None:
        nonlocal extension
        base = slug(name)
        entry_id, n = base, 2
        while entry_id in ids:
            entry_id, n = f"{base}-{n}", n + 1
        ids.add(entry_id)
        extension += 1
        words = name.split()
        entries.append(
            DirectoryEntry(
                id=entry_id,
                kind="person",
                name=name,
                rank=rank,
                first_name=" ".join(words[:-1]),
                surname=words[-1],
                team=team,
                extension=str(extension) if extension < 10_000 else f"4{extension:06d}",
            )
        )

    for fixed in force.fixed_people[:people]:
        add_person(fixed.name, fixed.rank, fixed.team)
    reserved = {fixed.name.split()[-1] for fixed in force.fixed_people}
    surnames = [s for s in force.surnames if s not in reserved]
    codes = [code for code, _ in force.rank_weights]
    weights = [w for _, w in force.rank_weights]
    names_used = {fixed.name for fixed in force.fixed_people}
    while len(entries) < people:
        name = f"{rng.choice(force.first_names)} {rng.choice(surnames)}"
        if name in names_used and people <= 1000:
            continue
        names_used.add(name)
        rank = rng.choices(codes, weights)[0]
        add_person(name, rank, _team_for(force, rank, rng))
    if departments:
        for n, dept in enumerate(force.departments):
            entries.append(
                DirectoryEntry(
                    id=dept.id,
                    kind="department",
                    name=dept.name,
                    aliases=dept.aliases,
                    extension=str(3001 + n),
                    hours=dept.hours,
                    teams=dept.teams,
                )
            )
        return Directory(entries, dict(force.team_destinations))
    return Directory(entries)
