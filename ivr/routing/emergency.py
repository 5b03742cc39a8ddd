"""EmergencyScreen: the first and strongest evidence, an emergency cue or key 9.

An emergency cue in any recognition alternative wins over everything else the
engine weighs (keys, references, names, overrides, schedules). The one
exception needs two engines' words (``Hypothesis.heard_by``, from
ivr.speech.twopass.merge): a cue that only a lower alternative of one engine
carries, while every engine's top alternative is cue-free and another
engine's top is confident, is discounted, and the Decision says so (a cue in
any engine's top always counts). A cue only one engine heard, whose top was
unsure while another engine's was confident and cue-free, or whose top was sure
while another engine as sure heard none (unless a life at risk was said in so many
words), is asked about (the danger check, ``UNSURE_RULE``), never dropped.
Kept apart from the RoutingEngine
because the same screen also runs at steps other than the menu (``breakout``).

A cue found is then read in context (``DangerReader``, ivr.routing.danger):
"I found a knife", "the stabbing in the news" go to the Force Control Room
with a rule naming the context (``found-object-emergency-cue``, ...); "he
threatened me last week", "threatening messages on facebook" (a time or a
distance: the danger may still be there) are a ``DangerDoubt``, asked about
first (ivr.routing.danger_check). Every alternative
that carries a clear cue is read, and any one read as danger makes it an
emergency (recall first). Damage or a fire in the past with nobody there
("someone set fire to my bin last night, it's out now") is released to
ordinary routing when an intent is heard to route it by, so opening hours and
admin rules apply as to any crime report, and the Decision says which cue was
released and why; with no intent heard it goes to the FCR like any other cue
in context. Every route the screen
itself returns stays out of admin rules' reach.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ivr.decisions import EMERGENCY, FCR, Decision, Hypothesis
from ivr.routing.bundle import IntentMatchLike, RoutingBundle
from ivr.routing.danger import Context, DangerReader, Reading, Verdict
from ivr.routing.danger_check import (
    CUE_RULE,
    CUE_TENSE,
    CUT_SHORT,
    MEANING_MIN_WORDS,
    NEAR_ONLY,
    SAID_DANGER,
    SECOND_OPINION,
    SURE_DANGER,
    DangerDoubt,
    engine_tops,
    sure_engines,
)
from ivr.routing.danger_words import (
    COURIER_FRAUD,
    CUE_KINDS,
    SOMEONE,
    WEAK_CUES,
    WEAK_PRESENT,
    CueKind,
    cue_list,
)
from ivr.routing.draft import quote
from ivr.routing.memo import BoundedMemo
from ivr.routing.phrases import NEGATED_MARK
from ivr.text import normalise

# The words of a perfect or a possession before a cue (CUE_TENSE, ``_sure_danger``).
PERFECT = re.compile(r"(?<![a-z])(?:been|got|after)(?![a-z])")

KEYPAD_RULE = "keypad-emergency"
# An emergency cue only one engine heard, against a confident second opinion: asked.
UNSURE_RULE = "unsure-emergency-cue"
BOTH_SURE = "both_sure"  # heard_alone evidence: the engine with the cue was sure too

MEMO_SIZE = 1024  # cue scans and readings remembered (by words), least recent out first
# A cue only one engine heard, in a few words, is asked about below this top confidence
# when the other engine heard no cue (however unsure it was): a recogniser's short guess.
SHORT_SURE = 0.6


NEGATED = "negated-emergency-cue"  # every cue negated: the FCR unless a request was understood
# ... and the same for an injury cue the caller clears in so many words ("we had a bump,
# nobody's hurt, do I need to report it"): they say there is no danger, as a negation does.
UNHURT_RULE = f"{Context.UNHURT.value}-emergency-cue"
# ... and so does a threat only to make something known ("threatening to post my photos").
EXPOSURE_RULE = f"{Context.EXPOSURE.value}-emergency-cue"
CALM = frozenset({NEGATED, UNHURT_RULE, EXPOSURE_RULE})
# Contexts after which the danger may still be there ("he threatened me last week",
# "he keeps messaging me that he'll kill me", "he says he'll kill me tomorrow"): asked,
# not assumed either way.
DOUBTFUL = frozenset(
    {Context.PAST, Context.FUTURE, Context.REMOTE, Context.TOY, Context.THING, Context.NOISE}
)
# Contexts that put a danger at a remove from the caller now (in time, by message, told
# second-hand, an object found): heard beside a cue still read as danger, they make it a
# doubt to ask about.
# (Not a day still to come: "I won't be here tomorrow" says its own "tomorrow".)
AT_A_REMOVE = frozenset({Context.PAST, Context.REMOTE, Context.WITNESS, Context.FOUND})
# ... and, with those, the all-clears that contradict danger now ("nobody's hurt", "the
# fire's out"). Not "they've gone": "I've just been stabbed, he ran off" needs 999 handling.
DOUBTED_BESIDE = AT_A_REMOVE | {Context.UNHURT, Context.OUT}
# Cue kinds no context moves (ivr.routing.danger_words.MOVES): said at all, they are danger.
UNMOVABLE = frozenset({CueKind.PRESENT, CueKind.MEDICAL, CueKind.SELF_HARM})
# A person said to be shot or stabbed ("I think someone's been shot", "my son's been
# stabbed"): a life at risk in so many words, whatever else the sentence is near ("we heard
# gunshots last night, probably foxes"); a pet or a past said beside it is read before this.
PERSON_HURT = re.compile(
    r"(?<![a-z])(?:someone|somebody|someones|somebodys|he|hes|she|shes|i|ive|im|they|theyve"
    r"|a (?:man|woman|lad|boy|girl|kid|child|person)|my (?:son|daughter|husband|wife|partner"
    r"|friend|mum|dad|brother|sister|boyfriend|girlfriend|mate|neighbour)s?)"
    r"(?: has| have| had| is| was)? (?:just )?(?:been|got|getting|being) (?:shot|stabbed)"
    r"(?![a-z])"
)
# A weapon cue said to be in someone's hand ("I found him with a knife in his hand"):
# held now, a cue the screen read as danger stays 999 whatever else the sentence is near.
IN_SOMEONES_HAND = r" in (?:his|her|their|both) hands?(?![a-z])"
CHILD = re.compile(
    r"(?<![a-z])(?:kids?|child|childs|children|baby|babys|toddler|son|sons|daughter|daughters"
    r"|little (?:boy|girl|one|ones|lad|lass)|grandson|granddaughter)(?![a-z])"
)
# ... except bare words the sentence's meaning must settle: "it's still there" (a van, a
# fly-tipper), "dead" (a deer in the road), "ambulance" (it has been and gone), and the
# cues that read a life at risk between the lines ("I've got everything ready", "right
# at the edge", "a drone over the runway", "horses loose on the motorway").
STILL_THERE = frozenset({"still here", "still there"})
MEANING_DECIDES = frozenset(
    STILL_THERE
    | {"dead", "ambulance", "not going to be here"}
    | {"wont be here tomorrow", "got everything ready", "on the edge", "at the edge"}
    | {"on the runway", "over the runway", "on the motorway", "middle of the motorway"}
    | {"onto the motorway", "on the railway line", "on the railway", "on the tracks"}
    | {"on the train tracks", "from the exhaust", "on the exhaust"}
    # railings and race courses are places too ("my bike was nicked from outside the
    # railings", "kids keep climbing onto the track at the old speedway")
    | {"on the outside of the railings", "on the outside of the railing"}
    | {"wrong side of the railings", "wrong side of the railing", "onto the racecourse"}
    | {"out onto the course", "onto the track", "onto the circuit"}
    | {"can see him", "can see them", "can see her", "can still see him"}
    | {"can still see them", "can still see her"}
    # "going to end it" may be a relationship; "end it tonight", "end his life" are not
    | {"going to end it", "gonna end it", "wants to end it"}
    | cue_list(COURIER_FRAUD)
)


@dataclass(frozen=True)
class Discount:
    """A cue the scan did not count, and why (into the Decision's reason and evidence)."""

    reason: str
    evidence: dict[str, Any]


class EmergencyScreen:
    """Finds an emergency in what a caller said or keyed; holds no state between calls.

    Only a bounded memo of cue scans by their words: ``decide`` scans the same
    alternatives twice (the release, then the check), and a reading depends on the
    words alone.
    """

    def __init__(self, bundle: RoutingBundle) -> None:
        self.bundle = bundle
        self.reader = DangerReader()
        # Shared by decisions in worker threads and break-outs on the event loop.
        self._memo: BoundedMemo[tuple[tuple[str, float], ...], IntentMatchLike | None]
        self._memo = BoundedMemo(MEMO_SIZE)
        self._readings: BoundedMemo[str, tuple[IntentMatchLike, Reading] | None]
        self._readings = BoundedMemo(MEMO_SIZE)

    def _cue(self, hypotheses: Sequence[Hypothesis]) -> IntentMatchLike | None:
        """``emergency_cue`` of these alternatives, remembered for the next scan of them."""
        if not hypotheses:
            return None
        key = tuple((h.text, h.confidence) for h in hypotheses)
        return self._memo.get(key, lambda: self.bundle.intents.emergency_cue(hypotheses))

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

        A second opinion's discount (below), then the past crimes released (``_released``).
        """
        scanned, discount = self._outvoted(hypotheses)
        scanned, released = self._released(scanned)
        if discount is None or released is None:
            return scanned, discount or released
        evidence = {**discount.evidence, "released": released.evidence}
        return scanned, Discount(f"{discount.reason}; {released.reason}", evidence)

    def _outvoted(
        self, hypotheses: tuple[Hypothesis, ...]
    ) -> tuple[tuple[Hypothesis, ...], Discount | None]:
        """The second-opinion discount.

        All of them, unless two engines were heard (every alternative has ``heard_by``) and
        no engine's top alternative carries a cue, clear or negated: then a lower
        alternative is left out when another engine's top is confident (>=
        SECOND_OPINION): one engine's runner-up ("gun you put me through to ...",
        "ewan mcdonald quick") against both engines' best reading of the same words.
        """
        tops = engine_tops(hypotheses)
        if not tops:
            return hypotheses, None
        engines = frozenset().union(*(h.engines for h in hypotheses))
        if len(engines) < 2 or set(tops) != engines:
            return hypotheses, None
        intents = self.bundle.intents
        if intents.emergency_cue(tuple(dict.fromkeys(tops.values()))) is not None:
            return hypotheses, None  # a cue in any engine's top always counts
        sure = sure_engines(tops)
        left_out = [h for h in hypotheses if not h.top and sure - h.engines]
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

    def _read(self, hypothesis: Hypothesis) -> tuple[IntentMatchLike, Reading] | None:
        """This alternative's clear cues read in context (None: no clear cue in it)."""
        return self._readings.get(hypothesis.text, lambda: self._read_now(hypothesis.text))

    def _read_now(self, text: str) -> tuple[IntentMatchLike, Reading] | None:
        cue = self.bundle.intents.emergency_cue((Hypothesis(text),))
        if cue is None or cue.score < 1.0:
            return None
        return cue, self.reader.read(cue.matched, _cue_names(cue))

    def _verdict(self, hypothesis: Hypothesis) -> Verdict | None:
        read = self._read(hypothesis)
        return read[1].verdict if read is not None else None

    def _intent_heard(self, hypotheses: tuple[Hypothesis, ...]) -> bool:
        """Whether ordinary routing has an intent to route a released call by."""
        floor = self.bundle.rules.thresholds.intent
        matches = self.bundle.intents.match(hypotheses)
        return any(m.score >= floor and not m.emergency for m in matches)

    def _name_heard(self, hypotheses: tuple[Hypothesis, ...]) -> bool:
        """Whether a name ordinary routing would at least offer was said ("Jo Forster in
        firearms licensing, she's handling my shotgun renewal")."""
        named = self.bundle.matcher.match(hypotheses)
        return bool(named) and named[0].score >= self.bundle.rules.thresholds.low

    def _released(
        self, hypotheses: tuple[Hypothesis, ...]
    ) -> tuple[tuple[Hypothesis, ...], Discount | None]:
        """Leave out the alternatives whose cues all read as no danger here now: a past crime
        with nobody there, or an event known second hand (the news, information).

        Those calls are crime reports: ordinary routing (intents, hours, rules) takes
        them, and the Discount says which cue was released by which words.
        """
        best = self._cue(hypotheses)
        if best is None or self._verdict(Hypothesis(best.matched)) is not Verdict.RC:
            return hypotheses, None  # the best cue decides as it reads: nothing to release
        released: list[tuple[Hypothesis, IntentMatchLike, Reading]] = []
        for hypothesis in hypotheses:
            read = self._read(hypothesis)
            if read is not None and read[1].verdict is Verdict.RC:
                released.append((hypothesis, *read))
        # A gun told of only by its paperwork may go to the name said too; a witness's or
        # a question's gun ("PC Wood, I saw something, a man with a gun") goes to the FCR.
        paperwork = all(ctx is Context.LICENSED for _, _, r in released for _, ctx in r.moved)
        if not released or not (
            self._intent_heard(hypotheses) or (paperwork and self._name_heard(hypotheses))
        ):
            return hypotheses, None  # no crime report to route it by: the FCR takes it
        carrier, cue, reading = released[0]
        reason = (
            f"emergency cue in {quote(carrier.text)} read as no danger here now"
            f" ({reading.explain()}): routed as the caller asks"
        )
        evidence = {"matched": cue.matched, "cue_intent": cue.intent, **reading.to_json()}
        left = tuple(h for h in hypotheses if all(h is not r for r, _, _ in released))
        return left, Discount(reason, evidence)

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        """Only an emergency, at a step other than the menu (None: carry on).

        The key, the cues and the second-opinion discount as ``check`` after
        ``outvoted_cues``, but never the past-crime release: it asks the intent matcher
        (the sentence model) whether a crime report was heard, and a break-out runs on
        the event loop. Nothing is lost: a released alternative reads as no danger, so
        keeping it can only add an emergency, never hide one; and a doubt raised by a cue
        breaks out too (the step's own danger check asks, ivr.session.emergency).
        """
        heard = tuple(h for h in hypotheses if h.text and h.text.strip())
        scanned, _ = self._outvoted(heard)
        decision = self.check(scanned, digits)
        if isinstance(decision, DangerDoubt):
            return decision.breakout
        if decision is None or decision.destination != EMERGENCY:
            return None
        return decision

    def check(
        self, hypotheses: Sequence[Hypothesis], digits: str | None
    ) -> Decision | DangerDoubt | None:
        """``_check``, but an emergency that only one engine heard, against a confident
        second opinion, is asked about (``_heard_alone``); not a life at risk said in so
        many words against a merely sure one ("she's not breathing", "kill myself",
        "someone's in my house": SAID_DANGER). Words said to be here now are no exception:
        a misheard sentence has them as often ("On fire, it's about to fight" for "On
        Fara, it's about the fight")."""
        decision = self._check(hypotheses, digits)
        if not isinstance(decision, Decision) or decision.destination != EMERGENCY:
            return decision
        if decision.rule == KEYPAD_RULE:
            return decision
        alone = self._heard_alone(hypotheses)
        if alone is None:
            return decision
        if alone.evidence.get(BOTH_SURE) and decision.evidence.get(SAID_DANGER):
            return decision
        reason = f"{decision.reason}; but {alone.reason}: ask"
        evidence = {**decision.evidence, "heard_alone": alone.evidence}
        return DangerDoubt(UNSURE_RULE, reason, evidence, decision.intent, decision)

    def _heard_alone(self, hypotheses: Sequence[Hypothesis]) -> Discount | None:
        """Why an emergency cue is doubtful as heard: only one engine's alternatives carry
        a cue read as danger here now, that engine's top is unsure (< SECOND_OPINION), and
        another engine's top is confident and carries none (or one its context clears: a
        threat on a game's chat), or no engine's top is confident. Or that engine's cue is
        in a few words read below SHORT_SURE and the other engine heard none ("Blood is
        water." for "Drugs squad."). Or that engine's top, sure, carries it and another
        engine as sure heard the words without it ("at the fire shop" / "at the fara
        shop"; bench/README.md, "Session 31": fewer false emergencies by voice for a
        few more emergencies asked).
        PocketSphinx's language model hears a garbled request
        as the nearest words it knows, cue words among them ("help", "knife"): 16 of 17
        false emergencies on the dev sets' speech were its top at 0.1-0.4, which Whisper
        heard as the request it was (bench/README.md, "Heard alone")."""
        tops = engine_tops(hypotheses)
        if not tops:
            return None
        # A cue that reads as danger here now: a sure engine's cue read in context as a
        # message ("threatened to kill me on a gaming chat") leaves an unsure engine's
        # "blood all up on the floor" heard alone.
        carriers = [h for h in hypotheses if self._verdict(h) is Verdict.EMERGENCY]
        heard = frozenset().union(*(h.engines for h in carriers)) if carriers else frozenset()
        if len(heard) != 1 or len(tops) < 2:
            return None
        (engine,) = heard
        own = tops.get(engine)
        sure = {e: tops[e] for e in sure_engines(tops) if e != engine}
        if own is not None and not sure and _short_and_middling(carriers, own):
            # "Drugs squad." heard by Whisper as "Blood is water." (0.54), PocketSphinx
            # hearing no cue: too few words for the sentence model to read, too unsure a
            # reading to send to 999 unasked.
            reason = (
                f"only {engine} heard a cue, in a few words read at {own.confidence:.2f}"
                f" (below {SHORT_SURE:g}); the other engine heard none"
            )
            return Discount(reason, {"engine": engine, "confidence": round(own.confidence, 4)})
        if own is not None and own.confidence < SECOND_OPINION and not sure:
            # No engine heard the words surely (Whisper looping "My name is Kate. I'm in
            # Rome." at 0.44 beside PocketSphinx's "whiteley kill me really got the all"):
            # the one unsure reading with a cue is asked about, not sent to 999 unasked.
            reason = (
                f"only {engine} heard a cue, its top reading unsure ({own.confidence:.2f}),"
                " and no engine heard the words surely"
            )
            return Discount(reason, {"engine": engine, "confidence": round(own.confidence, 4)})
        if own is None:
            return None
        if own.confidence >= SECOND_OPINION and (not sure or own not in carriers):
            return None  # nobody as sure heard otherwise, or a runner-up's (outvoted_cues)
        # Unsure against a confident second opinion; or two engines each sure of different
        # words, a cue in one only ("at the fire shop" for "the Fara shop", PocketSphinx
        # hearing the shop's name): which heard right the words cannot say; the caller can
        # (yes, 9 or silence: 999 handling).
        against = ", ".join(
            f"{e} {h.confidence:.2f} {quote(h.text)}" for e, h in sorted(sure.items())
        )
        if own.confidence >= SECOND_OPINION:
            reason = (
                f"only {engine} heard a cue ({own.confidence:.2f}); another engine, as"
                f" sure of its words, heard none ({against})"
            )
        else:
            reason = (
                f"only {engine} heard a cue and its top reading was unsure"
                f" ({own.confidence:.2f}); a confident second opinion heard none ({against})"
            )
        evidence = {
            "engine": engine,
            "confidence": round(own.confidence, 4),
            "second_opinion": {e: h.text for e, h in sorted(sure.items())},
            BOTH_SURE: own.confidence >= SECOND_OPINION,
        }
        return Discount(reason, evidence)

    def _check(
        self, hypotheses: Sequence[Hypothesis], digits: str | None
    ) -> Decision | DangerDoubt | None:
        """The emergency (or negated-cue, or cue-in-context) route, or a doubt to ask about.

        An emergency when any alternative's clear cues read as danger with no context
        against it; a doubt when a context was heard but did not move a cue, or moved
        it by time or distance only (past, by message: the danger may still be there);
        the FCR, with the context that moved them, when every cue read as no danger now.
        """
        keyed = (digits or "").strip()
        nine = self.key
        if keyed and nine and set(keyed) == {nine}:
            reason = f"caller pressed {keyed} (emergency)"
            return emergency_decision(KEYPAD_RULE, reason, {"digits": keyed})
        cue = self._cue(hypotheses)
        if cue is None:
            return None
        evidence = {"cue_intent": cue.intent, "matched": cue.matched, "score": round(cue.score, 4)}
        if cue.score < 1.0:
            # Every cue was negated ("nobody is hurt", "it's not an emergency"): the caller
            # says there is no danger. The engine routes by what they asked for when it
            # understood that (a bumped car to the crime desk); otherwise a control room
            # handler judges it (``NEGATED``, RoutingEngine.decide).
            reason = (
                f"negated emergency cue: {quote(cue.matched)} ~ {quote(cue.example)}"
                f" ({cue.score:.2f}); the Force Control Room assesses the risk"
            )
            return _fcr_decision(NEGATED, reason, evidence, cue.intent)
        read = self._read(Hypothesis(cue.matched))
        first = read[1] if read is not None else None
        readings = [(cue, first)]
        for hypothesis in hypotheses:
            other = self._read(hypothesis) if hypothesis.text != cue.matched else None
            if other is not None:
                readings.append(other)
        for found, reading in readings:
            if reading is None or (
                reading.verdict is Verdict.EMERGENCY and not _doubtful(found, reading)
            ):
                return _cue_emergency(found, reading)  # recall first: any alternative in danger
        doubted = next((r for r in readings if r[1] and r[1].verdict is Verdict.EMERGENCY), None)
        if doubted is not None:
            return _doubted(*doubted)
        assert first is not None
        context = first.context.value if first.context else "context"
        rule = f"{context}-emergency-cue"
        evidence = {**evidence, "context": first.to_json()}
        # Any cue moved by time, distance or a doubt is asked about, whichever was said
        # first ("nobody's hurt yet, but there's a party next door and screaming").
        # So is a lawful gun whose holder is said to be angry or here (its verdict: FCR).
        doubtful = any(
            ctx in DOUBTFUL or (ctx is Context.LICENSED and first.verdict is Verdict.FCR)
            for _, ctx in first.moved
        )
        if doubtful and first.verdict is not Verdict.RC:
            reason = (
                f"emergency cue in context: {quote(cue.matched)}: {first.explain()};"
                " the danger may still be there: ask"
            )
            # Out of the menu too ("he hit me twenty minutes ago" said in a queue): the
            # step breaks out and its own danger check asks.
            # Violence planned for another day is the control room's to prevent.
            planned = any(ctx is Context.FUTURE for _, ctx in first.moved)
            return DangerDoubt(
                rule, reason, evidence, cue.intent, _cue_emergency(cue, first), attend=planned
            )
        reason = (
            f"emergency cue in context: {quote(cue.matched)}: {first.explain()};"
            " no present danger heard, the Force Control Room assesses the risk"
        )
        return _fcr_decision(rule, reason, evidence, cue.intent)


