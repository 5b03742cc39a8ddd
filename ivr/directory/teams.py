"""Teams as destinations: "roads policing please" goes to whoever answers for the team.

People carry a ``team``, but a caller asking for a team names no person. A
team becomes a destination in one of two ways, and only these:

* a department lists it (``teams: [Roads Policing, Motorway Patrol]``): the
  people's teams that department answers for;
* the directory's top-level ``teams:`` map names its destination: a queue
  (``rc``, ``fcr``, ``switchboard``, ``online``) or ``directory:<department id>``,
  for a team that is a queue or has no department entry of its own.

A team in neither has no destination of its own: asking for it finds its
members, as before (the caller may still name one). A team claimed twice, a
destination that is not there, or a team named like a department that routes
elsewhere is refused with the claim's line: the caller's words would have two
meanings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ivr.decisions import DIRECTORY_PREFIX, EMERGENCY, SERVICE_DESTINATIONS, is_destination
from ivr.directory.entry import DirectoryEntry, team_key

__all__ = ["TeamClaim", "TeamRoute", "listed_claims", "resolve_teams"]

# What a team may route to besides a department: the app's queues, never 999 handling
# (only danger cues or key 9 reach it; a team name is no emergency).
TEAM_QUEUES = SERVICE_DESTINATIONS - {EMERGENCY}


@dataclass(frozen=True, slots=True)
class TeamRoute:
    """A team callers may ask for, and where it goes."""

    name: str  # as the directory writes it ("Roads Policing")
    destination: str  # "directory:<department id>" or a queue ("rc")
    via: str  # what answers for it, as evidence says it: "Collision Reporting", "rc"


@dataclass(frozen=True, slots=True)
class TeamClaim:
    """One place that gives a team a destination, with its "file:line" for errors."""

    team: str
    destination: str
    where: str
    by: str  # "department 'collision-reporting'" / "the teams map"


def listed_claims(
    entries: Iterable[DirectoryEntry], where: Mapping[str, str] | None = None
) -> list[TeamClaim]:
    """The teams departments list; ``where``: entry id -> "file:line" of its ``teams``."""
    return [
        TeamClaim(
            team, e.destination, (where or {}).get(e.id, "<directory>:0"), f"department {e.id!r}"
        )
        for e in entries
        if e.kind == "department"
        for team in e.teams
    ]


def resolve_teams(
    entries: Sequence[DirectoryEntry], claims: Iterable[TeamClaim]
) -> tuple[tuple[TeamRoute, ...], list[str]]:
    """Every claim checked: the routes, or "file:line: message" for each bad claim."""
    by_id = {e.id: e for e in entries}
    # A department's own name or alias already names its destination.
    named: dict[str, DirectoryEntry] = {}
    for e in entries:
        if e.kind == "department":
            for text in (e.name, *e.aliases):
                named.setdefault(team_key(text), e)
    routes: list[TeamRoute] = []
    first: dict[str, TeamClaim] = {}
    errors: list[str] = []
    for claim in claims:
        key = team_key(claim.team)
        if not key:
            errors.append(f"{claim.where}: a team name is empty [directory-team-empty]")
            continue
        earlier = first.get(key)
        if earlier is not None:
            errors.append(
                f"{claim.where}: team {claim.team!r} is already given by {earlier.by}"
                f" ({earlier.where}); a team goes to one place [directory-team-twice]"
            )
            continue
        first[key] = claim
        via, problem = _target(claim, by_id)
        if problem:
            errors.append(f"{claim.where}: team {claim.team!r}: {problem}")
            continue
        same_name = named.get(key)
        if same_name is not None and same_name.destination != claim.destination:
            errors.append(
                f"{claim.where}: team {claim.team!r} is also what department {same_name.id!r}"
                f" is called, which goes elsewhere ({claim.destination} here); rename one"
                " [directory-team-clash]"
            )
            continue
        routes.append(TeamRoute(" ".join(claim.team.split()), claim.destination, via))
    return tuple(routes), errors


def _target(claim: TeamClaim, by_id: Mapping[str, DirectoryEntry]) -> tuple[str, str]:
    """(what answers, "") or ("", why the destination is refused)."""
    dest = claim.destination
    if dest in TEAM_QUEUES:
        return dest, ""
    if dest == EMERGENCY:
        return (
            "",
            "a team never routes to emergency (only danger cues do) [directory-team-emergency]",
        )
    if not is_destination(dest):
        queues = ", ".join(sorted(TEAM_QUEUES))
        return "", (
            f"destination {dest!r} is unknown (one of {queues}, or directory:<department id>)"
            " [directory-team-destination]"
        )
    entry = by_id.get(dest.removeprefix(DIRECTORY_PREFIX))
    if entry is None:
        return "", f"no directory entry {dest!r} [directory-team-unknown]"
    if entry.kind != "department":
        return "", (
            f"{dest!r} is a person; a team goes to a department or a queue [directory-team-person]"
        )
    return entry.spoken_name, ""
