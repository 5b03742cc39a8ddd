"""RulesetFollower: every node routes by the ruleset a person last published or rolled back.

Several ``ivr serve`` share one database (active and standby for one Asterisk, or one per
Asterisk), but each has a rules folder of its own: a publish or rollback through node A
changes A's folder and A's routing only. So each node reads, every ``FOLLOW_S``, the
newest version a person chose (``store.CHOSEN``: published or rolled back, through any
node or ``ivr rules``; never an adopted one, a node's own folder) and applies it here as
a rollback is applied (ivr.rulesets.live_write: the folder kept if no version has it,
the files staged, checked, swapped in whole, then published: calls in progress keep the
rules they started with), but stores no version for it: it is one already, and a node
storing what it follows would make the others follow it back.

A version is applied when its files differ from the live rules' and it is newer than
what this node routes by or last wrote itself: its own publish is not applied again, nor
a folder an admin edited by hand and reloaded on this node (adopted, so newer). One that
does not build here (another release: a prompt or a setting it lacks) is logged once and
skipped; this node keeps its rules until a newer version comes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from ivr.rulesets.admin import Refused
from ivr.rulesets.folder import UnsafePath
from ivr.rulesets.live_write import LiveWriter
from ivr.rulesets.restart import read_at_start, restart_hint, restart_needed
from ivr.rulesets.store import RulesetVersion

log = logging.getLogger(__name__)

# How soon a version published on another node routes calls here. A tick reads one row
# of the versions table (not its files) when nothing changed, so it costs the database
# nothing worth a setting; a publish is a planned change, not urgent as a divert is
# (ivr.console.wiring reads those every 2 s), and a standby taking over is as current.
FOLLOW_S = 5.0


class RulesetFollower:
    def __init__(self, writer: LiveWriter, every_s: float = FOLLOW_S) -> None:
        self.writer = writer
        self.routing = writer.routing
        self.book = writer.book
        self.every_s = every_s
        self._skipped: set[int] = set()  # versions that do not build here (logged once)
        self._failed: set[int] = set()  # versions not written here, tried again (logged once)
        self._down = False  # the last tick could not read the versions (logged once)

    async def tick(self) -> RulesetVersion | None:
        """Apply the newest chosen version here if it is due; the version applied, or None
        (nothing due, this node's own writer busy, or the version could not be applied)."""
        if self.writer.busy:
            return None
        chosen = await self.book.run(lambda store: store.newest_chosen())
        if chosen is None or not self._due(chosen) or self.writer.busy:
            return None
        async with self.writer.lock:  # no await since `busy`: this node's writes wait
            return await self._apply(chosen)

    def _due(self, chosen: RulesetVersion) -> bool:
        if chosen.version in self._skipped or chosen.digest == self.routing.bundle.digest:
            return False
        return chosen.version > max(self.routing.version or 0, self.writer.applied)

    async def _apply(self, chosen: RulesetVersion) -> RulesetVersion | None:
        n = chosen.version
        folder = self.routing.folder
        assert folder is not None, "no rules folder: nothing to follow"
        try:
            files = await self.book.files(n)
            before = await asyncio.to_thread(read_at_start, folder)
            await self.writer.keep_live(
                f"the folder as it was before version {n}, published elsewhere, was applied"
            )
            written = await self.writer.swap(files, invalid=f"version {n} does not build here")
        except (Refused, UnsafePath) as exc:
            self._skipped.add(n)
            self._refused(chosen, exc)
            return None
        except OSError as exc:  # FolderUnwritable says what it needs; tried again next tick
            if n not in self._failed:
                self._failed.add(n)
                log.error("rules version %d published on another node not written here: %s", n, exc)
            return None
        self.writer.applied = max(self.writer.applied, n)
        errors = await self.routing.publish()
        if errors:
            log.error(
                "rules version %d published on another node is in %s but not live here (%d"
                " errors; a reload tries again)",
                n,
                folder,
                len(errors),
            )
            return None
        log.info(
            "rules version %d published on another node applied here: %s by %s at %s%s",
            n,
            chosen.kind.value,
            chosen.author,
            chosen.at,
            f" ({chosen.comment})" if chosen.comment else "",
        )
        parts = restart_needed(before, written.files)
        if parts:
            log.warning("rules version %d applied here: %s", n, restart_hint(parts))
        return chosen

    def _refused(self, chosen: RulesetVersion, exc: Exception) -> None:
        errors = getattr(exc, "errors", None) or [str(exc)]
        log.error(
            "rules version %d published on another node does not build here (%d errors):"
            " skipped; this node keeps routing by version %s",
            chosen.version,
            len(errors),
            self.routing.version,
        )
        for error in errors:
            log.error("rules version %d here: %s", chosen.version, error)

    async def run(self) -> None:
        """Tick every ``every_s`` (the first tick is ``lifetime``'s)."""
        while True:
            await asyncio.sleep(self.every_s)
            await self.tick_or_log()

    async def tick_or_log(self) -> None:
        """One tick; a database that cannot be read keeps the rules live here (logged once
        until it can be read again), never stops the calls or start-up."""
        try:
            await self.tick()
        except Exception as exc:
            if not self._down:
                log.warning(
                    "published rules not followed: %s: %s (tried again every %g s)",
                    type(exc).__name__,
                    exc,
                    self.every_s,
                )
            self._down = True
        else:
            self._down = False

    async def lifetime(self, app: web.Application) -> AsyncIterator[None]:
        """An aiohttp ``cleanup_ctx``, installed after the versions store opens
        (ivr.rulesets.api.register) and before calls connect: the first tick is awaited, so
        a node started (or restarted) after a publish elsewhere answers its first call by it."""
        await self.tick_or_log()
        task = asyncio.create_task(self.run(), name="rules-follow")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