def _doubtful(cue: IntentMatchLike, reading: Reading) -> bool:
    """Danger read, but with a time, a distance or a second-hand account heard beside it
    ("a lad pulled a knife on my son last friday", "they're posting that I'll kill
    myself") and no more of the present than "now"; or an all-clear that contradicts it
    ("nobody's hurt but both cars are stuck") with no intruder heard; or only urgency
    heard ("kids doing wheelies in the traffic right now"). "They've gone" does not make
    it doubtful: "I've just been stabbed, he ran off" needs 999 handling whoever has gone."""
    if _here_now(reading):
        return False  # the danger is said to be here now ("he's outside my house")
    heard = {context for context, _ in reading.heard}
    if heard & AT_A_REMOVE:
        return True
    intruder = any(CUE_KINDS.get(c) is CueKind.INTRUDER for c in reading.kept)
    if heard & DOUBTED_BESIDE and not intruder:
        return True  # "nobody's hurt", "the fire's out", but not "they're trying to get in"
    names = _cue_names(cue)
    return bool(names) and all(normalise(name) in WEAK_CUES for name in names)


def _here_now(reading: Reading) -> list[str]:
    """The words that say the danger is here now: present-danger words beyond "now", and
    cues that are themselves a present state ("breaking in"). Words that only tell what
    happened ("pulled a knife") do not, beside a past, a distance or an all-clear."""
    beside = any(context in DOUBTED_BESIDE for context, _ in reading.heard)
    # "There's a man with a knife": someone here with it, unless the words are a message's,
    # the news ("there's a lad with a knife in a video going round") or lawful shooting
    # ("a man with a shotgun in the field, after rabbits").
    told = any(
        context in (Context.REMOTE, Context.WITNESS, Context.LICENSED)
        for context, _ in reading.heard
    )
    strong = [
        w
        for w in reading.present
        if not _weak_present(w, someone=not told) and not (beside and w in reading.events)
    ]
    here = [c for c in reading.kept if CUE_KINDS.get(c) is CueKind.PRESENT]
    return strong + [c for c in here if c not in WEAK_CUES]


