"""What changed between two rulesets: a unified diff per file that differs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ivr.routing.snapshot import RulesetFiles

MAX_LINES = 5000  # per file: a re-imported 100,000-entry directory stays readable


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FileDiff:
    path: str
    change: Change
    lines: tuple[str, ...]  # the unified diff, without line ends
    cut: int = 0  # lines left out past MAX_LINES

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "change": self.change.value,
            "diff": "\n".join(self.lines),
            "lines_left_out": self.cut,
        }

    def text(self) -> str:
        more = [f"... {self.cut} more lines"] if self.cut else []
        return "\n".join([*self.lines, *more])


def _lines(data: bytes | None) -> list[str] | None:
    """Text lines, or None for bytes that are not UTF-8 text."""
    if data is None:
        return []
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None


def diff_rulesets(
    a: RulesetFiles, b: RulesetFiles, a_name: str, b_name: str, max_lines: int = MAX_LINES
) -> list[FileDiff]:
    """One FileDiff per file that differs, in path order ([]: the same files)."""
    found: list[FileDiff] = []
    for path in sorted(set(a.files) | set(b.files)):
        old, new = a.files.get(path), b.files.get(path)
        if old == new:
            continue
        change = Change.ADDED if old is None else Change.REMOVED if new is None else Change.CHANGED
        old_lines, new_lines = _lines(old), _lines(new)
        if old_lines is None or new_lines is None:
            lines = [f"Binary files {a_name}/{path} and {b_name}/{path} differ"]
        else:
            lines = list(
                difflib.unified_diff(
                    old_lines, new_lines, f"{a_name}/{path}", f"{b_name}/{path}", lineterm=""
                )
            )
        found.append(
            FileDiff(path, change, tuple(lines[:max_lines]), max(0, len(lines) - max_lines))
        )
    return found
