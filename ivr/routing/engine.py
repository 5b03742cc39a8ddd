"""RoutingEngine: from what the caller said or keyed to where the call goes, and why.

Pure by design: the time, caller history, queue waits and operator
overrides all arrive in ``RoutingInputs``, so any decision can be replayed
from the log, explained to an operator and pinned in a table-driven test.

Evidence is weighed in a fixed order, strongest first, and the order is the
safety case: an emergency cue in any recognition alternative wins over
everything (keys, references, names, overrides, schedules); then keys, then
a crime reference, then directory names against intents. The one exception
needs two engines' words (``Hypothesis.heard_by``, from ivr.speech.twopass.merge): a cue
that only a lower alternative of one engine carries, while every engine's
top alternative is cue-free and another engine's top is confident, is
discounted, and the Decision says so (a cue in any engine's top always wins). Admin rules only
adjust the result (divert when closed, offer a callback when the wait is
long); they can never produce or remove an emergency route.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ivr.directory import DirectoryEntry
from ivr.routing.bundle import IntentMatchLike, RoutingBundle
from ivr.routing.cases import Case
from ivr.routing.model import (
    DIRECTORY_PREFIX,
    EMERGENCY,
    FCR,
    ONLINE,
    SWITCHBOARD,
    Action,
    Candidate,
    Decision,
    Hypothesis,
    RoutingInputs,
    is_destination,
)
from ivr.routing.rules import Facts, Thresholds

_MAX_OVERRIDE_HOPS = 4

# A top alternative at least this confident is a second opinion that can outvote a cue
# in another engine's lower alternative (the two-pass strategy's own threshold).
SECOND_OPINION = 0.5


@dataclass(frozen=True)
class _Discount:
    """A cue the scan did not count, and why (into the Decision's reason and evidence)."""

    reason: str
    evidence: dict[str, Any]


@dataclass
class _Draft:
    """The decision being built; rules and overrides edit it in place."""

    action: Action
    destination: str | None
    rule: str
    reasons: list[str]
    source: str
    intent: str | None = None
    candidates: tuple[Candidate, ...] = ()
    message: str | None = None
    offers: list[str] = field(default_factory=list)
    offered_by: dict[str, str] = field(default_factory=dict)  # offer -> the rule that made it
    evidence: dict[str, Any] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)
    overridden: bool = False

    def __post_init__(self) -> None:
        self.fired.insert(0, self.rule)

    def finish(self) -> Decision:
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
            offers=tuple(dict.fromkeys(self.offers)),
            evidence=evidence,
        )


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class RoutingEngine:
    """Decides one step of a call from a RoutingBundle; holds no state between calls."""

    def __init__(self, bundle: RoutingBundle) -> None:
        self.bundle = bundle
        self.thresholds: Thresholds = bundle.rules.thresholds

    # --- the stages, in order of evidence ---------------------------------------------------

    def decide(self, inputs: RoutingInputs) -> Decision:
        hypotheses = tuple(h for h in inputs.hypotheses if h.text and h.text.strip())
        scanned, discount = self._outvoted_cues(hypotheses)
        emergency = self._emergency(scanned, inputs.digits)
        if emergency is not None:
            return emergency
        draft = (
            self._confirmed(inputs.confirmed)
            or self._keypad(inputs.digits)
            or self._reference_in_text(hypotheses)
            or self._names_and_intents(hypotheses)
            or self._nothing_usable(inputs, hypotheses)
        )
        if draft.action == "route":
            self._directory_hours(draft, inputs)
            self._overrides(draft, inputs)
        self._rules(draft, inputs)
        if draft.action == "reprompt" and inputs.attempt >= self.thresholds.reprompt_limit:
            self._give_up(draft, inputs)
        if discount is not None:
            draft.reasons.append(discount.reason)
            draft.evidence["discounted_cue"] = discount.evidence
        return draft.finish()

    @property
    def emergency_key(self) -> str | None:
        """The menu key that means emergency (9 in the shipped rules), if any."""
        return self._key_for(EMERGENCY)

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        """An emergency in what a caller said or keyed at a step other than the menu.

        The same cues, key and second-opinion discount as ``decide``; only a real
        emergency counts (a negated cue, "nobody is hurt", does not pull a caller out of
        a confirmation or a queue), so nothing else about the step is decided here.
        """
        heard = tuple(h for h in hypotheses if h.text and h.text.strip())
        scanned, _ = self._outvoted_cues(heard)
        decision = self._emergency(scanned, digits)
        if decision is None or decision.destination != EMERGENCY:
            return None
        return decision

    def _outvoted_cues(
        self, hypotheses: tuple[Hypothesis, ...]
    ) -> tuple[tuple[Hypothesis, ...], _Discount | None]:
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
            f"emergency cue in {_quote(cue.matched)} ({where}, {carrier.confidence:.2f})"
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
        return scanned, _Discount(reason, evidence)

    def _emergency(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        keyed = (digits or "").strip()
        nine = self._key_for(EMERGENCY)
        if keyed and nine and set(keyed) == {nine}:
            reason = f"caller pressed {keyed} (emergency)"
            return _emergency_decision("keypad-emergency", reason, {"digits": keyed})
        cue = self.bundle.intents.emergency_cue(hypotheses) if hypotheses else None
        if cue is None:
            return None
        reason = (
            f"emergency cue: {_quote(cue.matched)} ~ {cue.intent} example {_quote(cue.example)}"
            f" ({cue.score:.2f}); 999 advice outranks every other route"
        )
        evidence = {"cue_intent": cue.intent, "matched": cue.matched, "score": round(cue.score, 4)}
        if cue.score < 1.0:
            # Every cue was negated ("nobody is hurt", "it's not an emergency"): the caller
            # says there is no danger, but a control room handler, not a crime desk or a
            # web page, is the one to judge that.
            reason = (
                f"negated emergency cue: {_quote(cue.matched)} ~ {_quote(cue.example)}"
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

    def _key_for(self, destination: str) -> str | None:
        for key, option in self.bundle.rules.keypad.items():
            if option.destination == destination:
                return key
        return None

    def _confirmed(self, confirmed: str | None) -> _Draft | None:
        if not confirmed:
            return None
        if not is_destination(confirmed) or confirmed == EMERGENCY:
            return None  # only words or key 9 reach emergency; nonsense is ignored
        entry = self._entry(confirmed)
        if confirmed.startswith(DIRECTORY_PREFIX) and entry is None:
            return None
        name = entry.spoken_name if entry else confirmed
        return _Draft("route", confirmed, "confirmed", [f"caller confirmed {name}"], "confirmed")

    def _keypad(self, digits: str | None) -> _Draft | None:
        keyed = (digits or "").strip()
        if not keyed:
            return None
        option = self.bundle.rules.keypad.get(keyed)
        if option is not None and option.ask:
            return _Draft(
                "reprompt",
                None,
                "keypad-ask",
                [f"caller pressed {keyed}: ask for a {option.ask}"],
                "keypad",
                message=f"ask_{option.ask}",
                evidence={"digits": keyed, "ask": option.ask},
            )
        if option is not None and option.destination:
            return _Draft(
                "route",
                option.destination,
                "keypad",
                [f"caller pressed {keyed} ({option.destination})"],
                "keypad",
                evidence={"digits": keyed},
            )
        if len(keyed) > 1:
            from ivr.routing.references import parse_reference

            reference = parse_reference(keyed)
            if reference is not None:
                return self._reference(reference, f"keyed {keyed}")
        return None

    def _reference_in_text(self, hypotheses: Sequence[Hypothesis]) -> _Draft | None:
        from ivr.routing.references import parse_reference

        for hypothesis in hypotheses:
            reference = parse_reference(hypothesis.text)
            if reference is not None:
                return self._reference(reference, f"said {_quote(hypothesis.text)}")
        return None

    def _reference(self, reference: str, how: str) -> _Draft:
        case: Case | None = self.bundle.cases.get(reference)
        evidence: dict[str, Any] = {"reference": reference}
        if case is None:
            return _Draft(
                "route",
                SWITCHBOARD,
                "reference-unknown",
                [f"crime reference {reference} ({how}) not in the case book → a person checks it"],
                "reference",
                evidence=evidence,
            )
        evidence.update(officer_id=case.officer_id, status=case.status)
        officer = self.bundle.directory.get(case.officer_id)
        if officer is None:
            return _Draft(
                "route",
                ONLINE,
                "reference-no-officer",
                [
                    f"crime reference {reference} ({how}), status {case.status!r}; officer"
                    f" {case.officer_id!r} not in the directory → tracking link by SMS"
                ],
                "reference",
                offers=["deflect-sms"],
                evidence=evidence,
            )
        return _Draft(
            "route",
            officer.destination,
            "reference-officer",
            [f"crime reference {reference} ({how}) → officer in charge {officer.spoken_name}"],
            "reference",
            candidates=(
                Candidate(
                    officer.destination, officer.spoken_name, 1.0, f"in charge of {reference}"
                ),
            ),
            evidence=evidence,
        )

    def _names_and_intents(self, hypotheses: Sequence[Hypothesis]) -> _Draft | None:
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
            return _Draft(
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
    ) -> _Draft:
        th = self.thresholds
        top = candidates[0]
        close = [c for c in candidates if top.score - c.score <= th.margin and c.score >= th.low]
        beaten = f"; intent {intent.intent} ({intent.score:.2f}) weaker" if intent else ""
        evidence: dict[str, Any] = {"score": round(top.score, 4)}
        if len({c.destination for c in close}) > 1:
            names = ", ".join(f"{c.name} ({c.score:.2f})" for c in close)
            evidence["choices"] = [c.destination for c in close]
            return _Draft(
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
            return _Draft(
                "route",
                top.destination,
                "directory-high",
                [f"{why} >= {th.high:g}{beaten}"],
                "directory",
                candidates=candidates,
                evidence=evidence,
            )
        return _Draft(
            "confirm",
            top.destination,
            "directory-confirm",
            [f"{why} between {th.low:g} and {th.high:g} → confirm{beaten}"],
            "directory",
            candidates=candidates,
            evidence=evidence,
        )

    def _intent(self, match: IntentMatchLike) -> _Draft:
        return _Draft(
            "route",
            match.destination,
            "intent",
            [f"intent {match.intent} matched example {_quote(match.example)} ({match.score:.2f})"],
            "intent",
            intent=match.intent,
            evidence={"score": round(match.score, 4), "heard": match.matched},
        )

    def _nothing_usable(self, inputs: RoutingInputs, hypotheses: Sequence[Hypothesis]) -> _Draft:
        keyed = (inputs.digits or "").strip()
        if keyed:
            why, message = f"key {keyed!r} is not a choice", "invalid_choice"
        elif hypotheses:
            why, message = f"nothing usable in {_quote(hypotheses[0].text)}", None
        else:
            why, message = "nothing heard or keyed", "no_input"
        evidence: dict[str, Any] = {"digits": keyed} if keyed else {}
        return _Draft(
            "reprompt", None, "no-match", [why], "fallback", message=message, evidence=evidence
        )

    def _give_up(self, draft: _Draft, inputs: RoutingInputs) -> None:
        draft.action, draft.destination, draft.rule = "route", SWITCHBOARD, "reprompt-limit"
        draft.message = None
        draft.reasons.append(
            f"attempt {inputs.attempt} of {self.thresholds.reprompt_limit} → a person"
        )
        draft.fired.append("reprompt-limit")

    # --- adjustments ----------------------------------------------------------------------

    def _entry(self, destination: str | None) -> DirectoryEntry | None:
        if destination is None or not destination.startswith(DIRECTORY_PREFIX):
            return None
        return self.bundle.directory.get(destination[len(DIRECTORY_PREFIX) :])

    def _directory_hours(self, draft: _Draft, inputs: RoutingInputs) -> None:
        entry = self._entry(draft.destination)
        schedules = self.bundle.schedules
        if entry is None or not entry.hours or schedules.is_open(entry.hours, inputs.at):
            return
        alternative, label = self._alternative(entry, inputs)
        draft.reasons.append(
            f"{entry.spoken_name}: {schedules.explain(entry.hours, inputs.at)} → {label}"
        )
        draft.evidence["closed_entry"] = entry.id
        draft.destination, draft.rule = alternative, "directory-closed"
        draft.fired.append("directory-closed")

    def _alternative(self, entry: DirectoryEntry, inputs: RoutingInputs) -> tuple[str, str]:
        """Where a closed entry's calls go: its configured alternative, its team, or a person."""
        alternatives = self.bundle.rules.alternatives
        for key in (entry.id, entry.team):
            target = alternatives.get(key) if key else None
            if target and self._reachable(target, inputs):
                return target, f"alternative {target}"
        if entry.team:
            team = entry.team.casefold()
            for other in self.bundle.directory.entries:
                if (
                    other.kind == "department"
                    and other.id != entry.id
                    and team in (other.name.casefold(), other.id)
                    and self._reachable(other.destination, inputs)
                ):
                    return other.destination, f"team {other.spoken_name}"
        return SWITCHBOARD, "switchboard"

    def _reachable(self, destination: str, inputs: RoutingInputs) -> bool:
        entry = self._entry(destination)
        if entry is None:
            return not destination.startswith(DIRECTORY_PREFIX)
        return not entry.hours or self.bundle.schedules.is_open(entry.hours, inputs.at)

    def _overrides(self, draft: _Draft, inputs: RoutingInputs) -> None:
        seen: set[str] = set()
        for _ in range(_MAX_OVERRIDE_HOPS):
            current = draft.destination
            if current is None or current in seen:
                return
            seen.add(current)
            active = next(
                (
                    o
                    for o in inputs.overrides
                    if o.source == current
                    and o.target != EMERGENCY
                    and is_destination(o.target)
                    and (o.until is None or inputs.at < o.until)
                ),
                None,
            )
            if active is None:
                return
            draft.reasons.append(
                f"operator override {current} → {active.target}"
                + (f" ({active.reason})" if active.reason else "")
            )
            draft.evidence.setdefault("overrides", []).append(
                {"source": current, "target": active.target, "reason": active.reason}
            )
            draft.destination, draft.rule, draft.overridden = (
                active.target,
                "operator-override",
                True,
            )
            draft.fired.append("operator-override")

    def _rules(self, draft: _Draft, inputs: RoutingInputs) -> None:
        ruleset = self.bundle.rules
        facts = self._facts(draft, inputs)
        start = 0
        while True:
            found = ruleset.next_match(facts, start)
            if found is None:
                return
            index, rule, why = found
            then = rule.then
            if then.route:
                draft.destination, draft.action = then.route, "route"
            if then.confirm is not None and draft.destination is not None:
                draft.action = "confirm" if then.confirm else "route"
            draft.offers.extend(then.offers)
            for offer in then.offers:
                draft.offered_by.setdefault(offer, rule.name)
            if then.message:
                draft.message = then.message
            conditions = f": {'; '.join(why)}" if why else ""
            text = f"rule {rule.name}{conditions} → {then.describe()}"
            draft.reasons.append(text + (f" ({then.reason})" if then.reason else ""))
            draft.rule = rule.name
            draft.fired.append(rule.name)
            if not then.continue_:
                return
            facts = self._facts(draft, inputs)
            start = index + 1

    def _facts(self, draft: _Draft, inputs: RoutingInputs) -> Facts:
        return Facts(
            at=inputs.at,
            action=draft.action,
            destination=draft.destination,
            intent=draft.intent,
            source=draft.source,
            flags=inputs.caller.flags,
            recent_calls=inputs.caller.recent_calls,
            waits=inputs.queue_waits,
            override=draft.overridden,
            dialled=inputs.dialled,
            is_open=_cached(lambda name: self.bundle.schedules.is_open(name, inputs.at)),
            bank_holiday=self.bundle.schedules.is_bank_holiday(inputs.at),
        )


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


def _cached(fn: Callable[[str], bool]) -> Callable[[str], bool]:
    memo: dict[str, bool] = {}

    def lookup(name: str) -> bool:
        if name not in memo:
            memo[name] = fn(name)
        return memo[name]

    return lookup


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