def _sure_danger(cue: IntentMatchLike, reading: Reading) -> dict[str, list[str]]:
    """What makes a cue danger whatever the sentence means, for the danger check's meaning
    test (ivr.routing.danger_check.MeaningDoubts.unmeant_cue), under its evidence keys:
    the words said to be here now (SURE_DANGER), apart from the cue's own present tense
    ("has been taken", "got a bomb": CUE_TENSE, less sure); and a kind no context makes
    safe ("collapsed", "kill myself") or an intruder, said in so many words (SAID_DANGER;
    "they're trying to get in", not a near miss, "asked" for "masked"); and, the other
    way, whether every cue was heard only as another word (NEAR_ONLY: the meaning has to
    be clearer)."""
    said = f" {normalise(cue.matched)} "
    names = tuple(dict.fromkeys(normalise(n) for n in _cue_names(cue)))
    unmovable = [
        c
        for c in reading.kept
        if c not in MEANING_DECIDES
        and f" {c} " in said
        and CUE_KINDS.get(c, CueKind.PRESENT) in UNMOVABLE | {CueKind.INTRUDER}
    ]
    unmovable += [m.group(0) for m in PERSON_HURT.finditer(said)]
    held = (
        re.search(rf"(?<![a-z]){re.escape(n)}{IN_SOMEONES_HAND}", said)
        for n in names
        if CUE_KINDS.get(n) is CueKind.WEAPON
    )
    unmovable += [m.group(0).strip() for m in held if m is not None]
    # A child said taken ("the kids were playing out the front and I think they've been
    # taken"): however ordinary the rest sounds, not a thing stolen (those were moved).
    if CHILD.search(said):
        unmovable += [n for n in names if CUE_KINDS.get(n) is CueKind.TAKEN and f" {n} " in said]
    # Only someone said to be still there, which the meaning settles ("he is still here in
    # his car", after a bump with nobody hurt): its own words are no surer. Not beside
    # another cue ("coming to collect the money ... he's still here").
    bare = list(names) if set(names) <= STILL_THERE else []
    # "I've asked him to stop" read as "I've masked": a near miss's tense is the other
    # word's, so the meaning decides.
    here = [
        w
        for w in _here_now(reading)
        if w not in MEANING_DECIDES
        and not any(w.endswith(f" {c}") for c in (*reading.near_misses, *bare))
    ]
    # A perfect or a possession ("have been taken", "got a bomb"), not a state going on
    # ("someone is bleeding") nor a cue that is itself one ("he's still here").
    events = {n for n in names if CUE_KINDS.get(n) is not CueKind.PRESENT}
    tense = [w for w in here if PERFECT.search(w) and any(w.endswith(f" {c}") for c in events)]
    near_only = bool(names) and set(names) <= set(reading.near_misses)
    cut_only = near_only and set(names) <= set(reading.cut_short)
    return {
        SURE_DANGER: [w for w in dict.fromkeys(here) if w not in tense],
        CUE_TENSE: list(dict.fromkeys(tense)),
        SAID_DANGER: list(dict.fromkeys(unmovable)),
        NEAR_ONLY: ["heard as another word"] if near_only and not cut_only else [],
        CUT_SHORT: ["heard cut short"] if cut_only else [],
    }


