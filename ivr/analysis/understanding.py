"""How well the IVR understood callers: first-time right, confirms, no-matches, speech
against keys, recognition confidence, and the operators' corrections (misroutes).

A danger check ("is someone in danger right now?", rule ``danger-check``) is stored as a
confirm of emergency but is no "did you mean": it is counted apart (``DangerCheckFigures``),
and the decision a "no" carries on with counts as what it is (a confirm is one).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ivr.analysis.journey import CallJourney, Source
from ivr.masking import MASK, mask_numbers

CONFIDENCE_BANDS = 10  # 0.0-0.1 ... 0.9-1.0
PHRASES_KEPT = 200  # per misroute pair: the commonest phrases survive a prune
TOP_PHRASES = 5
_DIGIT_RUN = re.compile(r"\d{2,}")  # a menu key ("keyed 1") stays readable
DANGER_CHECK = "danger-check"  # the engine's rule for the question (ivr.routing.danger_check)
DANGER_CHECK_YES = "danger-check-yes"  # the answer's rule when it is 999 handling
ANSWERS = ("key ", "said ")  # how a caller answered; else silence or nothing understood


def masked_phrase(said: str) -> str:
    """What a caller said, fit for a report: phone numbers masked as in the logs, and
    every other run of digits too (crime references, dates of birth...)."""
    return _DIGIT_RUN.sub(lambda m: MASK * len(m.group()), mask_numbers(said))


@dataclass(frozen=True, slots=True)
class Misroute:
    """Operators moved ``moves`` calls from ``source`` to ``target``; what callers said."""

    source: str
    target: str
    moves: int
    phrases: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class DangerCheckFigures:
    """Danger checks asked, and how they were answered. Silence, an answer not understood
    and a hang-up during the question are "no answer" (the first two are 999 handling)."""

    asked: int = 0
    yes: int = 0  # 9 or yes: 999 handling
    no: int = 0  # 2 or no: carried on where ordinary routing sent the call

    @property
    def no_answer(self) -> int:
        return max(0, self.asked - self.yes - self.no)


@dataclass(frozen=True, slots=True)
class UnderstandingFigures:
    calls: int  # calls with at least one engine decision
    first_time_right: int  # ... of which none asked again
    confirmed: int  # ... with a "did you mean" question (a danger check is none)
    disambiguated: int  # ... with a choice between candidates
    decisions: int  # engine decisions
    no_match: int  # ... that matched nothing
    by_source: dict[Source, int]
    confidence_bands: tuple[int, ...]  # speech recognitions by confidence tenth
    misroutes: tuple[Misroute, ...]
    danger_checks: DangerCheckFigures = DangerCheckFigures()

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None


@dataclass(slots=True)
class UnderstandingTally:
    calls: int = 0
    first_time_right: int = 0
    confirmed: int = 0
    disambiguated: int = 0
    decisions: int = 0
    no_match: int = 0
    checks: Counter[str] = field(default_factory=Counter)  # asked, yes, no
    by_source: Counter[Source] = field(default_factory=Counter)
    bands: list[int] = field(default_factory=lambda: [0] * CONFIDENCE_BANDS)
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)
    phrases: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)

    def add(self, journey: CallJourney) -> None:
        for confidence in journey.confidences:
            band = min(CONFIDENCE_BANDS - 1, max(0, int(confidence * CONFIDENCE_BANDS)))
            self.bands[band] += 1
        said = ""
        engine_seen = False
        reprompted = confirmed = disambiguated = False
        asking = 0  # danger checks asked and not yet answered (a break-out asks its own)
        for decision in journey.decisions:
            if decision.engine:
                engine_seen = True
                self.decisions += 1
                self.by_source[decision.source] += 1
                self.no_match += decision.rule == "no-match"
                reprompted |= decision.action == "reprompt"
                if decision.rule == DANGER_CHECK:
                    self.checks["asked"] += 1
                    asking += 1
                else:
                    confirmed |= decision.action == "confirm"
                    disambiguated |= decision.action == "disambiguate"
                said = decision.said or said
            elif decision.rule == "operator-move":
                self._move(decision.moved_from, decision.destination, said)
            elif decision.danger_check and asking:
                asking -= 1
                if decision.rule != DANGER_CHECK_YES:  # a no: the ordinary decision goes on
                    self.checks["no"] += 1
                    confirmed |= decision.action == "confirm"
                    disambiguated |= decision.action == "disambiguate"
                elif decision.danger_check.startswith(ANSWERS):
                    self.checks["yes"] += 1
        if engine_seen:
            self.calls += 1
            self.first_time_right += not reprompted
            self.confirmed += confirmed
            self.disambiguated += disambiguated

    def _move(self, source: str, target: str, said: str) -> None:
        pair = (source or "(none)", target)
        self.moves[pair] += 1
        if not said:
            return
        phrases = self.phrases.setdefault(pair, Counter())
        phrases[masked_phrase(said)] += 1
        if len(phrases) > 2 * PHRASES_KEPT:  # bounded memory: keep the commonest
            self.phrases[pair] = Counter(dict(phrases.most_common(PHRASES_KEPT)))

    def figures(self) -> UnderstandingFigures:
        misroutes = tuple(
            Misroute(
                source,
                target,
                moves,
                tuple(self.phrases.get((source, target), Counter()).most_common(TOP_PHRASES)),
            )
            for (source, target), moves in self.moves.most_common()
        )
        return UnderstandingFigures(
            calls=self.calls,
            first_time_right=self.first_time_right,
            confirmed=self.confirmed,
            disambiguated=self.disambiguated,
            decisions=self.decisions,
            no_match=self.no_match,
            by_source={source: self.by_source[source] for source in Source},
            confidence_bands=tuple(self.bands),
            misroutes=misroutes,
            danger_checks=DangerCheckFigures(
                self.checks["asked"], self.checks["yes"], self.checks["no"]
            ),
        )
