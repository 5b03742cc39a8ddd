"""EmergencyScreen: the first and strongest evidence, an emergency cue or key 9.

An emergency cue in any recognition alternative wins over everything else the
engine weighs (keys, references, names, overrides, schedules). The one
exception needs two engines' words (``Hypothesis.heard_by``, from
ivr.speech.twopass.merge): a cue that only a lower alternative of one engine
carries, while every engine's top alternative is cue-free and another
engine's top is confident, is discounted, and the Decision says so (a cue in
any engine's top always wins). Kept apart from the RoutingEngine because the
same screen also runs at steps other than the menu (``breakout``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ivr.decisions import EMERGENCY, FCR, Decision, Hypothesis
from ivr.routing.bundle import RoutingBundle
from ivr.routing.draft import quote

# A top alternative at least this confident is a second opinion that can outvote a cue
# in another engine's lower alternative (the two-pass strategy's own threshold).
SECOND_OPINION = 0.5


@dataclass(frozen=True)
class Discount:
    """A cue the scan did not count, and why (into the Decision's reason and evidence)."""

    reason: str
    evidence: dict[str, Any]


class EmergencyScreen:
    """Finds an emergency in what a caller said or keyed; holds no state between calls."""

    def __init__(self, bundle: RoutingBundle) -> None:
        self.bundle = bundle

    @property
    def key(self) -> str | None:
        """The menu key that means emergency (9 in the shipped rules), if any."""
        for key, option in self.bundle.rules.keypad.items():
            if option.destination == EMERGENCY:
                return key
        return None

    def outvoted_cues(
        self, hypotheses: tuple[Hypothesis, ...]
    ) -> tuple[tuple[Hypothesis, ...], Discount | None]:
        """The alternatives the emergency cue scan reads, and a cue it discounted.

        All of them, unless two engines were heard (every alternative has ``heard_by``) and
        no engine's top alternative carries a cue, clear or negated: then a lower
        alternative is left out when another engine's top is confident (>=
        SECOND_OPINION): one engine's runner-up ("gun you put me through to ...",
        "ewan mcdonald quick") against both engines' best reading of the same words.
        """
        marked = [h for h in hypotheses if h.heard_by]
        if not marked or len(marked) != len(hypotheses):
            return hypotheses, None
        engines = frozenset().union(*(h.engines for h in marked))
        tops = {engine: h for h in marked for engine, rank in h.heard_by if rank == 0}
        if len(engines) < 2 or set(tops) != engines:
            return hypotheses, None
        intents = self.bundle.intents
        if intents.emergency_cue(tuple(dict.fromkeys(tops.values()))) is not None:
            return hypotheses, None  # a cue in any engine's top always counts
        sure = {engine for engine, h in tops.items() if h.confidence >= SECOND_OPINION}
        left_out = [h for h in marked if not h.top and sure - h.engines]
        if not left_out:
            return hypotheses, None
        scanned = tuple(h for h in hypotheses if h not in left_out)
        cue = intents.emergency_cue(left_out)
        if cue is None or intents.emergency_cue(scanned) is not None:
            return scanned, None  # nothing was discounted (or a cue still counts)
        carrier = next(h for h in left_out if h.text == cue.matched)
        where = ", ".join(f"{engine} alternative #{rank + 1}" for engine, rank in carrier.heard_by)
        voters = sorted(sure - carrier.engines)
        against = ", ".join(f"{engine} {tops[engine].confidence:.2f}" for engine in voters)
        reason = (
            f"emergency cue in {quote(cue.matched)} ({where}, {carrier.confidence:.2f})"
            f" discounted: no engine's top alternative carries a cue and a confident"
            f" second opinion ({against}) heard none"
        )
        evidence = {
            "matched": cue.matched,
            "cue_intent": cue.intent,
            "heard_by": [list(r) for r in carrier.heard_by],
            "confidence": round(carrier.confidence, 4),
            "tops": {engine: tops[engine].text for engine in sorted(tops)},
            "second_opinion": {engine: round(tops[engine].confidence, 4) for engine in voters},
        }
        return scanned, Discount(reason, evidence)

    def check(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        """The emergency (or negated-cue) route for what was scanned and keyed, if any."""
        keyed = (digits or "").strip()
        nine = self.key
        if keyed and nine and set(keyed) == {nine}:
            reason = f"caller pressed {keyed} (emergency)"
            return _emergency_decision("keypad-emergency", reason, {"digits": keyed})
        cue = self.bundle.intents.emergency_cue(hypotheses) if hypotheses else None
        if cue is None:
            return None
        reason = (
            f"emergency cue: {quote(cue.matched)} ~ {cue.intent} example {quote(cue.example)}"
            f" ({cue.score:.2f}); 999 advice outranks every other route"
        )
        evidence = {"cue_intent": cue.intent, "matched": cue.matched, "score": round(cue.score, 4)}
        if cue.score < 1.0:
            # Every cue was negated ("nobody is hurt", "it's not an emergency"): the caller
            # says there is no danger, but a control room handler, not a crime desk or a
            # web page, is the one to judge that.
            reason = (
                f"negated emergency cue: {quote(cue.matched)} ~ {quote(cue.example)}"
                f" ({cue.score:.2f}); the Force Control Room assesses the risk"
            )
            return Decision(
                action="route",
                destination=FCR,
                rule="negated-emergency-cue",
                reason=reason,
                intent=cue.intent,
                evidence={**evidence, "source": "emergency", "rules": ["negated-emergency-cue"]},
            )
        return _emergency_decision("emergency-cue", reason, evidence, cue.intent)


def _emergency_decision(
    rule: str, reason: str, evidence: Mapping[str, Any], intent: str | None = None
) -> Decision:
    return Decision(
        action="route",
        destination=EMERGENCY,
        rule=rule,
        reason=reason,
        intent=intent,
        message="emergency_advice",
        evidence={**evidence, "source": "emergency", "rules": [rule]},
    )
