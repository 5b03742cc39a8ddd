"""Publish, roll back, compare: what ``ivr rules`` does, on the thread that calls it.

A publish snapshots the configured folder once it passes the checks ``ivr rules check``
makes. A rollback writes an earlier version's files into the folder whole (staged,
checked, swapped: ivr.rulesets.folder) and stores what the folder then holds as a new
version (its parts, with today's shipped defaults for those it lacks); a folder edited
by hand is stored first (adopted), so a rollback never loses what was live. Neither
touches a running app: it reloads on SIGHUP and finds the version by digest (and is
restarted for a changed queues.yaml: ``restart``, ivr.rulesets.restart).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from ivr.routing.snapshot import RulesetFiles, read_ruleset
from ivr.rulesets.diff import FileDiff, diff_rulesets
from ivr.rulesets.folder import check_folder, stage, swap_in
from ivr.rulesets.restart import restart_needed
from ivr.rulesets.store import RulesetStore, RulesetVersion, VersionKind

LIVE = "live"  # the folder as it is now, in `ivr rules diff`


class RulesetAction(StrEnum):
    """What the audit trail records of rulesets (ivr.console.audit)."""

    PUBLISHED = "rules-published"
    ROLLED_BACK = "rules-rolled-back"


class Refused(ValueError):
    """The ruleset is not valid (``errors``: file:line: message), or the request is not."""

    error_id = "ruleset-refused"

    def __init__(self, message: str, errors: Collection[str] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass(frozen=True)
class Published:
    version: RulesetVersion
    unchanged: bool  # the folder already was the newest version: nothing stored
    restart: tuple[str, ...] = ()  # parts read at start-up only that the publish changed


@dataclass(frozen=True)
class RolledBack:
    version: RulesetVersion  # the new version: what the folder holds now
    restart: tuple[str, ...]  # parts read at start-up only that the rollback changed


def rollback_comment(to: int, comment: str) -> str:
    return f"rollback to {to}" + (f": {comment}" if comment else "")


def parse_ref(text: str) -> int | str:
    """A version number, or ``live``."""
    value = text.strip().lower()
    if value == LIVE:
        return LIVE
    if value.isascii() and value.isdigit() and 0 < len(value) <= 9 and int(value) > 0:
        return int(value)
    raise Refused(f"{text[:20]!r} is not a version number or {LIVE!r}")


class RulesetAdmin:
    def __init__(
        self,
        store: RulesetStore,
        folder: Path | None,
        prompts: Collection[str] | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.folder = folder
        self.prompts = prompts
        self.clock = clock

    def _own_folder(self) -> Path:
        if self.folder is None:
            raise Refused(
                "no rules folder is configured ([routing] rules, IVR_RULES): the shipped"
                " rules are not published or rolled back"
            )
        return self.folder

    def files_of(self, ref: int | str) -> RulesetFiles:
        return read_ruleset(self.folder) if ref == LIVE else self.store.files(int(ref))

    def diff(self, a: int | str, b: int | str) -> list[FileDiff]:
        return diff_rulesets(self.files_of(a), self.files_of(b), str(a), str(b))

    def publish(self, author: str, comment: str) -> Published:
        folder = self._own_folder()
        files = read_ruleset(folder)
        errors = check_folder(folder, self.prompts, folder)
        if errors:
            raise Refused(f"{folder} is not valid", errors)
        if read_ruleset(folder).digest != files.digest:
            raise Refused(f"{folder} changed while it was checked: publish again")
        latest = self.store.latest()
        if latest is not None and latest.digest == files.digest:
            return Published(latest, unchanged=True)
        added = self.store.add(files, self.clock(), author, VersionKind.PUBLISH, comment)
        if latest is None:  # the first: nothing to compare with
            return Published(added, unchanged=False)
        before = self.store.files(latest.version).files
        return Published(added, unchanged=False, restart=restart_needed(before, files.files))

    def keep_live(self, why: str) -> None:
        """Store the folder as it is now if no version has its files (edited by hand)."""
        folder = self._own_folder()
        if folder.is_dir():
            self.store.version_of(read_ruleset(folder).digest, folder, self.clock(), why)

    def rollback(self, to: int, author: str, comment: str) -> RolledBack:
        folder = self._own_folder()
        files = self.store.files(to)
        self.keep_live(f"the folder as it was before the rollback to {to}")
        before = read_ruleset(folder)
        with stage(folder, files) as staged:
            errors = check_folder(staged, self.prompts, folder)
            if errors:
                raise Refused(f"version {to} is not valid now", errors)
            written = read_ruleset(staged)
            swap_in(staged, folder)
        added = self.store.add(
            written, self.clock(), author, VersionKind.ROLLBACK, rollback_comment(to, comment)
        )
        return RolledBack(added, restart_needed(before.files, written.files))
