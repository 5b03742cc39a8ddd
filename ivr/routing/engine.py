"""RoutingEngine: from what the caller said or keyed to where the call goes, and why.

Pure by design: the time, caller history, queue waits and operator
overrides all arrive in ``RoutingInputs``, so any decision can be replayed
from the log, explained to an operator and pinned in a table-driven test.

Evidence is weighed in a fixed order, strongest first, and the order is the
safety case: an emergency cue in any recognition alternative wins over
everything (``EmergencyScreen``, ivr.routing.emergency, says when a cue is
discounted); then keys, then a crime reference, then directory names against
intents. Admin rules only adjust the result (``RouteAdjuster``,
ivr.routing.adjustments: divert when closed, offer a callback when the wait
is long); they can never produce or remove an emergency route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ivr.decisions import (
    DIRECTORY_PREFIX,
    EMERGENCY,
    SWITCHBOARD,
    Candidate,
    Decision,
    Hypothesis,
    is_destination,
)
from ivr.routing.adjustments import RouteAdjuster
from ivr.routing.bundle import IntentMatchLike, RoutingBundle
from ivr.routing.case_route import CaseRoute
from ivr.routing.draft import Draft, quote
from ivr.routing.emergency import EmergencyScreen
from ivr.routing.model import RoutingInputs
from ivr.routing.rules import Thresholds


class RoutingEngine:
    """Decides one step of a call from a RoutingBundle; holds no state between calls."""

    def __init__(self, bundle: RoutingBundle) -> None:
        self.bundle = bundle
        self.version = bundle.version  # on every Decision: which ruleset made it
        self.thresholds: Thresholds = bundle.rules.thresholds
        self.screen = EmergencyScreen(bundle)
        self.adjuster = RouteAdjuster(bundle)
        self.cases = CaseRoute(bundle.cases, bundle.directory)

    # --- the stages, in order of evidence ---------------------------------------------------

    def decide(self, inputs: RoutingInputs) -> Decision:
        hypotheses = tuple(h for h in inputs.hypotheses if h.text and h.text.strip())
        scanned, discount = self.screen.outvoted_cues(hypotheses)
        emergency = self.screen.check(scanned, inputs.digits)
        if emergency is not None:
            return self._made(emergency)
        draft = (
            self._confirmed(inputs.confirmed)
            or self._keypad(inputs.digits)
            or self._reference_in_text(hypotheses)
            or self._names_and_intents(hypotheses)
            or self._nothing_usable(inputs, hypotheses)
        )
        if draft.action == "route":
            self.adjuster.directory_hours(draft, inputs)
            self.adjuster.overrides(draft, inputs)
        self.adjuster.rules(draft, inputs)
        if draft.action == "reprompt" and inputs.attempt >= self.thresholds.reprompt_limit:
            self._give_up(draft, inputs)
        if discount is not None:
            draft.reasons.append(discount.reason)
            draft.evidence["discounted_cue"] = discount.evidence
        return draft.finish(self.version)

    @property
    def emergency_key(self) -> str | None:
        """The menu key that means emergency (9 in the shipped rules), if any."""
        return self.screen.key

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        """An emergency in what a caller said or keyed at a step other than the menu.

        The same cues, key and second-opinion discount as ``decide``; only a real
        emergency counts (a negated cue, "nobody is hurt", does not pull a caller out of
        a confirmation or a queue), so nothing else about the step is decided here.
        """
        heard = tuple(h for h in hypotheses if h.text and h.text.strip())
        scanned, _ = self.screen.outvoted_cues(heard)
        decision = self.screen.check(scanned, digits)
        if decision is None or decision.destination != EMERGENCY:
            return None
        return self._made(decision)

    def _made(self, decision: Decision) -> Decision:
        """``decision`` signed with this engine's ruleset version."""
        if decision.ruleset_version == self.version:
            return decision
        return replace(decision, ruleset_version=self.version)

    def _confirmed(self, confirmed: str | None) -> Draft | None:
        if not confirmed:
            return None
        if not is_destination(confirmed) or confirmed == EMERGENCY:
            return None  # only words or key 9 reach emergency; nonsense is ignored
        entry = self.adjuster.entry(confirmed)
        if confirmed.startswith(DIRECTORY_PREFIX) and entry is None:
            return None
        name = entry.spoken_name if entry else confirmed
        return Draft("route", confirmed, "confirmed", [f"caller confirmed {name}"], "confirmed")

    def _keypad(self, digits: str | None) -> Draft | None:
        keyed = (digits or "").strip()
        if not keyed:
            return None
        option = self.bundle.rules.keypad.get(keyed)
        if option is not None and option.ask:
            return Draft(
                "reprompt",
                None,
                "keypad-ask",
                [f"caller pressed {keyed}: ask for a {option.ask}"],
                "keypad",
                message=option.ask.prompt,
                ask=option.ask,
                evidence={"digits": keyed, "ask": option.ask.value},
            )
        if option is not None and option.destination:
            return Draft(
                "route",
                option.destination,
                "keypad",
                [f"caller pressed {keyed} ({option.destination})"],
                "keypad",
                evidence={"digits": keyed},
            )
        return self.cases.keyed(keyed)

    def _reference_in_text(self, hypotheses: Sequence[Hypothesis]) -> Draft | None:
        return self.cases.said(hypotheses)

    def _names_and_intents(self, hypotheses: Sequence[Hypothesis]) -> Draft | None:
        if not hypotheses:
            return None
        th = self.thresholds
        candidates = tuple(self.bundle.matcher.match(hypotheses))
        matches = self.bundle.intents.match(hypotheses)
        intent = next((m for m in matches if m.score >= th.intent and not m.emergency), None)
        top = candidates[0] if candidates else None
        if (
            top is not None
            and top.score >= th.low
            and (intent is None or top.score >= _on_directory_scale(intent, hypotheses))
        ):
            return self._directory(candidates, intent)
        if intent is not None:
            draft = self._intent(intent)
            draft.candidates = candidates
            return draft
        if top is not None:
            return Draft(
                "reprompt",
                None,
                "no-match",
                [f"best directory match {top.name} ({top.score:.2f}) below {th.low:g}, no intent"],
                "fallback",
                candidates=candidates,
                evidence={"heard": hypotheses[0].text},
            )
        return None

    def _directory(
        self, candidates: tuple[Candidate, ...], intent: IntentMatchLike | None
    ) -> Draft:
        th = self.thresholds
        top = candidates[0]
        close = [c for c in candidates if top.score - c.score <= th.margin and c.score >= th.low]
        beaten = f"; intent {intent.intent} ({intent.score:.2f}) weaker" if intent else ""
        evidence: dict[str, Any] = {"score": round(top.score, 4)}
        if len({c.destination for c in close}) > 1:
            names = ", ".join(f"{c.name} ({c.score:.2f})" for c in close)
            evidence["choices"] = [c.destination for c in close]
            return Draft(
                "disambiguate",
                None,
                "directory-disambiguate",
                [
                    f"{len(close)} directory matches within {th.margin:g} of the top:"
                    f" {names}{beaten}"
                ],
                "directory",
                candidates=candidates,
                evidence=evidence,
            )
        why = f"directory {top.name} ({top.score:.2f})" + (
            f": {top.evidence}" if top.evidence else ""
        )
        if top.score >= th.high:
            return Draft(
                "route",
                top.destination,
                "directory-high",
                [f"{why} >= {th.high:g}{beaten}"],
                "directory",
                candidates=candidates,
                evidence=evidence,
            )
        return Draft(
            "confirm",
            top.destination,
            "directory-confirm",
            [f"{why} between {th.low:g} and {th.high:g} → confirm{beaten}"],
            "directory",
            candidates=candidates,
            evidence=evidence,
        )

    def _intent(self, match: IntentMatchLike) -> Draft:
        return Draft(
            "route",
            match.destination,
            "intent",
            [f"intent {match.intent} matched example {quote(match.example)} ({match.score:.2f})"],
            "intent",
            intent=match.intent,
            evidence={"score": round(match.score, 4), "heard": match.matched},
        )

    def _nothing_usable(self, inputs: RoutingInputs, hypotheses: Sequence[Hypothesis]) -> Draft:
        keyed = (inputs.digits or "").strip()
        if keyed:
            why, message = f"key {keyed!r} is not a choice", "invalid_choice"
        elif hypotheses:
            why, message = f"nothing usable in {quote(hypotheses[0].text)}", None
        else:
            why, message = "nothing heard or keyed", "no_input"
        evidence: dict[str, Any] = {"digits": keyed} if keyed else {}
        return Draft(
            "reprompt", None, "no-match", [why], "fallback", message=message, evidence=evidence
        )

    def _give_up(self, draft: Draft, inputs: RoutingInputs) -> None:
        draft.action, draft.destination, draft.rule = "route", SWITCHBOARD, "reprompt-limit"
        draft.message = None
        draft.reasons.append(
            f"attempt {inputs.attempt} of {self.thresholds.reprompt_limit} → a person"
        )
        draft.fired.append("reprompt-limit")


def _on_directory_scale(intent: IntentMatchLike, hypotheses: Sequence[Hypothesis]) -> float:
    """An intent's score as the directory matcher would weigh the same ASR confidence.

    Intent scores are multiplied by the hypothesis confidence, directory scores
    only by 0.85 + 0.15 x confidence (DirectoryMatcher.match), so comparing them
    raw hands every uncertain transcript to the directory: "i want to report a
    crime" @0.78 went to the Resolution Centre's "report a crime line" alias
    (0.93) over the exact report_crime example (0.78). Typed text (confidence
    1) compares exactly as before.
    """
    conf = next((h.confidence for h in hypotheses if h.text == intent.matched), 1.0)
    conf = min(1.0, max(0.0, conf)) if conf == conf else 0.0
    if conf <= 0.0:
        return intent.score
    return min(1.0, intent.score / conf) * (0.85 + 0.15 * conf)
