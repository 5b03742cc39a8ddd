"""How big each file of a ruleset may be before it is refused unread.

A reload parses every file of the folder; a runaway export or a file pasted
into the wrong place (a 10 MB rules.yaml) would cost minutes of parsing and
hundreds of MB before failing anyway. Checking the size first makes that a
clear, instant error, and the live rules stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SizeLimits:
    """Bytes per part; the hand-edited files are small, the exports may be large."""

    rules: int = 2 * MB
    schedules: int = 1 * MB
    intents: int = 2 * MB
    directory: int = 32 * MB  # ~250,000 entries as YAML
    cases: int = 32 * MB

    def limit_for(self, part: str) -> int:
        """``part`` as ``ivr.routing.bundle.FILES`` names it."""
        return {
            "rules.yaml": self.rules,
            "schedules.yaml": self.schedules,
            "intents.yaml": self.intents,
            "directory": self.directory,
            "cases.csv": self.cases,
        }[part]

    def oversized(self, files: Mapping[str, Path]) -> dict[str, str]:
        """Part -> 'file:0: ...' for every file over its limit (error id ``file-too-large``)."""
        errors: dict[str, str] = {}
        for part, path in files.items():
            try:
                size = path.stat().st_size
            except OSError:
                continue  # the loader reports an unreadable file with its own words
            limit = self.limit_for(part)
            if size > limit:
                errors[part] = (
                    f"{path}:0: {_size(size)} is over the {_size(limit)} limit for"
                    f" {path.name}; not read [file-too-large]"
                )
        return errors


def _size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n / 1024:.1f} KB"


SIZE_LIMITS = SizeLimits()
