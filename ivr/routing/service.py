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

log = logging.getLogger(__name__)


class OverrideSource(Protocol):
    """The operators' diverts in force (ivr.console.diverts.DivertStore): read from
    memory, synchronously, so routing a call never waits on a database."""

    def active(self, at: datetime) -> tuple[Override, ...]: ...


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
        self._build = partial(loader, folder, None if prompts is None else frozenset(prompts))
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

    @property
    def bundle(self) -> RoutingBundle:
        return self._live.bundle

    @property
    def engine(self) -> RoutingEngine:
        return self._live.engine

    @property
    def generation(self) -> int:
        return self._live.generation

    def use_overrides(self, source: OverrideSource) -> None:
        """Apply ``source``'s diverts to every decision from now on (the console's)."""
        self._overrides = source

    def decide(self, inputs: RoutingInputs) -> Decision:
        """The live engine's decision, with the diverts in force passed in its inputs (the
        engine itself reads no store: it stays pure and replayable)."""
        return self._live.engine.decide(self.in_force(inputs))

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
            try:
                bundle = await self._builder.build(partial(build_without_gc_pauses, self._build))
            except ValueError as exc:
                self._last_errors = self._refused(exc)
            except Exception as exc:  # the builder itself failed (its process died, say)
                log.exception("routing rules not reloaded: the build failed")
                self._last_errors = [f"rules-build-failed: {type(exc).__name__}: {exc}"]
            else:
                self._swap(bundle)
                self._last_errors = []
            self._covered = covering
            return list(self._last_errors)

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
        log.info("routing rules reloaded (generation %d): %s", self.generation, bundle.summary())

    @staticmethod
    def _refused(exc: ValueError) -> list[str]:
        errors = [str(e) for e in getattr(exc, "errors", None) or [exc]]
        log.error("routing rules not reloaded (%d errors); keeping the live ruleset", len(errors))
        for error in errors:
            log.error("rules not reloaded: %s", error)
        return errors
