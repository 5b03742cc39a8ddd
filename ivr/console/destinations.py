"""Which destinations an operator may name: a service, or a directory entry routing knows."""

from __future__ import annotations

from typing import Any, Protocol

from ivr.console.errors import BadRequest
from ivr.decisions import DIRECTORY_PREFIX, SERVICE_DESTINATIONS
from ivr.directory import DirectoryEntry


class Directory(Protocol):
    """The live ruleset's directory (ivr.routing.service.RoutingService)."""

    def directory_entry(self, entry_id: str) -> DirectoryEntry | None: ...


class KnownDestinations:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    def check(self, value: Any, what: str = "destination") -> str:
        """``value`` if routing knows it; else BadRequest naming what is wrong."""
        if not isinstance(value, str) or not value:
            raise BadRequest(f"{what} is required (a service, or directory:<id>)")
        if value in SERVICE_DESTINATIONS:
            return value
        if value.startswith(DIRECTORY_PREFIX):
            entry_id = value.removeprefix(DIRECTORY_PREFIX)
            if entry_id and self._directory.directory_entry(entry_id) is not None:
                return value
            raise BadRequest(f"{what}: no directory entry {entry_id[:60]!r}")
        known = ", ".join(sorted(SERVICE_DESTINATIONS))
        raise BadRequest(f"{what} {value[:60]!r} is unknown (one of {known}, or directory:<id>)")
