"""``ivr directory import FILE``: a force's export into routing_rules/directory.yaml.

All-or-nothing on purpose: the whole export (CSV, or directory YAML) is
validated first and every bad row is reported by line; on any error nothing
is written, and on success the files are replaced atomically, so a running IVR
reloading them never sees half an import.

An ``hours`` cell may name a schedule or give literal opening hours
("Mon-Fri 09:00-17:00"): those reuse a schedule an earlier import added with the
same week and bank-holiday policy (``bank_holidays``: ivr.routing.schedules_add.
HolidayHours), or add one to schedules.yaml in the same import. The new schedules are written
first: they are additions no entry uses yet, so a reload between the two
files still finds a valid ruleset; if the directory then cannot be written,
schedules.yaml is put back as it was.

Names the rest of the ruleset uses that the new directory lacks are checked
before writing (``ivr.directory_refs``): a rule or intent that would dangle
makes ``ivr rules check`` fail, so the import is refused and each one printed
with the closest id in the new directory; a case or queue that would dangle
is a warning (the IVR copes: the SMS link, unused settings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ivr.directory.model import Directory, DirectoryError
from ivr.directory.writing import replace_file
from ivr.directory_refs import find_dangling
from ivr.routing.bundle import DEFAULT_FOLDER, resolve_files
from ivr.routing.schedules import SchedulesError
from ivr.routing.schedules_add import HolidayHours, NewSchedule, ScheduleFinder, with_added
from ivr.routing.schedules_yaml import parse_schedules

__all__ = ["ImportReport", "import_csv"]

HEADER = """Voice-activated directory: imported from {source}; edit here or re-import.
Layout: entries: [ {{id, kind: person|department, name, rank, first_name?, surname?, team,
aliases, teams?, extension, hours}} ], teams?: {{team: rc|fcr|switchboard|online|directory:<id>}};
see ivr/directory/model.py."""
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did; ``errors`` ("file:line: message") empty means it was written."""

    source: Path
    dest: Path
    people: int = 0
    departments: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # written all the same
    schedules_added: tuple[str, ...] = ()
    schedules_reused: tuple[str, ...] = ()
    schedules_file: Path | None = None
    added: tuple[NewSchedule, ...] = ()  # the schedules_added, with their policies
    bank_holidays: HolidayHours = HolidayHours.AUTO

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok

    def summary(self) -> str:
        if self.errors:
            return f"{self.source}: {len(self.errors)} error(s); {self.dest} not changed"
        text = (
            f"{self.dest}: {self.people} people, {self.departments} departments from {self.source}"
        )
        if self.schedules_added:
            text += f"; {len(self.schedules_added)} schedule(s) added to {self.schedules_file}"
        if self.schedules_reused:
            text += f"; hours matched schedule(s) {', '.join(self.schedules_reused)}"
        choice = self.bank_holidays.explained()
        return "\n".join([text, *(f"  {new.describe()} [{choice}]" for new in self.added)])


