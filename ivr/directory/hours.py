"""An entry's ``hours`` on the way in: whatever a file holds, turned into a schedule name.

The directory cannot read schedules (they are the routing package's, a row
above), so whoever loads a file with hours to check passes a resolver: a
set of known names (``known_schedules``) or the importer's, which also reads
literal opening hours and may add schedules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivr.directory.model import DirectoryEntry

__all__ = ["HoursResolver", "known_schedules", "with_schedule"]

# An ``hours`` cell -> the schedule name to keep ("" = always); ValueError says why not.
HoursResolver = Callable[[str], str]


def known_schedules(names: Collection[str]) -> HoursResolver:
    """Hours that must already be one of ``names``."""

    def resolve(hours: str) -> str:
        if hours not in names:
            raise ValueError(
                f"unknown schedule {hours!r} (not in schedules.yaml) [schedule-unknown]"
            )
        return hours

    return resolve


def with_schedule(
    entry: DirectoryEntry, hours: HoursResolver, where: str, errors: list[str]
) -> DirectoryEntry:
    """``entry`` with its hours resolved; on a bad cell the reason goes to ``errors``
    and the entry stays as it was (still checked for a duplicate id: every error at once)."""
    if not entry.hours:
        return entry
    try:
        return replace(entry, hours=hours(entry.hours))
    except ValueError as exc:
        errors.append(f"{where}: entry {entry.id!r}: {exc}")
        return entry
