"""RoutingService: the live ruleset of a running app, swapped only when valid.

Admins publish changes to routing_rules/; a reload loads the whole bundle
first and swaps it in only if every file is valid, so a bad file never
replaces a good live ruleset (the errors are returned instead).

A running app publishes with ``publish()``: the files are parsed and the
bundle built in a process of its own (``ProcessBuilder``: a 100,000-entry
directory takes most of a minute of pure-Python YAML parsing), and only the
finished bundle is swapped in, on the loop, as one assignment. Calls keep
being routed by the old rules meanwhile; ``bench/reload.py`` measures the
loop's lag during such a reload.

Every live bundle carries its ruleset version (``use_versions``: the digest of the files
it was built from names one, ivr.rulesets), and so every Decision does. A call keeps the
rules it started with (``pinned``): a publish mid-call applies from the next call on.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Protocol

from ivr.chores import Chores
from ivr.decisions import Decision, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.routing.builders import BundleBuilder, ThreadBuilder
from ivr.routing.bundle import RoutingBundle, load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import Override, RoutingInputs
from ivr.routing.snapshot import build_fingerprinted

log = logging.getLogger(__name__)


class OverrideSource(Protocol):
    """The operators' diverts in force (ivr.console.diverts.DivertStore): read from
    memory, synchronously, so routing a call never waits on a database."""

    def active(self, at: datetime) -> tuple[Override, ...]: ...


class RulesetVersions(Protocol):
    """The published versions (ivr.rulesets.book.RulesetBook)."""

    async def version_of(self, digest: str, folder: Path | None) -> int | None:
        """The version whose files have ``digest``; the folder's files stored as a new
        (adopted) version when none has; None when the folder no longer holds them."""
        ...


class BundleLoader(Protocol):
    def __call__(
        self, folder: Path | None, prompts: frozenset[str] | None = None
    ) -> RoutingBundle: ...


@dataclass(frozen=True, slots=True)
class LiveRules:
    """What calls are routed by; replaced whole, so a reader never mixes two generations."""

    bundle: RoutingBundle
    engine: RoutingEngine
    generation: int


def build_without_gc_pauses(build: Callable[[], RoutingBundle]) -> RoutingBundle:
    """Run ``build`` with the cyclic GC paused: a bundle makes millions of objects and no
    cycles, so collections during the build only cost time (bench/reload.py: 5,000 rows,
    lag p99 55 ms with the GC on, 16 ms paused, when built on a thread of the app)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return build()
    finally:
        if enabled:
            gc.enable()


