"""One directory entry, and how one record (a YAML mapping or a CSV row) becomes one.

Both file formats go through ``build_entry``, so a CSV cell and a YAML key are
checked alike and every error names where it is ("file:line: message").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ivr.decisions import DIRECTORY_PREFIX
from ivr.directory.ranks import RANK_TITLES, rank_code

__all__ = ["DirectoryEntry", "Kind", "build_entry", "fixed_where", "team_key"]

Kind = Literal["person", "department"]
_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A person or department a caller can be put through to."""

    id: str
    kind: Kind
    name: str
    rank: str = ""  # canonical code (ranks.RANKS); "" for departments
    first_name: str = ""
    surname: str = ""
    team: str = ""  # a person's team
    aliases: tuple[str, ...] = ()
    extension: str = ""  # extension number or endpoint ("Local/...@ivr-agents")
    hours: str = ""  # schedule name; "" = always
    teams: tuple[str, ...] = ()  # a department: the people's teams it answers for

    @property
    def destination(self) -> str:
        return f"{DIRECTORY_PREFIX}{self.id}"

    @property
    def acronyms(self) -> frozenset[str]:
        """The name or aliases written as an acronym ("MASH", "CID"), lower case: said
        alone, they name the department as surely as its whole name."""
        return frozenset(
            a.lower() for a in (self.name, *self.aliases) if a.isupper() and 2 <= len(a) <= 6
        )

    @property
    def spoken_name(self) -> str:
        """What a confirm prompt says: "PC Sarah Johnson", "Firearms Licensing"."""
        title = RANK_TITLES.get(self.rank, "") if self.kind == "person" else ""
        return f"{title} {self.name}".strip()


def team_key(name: str) -> str:
    """A team's name as compared: "Roads  policing" is "Roads Policing", and so is
    '"Roads Policing"' (quotes a spreadsheet or a hand-written YAML left in)."""
    return " ".join(name.strip().strip("\"'").split()).casefold()


def build_entry(
    raw: Mapping[str, Any], where: Callable[[str], str]
) -> tuple[DirectoryEntry | None, list[str]]:
    """Validate one record (YAML mapping or CSV row) into an entry, or its errors.

    ``where(field)`` gives the "file:line" prefix for a field so YAML errors
    point at the offending key and CSV errors at the row.
    """
    errors: list[str] = []

    def text(field: str) -> str:
        value = raw.get(field, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            errors.append(f"{where(field)}: {field} must be a string, not {type(value).__name__}")
            return ""
        return one_line(field, value)

    def names(field: str) -> list[str]:
        """A list of names (YAML) or "A; B" (a CSV cell)."""
        given = raw.get(field, ())
        out: list[str] = []
        if isinstance(given, str):
            joined = one_line(field, given)
            out = [a for a in (p.strip() for p in joined.split(";")) if a]
        elif isinstance(given, list | tuple):
            for item in given:
                if not isinstance(item, str) or not item.strip():
                    errors.append(f"{where(field)}: {field} must be non-empty strings")
                    return []
                out.append(one_line(field, item))
        elif given is not None:
            errors.append(f"{where(field)}: {field} must be a list of strings")
        return out

    def one_line(field: str, value: str) -> str:
        # A line break inside a name is a broken export (a quote out of place), not a
        # name: folding it into a space would put half a name and a stray word live.
        if value and value.splitlines() != [value]:
            errors.append(
                f"{where(field)}: {field} {value!r} spans lines; one line each"
                " [directory-field-multiline]"
            )
        return " ".join(value.split())

    entry_id = text("id")
    kind = text("kind")
    name = text("name")
    rank_raw = text("rank")
    extension = text("extension")
    hours = text("hours")
    team = text("team")
    first_name = text("first_name")
    surname = text("surname")
    aliases = names("aliases")
    teams = names("teams")
    if not entry_id:
        errors.append(f"{where('id')}: id is missing")
    elif not _ID.match(entry_id):
        errors.append(
            f"{where('id')}: id {entry_id!r} must be lower-case letters, digits and '-'"
            " (it becomes directory:<id> and a dial suffix)"
        )
    if kind not in ("person", "department"):
        errors.append(f"{where('kind')}: kind {kind!r} must be 'person' or 'department'")
    if not name:
        errors.append(f"{where('name')}: name is missing")
    if not extension:
        errors.append(f"{where('extension')}: extension is missing")
    elif " " in extension:
        errors.append(f"{where('extension')}: extension {extension!r} contains spaces")
    rank = ""
    if kind == "person":
        code = rank_code(rank_raw) if rank_raw else "STAFF"
        if code is None:
            errors.append(f"{where('rank')}: unknown rank {rank_raw!r}")
        else:
            rank = code
    elif kind == "department" and rank_raw:
        errors.append(f"{where('rank')}: a department has no rank (got {rank_raw!r})")
    if kind == "person" and teams:
        errors.append(
            f"{where('teams')}: a person has one 'team'; 'teams' lists the teams a department"
            " answers for [directory-teams-person]"
        )
    seen_teams: set[str] = set()
    for listed in teams:
        if team_key(listed) in seen_teams:
            errors.append(f"{where('teams')}: team {listed!r} listed twice [directory-team-twice]")
        seen_teams.add(team_key(listed))
    if errors or kind not in ("person", "department"):
        return None, errors
    if kind == "person":
        words = name.split()
        if not surname:
            surname = words[-1]
        if not first_name:
            first_name = " ".join(words[:-1]) if len(words) > 1 else ""
    entry = DirectoryEntry(
        id=entry_id,
        kind="person" if kind == "person" else "department",
        name=name,
        rank=rank,
        first_name=first_name,
        surname=surname,
        team=team,
        aliases=tuple(aliases),
        teams=tuple(teams),
        extension=extension,
        hours=hours,
    )
    return entry, errors


def fixed_where(prefix: str) -> Callable[[str], str]:
    """A CSV row has one line for all its fields."""

    def where(_field: str) -> str:
        return prefix

    return where
