"""What a caller said, what it may mean, and what routing decided: the words every
package shares (routing, speech, directory, the flow, texts).

A leaf: it imports nothing from ivr, so any module may use these types without
depending on the routing engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

Action = Literal["route", "confirm", "disambiguate", "reprompt"]


class Ask(StrEnum):
    """What a reprompt asks for next (a keypad option's ``ask:``); the flow asks it."""

    REFERENCE = "reference"
    NAME = "name"

    @property
    def prompt(self) -> str:
        """The question's prompt id (``ask_reference``)."""
        return f"ask_{self.value}"

    @classmethod
    def by_prompt(cls, message: str | None) -> Ask | None:
        """The question a rule's ``message: ask_reference`` asks (None: not a question)."""
        return next((ask for ask in cls if ask.prompt == message), None)


class Hint(StrEnum):
    """What a question other than a reprompt waits for: a hint to the recogniser only
    (a rule cannot ask it, as it asks an ``Ask``)."""

    YES_NO = "yes-no"  # a yes or a no (confirmations, offers, the danger check)


# What a question asks for, as a hint to the recogniser (ivr.speech.model); None: anything.
Expect = Ask | Hint


# Destinations: these, or "directory:<entry id>".
EMERGENCY = "emergency"
FCR = "fcr"
RC = "rc"
ONLINE = "online"
SWITCHBOARD = "switchboard"
SERVICE_DESTINATIONS = frozenset({EMERGENCY, FCR, RC, ONLINE, SWITCHBOARD})
DIRECTORY_PREFIX = "directory:"
# Rules that route to the switchboard for something the force does not have: a reference
# the case book lacks, a unit or a person the directory does not list. Heard by a fast
# recogniser they are its likeliest mishearings (digits, names): TwoPassSpeech asks its
# second engine.
REFERENCE_UNKNOWN = "reference-unknown"
UNIT_NOT_LISTED = "unit-not-listed"
PERSON_NOT_LISTED = "person-not-listed"
NOT_FOUND_RULES = frozenset({REFERENCE_UNKNOWN, UNIT_NOT_LISTED, PERSON_NOT_LISTED})


def is_destination(value: str) -> bool:
    return value in SERVICE_DESTINATIONS or (
        value.startswith(DIRECTORY_PREFIX) and len(value) > len(DIRECTORY_PREFIX)
    )


@dataclass(frozen=True, slots=True)
class Hypothesis:
    """One recognition alternative (n-best), or typed text; confidence in [0, 1].

    ``heard_by``: (engine, place in that engine's n-best, 0 = its top) when two engines
    were merged (ivr.speech.twopass.merge); a text both heard carries both. Empty for one
    engine or typed text, and then the emergency cue scan reads every alternative.
    """

    text: str
    confidence: float = 1.0
    heard_by: tuple[tuple[str, int], ...] = ()

    @property
    def engines(self) -> frozenset[str]:
        return frozenset(engine for engine, _ in self.heard_by)

    @property
    def top(self) -> bool:
        """Some engine's best reading."""
        return any(rank == 0 for _, rank in self.heard_by)


@dataclass(frozen=True, slots=True)
class Candidate:
    destination: str
    name: str
    score: float  # 0..1
    evidence: str = ""  # e.g. "surname 'Johnston' ~ 'johnson' (phonetic JNSN)"
    # A person the caller named (surname with first name or rank) or described (first name
    # with their team or rank): their other words are their reason, not a mismatch.
    said_who: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "destination": self.destination,
            "name": self.name,
            "score": round(self.score, 4),
            "evidence": self.evidence,
        }
        if self.said_who:
            out["said_who"] = True
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    destination: str | None
    rule: str
    reason: str
    intent: str | None = None
    candidates: tuple[Candidate, ...] = ()
    message: str | None = None  # prompt id to play before acting (e.g. emergency_advice)
    offers: tuple[str, ...] = ()  # "callback", "deflect-sms"
    evidence: Mapping[str, Any] = field(default_factory=dict)
    ask: Ask | None = None  # a reprompt's next question (None: the menu again)
    # The published ruleset that made it (ivr.rulesets); None: no version is known (a tool
    # run on a folder, an operator's move, which no ruleset makes).
    ruleset_version: int | None = None
    # A danger check's "no" (``is_danger_check``): where the call goes when the caller says
    # nobody is in danger now, decided with the check so the flow needs no second decision
    # (its summary is in ``evidence["otherwise"]``, which the log keeps).
    otherwise: Decision | None = None

    @property
    def is_danger_check(self) -> bool:
        """Asks "is someone in danger right now?" before anything else (yes: 999 handling)."""
        asks = self.action == "confirm" and self.destination == EMERGENCY
        return asks and self.otherwise is not None

    def answered(self, danger: bool, how: str) -> Decision:
        """Where a danger check's answer sends the call (``how``: "key 9", "said 'no'").

        Danger (yes, 9, silence, unclear): this check's own reasons, as the emergency route
        with its 999 advice; else ``otherwise``, saying the caller ruled danger out.
        """
        if self.otherwise is None or not self.is_danger_check:
            raise ValueError(f"not a danger check: {self.action} {self.destination}")
        if danger:
            return replace(
                self,
                action="route",
                rule="danger-check-yes",
                reason=f"{self.reason}; asked: {how} → 999 handling",
                message="emergency_advice",
                otherwise=None,
                evidence={**self.evidence, "danger_check": how},
            )
        return replace(
            self.otherwise,
            reason=f"nobody in danger now ({how}); {self.otherwise.reason}",
            evidence={**self.otherwise.evidence, "danger_check": how},
        )

    def with_evidence(self, **extra: Any) -> Decision:
        """The same decision with more evidence (what it saw: the inputs, the step)."""
        return replace(self, evidence={**self.evidence, **extra})

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "destination": self.destination,
            "candidates": [c.to_json() for c in self.candidates],
            "intent": self.intent,
            "rule": self.rule,
            "reason": self.reason,
            "message": self.message,
            "offers": list(self.offers),
            "evidence": dict(self.evidence),
            "ask": self.ask.value if self.ask else None,
            "ruleset_version": self.ruleset_version,
        }