def _short_and_middling(carriers: Sequence[Hypothesis], own: Hypothesis) -> bool:
    """Every alternative carrying the cue is a few words (the meaning check reads
    MEANING_MIN_WORDS or more), and the engine's top reading is below SHORT_SURE."""
    return own.confidence < SHORT_SURE and all(
        len(h.text.split()) < MEANING_MIN_WORDS for h in carriers
    )


def _weak_present(words: str, someone: bool = False) -> bool:
    """Says when, or that a thing exists ("there's a bomb" in a message going round),
    not that the danger is here with the caller; with ``someone``, a person said to be
    there with it ("there's a man with a knife") is no mere thing."""
    said = normalise(words)
    if said in WEAK_PRESENT:
        return True
    exists = said.startswith(("theres ", "there is ", "there are "))
    return exists and not (someone and SOMEONE.search(said) is not None)


def _cue_names(cue: IntentMatchLike) -> list[str]:
    """The clear (not negated) cues a match found."""
    names: tuple[str, ...] = getattr(cue, "keywords", ()) or (cue.example,)
    return [name for name in names if not name.endswith(NEGATED_MARK)]


def _doubted(cue: IntentMatchLike, reading: Reading | None) -> DangerDoubt:
    """A cue kept as danger although a context was heard ("a lad pulled a gun on me back in
    the summer, I've seen him now on facebook"), or only urgency: ask, not assume."""
    assert reading is not None
    why = (
        reading.explain()
        if reading.heard
        else "only urgency or swerving traffic heard, not what is happening"
    )
    reason = (
        f"emergency cue: {quote(cue.matched)} ~ {cue.intent} example {quote(cue.example)}"
        f" ({cue.score:.2f}), but {why}: ask"
    )
    evidence = {
        "cue_intent": cue.intent,
        "matched": cue.matched,
        "score": round(cue.score, 4),
        "context": reading.to_json(),
    }
    emergency = _cue_emergency(cue, reading)
    return DangerDoubt("doubtful-emergency-cue", reason, evidence, cue.intent, emergency)


def _cue_emergency(cue: IntentMatchLike, reading: Reading | None) -> Decision:
    reason = (
        f"emergency cue: {quote(cue.matched)} ~ {cue.intent} example {quote(cue.example)}"
        f" ({cue.score:.2f}); 999 advice outranks every other route"
    )
    evidence: dict[str, Any] = {
        "cue_intent": cue.intent,
        "matched": cue.matched,
        "score": round(cue.score, 4),
    }
    if reading is not None:
        evidence.update(_sure_danger(cue, reading))
    if reading is not None and reading.heard:
        # A context was heard but did not move the cue: say which words kept it.
        reason += f" ({reading.explain()})"
        evidence["context"] = reading.to_json()
    return emergency_decision(CUE_RULE, reason, evidence, cue.intent)


def _fcr_decision(
    rule: str, reason: str, evidence: Mapping[str, Any], intent: str | None
) -> Decision:
    return Decision(
        action="route",
        destination=FCR,
        rule=rule,
        reason=reason,
        intent=intent,
        evidence={**evidence, "source": "emergency", "rules": [rule]},
    )


def emergency_decision(
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
