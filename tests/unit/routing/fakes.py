"""Stand-ins for the two matchers, so engine tests pin scores exactly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ivr.decisions import Candidate, Hypothesis
from ivr.directory import Directory, DirectoryEntry
from ivr.routing.bundle import RoutingBundle
from ivr.routing.cases import Case, CaseBook
from ivr.routing.rules_yaml import parse_rules
from ivr.routing.schedules_yaml import parse_schedules


@dataclass
class FakeMatcher:
    """Text -> candidates (best first), as the real matcher would score them."""

    table: Mapping[str, Sequence[tuple[str, float]]] = field(default_factory=dict)

    def match(self, hypotheses: Sequence[Hypothesis], limit: int = 5) -> list[Candidate]:
        for h in hypotheses:
            if h.text in self.table:
                return [Candidate(f"directory:{i}", i, s) for i, s in self.table[h.text]][:limit]
        return []

    def restated(self, first: str, rest: str) -> bool:
        return False


@dataclass(frozen=True)
class Match:
    intent: str
    destination: str
    score: float
    example: str
    matched: str
    emergency: bool = False
    semantic: float | None = None  # words only, as a matcher without a model
    alone: float | None = None  # one text: no n-best agreement moved the score
    agreement: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"intent": self.intent, "example": self.example, "score": self.score}


@dataclass(frozen=True)
class Intent:
    name: str
    destination: str


@dataclass
class FakeIntents:
    table: Mapping[str, tuple[str, str, float]] = field(default_factory=dict)  # text -> intent
    # text -> the score its best alternative alone gave, before the n-best's agreement
    alone: Mapping[str, float] = field(default_factory=dict)
    cues: Sequence[str] = ("knife", "fire")
    words: frozenset[str] = frozenset()  # what the examples say: none here
    intents: Sequence[Intent] = (
        Intent("report_crime", "rc"),
        Intent("incident", "fcr"),
        Intent("online", "online"),
        Intent("emergency", "emergency"),
    )

    def match(self, hypotheses: Sequence[Hypothesis]) -> list[Match]:
        for h in hypotheses:
            if h.text in self.table:
                name, dest, score = self.table[h.text]
                alone = self.alone.get(h.text)
                agreement = "" if alone is None else f"agreement: {alone:.2f} → {score:.2f}"
                return [
                    Match(
                        name,
                        dest,
                        score,
                        f"example for {name}",
                        h.text,
                        alone=alone,
                        agreement=agreement,
                    )
                ]
        return []

    by_meaning = False

    def danger_meant(self, hypotheses: Sequence[Hypothesis]) -> None:
        return None  # words only: no sentence model

    def emergency_cue(self, hypotheses: Sequence[Hypothesis]) -> Match | None:
        for h in hypotheses:
            for cue in self.cues:
                if cue in h.text:
                    return Match("emergency", "emergency", 1.0, cue, h.text, emergency=True)
        return None


SCHEDULES = """
schedules:
  rc-hours: {hours: {mon-fri: "08:00-20:00", sat: "09:00-17:00"}, bank_holidays: closed}
  office-hours: {hours: {mon-fri: "09:00-17:00"}}
  switchboard: always
"""


def fake_bundle(
    rules: str = "rules: []\n",
    *,
    entries: Sequence[DirectoryEntry] = (),
    names: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    intents: Mapping[str, tuple[str, str, float]] | None = None,
    cases: Sequence[Case] = (),
    schedules: str = SCHEDULES,
) -> RoutingBundle:
    return RoutingBundle(
        directory=Directory(list(entries)),
        matcher=FakeMatcher(names or {}),
        intents=FakeIntents(intents or {}),
        cases=CaseBook(cases),
        rules=parse_rules(rules),
        schedules=parse_schedules(schedules),
        source="fake",
    )


def person(entry_id: str, name: str, team: str = "", hours: str = "") -> DirectoryEntry:
    first, _, surname = name.rpartition(" ")
    return DirectoryEntry(entry_id, "person", name, "PC", first, surname, team, (), "4100", hours)


def department(entry_id: str, name: str, hours: str = "") -> DirectoryEntry:
    return DirectoryEntry(entry_id, "department", name, extension="3000", hours=hours)
