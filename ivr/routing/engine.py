"""RoutingEngine: from what the caller said or keyed to where the call goes, and why.

Pure by design: the time, caller history, queue waits and operator
overrides all arrive in ``RoutingInputs``, so any decision can be replayed
from the log, explained to an operator and pinned in a table-driven test.

Evidence is weighed in a fixed order, strongest first, and the order is the
safety case: an emergency cue in any recognition alternative wins over
everything (``EmergencyScreen``, ivr.routing.emergency, says when a cue is
discounted); then keys, then a crime reference, then directory names against
intents. Danger heard unsurely (a cue with a context that did not move it, a
past or messaged threat, words that only mean danger) is asked about before
anything else: the danger check (``ask_first``), whose "no" is the ordinary
decision. Admin rules only adjust the result (``RouteAdjuster``,
ivr.routing.adjustments: divert when closed, offer a callback when the wait
is long); they can never produce or remove an emergency route.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

from ivr.decisions import (
    DIRECTORY_PREFIX,
    EMERGENCY,
    ONLINE,
    PERSON_NOT_LISTED,
    SWITCHBOARD,
    UNIT_NOT_LISTED,
    Candidate,
    Decision,
    Hypothesis,
    is_destination,
)
from ivr.directory import DirectoryEntry
from ivr.directory.entry import team_key
from ivr.directory.index import sounds_same
from ivr.directory.query import WEAK, WHERE, content_words
from ivr.directory.short_names import first_forms
from ivr.routing.adjustments import RouteAdjuster
from ivr.routing.bundle import IntentMatchLike, MatcherLike, RoutingBundle
from ivr.routing.caller_role import CallerRole
from ivr.routing.case_route import CaseRoute
from ivr.routing.collar import CollarNumber
from ivr.routing.danger_check import DangerDoubt, MeaningDoubts, ask_first, understood
from ivr.routing.departments import MEANING_EVIDENCE
from ivr.routing.draft import Draft, quote
from ivr.routing.elsewhere import OtherForceArea
from ivr.routing.emergency import CALM, NEGATED, EmergencyScreen
from ivr.routing.exposure import ExposedPerson
from ivr.routing.extensions import ExtensionDial
from ivr.routing.follow_up import UPDATE_INTENT, FollowUp
from ivr.routing.how_to import HowToReport
from ivr.routing.model import RoutingInputs
from ivr.routing.own_service import SERVICE_ASKED, SERVICE_NAMES, OwnService
from ivr.routing.past_event import PastEvent
from ivr.routing.preamble import Preamble
from ivr.routing.recent_event import RecentEvent
from ivr.routing.rules import Thresholds
from ivr.routing.self_correction import SelfCorrection
from ivr.routing.units import OPENERS, UnlistedUnit
from ivr.routing.unlisted_person import UnlistedPerson
from ivr.text import normalise


class RoutingEngine:
    """Decides one step of a call from a RoutingBundle; holds no state between calls."""

    def __init__(self, bundle: RoutingBundle) -> None:
        self.bundle = bundle
        self.version = bundle.version  # on every Decision: which ruleset made it
        self.thresholds: Thresholds = bundle.rules.thresholds
        self.screen = EmergencyScreen(bundle)
        self.adjuster = RouteAdjuster(bundle)
        self.cases = CaseRoute(bundle.cases, bundle.directory)
        self.extensions = ExtensionDial(bundle.directory.entries)
        self.collar = CollarNumber()
        self.doubts = MeaningDoubts(bundle)
        self.exposure = ExposedPerson()
        self.area = OtherForceArea(bundle.directory)
        self.own_service = OwnService()
        self.follow_up = FollowUp()
        self.past_event = PastEvent()
        self.how_to = HowToReport()
        self.recent_event = RecentEvent()
        self.self_correction = SelfCorrection()
        self.preamble = Preamble()
        self.caller_role = CallerRole()
        # Departments -> their names' words (name and aliases), read once per ruleset; the
        # local teams' (named for their places) apart.
        self._name_words = {
            e.destination: frozenset(
                w for text in (e.name, *e.aliases) for w in content_words(text)
            )
            - WEAK
            for e in bundle.directory.entries
            if e.kind == "department"
        }
        departments = bundle.departments
        self._local_words = {
            e.destination: self._name_words[e.destination]
            for e in (departments.of_kind(LOCAL_KIND) if departments is not None else ())
        }
        places = (w for words in self._local_words.values() for w in words)
        self.units = UnlistedUnit(bundle.directory.entries, places)
        self.unlisted_person = UnlistedPerson(bundle.directory.entries)

    # --- the stages, in order of evidence ---------------------------------------------------

    def decide(self, inputs: RoutingInputs) -> Decision:
        hypotheses = tuple(h for h in inputs.hypotheses if h.text and h.text.strip())
        scanned, discount = self.screen.outvoted_cues(hypotheses)
        screened = self.doubts.unmeant_cue(scanned, self.screen.check(scanned, inputs.digits))
        calm = screened if isinstance(screened, Decision) and screened.rule in CALM else None
        if isinstance(screened, Decision) and calm is None:
            return self._made(screened)
        meant = self.self_correction.applied(hypotheses)  # what was taken back is not asked
        draft = (
            self._confirmed(inputs.confirmed)
            or self._keypad(inputs.digits)
            or self._reference_in_text(hypotheses)
            or self.extensions.said(hypotheses)
            or self._names_and_intents(meant)
            or self._nothing_usable(inputs, hypotheses)
        )
        self._elsewhere(draft, hypotheses)
        if draft.action == "route":
            self.adjuster.directory_hours(draft, inputs)
            self.adjuster.overrides(draft, inputs)
        self.adjuster.rules(draft, inputs)
        if draft.action == "reprompt" and inputs.attempt >= self.thresholds.reprompt_limit:
            self._give_up(draft, inputs)
        if discount is not None:
            draft.reasons.append(discount.reason)
            draft.evidence["discounted_cue"] = discount.evidence
        decision = draft.finish(self.version)
        if calm is not None:
            decision = _said_calm(calm, decision)
        doubt = screened if isinstance(screened, DangerDoubt) else None
        # Every alternative released as a past crime (``outvoted_cues``): their cues were
        # read, but not a second matter told after them.
        heard = scanned or hypotheses
        as_meant = dict(zip(hypotheses, meant, strict=True))
        doubt = (
            doubt or self.doubts.meant(heard, decision, as_meant) or self.exposure.doubt(scanned)
        )
        return self._made(ask_first(doubt, decision) if doubt is not None else decision)

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
        decision = self.screen.breakout(hypotheses, digits)  # never the intent matcher
        return self._made(decision) if decision is not None else None

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
        entry = self.bundle.directory.named_by(confirmed)
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
        return self.cases.keyed(keyed) or self.extensions.keyed(keyed)

    def _reference_in_text(self, hypotheses: Sequence[Hypothesis]) -> Draft | None:
        return self.cases.said(hypotheses)

    def _names_and_intents(self, hypotheses: Sequence[Hypothesis]) -> Draft | None:
        """``hypotheses`` as meant (``SelfCorrection``: what was taken back is not asked)."""
        if not hypotheses:
            return None
        hypotheses = self.preamble.applied(hypotheses)  # the point, after "the thing is"
        th = self.thresholds
        matcher = self.bundle.matcher
        by_name = tuple(matcher.match((*hypotheses, *_first_sentence(hypotheses, matcher))))
        named = by_name[0] if by_name and by_name[0].score >= th.low else None
        person = named is not None and self._is_person(named)
        # A department's name or alias competes with intents on score ("lost property",
        # "fraud" name a topic), unless the caller asked for the unit ("the fraud squad").
        unit = named is not None and not person and self._unit_asked(named, hypotheses)
        candidates = self._candidates(by_name, hypotheses, named if person else None)
        own = self._own_service(hypotheses, candidates)
        if own is not None:
            return own
        unlisted = self._unit_unlisted(hypotheses, candidates) or self._person_unlisted(
            hypotheses, candidates
        )
        if unlisted is not None:
            return unlisted
        collar = None if person else self.collar.asked(hypotheses, candidates)
        if collar is not None:
            return collar  # a name said with the number is the matcher's
        scored = self.bundle.intents.match(hypotheses)
        matches, asked_after = self.follow_up.first(
            [m for m in scored if not m.emergency], hypotheses, th.intent
        )
        matches, past = self.past_event.first(matches, hypotheses, th.intent, th.intent_margin)
        matches, how = self.how_to.first(matches, hypotheses, th.intent)
        recent = self.recent_event.incident(matches, hypotheses)
        intent = matches[0] if matches and matches[0].score >= th.intent else None
        top = candidates[0] if candidates else None
        # Both scores carry the same recogniser factor (0.85 + 0.15 x confidence), so
        # they compare directly: the stronger evidence decides (the intent's score before
        # the n-best's agreement moved it: names have no such term). A person or place
        # named outranks "someone" (the switchboard intent): "can I speak to Inspector
        # Morgan", "victim support".
        wins = top is not None and (
            _name_wins(top, named, intent, th.high, person, unit)
            or top.evidence.startswith(ROLE_EVIDENCE)
            or self._unit_described(top, hypotheses)
            or self._department_over_link(top, intent)
            or self._department_over_someone(top, intent)
            or self._department_asked_whom(top, intent, hypotheses)
        )
        if top is not None and top.score >= th.low and wins:
            if named is not None and intent is not None and top.score < _heard(intent):
                # The name, not the score, beat the intent: it is the one to offer.
                candidates = (named, *(c for c in candidates if c.destination != named.destination))
            return self._directory(candidates, intent, len(hypotheses) > 1)
        if intent is not None:
            draft = self._intent(intent, matches) if recent is None else _recent(intent, *recent)
            draft.candidates = (*draft.candidates, *candidates)
            if asked_after is not None:
                draft.reasons.append(f"{asked_after!r} asks after a report: the update first")
                draft.evidence["asked_after"] = asked_after
            if past is not None:
                draft.reasons.append(f"{past!r}, nothing happening now: the crime report first")
                draft.evidence["over"] = past
            if how is not None:
                draft.reasons.append(how)
                draft.evidence["web_first"] = how
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

    def _own_service(
        self, hypotheses: Sequence[Hypothesis], candidates: Sequence[Candidate]
    ) -> Draft | None:
        """The Resolution Centre or the Force Control Room asked for by name (ivr.routing.
        own_service), unless a directory entry matched the words surely (the force's own
        "Resolution Centre" entry and its extension)."""
        service = self.own_service.asked(hypotheses)
        if service is None or (candidates and candidates[0].score >= self.thresholds.high):
            return None
        return Draft(
            "route",
            service,
            SERVICE_ASKED,
            [f"the caller asked for the {SERVICE_NAMES[service]} by name"],
            "intent",
            candidates=tuple(candidates),
            evidence={"heard": hypotheses[0].text},
        )

    def _unit_unlisted(
        self, hypotheses: Sequence[Hypothesis], candidates: Sequence[Candidate]
    ) -> Draft | None:
        """A unit asked for by name that the directory lacks (ivr.routing.units): the
        switchboard, unless the matcher found an entry by its words after all (a person
        named with it, "PC Ward in the dog unit"), or a department fits surely by what it
        does ("the fraud squad": Economic Crime)."""
        unit = self.units.asked(hypotheses)
        if unit is None:
            return None
        th = self.thresholds
        for candidate in candidates:
            if candidate.score >= th.high - 0.01 or candidate.said_who:
                return None
            person = self._is_person(candidate)
            by_words = not person and not candidate.evidence.startswith(MEANING_EVIDENCE)
            if candidate.score >= th.low and by_words and not unit.by_role:
                return None
        return Draft(
            "route",
            SWITCHBOARD,
            UNIT_NOT_LISTED,
            [
                f"the caller asked for the {unit.name}, not the police: a person gives their number"
                if unit.outside
                else f"the caller asked for the {unit.name}, which the directory does not list:"
                " a person knows where it is"
            ],
            "directory",
            candidates=tuple(candidates),
            evidence={"unit": unit.name},
        )

    def _person_unlisted(
        self, hypotheses: Sequence[Hypothesis], candidates: Sequence[Candidate]
    ) -> Draft | None:
        """Someone asked for by rank or title and a name nobody here has
        (ivr.routing.unlisted_person): the switchboard, unless the matcher found a person
        after all or an entry surely."""
        th = self.thresholds
        if any(
            c.score >= th.high - 0.01 or (c.score >= th.low and self._is_person(c))
            for c in candidates
        ):
            return None
        asked = self.unlisted_person.asked(hypotheses)
        if asked is None:
            return None
        return Draft(
            "route",
            SWITCHBOARD,
            PERSON_NOT_LISTED,
            [
                f"the caller asked for {asked!r}, whom the directory does not list: a person"
                " finds them"
            ],
            "directory",
            candidates=tuple(candidates),
            evidence={"person": asked},
        )

    def _elsewhere(self, draft: Draft, hypotheses: Sequence[Hypothesis]) -> None:
        """An intent's decision about a place in another force's area, or a department
        offered only for what the words mean ("ringing about my case with my local police
        there"): a person on the switchboard transfers the call there
        (ivr.routing.elsewhere)."""
        by_meaning = (
            draft.source == "directory"
            and draft.action != "route"
            and bool(draft.candidates)
            and draft.candidates[0].evidence.startswith(MEANING_EVIDENCE)
        )
        if (draft.source != "intent" and not by_meaning) or draft.destination == SWITCHBOARD:
            return
        place = self.area.named(hypotheses)
        if place is None:
            return
        draft.action, draft.destination, draft.rule = "route", SWITCHBOARD, "other-force-area"
        draft.fired.append(draft.rule)
        draft.reasons.append(f"{place!r} is another force's area: a person transfers the call")
        draft.evidence["other_area"] = place

    def _unit_asked(self, candidate: Candidate, hypotheses: Sequence[Hypothesis]) -> bool:
        """The caller asked for a unit, not about a topic: "the missing persons unit
        please", "I need the MASH" (an acronym alias said), "Cyber crime, please, ..." (its
        name's words, then "please"), against "lost property" or "I want to report a
        fraud", where the words name a department only by the way."""
        entry = self._entry_of(candidate, "department")
        if entry is None:
            return False
        own = self._name_words.get(candidate.destination, frozenset())
        for hypothesis in hypotheses:
            words = normalise(hypothesis.text).split()
            said = set(words)
            if said & UNIT_WORDS or said & entry.acronyms:
                return True
            # "Cyber crime, please, somebody's hacked our email": its name, then "please"
            asked = words[: words.index("please")] if "please" in words else []
            asked = [w for w in asked if w not in OPENERS]
            if asked and set(asked) <= own:
                return True
        return False

    def _department_over_link(self, top: Candidate, intent: IntentMatchLike | None) -> bool:
        """A department that surely does what the caller needs, over a web link ("a copy of
        everything the police hold on me": Freedom of Information): offered first, since
        the force keeps people for it; the link is the caller's "no"."""
        if intent is None or intent.destination != ONLINE or _heard(intent) >= AS_EXAMPLE:
            return False  # "business crime" is an online example itself
        if self._entry_of(top, "department") is None:
            return False
        # ... or one that fits about as well as the link to track a report ("when's he
        # getting out" of the cells: the custody suite; a court date: witness care): the
        # people who hold the case first.
        th = self.thresholds
        return top.score >= th.high - 0.01 or (
            intent.intent == UPDATE_INTENT
            and top.score >= th.low
            and _heard(intent) - top.score <= th.margin
        )

    def _department_over_someone(self, top: Candidate, intent: IntentMatchLike | None) -> bool:
        """A department that fits what the caller needs, over an unsure "someone" (the
        switchboard intent under its route band): "I'm a support worker, I want to speak to
        someone about a client who is being made to work in a car wash" is for Modern
        Slavery, offered first; a person on the switchboard is the caller's "no"."""
        if intent is None or intent.destination != SWITCHBOARD:
            return False
        if self._entry_of(top, "department") is None:
            return False
        if UNNAMED_PERSON.search(normalise(intent.matched)):
            return False
        heard = _heard(intent)
        # ... and a department that fits well over a sure "someone" not said in its
        # example's own words ("someone about a speeding ticket": the camera unit).
        return heard < self.thresholds.intent_route or (
            heard < AS_EXAMPLE and top.score >= DEPARTMENT_OVER_SOMEONE
        )

    def _department_asked_whom(
        self, top: Candidate, intent: IntentMatchLike | None, hypotheses: Sequence[Hypothesis]
    ) -> bool:
        """The caller asks whom to talk to ("who do I speak to about joining the police",
        "I want to talk to someone about my speeding ticket") and the force has a
        department for it by meaning: offered first, however surely another force's
        example said "someone" or a web link for the same words (the writers of every
        set with such a department wanted it); the person or the link is the "no"."""
        if intent is None or intent.destination not in (SWITCHBOARD, ONLINE):
            return False
        if not top.evidence.startswith(MEANING_EVIDENCE) or top.score < WHOM_DEPARTMENT:
            return False
        if self._entry_of(top, "department") is None:
            return False
        said = [normalise(h.text) for h in hypotheses]
        return any(WHOM_ASKED.search(t) for t in said) and not any(
            UNNAMED_PERSON.search(t) for t in said
        )

    def _unit_described(self, candidate: Candidate, hypotheses: Sequence[Hypothesis]) -> bool:
        """A department found by meaning, for words that ask for a unit by what it does
        ("the people who keep the things you seize"): offered, whatever else the words
        are near ("I want my chainsaw back" is no crime report)."""
        if self._entry_of(candidate, "department") is None:
            return False
        return any(UNIT_DESCRIBED.search(normalise(h.text)) for h in hypotheses)

    def _shared_name(self, tied: Sequence[Candidate]) -> tuple[str, str] | None:
        """(field, name): the surname the best matches share when they tie, all people
        ("PC Jones": five PC Joneses; "DC Jones" for one DC and one PC does not tie: the
        rank tells), or else the first name ("Mohammed, please"). Reading their names out
        to a caller who knows only that name is a guess for them; every independent set's
        writers sent such callers to a person, who asks what it is about (bench/README.md,
        "A surname several share")."""
        people = [e for c in tied if (e := self._entry_of(c, "person")) is not None]
        if len(people) != len(tied):
            return None
        for field in ("surname", "first_name"):
            # Spellings of one sound are one name to a caller ("PC Reed": PC Reid too),
            # through any of them: "Sian" is heard in Shan, Siân and Siôn alike; a first
            # name through its short forms too ("Sean": Sean, Siân and Oluwaseun, "Seun").
            forms = [
                first_forms(e) if field == "first_name" else (getattr(e, field),) for e in people
            ]
            heard = [{normalise(f) for f in known} for known in forms]
            for name in dict.fromkeys(f for known in forms for f in known):
                said = normalise(name)
                if said and all(any(sounds_same(f, said) for f in known) for known in heard):
                    return field, name
        return None

    def _name_both_ways(self, top: Candidate, candidates: Sequence[Candidate]) -> Candidate | None:
        """Another person whose first name is the top's surname, when only that name was
        said ("Grant in the fraud team": DC Alison Grant, or Grant Ellis in Fraud?). The
        surname scores higher by design, but a caller who knows one name may know either
        person; every independent set's writers sent such callers to a person who asks."""
        person = self._entry_of(top, "person")
        if person is None or top.said_who or not person.surname:
            return None
        surname = normalise(person.surname)
        for candidate in candidates[1:]:
            other = self._entry_of(candidate, "person")
            if (
                other is not None
                and candidate.score >= self.thresholds.low
                and other.first_name
                and sounds_same(normalise(other.first_name), surname)
            ):
                return candidate
        return None

    def _same_team(self, one: Candidate, other: Candidate) -> bool:
        teams = {
            team_key(e.team) if (e := self._entry_of(c, "person")) is not None else None
            for c in (one, other)
        }
        return len(teams) == 1

    def _is_person(self, candidate: Candidate) -> bool:
        return self._entry_of(candidate, "person") is not None

    def _entry_of(self, candidate: Candidate, kind: str) -> DirectoryEntry | None:
        """The directory entry a candidate names, if it is of this kind."""
        entry = self.bundle.directory.named_by(candidate.destination)
        return entry if entry is not None and entry.kind == kind else None

    def _candidates(
        self,
        by_name: Sequence[Candidate],
        hypotheses: Sequence[Hypothesis],
        person: Candidate | None = None,
    ) -> tuple[Candidate, ...]:
        """Directory candidates by name, and departments by meaning; best per place."""
        said = normalise(hypotheses[0].text).split() if hypotheses else []
        kept = [c for c in by_name if not self._only_where(c, said)]
        found = list(kept)
        if self.bundle.departments is not None:
            # Meaning alone is asked about ("Did you want Missing Persons?"), never put
            # straight through: it stays under the route band, so an intent heard as
            # surely ("my relative is missing": the FCR) outranks it.
            cap = self.thresholds.high - 0.01
            if person is not None:
                # ...and under a person the words name: "Fraser in roads policing" means
                # the team the matcher already counted for Fraser, not another place.
                cap = min(cap, person.score - self.thresholds.margin - 0.01)
            # Departments of one kind share its requests and tie on them ("the local
            # officers for the villages up in the Haywold hills": every neighbourhood
            # team); one whose own name was said too is the one meant.
            meant = self.bundle.departments.match(hypotheses)
            named = {
                c.destination: f"its name said too ({c.score:.2f})"
                for c in by_name
                if c.score >= NAMED_TOO
            }
            tied = [c for c in meant if meant[0].score - c.score <= TIED]
            # "the local bobbies in Draymoor": the one whose name the caller said is a
            # little ahead of the kind's others, still too near to be chosen.
            close = [c for c in meant if meant[0].score - c.score <= self.thresholds.margin]
            # "my brother's been taken to the cells at Lunsford": in a long sentence the
            # name scores nothing, but its one word that tells the tied apart was said.
            # It outweighs a name heard only by the kind's words ("the beat team for
            # Thornley": "beat team" is in the city team's alias).
            told = self._told_apart(close, said) if len(close) > 1 else None
            if told is not None:
                named = {told[0]: named.get(told[0], f"{told[1]!r} said")}
                tied = close
            elif len(tied) < 2:
                named = {}
            # "I'm a reporter at the Gazette": whatever the story, the press office.
            role = self.caller_role.said(hypotheses)
            if role is not None:
                found += [
                    Candidate(
                        e.destination,
                        e.spoken_name,
                        cap,
                        f"{ROLE_EVIDENCE}{role.words!r}: {role.kind}",
                    )
                    for e in self.bundle.departments.of_kind(role.kind)
                ]
            by_words = {c.destination for c in kept if c.score >= self.thresholds.low}
            found += [
                replace(c, score=min(c.score, cap))
                if c not in tied or c.destination not in named
                else replace(
                    c,
                    score=min(c.score + self.thresholds.margin + 0.01, cap),
                    evidence=f"{c.evidence}; {named[c.destination]}",
                )
                for c in meant
                if c.destination in by_words or not self._only_where(c, said)
            ]
        best: dict[str, Candidate] = {}
        for candidate in found:
            known = best.get(candidate.destination)
            if known is None or candidate.score > known.score:
                best[candidate.destination] = candidate
        return tuple(sorted(best.values(), key=lambda c: -c.score))

    def _told_apart(self, tied: Sequence[Candidate], said: Sequence[str]) -> tuple[str, str] | None:
        """(destination, word): the one tied department a word of whose name or aliases
        the others' lack was said (Lunsford, of three custody suites), if only one."""
        own: dict[str, frozenset[str]] = {}
        for candidate in tied:
            names = self._name_words.get(candidate.destination)
            if names is None:
                return None  # a person or a team's queue: not told apart so
            own[candidate.destination] = names - GENERIC_PLACES
        shared = frozenset.intersection(*own.values())
        heard = set(said)
        hits = [(d, sorted((names - shared) & heard)) for d, names in own.items()]
        hits = [(d, found) for d, found in hits if found]
        return (hits[0][0], hits[0][1][0]) if len(hits) == 1 else None

    def _only_where(self, candidate: Candidate, said: Sequence[str]) -> bool:
        """A department whose name's (or alias's) words the caller said only as where
        something is ("a pothole on Scaurbridge Road", "a shooting in Eskminster, is it
        safe", "PC Whitworth at Hessleford", "my purse was lifted in the Rope Quarter"):
        the place, not the local team there asked for ("someone at Scaurbridge police
        station", "our beat manager in Ravensby", "the Rope Quarter team" ask for it).
        Only local teams, named for their places, are read so. ``said``: the best
        alternative's words, normalised once per decision."""
        own = self._local_words.get(candidate.destination)
        if own is None:
            return False  # not a local team ("held at Aldbridge": its custody suite)
        at = [k for k, word in enumerate(said) if word in own]
        # A place of several words ("in the Rope Quarter") is read from its first word.
        runs = [(k, end) for k in at if k - 1 not in at for end in [_run_end(at, k)]]
        return bool(runs) and all(_said_as_where(said, k, end) for k, end in runs)

    def _directory(
        self, candidates: tuple[Candidate, ...], intent: IntentMatchLike | None, heard: bool
    ) -> Draft:
        th = self.thresholds
        top = candidates[0]
        close = [c for c in candidates if top.score - c.score <= th.margin and c.score >= th.low]
        if heard and top.said_who and self._is_person(top):
            # Recognition alternatives naming different people ("sergeant crowe" @0.94,
            # "sergeant cole" @0.74): the runner-up is said in so many words too, and
            # only the recogniser's confidence in it keeps it under the top: ask which.
            close += [
                c
                for c in candidates
                if c not in close
                and c.said_who
                and self._is_person(c)
                and top.score - c.score <= HEARD_RIVAL
            ]
        beaten = f"; intent {intent.intent} ({intent.score:.2f}) weaker" if intent else ""
        evidence: dict[str, Any] = {"score": round(top.score, 4)}
        other = self._name_both_ways(top, candidates)
        if other is not None and other.said_who and not self._same_team(top, other):
            # "Grant from licensing, about the pub": the first name with the team that
            # deals with pubs says who; the surname's owner is in another licensing team.
            evidence["shared_surname_first_name"] = [top.destination, other.destination]
            return Draft(
                "confirm",
                other.destination,
                "directory-confirm",
                [
                    f"the name said is {top.name}'s surname ({top.score:.2f}) and"
                    f" {other.name}'s first name ({other.score:.2f}), said with their role:"
                    f" {other.evidence}{beaten}"
                ],
                "directory",
                # a confirm asks about its first candidate (ivr.flows.builder)
                candidates=(other, *(c for c in candidates if c is not other)),
                evidence=evidence,
            )
        if other is not None:
            name = other.name
            evidence["shared_surname_first_name"] = [top.destination, other.destination]
            return Draft(
                "route",
                SWITCHBOARD,
                "directory-shared-name",
                [
                    f"the name said is {top.name}'s surname ({top.score:.2f}) and {name}'s"
                    f" first name ({other.score:.2f}), and nothing said tells which: a person"
                    f" asks{beaten}"
                ],
                "directory",
                candidates=candidates,
                evidence=evidence,
            )
        if len({c.destination for c in close}) > 1:
            names = ", ".join(f"{c.name} ({c.score:.2f})" for c in close)
            evidence["choices"] = [c.destination for c in close]
            tied = [c for c in close if top.score - c.score < TIED]
            found = self._shared_name(tied) if len(tied) > 1 else None
            if found is not None:
                field, shared = found
                evidence[f"shared_{field}"] = shared
                return Draft(
                    "route",
                    SWITCHBOARD,
                    "directory-shared-name",
                    [
                        f"{len(tied)} people named {shared!r} score the same:"
                        f" {', '.join(f'{c.name} ({c.score:.2f})' for c in tied)}, and nothing"
                        f" said tells them apart: a person asks which{beaten}"
                    ],
                    "directory",
                    candidates=candidates,
                    evidence=evidence,
                )
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

    def _intent(self, match: IntentMatchLike, matches: Sequence[IntentMatchLike]) -> Draft:
        """Two bands: sure enough routes; unsure confirms; two close readings ask which."""
        th = self.thresholds
        why = _intent_why(match)
        evidence = _intent_evidence(match)
        rival = next((m for m in matches[1:] if m.destination != match.destination), None)
        if (
            rival is not None
            and rival.score >= th.intent
            and match.score - rival.score <= th.intent_margin
        ):
            evidence["choices"] = [match.destination, rival.destination]
            # A report put before a further-ahead incident (ivr.routing.past_event) leads.
            ahead = rival.score - match.score > th.intent_margin
            close = "ahead" if ahead else f"within {th.intent_margin:g}"
            return Draft(
                "disambiguate",
                None,
                "intent-disambiguate",
                [f"{why} and {rival.intent} ({rival.score:.2f}) {close}"],
                "intent",
                intent=match.intent,
                candidates=(_as_candidate(match), _as_candidate(rival)),
                evidence=evidence,
            )
        if match.score >= th.intent_route and _heard(match) >= th.intent_route:
            # The n-best's agreement may lift a reprompt to a question, or take a route
            # down to one; it never routes silently what its best reading alone would ask.
            return Draft(
                "route",
                match.destination,
                "intent",
                [f"{why} >= {th.intent_route:g}"],
                "intent",
                intent=match.intent,
                evidence=evidence,
            )
        return Draft(
            "confirm",
            match.destination,
            "intent-confirm",
            [f"{why} between {th.intent:g} and {th.intent_route:g} → confirm"],
            "intent",
            intent=match.intent,
            candidates=(_as_candidate(match),),
            evidence=evidence,
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


def _said_calm(calm: Decision, ordinary: Decision) -> Decision:
    """Every cue negated or cleared ("no one was hurt, just the bumper"): what the caller
    asked for, if ordinary routing understood it (a route, or a question about it: they said
    there is no danger); else the Force Control Room judges (``calm``)."""
    if not understood(ordinary):
        return calm
    matched = calm.evidence.get("matched", "")
    how, key = ("negated", "negated_cue") if calm.rule == NEGATED else ("cleared", "cleared_cue")
    return replace(
        ordinary,
        reason=f"{ordinary.reason}; emergency cue {how} in {quote(str(matched))}:"
        " no danger said, routed as asked",
        evidence={**ordinary.evidence, key: dict(calm.evidence)},
    )


# A unit asked for by what it does, not its name: "the team that deals with anti-social
# behaviour", "the court people", "whoever plans the policing for the festival".
UNIT_DESCRIBED = re.compile(
    r"(?<![a-z])(?:(?:team|people|unit|department|lot|section|office|folk|ones|someone|whoever)"
    r"(?: who| that| which)? (?:deal|deals|dealing|handle|handles|handling|look after"
    r"|looks after|plan|plans|planning|keep|keeps|run|runs|investigate|investigates|cover"
    r"|covers|sort|sorts|do|does)"
    r"|the [a-z]+ (?:people|lot|folk|ones))(?![a-z])"
)
# One person asked for by what they did, not a department's business ("the officer who
# came round yesterday, I didn't get her name"): "someone" on the switchboard finds them.
UNNAMED_PERSON = re.compile(
    r"(?<![a-z])(?:(?:officer|lady|man|woman|policeman|policewoman|pc|pcso|bloke|chap|guy"
    r"|fella|one) (?:who|that) (?:came|come|visited|attended|was here|dealt|spoke|rang|called"
    r"|phoned|took|was at)"
    r"|(?:didnt|dont|did not|do not|never) (?:get|know|catch|remember) (?:his|her|their) name)"
    r"(?![a-z])"
)
# Directory matches this close score the same: what the caller said fits each as well.
TIED = 0.005
# Words in departments' names that say what kind of place, never which one ("Lunsford
# Police Station Custody Suite" beside "Sandhaven Custody Suite": "station" tells nothing).
GENERIC_PLACES = frozenset(
    {"police", "station", "stations", "policing", "custody", "cells", "suite", "headquarters"}
    # ... nor the kind of team ("the beat team for Thornley": any local team's a beat team)
    | {"beat", "neighbourhood", "local", "team", "teams", "unit", "officers"}
)
# A person named in so many words in another recognition alternative, this close to the
# top person: the recognisers disagree on who, and the caller is asked which.
HEARD_RIVAL = 0.12
# A department found by meaning whose name words were heard at least this well too.
NAMED_TOO = 0.3
# How a department offered for the caller's own role says so ("I'm a reporter").
ROLE_EVIDENCE = "the caller's role "
# A name at least this sure outranks the switchboard intent ("someone"); below it, a sound-
# alike ("pothole" for Patel) is no name said.
NAMED_OVER_SOMEONE = 0.62
# A department this sure is offered over the switchboard intent ("someone") in its route band.
DEPARTMENT_OVER_SOMEONE = 0.75
# The caller asks whom to talk to about something: a department this sure by meaning is
# offered over "someone" or a web link ("who do I speak to about joining the police").
WHOM_ASKED = re.compile(
    r"(?<![a-z])(?:who (?:do|should|can|would|shall) i (?:speak|talk|go|ask|see|contact)"
    r"|who (?:do|should) i need to (?:speak|talk)|who deals with"
    r"|(?:speak|talk) to (?:someone|somebody|anyone) (?:about|regarding))(?![a-z])"
)
WHOM_DEPARTMENT = 0.7
# Words before a place said as where ("on", "at", "in" Eskminster) ... unless the place is
# said with its station or team after it ("at Scaurbridge police station").
PLACE_BEFORE = WHERE | {"in"}
STATION_AFTER = frozenset({"police", "station", "nick", "team", "neighbourhood", "beat", "cop"})
# ... or someone there asked for before it ("our beat manager in Ravensby", "someone at").
ASKER_BEFORE = frozenset(
    {"manager", "officer", "officers", "sergeant", "pcso", "pcsos", "bobby", "bobbies"}
    | {"copper", "coppers", "police", "team", "someone", "somebody", "anyone", "people", "lot"}
)
# ... or officers asked for a few words before it ("the local officers for the villages up
# in the Haywold hills").
OFFICERS_BEFORE = frozenset(
    {"officer", "officers", "sergeant", "pcso", "pcsos", "bobby", "bobbies", "copper"}
    | {"coppers", "manager", "team"}
)
OFFICERS_REACH = 6
# ... or the police's own place there, a few words before ("the police office on the
# university campus", "the police office on the quay at Wansmouth").
POLICE_PLACE_BEFORE = frozenset({("police", "office"), ("police", "station"), ("police", "post")})
# The shipped kind whose departments are named for their places (ivr/routing/data).
LOCAL_KIND = "neighbourhood policing"


def _run_end(at: Sequence[int], k: int) -> int:
    """The last of the consecutive positions in ``at`` from ``k``."""
    while k + 1 in at:
        k += 1
    return k


def _said_as_where(said: Sequence[str], start: int, end: int) -> bool:
    """The place said[start..end] follows "in", "on", "at" (and an article), with nobody
    there asked for before it and no station or team after it."""
    before = start - 2 if start > 1 and said[start - 1] == "the" else start - 1
    return (
        before >= 0
        and said[before] in PLACE_BEFORE
        and ASKER_BEFORE.isdisjoint(said[max(0, before - 1) : before])
        and OFFICERS_BEFORE.isdisjoint(said[max(0, before - OFFICERS_REACH) : before])
        and POLICE_PLACE_BEFORE.isdisjoint(pairwise(said[max(0, before - OFFICERS_REACH) : before]))
        and STATION_AFTER.isdisjoint(said[end + 1 : end + 2])
    )


# An intent this sure was said in its own example's words: no department's meaning outranks it.
AS_EXAMPLE = 0.95
# Words a caller asking for a unit says ("the dog section", "your fraud squad").
UNIT_WORDS = frozenset(
    {"unit", "team", "squad", "department", "dept", "office", "section", "hub", "desk", "bureau"}
)


def _name_wins(
    top: Candidate,
    named: Candidate | None,
    intent: IntentMatchLike | None,
    high: float,
    person: bool,
    unit: bool,
) -> bool:
    """A directory candidate over the best intent: stronger; or the caller NAMED a person
    or place (by name, not by meaning; at least NAMED_OVER_SOMEONE, not a sound-alike) and
    the intent only asks for "someone" (switchboard); or named a person as surely as a
    route ("Siobhan O'Donnell in missing persons" is a person, not a missing-person
    report), or said who in so many words
    ("Kwame in CID, he's looking after my case": offered, since the words have another
    reading); or asked for a unit by name ("the missing persons unit please")."""
    if intent is None or top.score >= _heard(intent):
        return True
    if named is None:
        return False
    surely = person and (named.score >= high or named.said_who)
    # "Someone" said in the intent's own words ("can I just speak to a real person") is
    # not outranked by a person's name only heard in them ("real" ~ Reilly); a unit's
    # name is no sound-alike ("the coroner's officer about my dad's inquest").
    as_example = (
        person and _heard(intent) >= AS_EXAMPLE and named.score < high and not named.said_who
    )
    someone = (
        intent.destination == SWITCHBOARD and named.score >= NAMED_OVER_SOMEONE and not as_example
    )
    return someone or surely or unit


def _meaning(match: IntentMatchLike) -> str:
    return f" (meaning {match.semantic:.2f})" if match.semantic is not None else ""


def _heard(match: IntentMatchLike) -> float:
    """The intent's score as its best alternative alone reads it (before agreement)."""
    return match.score if match.alone is None else match.alone


def _agreement(match: IntentMatchLike) -> str:
    return f"; {match.agreement}" if match.agreement else ""


def _as_candidate(match: IntentMatchLike) -> Candidate:
    """An intent as a choice to confirm or offer (the prompt names its destination)."""
    return Candidate(match.destination, match.intent, match.score, f"~ {quote(match.example)}")


def _recent(report: IntentMatchLike, incident: IntentMatchLike, when: str) -> Draft:
    """A crime report said to be happening now or minutes ago: which of the two
    (ivr.routing.recent_event), the incident first."""
    return Draft(
        "disambiguate",
        None,
        "recent-event",
        [
            f"{_intent_why(report)}, but {when!r} makes it now or minutes ago:"
            f" {incident.intent} first"
        ],
        "intent",
        intent=report.intent,
        candidates=(_as_candidate(incident), _as_candidate(report)),
        evidence={
            **_intent_evidence(report),
            "recent": when,
            "choices": [incident.destination, report.destination],
        },
    )


def _intent_why(match: IntentMatchLike) -> str:
    """An intent's reason: its nearest example, meaning and score."""
    return (
        f"intent {match.intent} ~ {quote(match.example)}{_meaning(match)}"
        f" ({match.score:.2f}{_agreement(match)})"
    )


def _intent_evidence(match: IntentMatchLike) -> dict[str, Any]:
    """An intent's evidence: its score, the words heard and the nearest example, meaning,
    wording, keywords and margin."""
    return {
        "score": round(match.score, 4),
        "heard": match.matched,
        "intent_evidence": match.to_json(),
    }


SENTENCE_END = re.compile(r"(?<=[a-z])[.?!;]\s+")
# A "please" that ends the ask ("The business crime people, please, I've got a shop"):
# what comes first is read alone, not what follows ("PC Smith please, he's in traffic").
PLEASE_END = re.compile(r"(?<= please)[,.]?\s+")
# ... when a story follows, not a word on who ("PC Grant please, the traffic officer")
STORY_WORDS = 6
# A short last clause read alone only when it asks ("..., is that HR?", "..., CID please",
# "..., can I speak to someone in vetting"): short counting the words after the ask.
CLAUSE_ASK = re.compile(
    r"^(?:is (?:that|this|it)|(?:can|could|may) i (?:speak|talk) (?:to|with)"
    r"|i(?:'d| would) like to (?:speak|talk) to|i (?:need|want) to (?:speak|talk) to"
    r"|put me through to)\b",
    re.IGNORECASE,
)
CLAUSE_PLEASE = re.compile(r"\bplease$", re.IGNORECASE)
# ... but not one that only says where the one named is ("Sergeant Baker, at Westhaven
# please"): read alone it names the station instead of the sergeant.
CLAUSE_WHERE = re.compile(r"^(?:at|in|from|of|based at|based in|over at|down at|up at)\b", re.I)
LAST_ASK_WORDS = 4  # a last sentence this short is read alone for a name too
# A first sentence that says who the caller is ("I'm a haulier.", "I am a carer."): no name
# asked for, however near a surname its word sounds (Hale).
SELF_INTRO = re.compile(r"^\W*(?:i'm|i am|im) (?:an? )?[a-z'-]+(?: [a-z'-]+)?\W*$", re.IGNORECASE)


def _first_sentence(
    hypotheses: Sequence[Hypothesis], matcher: MatcherLike
) -> tuple[Hypothesis, ...]:
    """The best alternative's first sentence, when more follows ("The collision
    investigation people. My son died on the A1 in March..."): a name said on its own,
    then the story, whose words would otherwise count against the name. Not when the
    rest says the name again ("Can I speak to Graham? Graham Dixon, ..."): it says who."""
    if not hypotheses:
        return ()
    best = hypotheses[0]
    parts = SENTENCE_END.split(best.text, maxsplit=1)
    if len(parts) != 2:
        return _ask_clause(best, matcher)
    first, rest = parts
    last = SENTENCE_END.split(rest)[-1]
    out: tuple[Hypothesis, ...] = ()
    if not matcher.restated(first, rest) and not SELF_INTRO.match(first):
        out = (replace(best, text=first),)
    # ... and its last, when short: the ask after the story ("We're a supplier and we
    # haven't been paid. Finance please.").
    if len(last.split()) <= LAST_ASK_WORDS and last != first:
        out += (replace(best, text=last),)
    return out


def _ask_clause(best: Hypothesis, matcher: MatcherLike) -> tuple[Hypothesis, ...]:
    """One sentence: what comes before a "please" that ends the ask ("The business crime
    people, please, I've got a shop ..."), or a short last clause that asks ("I'm ringing
    about the PCSO job adverts, is that HR?")."""
    parts = PLEASE_END.split(best.text, maxsplit=1)
    story = len(parts) == 2 and len(parts[1].split()) >= STORY_WORDS
    if story and not matcher.restated(parts[0], parts[1]):
        return (replace(best, text=parts[0]),)
    clauses = best.text.rsplit(",", 1)
    last = clauses[-1].strip(" ?.!")
    ask = CLAUSE_ASK.search(last)
    whom = last[ask.end() :] if ask is not None else last
    asks = ask is not None or CLAUSE_PLEASE.search(last) is not None
    where = ask is None and CLAUSE_WHERE.search(last) is not None
    if len(clauses) == 2 and len(whom.split()) <= LAST_ASK_WORDS and asks and not where:
        return (replace(best, text=last),)
    return ()
