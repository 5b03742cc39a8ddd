"""Admin-edited routing rules: ordered, first match wins, each with a reason.

The engine first finds what the caller asked for (emergency, keypad,
crime reference, directory name, intent); ``rules.yaml`` then adjusts that
with local policy (divert when a team is closed, offer a callback when the
wait is long, keep vulnerable callers away from self-service). Rules are
data so admins change policy without a release, and each condition explains
itself so every Decision says why it was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.decisions import EMERGENCY, Ask
from ivr.routing.conditions import Condition, Facts, Then
from ivr.yamlfile import DataFileError

__all__ = [
    "DEFAULT_KEYPAD",
    "Condition",
    "Facts",
    "KeyOption",
    "Reference",
    "Rule",
    "RuleSet",
    "RulesError",
    "Then",
    "Thresholds",
]

OFFERS = frozenset({"callback", "deflect-sms"})
SOURCES = frozenset({"keypad", "reference", "directory", "intent", "fallback", "confirmed"})
ACTIONS = frozenset({"route", "confirm", "disambiguate", "reprompt"})
ASKS = frozenset(ask.value for ask in Ask)

DEFAULT_KEYPAD: Mapping[str, str] = {
    "1": "rc",
    "2": "fcr",
    "3": "ask:reference",
    "4": "ask:name",
    "5": "online",
    "0": "switchboard",
    "9": EMERGENCY,
}


class RulesError(DataFileError):
    """rules.yaml (or the bundle) is invalid; ``errors`` lists every 'file:line: message'."""

    error_id = "rules-invalid"


@dataclass(frozen=True)
class Thresholds:
    """Directory bands: >= high routes, [low, high) confirms, within margin of the top asks."""

    high: float = 0.85
    low: float = 0.6
    margin: float = 0.05
    intent: float = 0.4  # an intent below this is not evidence; from here to intent_route: confirm
    intent_route: float = 0.85  # an intent at or above this routes without asking (as names: high)
    intent_margin: float = 0.08  # two intents (other destinations) this close: ask which
    reprompt_limit: int = 2  # after this many failed attempts, a person (switchboard)


@dataclass(frozen=True)
class Rule:
    name: str
    line: int
    when: Condition
    then: Then
    description: str = ""


@dataclass(frozen=True)
class KeyOption:
    key: str
    destination: str | None  # None when the key asks for something (a name, a reference)
    ask: Ask | None = None
    line: int = 0


@dataclass(frozen=True)
class Reference:
    """A name used in rules.yaml that another file must define (checked by check_bundle)."""

    kind: str  # "schedule" | "intent" | "directory" | "alternative"
    value: str
    line: int


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    thresholds: Thresholds = Thresholds()
    keypad: Mapping[str, KeyOption] = field(default_factory=dict)
    alternatives: Mapping[str, str] = field(default_factory=dict)  # entry id or team -> dest
    references: tuple[Reference, ...] = ()
    source: str = ""

    def first_match(self, facts: Facts, start: int = 0) -> Rule | None:
        found = self.next_match(facts, start)
        return found[1] if found else None

    def next_match(self, facts: Facts, start: int = 0) -> tuple[int, Rule, list[str]] | None:
        """The first rule at or after ``start`` whose condition holds, with its reasons."""
        for index in range(start, len(self.rules)):
            rule = self.rules[index]
            why = rule.when.explain(facts)
            if why is not None:
                return index, rule, why
        return None

    def cross_check(
        self,
        schedules: frozenset[str],
        intents: frozenset[str],
        directory_ids: frozenset[str],
        teams: frozenset[str] = frozenset(),
    ) -> list[str]:
        """Errors for names this file uses that the other files of the bundle lack."""
        errors: list[str] = []
        for ref in self.references:
            where = f"{self.source}:{ref.line}: "
            if ref.kind == "schedule" and ref.value not in schedules:
                errors.append(where + f"unknown schedule {ref.value!r} (not in schedules.yaml)")
            elif ref.kind == "intent" and ref.value not in intents:
                errors.append(where + f"unknown intent {ref.value!r} (not in intents.yaml)")
            elif ref.kind == "directory" and ref.value not in directory_ids:
                errors.append(where + f"unknown directory entry {ref.value!r}")
            elif ref.kind == "alternative" and ref.value not in directory_ids | teams:
                errors.append(where + f"alternatives: {ref.value!r} is no directory entry or team")
        return errors
