"""Draft: the routing decision while the engine's stages and adjustments are still editing it.

Kept apart from the engine so the stages (``engine``), the emergency screen
(``emergency``) and the adjustments (``adjustments``) share one mutable
shape and one way of quoting what a caller said, and only ``finish`` makes
the immutable ``Decision`` that is logged and replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ivr.decisions import Action, Ask, Candidate, Decision


@dataclass
class Draft:
    """The decision being built; rules and overrides edit it in place."""

    action: Action
    destination: str | None
    rule: str
    reasons: list[str]
    source: str
    intent: str | None = None
    candidates: tuple[Candidate, ...] = ()
    message: str | None = None
    ask: Ask | None = None
    offers: list[str] = field(default_factory=list)
    offered_by: dict[str, str] = field(default_factory=dict)  # offer -> the rule that made it
    evidence: dict[str, Any] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)
    overridden: bool = False

    def __post_init__(self) -> None:
        self.fired.insert(0, self.rule)

    def finish(self, ruleset_version: int | None = None) -> Decision:
        """The immutable Decision, signed with the version of the ruleset that made it."""
        evidence = dict(self.evidence)
        evidence["source"] = self.source
        evidence["rules"] = [*self.fired]
        if self.offered_by:
            evidence["offered_by"] = dict(self.offered_by)
        return Decision(
            action=self.action,
            destination=self.destination,
            rule=self.rule,
            reason="; ".join(r for r in self.reasons if r),
            intent=self.intent,
            candidates=self.candidates,
            message=self.message,
            ask=self.ask,
            offers=tuple(dict.fromkeys(self.offers)),
            evidence=evidence,
            ruleset_version=ruleset_version,
        )


def quote(text: str, limit: int = 60) -> str:
    """What the caller said, on one line and cut short, for a Decision's reason."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
