"""DraftWorkspace: the shared draft as the routes see it, and its engine, built off the loop.

Reading the draft is one query on the rulesets store's thread plus the live version's
files (cached by version: a version's files never change). Building it writes the files
into a temporary folder and loads them as a publish does (RoutingService.build: in a
process of its own in the app, checked against the prompt catalogue), plus the queues
file, as ``ivr rules check`` does. A 100,000-entry directory takes most of a minute to
build, so a build is kept by its files' digest and shared: while an admin types, every
check of the same text, the next GET, a try and a replay all use one build.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ivr.routing.engine import RoutingEngine
from ivr.routing.service import RoutingService
from ivr.routing.snapshot import RulesetFiles, read_ruleset
from ivr.rulesets.book import RulesetBook
from ivr.rulesets.draft import DraftFiles, materialised, relative
from ivr.rulesets.draft_store import DraftStore
from ivr.rulesets.folder import check_queues

log = logging.getLogger(__name__)
KEPT_BUILDS = 2  # the saved draft, and the text being typed: each may hold a big directory


@dataclass(frozen=True)
class DraftBuild:
    """A draft's files built: the engine when valid, else every error ("file:line: ...")."""

    digest: str
    errors: list[str]
    engine: RoutingEngine | None


class DraftWorkspace:
    def __init__(self, routing: RoutingService, book: RulesetBook) -> None:
        self.routing = routing
        self.book = book
        self._base: tuple[int, RulesetFiles] | None = None
        self._builds: OrderedDict[str, DraftBuild] = OrderedDict()
        self._building: dict[str, asyncio.Task[DraftBuild]] = {}
        self._one_at_a_time = asyncio.Lock()

    async def base(self) -> tuple[RulesetFiles, int | None]:
        """The live version's files, and its number (None: the folder, unversioned)."""
        version = self.routing.version
        if version is None:
            return await asyncio.to_thread(read_ruleset, self.routing.folder), None
        if self._base is None or self._base[0] != version:
            self._base = (version, await self.book.files(version))
        return self._base[1], version

    async def current(self) -> DraftFiles:
        edits = await self.book.run(lambda store: DraftStore(store.db).edits())
        base, version = await self.base()
        # Merging and hashing a 30 MB directory is for a thread, not the loop.
        return await asyncio.to_thread(DraftFiles, base, version, edits)

    async def save(self, texts: Mapping[str, str | None], who: str) -> DraftFiles:
        """Each named file's text into the draft (a text equal to the live file's, or None,
        drops the edit), in one transaction; the draft after it."""
        base, version = await self.base()
        wanted = {
            name: None if text is None or text.encode("utf-8") == base.files.get(name) else text
            for name, text in texts.items()
        }
        at = self.book.clock()
        await self.book.run(lambda store: DraftStore(store.db).save(wanted, who, at, version))
        return await self.current()

    async def discard(self) -> int:
        return await self.book.run(lambda store: DraftStore(store.db).discard())

    async def built(self, draft: DraftFiles) -> DraftBuild:
        """The draft's build: kept, being built (joined), or built now."""
        digest = draft.digest
        kept = self._builds.get(digest)
        if kept is not None:
            self._builds.move_to_end(digest)
            return kept
        task = self._building.get(digest)
        if task is None:
            task = asyncio.ensure_future(self._build(draft.files))
            self._building[digest] = task
            task.add_done_callback(lambda _: self._building.pop(digest, None))
        return await asyncio.shield(task)

    async def _build(self, files: RulesetFiles) -> DraftBuild:
        async with self._one_at_a_time:  # one builder process at a time
            staging = materialised(files)
            folder = await asyncio.to_thread(staging.__enter__)
            try:
                errors, engine = await self._load(folder)
                errors += await asyncio.to_thread(check_queues, folder)
            finally:
                await asyncio.to_thread(staging.__exit__, None, None, None)
        build = DraftBuild(files.digest, relative(errors, folder), None if errors else engine)
        self._builds[files.digest] = build
        while len(self._builds) > KEPT_BUILDS:
            self._builds.popitem(last=False)
        return build

    async def _load(self, folder: Path) -> tuple[list[str], RoutingEngine | None]:
        try:
            bundle = await self.routing.build(folder)
        except ValueError as exc:
            return [str(e) for e in getattr(exc, "errors", None) or [exc]], None
        except Exception as exc:  # the builder itself failed (its process died, say)
            log.exception("a rules draft failed to build")
            return [f"rules-build-failed: {type(exc).__name__}: {exc}"], None
        return [], await asyncio.to_thread(RoutingEngine, bundle)
