"""The parts of a ruleset a running app reads once, at start-up: a change needs a restart.

queues.yaml is versioned with the rules, but ivr.app builds the queues from it when the
app starts and a reload does not rebuild them (they hold callers waiting). So a publish
or rollback that changes it says so, as does ``GET /api/rules/versions`` while the
folder's copy differs from the one the app started with.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ivr.routing.bundle import DEFAULT_FOLDER

READ_AT_START = ("queues.yaml",)


def restart_hint(parts: tuple[str, ...]) -> str:
    return (
        f"{', '.join(parts)} changed: a running app reads it at start-up only; restart the"
        " app (systemctl restart ivr101) for it to apply"
    )


def read_at_start(folder: Path | None) -> dict[str, bytes]:
    """The start-up parts as the app would read them from ``folder`` now (the shipped
    default where the folder lacks one). OSError if one cannot be read."""
    found: dict[str, bytes] = {}
    for name in READ_AT_START:
        own = folder / name if folder is not None else None
        path = own if own is not None and own.is_file() else DEFAULT_FOLDER / name
        if path.is_file():
            found[name] = path.read_bytes()
    return found


def restart_needed(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> tuple[str, ...]:
    """The start-up parts that differ between two rulesets' files."""
    return tuple(name for name in READ_AT_START if before.get(name) != after.get(name))
