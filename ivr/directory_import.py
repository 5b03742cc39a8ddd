"""``ivr directory import FILE.csv``: a force's export into routing_rules/directory.yaml.

All-or-nothing on purpose: the whole CSV is validated first and every bad
row is reported by line; on any error the live directory is left untouched,
and on success it is replaced atomically, so a running IVR reloading the
file never sees half an import. It checks each entry's hours against the routing
bundle's schedules, so it sits above both packages rather than in the directory's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ivr.directory.model import Directory, DirectoryError
from ivr.routing.bundle import DEFAULT_FOLDER
from ivr.routing.schedules import SchedulesError
from ivr.routing.schedules_yaml import load_schedules

__all__ = ["ImportReport", "import_csv"]

HEADER = """Voice-activated directory: imported from {source}; edit here or re-import.
Layout: entries: [ {{id, kind: person|department, name, rank, first_name?, surname?, team,
aliases, extension, hours}} ]; see ivr/directory/model.py."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did; ``errors`` ("file:line: message") empty means it was written."""

    source: Path
    dest: Path
    people: int = 0
    departments: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok

    def summary(self) -> str:
        if self.errors:
            return f"{self.source}: {len(self.errors)} error(s); {self.dest} not changed"
        return (
            f"{self.dest}: {self.people} people, {self.departments} departments from {self.source}"
        )


def import_csv(
    src: Path,
    dest: Path,
    progress: Callable[[int], None] | None = None,
    schedules: Path | None = None,
) -> ImportReport:
    """Validate ``src`` entirely, then write ``dest`` atomically, or write nothing.

    Each entry's ``hours`` must name a schedule of ``schedules`` (default: the
    schedules.yaml beside ``dest``, else the shipped one), or the next reload would
    refuse the whole ruleset for it.
    """
    schedules_file = schedules or _schedules_beside(dest)
    try:
        names = load_schedules(schedules_file).names
        directory = Directory.load_csv(src, progress, names)
    except SchedulesError as exc:
        return ImportReport(src, dest, errors=list(exc.errors))
    except DirectoryError as exc:
        return ImportReport(src, dest, errors=list(exc.errors))
    if len(directory) == 0:
        # Writing it would leave callers nobody to ask for by name.
        return ImportReport(
            src, dest, errors=[f"{src}:1: no entries, only a header [directory-import-empty]"]
        )
    try:
        directory.to_yaml(dest, HEADER.format(source=src.name))
    except OSError as exc:
        return ImportReport(src, dest, errors=[f"{dest}:0: cannot write: {exc.strerror}"])
    people = sum(1 for e in directory if e.kind == "person")
    return ImportReport(src, dest, people=people, departments=len(directory) - people)


def _schedules_beside(dest: Path) -> Path:
    beside = dest.parent / "schedules.yaml"
    return beside if beside.is_file() else DEFAULT_FOLDER / "schedules.yaml"