def import_csv(
    src: Path,
    dest: Path,
    progress: Callable[[int], None] | None = None,
    schedules: Path | None = None,
    *,
    bank_holidays: HolidayHours = HolidayHours.AUTO,
) -> ImportReport:
    """Validate ``src`` entirely, then write ``dest`` (and schedules.yaml) atomically, or
    write nothing.

    ``schedules``: the schedules.yaml an ``hours`` cell names or adds to (default: the one
    beside ``dest``, else the shipped one, whose additions then go beside ``dest``).
    ``bank_holidays``: what the schedules literal hours add do on a bank holiday.
    """
    read_from = schedules or _schedules_beside(dest)
    write_to = schedules or dest.parent / "schedules.yaml"
    try:
        schedules_text = _read(read_from)
        finder = ScheduleFinder(parse_schedules(schedules_text, str(read_from)), bank_holidays)
        directory = _load(src, progress, finder)
    except (SchedulesError, DirectoryError) as exc:
        return ImportReport(src, dest, errors=list(exc.errors))
    if not directory.team_map and src.suffix.lower() not in YAML_SUFFIXES:
        try:  # a CSV export cannot hold the top-level teams: map: keep the current one
            directory = _keep_team_map(directory, dest)
        except DirectoryError as exc:
            return ImportReport(src, dest, errors=list(exc.errors))
    if len(directory) == 0:
        # Writing it would leave callers nobody to ask for by name.
        return ImportReport(
            src, dest, errors=[f"{src}:1: no entries, only a header [directory-import-empty]"]
        )
    dangling = find_dangling(dest.parent, directory, lambda: _current_directory(dest.parent))
    refused = [d.message() for d in dangling if d.refuses]
    warnings = [d.message() for d in dangling if not d.refuses]
    if refused:
        return ImportReport(src, dest, errors=refused, warnings=warnings)
    try:
        new_schedules = with_added(schedules_text, finder.added, str(write_to))
    except SchedulesError as exc:
        return ImportReport(src, dest, errors=list(exc.errors))
    added = (write_to, new_schedules) if finder.added else None
    error = _write(directory, HEADER.format(source=src.name), dest, added)
    if error:
        return ImportReport(src, dest, errors=[error], warnings=warnings)
    people = sum(1 for e in directory if e.kind == "person")
    return ImportReport(
        src,
        dest,
        people=people,
        departments=len(directory) - people,
        warnings=warnings,
        schedules_added=tuple(new.name for new in finder.added),
        schedules_reused=tuple(sorted(finder.reused)),
        schedules_file=write_to if finder.added else None,
        added=finder.added,
        bank_holidays=bank_holidays,
    )


def _schedules_beside(dest: Path) -> Path:
    beside = dest.parent / "schedules.yaml"
    return beside if beside.is_file() else DEFAULT_FOLDER / "schedules.yaml"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SchedulesError([f"{path}:0: cannot read: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        raise SchedulesError([f"{path}:0: not UTF-8 text ({exc.reason})"]) from exc


def _load(src: Path, progress: Callable[[int], None] | None, finder: ScheduleFinder) -> Directory:
    if src.suffix.lower() in YAML_SUFFIXES:
        return Directory.load_yaml(src, finder)
    return Directory.load_csv(src, progress, finder)


def _keep_team_map(directory: Directory, dest: Path) -> Directory:
    """``directory`` with the teams: map of the file it replaces (teams that go to a
    queue: no CSV column holds them); refused if the map names an entry now gone."""
    if dest.suffix.lower() not in YAML_SUFFIXES or not dest.is_file():
        return directory
    try:
        current = Directory.load_yaml(dest)
    except DirectoryError:
        return directory  # a broken file's map is no map to keep
    if not current.team_map:
        return directory
    where = f"{dest}:0: the current teams: map, kept for the import"
    return Directory(directory.entries, current.team_map, where)


def _current_directory(folder: Path) -> Directory | None:
    """The directory the folder uses now (for "did you mean": an id renamed, name kept)."""
    files, _ = resolve_files(folder)
    path = files.get("directory")
    if path is None:
        return None
    try:
        return Directory.load_csv(path) if path.suffix == ".csv" else Directory.load_yaml(path)
    except DirectoryError:
        return None


def _write(
    directory: Directory, header: str, dest: Path, schedules: tuple[Path, str] | None
) -> str | None:
    """Schedules first (additions only), then the directory; on failure, undo the first."""
    before: str | None = None
    if schedules is not None:
        path, text = schedules
        try:
            before = path.read_text(encoding="utf-8") if path.is_file() else None
            replace_file(path, text)
        except (OSError, UnicodeDecodeError) as exc:
            return f"{path}:0: cannot write: {getattr(exc, 'strerror', None) or exc}"
    try:
        directory.to_yaml(dest, header)
    except OSError as exc:
        if schedules is not None:
            _undo(schedules[0], before)
        return f"{dest}:0: cannot write: {exc.strerror}"
    return None


def _undo(path: Path, before: str | None) -> None:
    try:
        if before is None:
            path.unlink(missing_ok=True)
        else:
            replace_file(path, before)
    except OSError:
        pass  # the additions are unused schedules: the ruleset stays valid either way
