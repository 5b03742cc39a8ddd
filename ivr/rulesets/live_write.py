"""LiveWriter: a ruleset's files written into the live folder whole, stored, then published.

One path for a rollback and a draft's publish, so both are equally safe: the folder as it
is now is kept as a version first (edited by hand, it would otherwise be lost); the new
files are staged beside it, built and checked as a publish builds (off the loop), and
swapped in whole (ivr.rulesets.folder); only then stored as a version. The app's
RoutingService then publishes them: calls in progress keep the rules they started with.
One write at a time, and none while RoutingService is building a publish.

A version published on another node is applied here the same way (``keep_live`` and
``swap``, by ivr.rulesets.follow), without being stored again: it is a version already.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from ivr.routing.service import RoutingService
from ivr.routing.snapshot import RulesetFiles, read_ruleset
from ivr.rulesets.admin import Refused
from ivr.rulesets.book import RulesetBook
from ivr.rulesets.folder import check_queues, shown, stage, swap_in
from ivr.rulesets.store import RulesetVersion, VersionKind


class LiveWriter:
    def __init__(self, routing: RoutingService, book: RulesetBook) -> None:
        self.routing = routing
        self.book = book
        self.lock = asyncio.Lock()  # held by the caller across the write and the publish
        # The newest version this node wrote into its folder (stored here, or followed from
        # another node): never applied again, even if its publish here failed.
        self.applied = 0

    @property
    def busy(self) -> bool:
        return self.routing.publishing or self.lock.locked()

    async def write(
        self,
        files: RulesetFiles,
        who: str,
        kind: VersionKind,
        comment: str,
        *,
        before: str,
        invalid: str,
    ) -> RulesetVersion:
        """Swap ``files`` in and store them; Refused(``invalid``, errors) if they do not
        build. ``before`` says why the folder as it was is kept (when no version has it)."""
        await self.keep_live(before)
        written = await self.swap(files, invalid=invalid)
        added = await self.book.add(written, who, kind, comment)
        self.applied = max(self.applied, added.version)
        return added

    async def keep_live(self, why: str) -> None:
        """The folder as it is now, stored (adopted, ``why``) if no version has its files."""
        folder = self._folder()
        if folder.is_dir():
            live = await asyncio.to_thread(read_ruleset, folder)
            at = self.book.clock()
            await self.book.run(lambda s: s.version_of(live.digest, folder, at, why))

    async def swap(self, files: RulesetFiles, *, invalid: str) -> RulesetFiles:
        """``files`` staged, checked and swapped into the folder whole; the files as written
        (the version's own parts, with this release's defaults). Refused(``invalid``,
        errors) if they do not build here, the folder untouched."""
        folder = self._folder()
        staging = stage(folder, files)
        staged = await asyncio.to_thread(staging.__enter__)
        try:
            errors = await self.routing.check(staged)
            errors += await asyncio.to_thread(check_queues, staged)
            if errors:
                raise Refused(invalid, shown(errors, staged, folder))
            written = await asyncio.to_thread(read_ruleset, staged)
            await asyncio.to_thread(swap_in, staged, folder)
        finally:
            await asyncio.to_thread(staging.__exit__, None, None, None)
        return written

    def _folder(self) -> Path:
        folder = self.routing.folder
        assert folder is not None, "no rules folder: refused before a write"
        return folder
