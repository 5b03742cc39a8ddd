"""The directory of people and departments callers can ask for by name.

Admins keep it in ``routing_rules/directory.yaml`` (hand-edited, so every
error names its line) or import a force's CSV export. Both go through the
same validation, every error of a file is collected, and a file with any
error loads nothing: a half-loaded directory would silently send callers to
the switchboard for the people it dropped.

YAML layout (one list, so that ``kind`` is checked like any other field)::

    entries:
      - id: sarah-johnson          # [a-z0-9-]; becomes "directory:<id>"
        kind: person               # person | department
        name: Sarah Johnson
        rank: PC                   # code or spoken form; "" or STAFF = no rank
        first_name: Sarah          # optional; default: all but the last word
        surname: Johnson           # optional; default: the last word
        team: CID Burglary         # a person's team
        aliases: [Sal]             # person: other first names; department: other names
        extension: "4101"          # a string: extension or endpoint
        hours: office-hours        # schedule name in schedules.yaml; "" = always
      - id: collision-reporting
        kind: department
        name: Collision Reporting
        teams: [Roads Policing]    # department: the people's teams it answers for
        extension: "3008"
    teams:                         # optional: teams that are a queue or have no department
      Response Team East: fcr      # rc, fcr, switchboard, online or directory:<department id>

A caller asking for a team goes where it is listed or mapped (``ivr.directory.teams``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

from ivr.decisions import DIRECTORY_PREFIX
from ivr.directory.entry import DirectoryEntry, Kind, build_entry, fixed_where, team_key
from ivr.directory.hours import HoursResolver, known_schedules, with_schedule
from ivr.directory.teams import TeamClaim, TeamRoute, listed_claims, resolve_teams
from ivr.directory.writing import replace_file, yaml_text
from ivr.yamlfile import LineDict, YamlError, line_of, load_yaml
from ivr.yamlshape import Kind as ShapeKind
from ivr.yamlshape import Problems, Shape

__all__ = [
    "CSV_COLUMNS",
    "Directory",
    "DirectoryEntry",
    "DirectoryError",
    "Kind",
    "TeamRoute",
]

CSV_COLUMNS = ("id", "kind", "name", "rank", "aliases", "extension", "hours", "team", "teams")
_REQUIRED_CSV = ("id", "kind", "name", "extension")
TEAMS_MAP = "the teams map"
# Field types are build_entry's to check: it reads CSV rows too, and an empty field is "".
_ENTRY = Shape(
    dict.fromkeys(
        (
            "id",
            "kind",
            "name",
            "rank",
            "first_name",
            "surname",
            "team",
            "teams",
            "aliases",
            "extension",
            "hours",
        ),
        ShapeKind.ANY,
    )
)
_TOP = Shape(
    {"entries": ShapeKind.LIST, "teams": ShapeKind.MAPPING},
    hint="with 'entries:'",
    may_be_empty=frozenset({"entries", "teams"}),
)


class DirectoryError(ValueError):
    """A directory file with errors; ``errors`` holds every "file:line: message"."""

    error_id = "directory-invalid"

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        shown = "; ".join(self.errors[:5])
        more = f" (+{len(self.errors) - 5} more)" if len(self.errors) > 5 else ""
        super().__init__(f"{len(self.errors)} directory error(s): {shown}{more}")


class Directory:
    """An immutable, validated set of entries with lookup by id."""

    def __init__(
        self,
        entries: tuple[DirectoryEntry, ...] | list[DirectoryEntry] = (),
        team_map: Mapping[str, str] | None = None,
        source: str = "<directory>:0",
    ) -> None:
        """``team_map``: the top-level ``teams:`` (team -> queue or directory:<id>);
        ``source``: where its errors say the map is."""
        self.entries: tuple[DirectoryEntry, ...] = tuple(entries)
        self._by_id = {e.id: e for e in self.entries}
        if len(self._by_id) != len(self.entries):
            raise DirectoryError(["<directory>:0: duplicate ids"])
        self.team_map: dict[str, str] = dict(team_map or {})
        claims = listed_claims(self.entries) + [
            TeamClaim(team, dest, source, TEAMS_MAP) for team, dest in self.team_map.items()
        ]
        routes, errors = resolve_teams(self.entries, claims)
        if errors:
            raise DirectoryError(errors)
        # Every team with a destination: listed by a department or in the map.
        self.teams: tuple[TeamRoute, ...] = routes
        self._teams = {team_key(route.name): route for route in routes}

    def team_route(self, team: str) -> TeamRoute | None:
        """Where a caller asking for ``team`` goes (None: the team has no destination)."""
        return self._teams.get(team_key(team))

    def get(self, entry_id: str) -> DirectoryEntry | None:
        return self._by_id.get(entry_id)

    def named_by(self, destination: str | None) -> DirectoryEntry | None:
        """The entry a ``directory:<id>`` destination names, if any (None for a queue)."""
        if destination is None or not destination.startswith(DIRECTORY_PREFIX):
            return None
        return self._by_id.get(destination[len(DIRECTORY_PREFIX) :])

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[DirectoryEntry]:
        return iter(self.entries)

    # --- YAML ---------------------------------------------------------------

    @classmethod
    def load_yaml(cls, path: Path, hours: HoursResolver | None = None) -> Directory:
        try:
            data = load_yaml(path)
        except YamlError as exc:
            raise DirectoryError([str(exc)]) from exc
        return cls.from_data(data, str(path), hours)

    @classmethod
    def from_data(cls, data: Any, name: str, hours: HoursResolver | None = None) -> Directory:
        """Validate parsed YAML (LineDict/LineList from ivr.yamlfile); ``hours`` as for CSV."""
        problems = Problems(name)
        top = _TOP.check(LineDict() if data is None else data, problems, line=1)
        if top is None:
            raise DirectoryError(problems.items)
        items = top.get("entries") or []
        entries: list[DirectoryEntry] = []
        seen: dict[str, int] = {}
        listed_at: dict[str, str] = {}
        for index, raw in enumerate(items):
            item_line = line_of(items, index)
            item = _ENTRY.check(raw, problems, "entry", item_line)
            if item is None:
                continue

            def where(field: str, item: LineDict = item) -> str:
                return f"{name}:{item.line_of(field)}"

            entry, errs = build_entry(item, where)
            problems.items.extend(errs)
            if entry is not None and hours is not None:
                entry = with_schedule(entry, hours, where("hours"), problems.items)
            if entry is not None:
                line = item.line_of("id")
                if entry.id in seen:
                    problems.add(
                        line, f"duplicate id {entry.id!r} (first on line {seen[entry.id]})"
                    )
                else:
                    seen[entry.id] = line
                    entries.append(entry)
                    listed_at[entry.id] = where("teams")
        team_map = _team_map(top.get("teams"), line_of(top, "teams"), problems)
        claims = listed_claims(entries, listed_at) + [
            TeamClaim(team, dest, f"{name}:{line}", TEAMS_MAP)
            for team, (dest, line) in team_map.items()
        ]
        problems.items.extend(resolve_teams(entries, claims)[1])
        errors = problems.items
        if errors:
            raise DirectoryError(errors)
        return cls(entries, {team: dest for team, (dest, _) in team_map.items()})

    def to_yaml(self, path: Path, header: str = "") -> None:
        """Write atomically (temp file + replace): a reader never sees half a file."""
        replace_file(path, self.yaml_text(header))

    def yaml_text(self, header: str = "") -> str:
        return yaml_text(self.entries, header, self.team_map)

    # --- CSV ----------------------------------------------------------------

    @classmethod
    def load_csv(
        cls,
        path: Path,
        progress: Callable[[int], None] | None = None,
        schedules: Collection[str] | HoursResolver | None = None,
    ) -> Directory:
        """Load a force export; every bad row is reported as "file:line: message".

        ``schedules``: the names an entry's ``hours`` may take, or a resolver that turns
        each cell into the schedule name to keep (None: not checked here).
        """
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return cls.parse_csv(handle, str(path), progress, schedules)
        except OSError as exc:
            raise DirectoryError([f"{path}:0: cannot read: {exc.strerror}"]) from exc
        except UnicodeDecodeError as exc:
            raise DirectoryError([f"{path}:0: not UTF-8 text ({exc.reason})"]) from exc

    @classmethod
    def parse_csv(
        cls,
        lines: Any,
        name: str,
        progress: Callable[[int], None] | None = None,
        schedules: Collection[str] | HoursResolver | None = None,
    ) -> Directory:
        hours = known_schedules(schedules) if isinstance(schedules, Collection) else schedules
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            raise DirectoryError([f"{name}:1: empty file (a header row is required)"]) from None
        except csv.Error as exc:
            raise DirectoryError([f"{name}:1: {exc}"]) from exc
        columns = [h.strip().lstrip("\ufeff").lower() for h in header]
        missing = [c for c in _REQUIRED_CSV if c not in columns]
        if missing:
            raise DirectoryError(
                [
                    f"{name}:1: header lacks column(s) {', '.join(missing)}"
                    f" (expected {','.join(CSV_COLUMNS)})"
                ]
            )
        index = {col: i for i, col in reversed(list(enumerate(columns)))}  # first wins
        known = [c for c in (*CSV_COLUMNS, "first_name", "surname") if c in index]
        errors: list[str] = []
        entries: list[DirectoryEntry] = []
        seen: dict[str, int] = {}
        listed_at: dict[str, str] = {}
        start = reader.line_num + 1
        rows = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                errors.append(f"{name}:{start}: {exc}")
                break
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            record = {c: (row[index[c]] if index[c] < len(row) else "") for c in known}
            entry, errs = build_entry(record, fixed_where(f"{name}:{line}"))
            errors.extend(errs)
            if entry is not None and hours is not None:
                entry = with_schedule(entry, hours, f"{name}:{line}", errors)
            if entry is not None:
                if entry.id in seen:
                    errors.append(
                        f"{name}:{line}: duplicate id {entry.id!r} (first on line {seen[entry.id]})"
                    )
                else:
                    seen[entry.id] = line
                    entries.append(entry)
                    listed_at[entry.id] = f"{name}:{line}"
            if progress is not None and rows % 1000 == 0:
                progress(rows)
        if progress is not None:
            progress(rows)
        errors.extend(resolve_teams(entries, listed_claims(entries, listed_at))[1])
        if errors:
            raise DirectoryError(errors)
        return cls(entries)


def _team_map(node: Any, line: int, problems: Problems) -> dict[str, tuple[str, int]]:
    """The top-level ``teams:`` as team -> (destination, line); bad items go to problems."""
    out: dict[str, tuple[str, int]] = {}
    if not isinstance(node, dict):
        return out
    for team, dest in node.items():
        at = line_of(node, team) or line
        if not isinstance(team, str) or not team.strip() or team.splitlines() != [team]:
            problems.add(at, f"teams: {team!r} is no team name (one line of text)")
        elif not isinstance(dest, str) or not dest.strip():
            problems.add(at, f"teams: {team!r}: expected a destination (rc, fcr, directory:<id>)")
        else:
            out[team] = (dest.strip(), at)
    return out