class RoutingService:
    def __init__(
        self,
        folder: Path | None,
        loader: BundleLoader = load_bundle,
        prompts: Iterable[str] | None = None,
        builder: BundleBuilder | None = None,
    ) -> None:
        """``prompts``: the catalogue's ids, so a rule's ``message`` typo is caught at publish.

        ``builder`` builds a published bundle off the loop (default: a thread; a running
        app gives ``ProcessBuilder()``); the loader and its arguments are plain picklable
        values.
        """
        self.folder = folder
        self._loader = loader
        self._prompts = None if prompts is None else frozenset(prompts)
        self._build = partial(build_fingerprinted, partial(loader, folder, self._prompts), folder)
        self._builder: BundleBuilder = builder or ThreadBuilder()
        # At start-up a bad ruleset is fatal (nothing to fall back on): the error propagates.
        bundle = self._build()
        self._live = LiveRules(bundle, RoutingEngine(bundle), 1)
        self._publishing = asyncio.Lock()
        self._requested = 0  # publishes asked for
        self._covered = 0  # the latest request a finished build had read the files for
        self._last_errors: list[str] = []
        self._chores = Chores()
        self._overrides: OverrideSource | None = None
        self._versions: RulesetVersions | None = None

    @property
    def bundle(self) -> RoutingBundle:
        return self._live.bundle

    @property
    def engine(self) -> RoutingEngine:
        return self._live.engine

    @property
    def generation(self) -> int:
        return self._live.generation

    @property
    def version(self) -> int | None:
        """The live ruleset's published version (None: no versions attached)."""
        return self._live.bundle.version

    @property
    def publishing(self) -> bool:
        """A publish is building now."""
        return self._publishing.locked()

    def pinned(self) -> PinnedRules:
        """One call's view: the rules live now, for every question of the call."""
        return PinnedRules(self, self._live)

    async def use_versions(self, versions: RulesetVersions) -> None:
        """Name the live ruleset's version, and every published one's from now on.

        A folder changed since the live bundle was built is published afresh.
        """
        self._versions = versions
        async with self._publishing:
            live = self._live
            stamped = await self._stamp(live.bundle)
            if stamped is not None and self._live is live:
                self._live = LiveRules(stamped, RoutingEngine(stamped), live.generation)
        if stamped is None:
            await self.publish()

    def use_overrides(self, source: OverrideSource) -> None:
        """Apply ``source``'s diverts to every decision from now on (the console's)."""
        self._overrides = source

    def decide(self, inputs: RoutingInputs) -> Decision:
        """The live engine's decision, with the diverts in force passed in its inputs (the
        engine itself reads no store: it stays pure and replayable)."""
        return self.decide_by(self._live, inputs)

    def decide_by(self, live: LiveRules, inputs: RoutingInputs) -> Decision:
        """``live``'s decision, with the diverts in force now."""
        return live.engine.decide(self.in_force(inputs))

    def in_force(self, inputs: RoutingInputs) -> RoutingInputs:
        """``inputs`` as ``decide`` hands them to the engine: with the diverts in force
        (what a call's decision is stored with, to be replayed: ivr.replay)."""
        if self._overrides is not None:
            diverts = self._overrides.active(inputs.at)
            if diverts:
                return replace(inputs, overrides=(*inputs.overrides, *diverts))
        return inputs

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        return self._live.engine.breakout(hypotheses, digits)

    @property
    def emergency_key(self) -> str | None:
        return self._live.engine.emergency_key

    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        return self._live.bundle.directory.get(entry_id)

    def reload(self) -> list[str]:
        """Build on this thread and swap; for tools and tests, not a running loop."""
        try:
            bundle = self._build()
        except ValueError as exc:
            return self._refused(exc)
        self._swap(bundle)
        return []

    async def publish(self) -> list[str]:
        """Build the folder's rules off the loop and swap them in; on any error keep the live.

        Publishes that arrive while one is building are served by one more build after it
        (it reads the files as they are then), not one build each.
        """
        self._requested += 1
        ticket = self._requested
        async with self._publishing:
            if self._covered >= ticket:
                return list(self._last_errors)
            covering = self._requested
            self._last_errors = await self._build_and_swap()
            self._covered = covering
            return list(self._last_errors)

    async def _build_and_swap(self, attempts: int = 3) -> list[str]:
        """Build, name the version, swap; a folder changed after its build (no version
        has the files built) is built again, and in the end swapped in without one."""
        for attempt in range(1, attempts + 1):
            try:
                bundle = await self._builder.build(partial(build_without_gc_pauses, self._build))
            except ValueError as exc:
                return self._refused(exc)
            except Exception as exc:  # the builder itself failed (its process died, say)
                log.exception("routing rules not reloaded: the build failed")
                return [f"rules-build-failed: {type(exc).__name__}: {exc}"]
            stamped = await self._stamp(bundle)
            if stamped is None and attempt < attempts:
                log.warning("the rules folder changed after it was built; building it again")
                continue
            if stamped is None:
                log.error("the rules folder kept changing: its rules are live without a version")
            self._swap(stamped or bundle)
            break
        return []

    async def _stamp(self, bundle: RoutingBundle) -> RoutingBundle | None:
        """``bundle`` with its version; None if its files are no longer in the folder.

        A versions store that fails leaves the bundle unversioned: calls are routed by
        valid rules whether or not their record could be written.
        """
        if self._versions is None:
            return bundle
        try:
            version = await self._versions.version_of(bundle.digest, self.folder)
        except Exception:
            log.exception("the ruleset's version is unknown: the versions store failed")
            return bundle
        return None if version is None else replace(bundle, version=version)

    async def build(self, folder: Path) -> RoutingBundle:
        """``folder``'s bundle, built as a publish builds it (off the loop, checked against
        the prompt catalogue), swapped nowhere: a draft's (ivr.rulesets.draft_builds).
        A ValueError (BundleError) lists every error."""
        make = partial(self._loader, folder, self._prompts)
        return await self._builder.build(partial(build_without_gc_pauses, make))

    async def check(self, folder: Path) -> list[str]:
        """Every error a publish of ``folder`` would meet ([]: valid), built as a publish
        is (off the loop), swapping nothing in."""
        try:
            await self.build(folder)
        except ValueError as exc:
            return [str(e) for e in getattr(exc, "errors", None) or [exc]]
        except Exception as exc:
            log.exception("a rules check failed to build")
            return [f"rules-build-failed: {type(exc).__name__}: {exc}"]
        return []

    def publish_soon(self) -> None:
        """Start a publish and return at once (a signal handler); the outcome is logged."""
        self._chores.spawn(self.publish(), name="routing-publish")

    async def settle(self) -> None:
        """Wait for publishes started by ``publish_soon``."""
        await self._chores.settle()

    async def close(self) -> None:
        """At shutdown: a publish still building is dropped (the files stay for the next
        start), and the builder's process is ended."""
        self._builder.close()
        await self._chores.cancel()

    def _swap(self, bundle: RoutingBundle) -> None:
        self._live = LiveRules(bundle, RoutingEngine(bundle), self._live.generation + 1)
        log.info(
            "routing rules reloaded (generation %d, version %s): %s",
            self.generation,
            bundle.version,
            bundle.summary(),
        )

    @staticmethod
    def _refused(exc: ValueError) -> list[str]:
        errors = [str(e) for e in getattr(exc, "errors", None) or [exc]]
        log.error("routing rules not reloaded (%d errors); keeping the live ruleset", len(errors))
        for error in errors:
            log.error("rules not reloaded: %s", error)
        return errors


class PinnedRules:
    """The rules one call is routed by: the LiveRules of its start, whatever is published
    meanwhile, so no caller hears two rulesets; operators' diverts still apply at once.

    The directory is contact data, not rules: an entry is looked up in the live bundle
    first (an operator may move the call to an entry added since it began, a person's
    extension may have changed), the call's own only for an entry gone since."""

    def __init__(self, service: RoutingService, live: LiveRules) -> None:
        self._service = service
        self._live = live

    @property
    def version(self) -> int | None:
        return self._live.bundle.version

    def decide(self, inputs: RoutingInputs) -> Decision:
        return self._service.decide_by(self._live, inputs)

    def in_force(self, inputs: RoutingInputs) -> RoutingInputs:
        """What ``decide`` hands the engine (the diverts in force): stored for replay."""
        return self._service.in_force(inputs)

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        return self._live.engine.breakout(hypotheses, digits)

    @property
    def emergency_key(self) -> str | None:
        return self._live.engine.emergency_key

    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        live = self._service.directory_entry(entry_id)
        return live if live is not None else self._live.bundle.directory.get(entry_id)
