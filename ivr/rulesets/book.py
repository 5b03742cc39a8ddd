"""RulesetBook: the versions as a running app reads and writes them, off the loop.

One connection on a thread of its own (ivr.store.thread); it is what RoutingService
asks for the version of each bundle it swaps in (``version_of``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ivr.routing.snapshot import RulesetFiles
from ivr.rulesets.store import RulesetStore, RulesetVersion, VersionKind
from ivr.store.db import CallStore
from ivr.store.thread import StoreThread

T = TypeVar("T")


class BookDown(RuntimeError):
    error_id = "rulesets-store-down"


class RulesetDb:
    """The call database's connection, with the rulesets table's queries."""

    def __init__(self, path: str | Path) -> None:
        self._calls = CallStore(path)
        self.rulesets = RulesetStore(self._calls.db)

    def close(self) -> None:
        self._calls.close()


class RulesetBook:
    def __init__(self, path: str | Path, clock: Callable[[], datetime]) -> None:
        self._thread: StoreThread[RulesetDb] = StoreThread(
            "rulesets", lambda: RulesetDb(path), lambda: BookDown("the rulesets store is closed")
        )
        self.clock = clock

    async def open(self) -> None:
        await self._thread.open()

    async def close(self) -> None:
        await self._thread.close()

    async def run(self, fn: Callable[[RulesetStore], T]) -> T:
        return await self._thread.run(lambda db: fn(db.rulesets))

    async def version_of(self, digest: str, folder: Path | None) -> int | None:
        at = self.clock()
        return await self.run(lambda store: store.version_of(digest, folder, at))

    async def history(self) -> list[RulesetVersion]:
        return await self.run(lambda store: store.history())

    async def files(self, version: int) -> RulesetFiles:
        return await self.run(lambda store: store.files(version))

    async def add(
        self, files: RulesetFiles, author: str, kind: VersionKind, comment: str
    ) -> RulesetVersion:
        at = self.clock()
        return await self.run(lambda store: store.add(files, at, author, kind, comment))
