"""RoutingService: the live ruleset of a running app, swapped only when valid.

Admins publish changes to routing_rules/; ``reload()`` loads the whole
bundle first and swaps it in only if every file is valid, so a bad file
never replaces a good live ruleset (the errors are returned instead).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Sequence
from pathlib import Path

from ivr.directory import DirectoryEntry
from ivr.routing.bundle import BundleError, RoutingBundle, load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import Decision, Hypothesis, RoutingInputs

log = logging.getLogger(__name__)

BundleLoader = Callable[[Path | None], RoutingBundle]


class RoutingService:
    def __init__(
        self,
        folder: Path | None,
        loader: BundleLoader = load_bundle,
        prompts: Container[str] | None = None,
    ) -> None:
        """``prompts``: the catalogue, so a rule's ``message`` typo is caught at publish time."""
        self.folder = folder
        self._loader = loader
        self._prompts = prompts
        self.bundle = self._load()  # at start-up a bad ruleset is fatal: nothing to fall back on
        self.engine = RoutingEngine(self.bundle)
        self.generation = 1

    def decide(self, inputs: RoutingInputs) -> Decision:
        return self.engine.decide(inputs)

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        return self.engine.breakout(hypotheses, digits)

    @property
    def emergency_key(self) -> str | None:
        return self.engine.emergency_key

    def _load(self) -> RoutingBundle:
        bundle = self._loader(self.folder)
        if self._prompts is not None:
            missing = [
                f"rules.yaml:{rule.line}: rule {rule.name!r} plays {rule.then.message!r},"
                " which is not in prompts/catalogue.yaml"
                for rule in bundle.rules.rules
                if rule.then.message and rule.then.message not in self._prompts
            ]
            if missing:
                raise BundleError(missing)
        return bundle

    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        return self.bundle.directory.get(entry_id)

    def reload(self) -> list[str]:
        """Load and swap in the folder's current ruleset; on any error keep the live one."""
        try:
            bundle = self._load()
        except ValueError as exc:
            errors = [str(e) for e in getattr(exc, "errors", None) or [exc]]
            log.error(
                "routing rules not reloaded (%d errors); keeping the live ruleset", len(errors)
            )
            return errors
        self.bundle, self.engine = bundle, RoutingEngine(bundle)
        self.generation += 1
        log.info("routing rules reloaded (generation %d)", self.generation)
        return []
