"""The draft as files: the live version's, with the admins' edits on top.

``DraftFiles`` is a plain value (which files, which edited, their digest), so every route
sees one consistent draft; ``materialised`` writes it into a temporary folder for the
loader ``ivr rules check`` uses, and ``relative`` turns that folder's paths in the
loader's messages back into file names ("rules.yaml:12: ...").
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ivr.routing.snapshot import RulesetFiles
from ivr.rulesets.draft_store import DraftEdit
from ivr.rulesets.folder import _safe


class DraftAction(StrEnum):
    """What the audit trail records of the draft (publishes are RulesetAction's)."""

    DISCARDED = "rules-draft-discarded"
    DIRECTORY_IMPORTED = "rules-draft-directory-imported"
    SUGGESTION_ACCEPTED = "rules-suggestion-accepted"


class NotText(ValueError):
    """A file of the ruleset that is not UTF-8 text: listed, never edited here."""

    error_id = "rules-draft-not-text"


@dataclass(frozen=True)
class DraftFiles:
    """One draft: ``base`` (the live version's files, ``based_on`` its number) + ``edits``."""

    base: RulesetFiles
    based_on: int | None
    edits: Mapping[str, DraftEdit] = field(default_factory=dict)
    files: RulesetFiles = field(init=False)

    def __post_init__(self) -> None:
        merged = dict(self.base.files)
        merged.update({name: edit.text.encode("utf-8") for name, edit in self.edits.items()})
        object.__setattr__(self, "files", RulesetFiles(merged))

    @property
    def digest(self) -> str:
        return self.files.digest

    @property
    def changed(self) -> bool:
        return self.digest != self.base.digest

    def is_changed(self, name: str) -> bool:
        return name in self.edits and self.files.files[name] != self.base.files.get(name)

    def knows(self, name: str) -> bool:
        return name in self.files.files

    def text(self, name: str) -> str:
        """The file's text (KeyError: no such file; NotText: binary)."""
        try:
            return self.files.files[name].decode("utf-8")
        except UnicodeDecodeError:
            raise NotText(f"{name} is not UTF-8 text: it is not edited in the browser") from None

    def with_text(self, name: str, text: str) -> DraftFiles:
        """This draft with one file's text replaced (for a check as the admin types)."""
        edit = DraftEdit(name, text, "", "", self.based_on)
        return DraftFiles(self.base, self.based_on, {**self.edits, name: edit})

    def to_json(self, errors: list[str]) -> dict[str, Any]:
        return {
            "based_on": self.based_on,
            "digest": self.digest,
            "files": [
                {"name": name, "size": len(data), "changed": self.is_changed(name)}
                for name, data in sorted(self.files.files.items())
            ],
            "errors": errors,
        }


@contextlib.contextmanager
def materialised(files: RulesetFiles) -> Iterator[Path]:
    """A temporary folder holding exactly ``files``; removed on leaving."""
    folder = Path(tempfile.mkdtemp(prefix="ivr-rules-draft-"))
    try:
        for relative, data in files.files.items():
            path = _safe(folder, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def relative(errors: list[str], folder: Path) -> list[str]:
    """The loader's messages with ``folder``'s paths as file names ("rules.yaml:3: ...")."""
    prefixes = sorted({f"{folder}/", f"{folder.resolve()}/"}, key=len, reverse=True)
    shown = []
    for error in errors:
        for prefix in prefixes:
            error = error.replace(prefix, "")
        shown.append(error)
    return shown
