"""The danger check: danger heard unsurely is asked about, not assumed either way.

A cue word said plainly ("he's got a knife") is 999 handling at once
(ivr.routing.emergency). Everything between that and no danger at all is a
*doubt*: a cue with a time or a distance beside it ("he threatened me last
week", "she's messaged that he's outside"), urgency alone ("right now"), or no
cue but words that mean danger to the sentence model ("she's locked in his
flat"). A guess either way fails someone: 999 advice for a caller reporting
last week's threat, a queue for a caller hiding from an intruder. So the
caller is asked first ("if someone is in danger right now, press 9 or say
yes"): yes, 9, silence or anything unclear is 999 handling
(ivr.flows.emergency.DangerCheck); a plain no goes where ordinary routing
would have sent the call (``Decision.otherwise``), decided in the same step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ivr.decisions import EMERGENCY, FCR, ONLINE, RC, Candidate, Decision, Hypothesis
from ivr.directory.query import DESCRIBING, ORDINARY, ORDINARY_SURNAMES
from ivr.routing.bundle import IntentMatchLike, MeantLike, RoutingBundle
from ivr.routing.danger import present_words
from ivr.routing.danger_meaning import Meant
from ivr.routing.danger_words import (
    BACK_NOW,
    CAME_BACK_ALONE,
    GONE,
    HELD,
    HELD_ELSEWHERE,
    IN_PROGRESS,
    IN_PROGRESS_NOW,
    LICENSED,
    OFFENDER_HERE,
    OUT_ON,
    OVERDUE,
    PAST,
    PERSON_OUT,
    RESISTING,
    SUSPICIOUS,
    armed_state,
)
from ivr.routing.draft import quote
from ivr.routing.preamble import without_details, without_own_name
from ivr.text import is_number_word, normalise

__all__ = ["DangerDoubt", "MeaningDoubts", "ask_first", "understood"]

DANGER_MEANING = 0.45  # cosine with an emergency example that, when nearest, means danger
MEANING_MIN_WORDS = 4  # a request this short is a name or a topic, not a described emergency
ASK_FROM = 0.40  # P(emergency | meaning) from which words with no cue are asked about
# ... when ordinary routing is sure where it goes ("someone broke into my car"), or a name
# was said ("Rachel in child protection, my daughter has gone off with a man"): surer.
ASK_FROM_WHEN_ROUTED = 0.55
ASK_FROM_WHEN_NAMED = 0.50  # ... the same for a name offered (a confirm, not a route)
UNIT_ASK_WORDS = 6  # a unit asked for in this few words is the request, whatever p
# A cue word read as danger is asked about below this P(emergency | meaning) when nothing
# is said to be here now ("a van's been going round the caravan park, it's still here",
# "there's a dead deer on the bend"): the words' meaning has to agree for 999 unasked.
CUE_ASK_FROM = 0.55
# ... and below this, the cue said in a present tense is not sure either ("my garden
# ornaments have been taken", "my company got a bomb threat by email"): the tense is how
# the cue was said, not that the danger is here.
CUE_ASK_BELOW_ANYWAY = 0.18
CUE_RULE = "emergency-cue"  # a cue read as danger now: 999 handling (ivr.routing.emergency)
# The cue Decision's evidence keys for what makes it danger whatever the words mean
# (ivr.routing.emergency._sure_danger): words said to be here now ("he's still outside"),
# cues no context makes safe said in so many words ("collapsed"); and, surer than
# nothing but less than those, the cue said in a present tense ("has been taken").
# SURE_DANGER absent: not read, so the cue stands.
SURE_DANGER = "here_now"
SAID_DANGER = "said_danger"
CUE_TENSE = "cue_tense"
# Every cue kept was heard only as another word ("I've asked him to stop" as "masked"):
# matched for a recogniser's near miss, the words' meaning has to be clearer for 999.
NEAR_ONLY = "near_only"
# ... or every cue kept was its own words with an ending lost ("my husband is attack me"):
# the cue, not another word, but its tense is lost too, so the meaning has to be clearer.
CUT_SHORT = "cut_short"
# The bar the meaning has to pass for a cue heard cut short to stand.
CUE_ASK_CUT_FROM = 0.65
UNMEANT = "unmeant-emergency-cue"  # a cue in words that do not mean danger: asked
# A top alternative at least this confident is a sure reading: a second opinion that can
# outvote another engine's unsure words (the two-pass strategy's own threshold).
SECOND_OPINION = 0.5


@dataclass(frozen=True)
class DangerDoubt:
    """Danger that may be here now, heard too unsurely for 999 advice unasked.

    ``rule`` names what raised it (``past-emergency-cue``, ``danger-meaning``, ...).
    """

    rule: str
    reason: str
    evidence: Mapping[str, Any]
    intent: str | None = None
    # A cue still read as danger (a context heard did not move it): what a step other than
    # the menu breaks out with, as before; its own danger check asks there.
    breakout: Decision | None = None
    # Raised only by an unsure engine's words against a sure engine's (MeaningDoubts.meant):
    # a "no" goes where ordinary routing would, not to the FCR.
    heard_alone: bool = False
    # Nobody in danger now still wants someone sent or something prevented (violence
    # planned for Saturday, the thieves asleep in a car by the site): a "no" goes to the
    # FCR rather than the crime desk or a web form.
    attend: bool = False


class MeaningDoubts:
    """No cue word at all, but the words may MEAN danger now (the sentence model).

    Meaning alone never sends a caller to 999 advice unasked (the model reads "he's been
    let out and I'm terrified he'll come after me" like an attack), nor lets one wait in
    a queue unasked ("she's locked in his flat").
    """

    def __init__(self, bundle: RoutingBundle) -> None:
        self.bundle = bundle
        # The directory's people's names: words the sentence model never learnt, which
        # it reads as alarm ("Craig Lomax in IT" at P 0.92). Everyday words that are
        # names too ("a young girl", "Mark") keep their meaning. And its places' words
        # no example says ("the local bobbies in Brindle Moss"): "Traffic" is in them.
        places = {
            word
            for e in bundle.directory.entries
            if e.kind == "department"
            for text in (e.name, *e.aliases, *e.teams)
            for word in _words(text)
        }
        people = {
            word
            for e in bundle.directory.entries
            if e.kind == "person"
            for word in _words(f"{e.first_name} {e.surname}")
        }
        self._names = frozenset(people | (places - bundle.intents.words)) - EVERYDAY_NAMES

    def danger_meant(self, hypotheses: Sequence[Hypothesis]) -> MeantLike | None:
        """The model's reading with the directory's names (its people's, and its places'
        that no example says) and the caller's own name and details left out of the words;
        the words it names are the caller's."""
        said: dict[str, str] = {}  # the words read -> the words said
        read = []
        for h in hypotheses:
            # nor the caller's own details, as names and intents read it: a date of birth's
            # words drown a danger said beside them ("my little boy is missing"); nor the
            # name they open with ("Hello, it's Mr Sharma, ..."), read as an emergency's
            # opening
            told = without_details(without_own_name(h.text))
            # Each word as said, apostrophes and commas kept: the model learnt "she's
            # not in her room, we're in the halls", and reads "shes ... were in the
            # halls" as something else (a goodbye note at p 0.69 read as 0.13).
            tokens = told.split()
            kept = [t for t in tokens if not self._only_names(t)]
            text = " ".join(kept) if kept and len(kept) < len(tokens) else told
            said.setdefault(text, h.text)
            read.append(replace(h, text=text))
        found = self.bundle.intents.danger_meant(read)
        if found is None or found.text not in said:
            return found
        return Meant(found.probability, said[found.text])

    def _only_names(self, token: str) -> bool:
        words = normalise(token).split()
        return bool(words) and all(w in self._names for w in words)

    def unmeant_cue(
        self, heard: Sequence[Hypothesis], screened: Decision | DangerDoubt | None
    ) -> Decision | DangerDoubt | None:
        """A cue word read as danger, in words whose meaning does not say danger: ask.

        Cue words are matched for recall ("flight" heard as "fight", "asked" as "masked",
        "a dead deer in the road", "screaming" at a party), so a cue alone is not sure
        enough for 999 advice unasked when the sentence as a whole does not read as an
        emergency: below ``CUE_ASK_FROM`` with nothing said to be here now, or below
        ``CUE_ASK_BELOW_ANYWAY`` with no more than present-tense words, or below
        ``CUE_ASK_CUT_FROM`` when every cue was its own words cut short ("my husband is
        attack me"), or whatever the meaning when every cue was heard only as another
        word ("I've asked him" as *masked*, "he fights with his brother" as *fight*: the
        sentence model reads "keeps messaging me though I've asked her to stop" near
        danger, and only the question is sure), the cue raises the danger check instead
        (yes, 9 or silence is 999 handling). Short words
        ("knife. flat twelve") keep the cue's verdict: too few words to mean anything else.
        """
        if not isinstance(screened, Decision) or screened.rule != CUE_RULE:
            return screened
        evidence = screened.evidence
        if evidence.get(SURE_DANGER, True) or evidence.get(SAID_DANGER):
            return screened  # not read, or "he's outside now", "she's collapsed"
        if not heard or max(len(h.text.split()) for h in heard) < MEANING_MIN_WORDS:
            return screened
        found = self.bundle.intents.danger_meant(heard)
        bar = CUE_ASK_BELOW_ANYWAY if evidence.get(CUE_TENSE) else CUE_ASK_FROM
        if evidence.get(CUT_SHORT):
            bar = CUE_ASK_CUT_FROM
        suspicious = SUSPICIOUS.search(normalise(heard[0].text))
        agrees = found is not None and found.probability >= bar and suspicious is None
        if found is None or (agrees and not evidence.get(NEAR_ONLY)):
            return screened  # the meaning agrees, or cannot be read: the cue stands
        why = (
            f"someone described acting suspiciously ({quote(suspicious.group(0))}),"
            " nothing said to be danger"
            if suspicious is not None
            else "what was said does not mean danger now"
        )
        reason = (
            f"{screened.reason}; but {why}"
            f" (p {found.probability:.2f} from the emergency intent's examples): ask"
        )
        return DangerDoubt(
            UNMEANT,
            reason,
            {**evidence, "p": round(found.probability, 4)},
            screened.intent,
            screened,
        )

    def meant(
        self,
        heard: Sequence[Hypothesis],
        ordinary: Decision,
        as_meant: Mapping[Hypothesis, Hypothesis],
    ) -> DangerDoubt | None:
        """``ordinary``: what routing decided without the doubt; a sure route by what the
        caller asked for needs more evidence of danger to be asked about. ``as_meant``: each
        alternative as routing read it (``SelfCorrection``: "Sergeant Barker, sorry, Baker"
        names Baker), for a name asked for beside the words.

        A doubt only an unsure engine's words raise (``sure_engines_only``) is still asked
        (leaving it out cost emergencies said without cue words), but its "no" goes where
        the caller asked, even a web link: the danger was the LM's guess at words it could
        not make out ("let but the lad on the bus" for a lost school bag)."""
        doubt = self._meant(heard, ordinary, as_meant)
        if doubt is None:
            return None
        sure = sure_engines_only(heard)
        if len(sure) == len(heard) or self._meant(sure, ordinary, as_meant) is not None:
            return doubt
        reason = f"{doubt.reason}; only an unsure engine's words mean it"
        return replace(doubt, reason=reason, heard_alone=True)

    def _second_matter(self, text: str) -> DangerDoubt | None:
        """A second matter told after one the screen read ("... getting my late husband's
        shotgun taken away, and, oh, also, the man who's been sleeping in my shed has come
        into the kitchen and he's shouting at me"): the shotgun's licence context says
        nothing of the man in the kitchen. With no cue of its own and meaning danger
        (``ASK_FROM_WHEN_ROUTED``: a matter already understood was told first), asked."""
        after = _second_told(text)
        if after is None:
            return None
        told = Hypothesis(after)
        if self.bundle.intents.emergency_cue((told,)) is not None:
            return None  # its own cue: the screen read it with the rest
        found = self.danger_meant((told,))
        if found is None or found.probability < ASK_FROM_WHEN_ROUTED:
            return None
        reason = (
            f"a second matter told after the first, {quote(after)}, may mean danger"
            f" (p {found.probability:.2f} from the emergency intent's examples)"
        )
        evidence = {"p": round(found.probability, 4), "matched": after, "second_matter": True}
        return DangerDoubt("danger-meaning", reason, evidence)

    def _department_offered(self, ordinary: Decision) -> bool:
        """The ordinary decision routes to or offers a department (not a person: a name only
        a weaker alternative heard is no request beside danger in the best)."""
        entry = self.bundle.directory.named_by(ordinary.destination)
        return entry is not None and entry.kind == "department"

    def _meant(
        self,
        heard: Sequence[Hypothesis],
        ordinary: Decision,
        as_meant: Mapping[Hypothesis, Hypothesis],
    ) -> DangerDoubt | None:
        intents = self.bundle.intents
        cue = intents.emergency_cue(heard) if heard else None
        if not heard:
            return None
        if cue is not None and cue.score >= 1.0 and not _calmed(ordinary):
            # A clear cue was read in context by the screen: its verdict stands, for its
            # own words; a second matter told after it is read on its own. Not when every
            # cue was negated or cleared: "nobody's hurt, not yet" says nothing of "my ex
            # is in the stairwell with a can of petrol", which the words' meaning reads.
            return self._second_matter(heard[0].text)
        # Each alternative is read on its own words: "firearms", "victim support" are too
        # few to mean anything, and so is a recogniser's "the me" beside a longer reading;
        # a reference or a phone number said is no sentence, however the model reads it.
        readable = [
            h
            for h in heard
            if len(h.text.split()) >= MEANING_MIN_WORDS and not _mostly_numbers(h.text)
        ]
        if not readable or all(_told_no_danger(h.text) for h in readable):
            return None
        if all(PARKING_HABIT.search(normalise(h.text)) for h in readable):
            # Only what was said beside the parking may mean danger.
            rest = [
                Hypothesis(r)
                for h in readable
                if len((r := _without_parking(h.text)).split()) >= MEANING_MIN_WORDS
            ]
            beside = self.danger_meant(rest) if rest else None
            if beside is None or beside.probability < ASK_FROM_WHEN_ROUTED:
                return None
        found = self.danger_meant(readable)
        # "They robbed my shed last week, and now they're back in the garden": what the
        # caller turns to now, read on its own, past the story that drowns it.
        # "Can I get the number for lost property? Oh, and there's a bloke trying all the
        # car doors": a second matter, read on its own past the first; a few words read
        # alone mean more than they say ("Oh, and is there parking at the back"), so only
        # above the bar for a matter already understood.
        first = readable[0].text
        for after, bar in (
            (_turned_to_now(first), 0.0),
            (_second_told(first), ASK_FROM_WHEN_ROUTED),
        ):
            alone = self.danger_meant((Hypothesis(after),)) if after else None
            if (
                alone is not None
                and alone.probability >= bar
                and (found is None or alone.probability > found.probability)
            ):
                found = alone
        probability = found.probability if found is not None else 0.0
        # Told of with no cue word, and read by the model as the report around it.
        said_first = normalise(readable[0].text)
        told = next(
            ((matter, words) for matter in _TOLD_NOW if (words := matter.find(said_first))),
            None,
        )
        if told is not None:
            probability = max(probability, ASK_FROM_WHEN_ROUTED)
        nearest = nearest_danger(intents.match(readable))
        sure = ordinary.action == "route" and understood(ordinary)
        if nearest is None and probability < (ASK_FROM_WHEN_ROUTED if sure else ASK_FROM):
            return None
        if sure and probability < ASK_FROM:
            # Nearest an emergency example by its wording, but a sure route and little
            # danger in the meaning: "someone broke into my car" is near "someone's
            # breaking into my car right now" and is a crime report.
            return None
        # Only a name in the best alternative: a weaker one's "hannah read old wallet" (a
        # recogniser's LM full of names) is no request for a person beside a child on a
        # carriageway.
        named = self.bundle.matcher.match((as_meant.get(heard[0], heard[0]),), limit=1)
        thresholds = self.bundle.rules.thresholds
        if named and (
            named[0].score >= thresholds.high
            or (named[0].score >= thresholds.low and probability < ASK_FROM_WHEN_NAMED)
        ):
            # A person or place asked for by name ("the control room"); surely named
            # ("put me through to detective sergeant johnson"), whatever the words are near.
            return None
        if self._department_offered(ordinary) and probability < ASK_FROM_WHEN_NAMED:
            # ... or a place the words ask for by what it is ("the local bobbies in
            # Rishdale": its neighbourhood team), offered as a name would be.
            return None
        evidence: dict[str, Any] = {"p": round(probability, 4)}
        why = [f"p {probability:.2f} from the emergency intent's examples"]
        if told is not None:
            matter, words = told
            why = [f"{matter.why} ({quote(words)})"]
            evidence[matter.key] = words
        if nearest is not None:
            semantic = nearest.semantic or 0.0
            why.append(f"nearest emergency example {quote(nearest.example)} ({semantic:.2f})")
            evidence.update(nearest=nearest.example, semantic=round(semantic, 4))
        said = found.text if found is not None else readable[0].text
        evidence["matched"] = said
        reason = f"no emergency cue, but {quote(said)} may mean danger ({'; '.join(why)})"
        attend = told is not None and told[0].attend
        return DangerDoubt("danger-meaning", reason, evidence, attend=attend)


# Names that are everyday words too ("Young", "Rose", "Moss", "Polish"): kept for the model.
EVERYDAY_NAMES = ORDINARY | ORDINARY_SURNAMES | DESCRIBING


def _words(text: str) -> list[str]:
    return normalise(text).split()


# Someone said to be held by the police: whatever the sentence model reads into an arrest,
# the one held is with officers ("is my brother still in the Bridewell? he got lifted").
CUSTODY = re.compile(
    r"(?<![a-z])(?:(?:been|was|got|get|getting) (?:arrested|lifted)"
    r"|(?:still )?in (?:the cells|custody|the bridewell)"
    r"|locked up (?:at|in) the (?:police )?station)(?![a-z])"
)
# The one it happened to said to be all right now ("he's alright now, he's back at work",
# "nobody got hurt", "not today, but three times last week"): with the event put in the
# past and nothing said to be here now, a story of harm the model reads as danger is over.
# (Of 122 read dev requests saying both, 121 were no emergency; the other's caller was
# asked by a cue.)
FINE_NOW = re.compile(
    r"(?<![a-z])(?:(?:hes|shes|im|theyre|were|he is|she is|i am|they are|we are|everyones"
    r"|everybodys|all) (?:alright|all right|ok|okay|fine|safe|not hurt|unhurt|back at work"
    r"|back home|home now|at home now)|nobodys hurt|no ones hurt|no one(?:s| is| was) hurt"
    r"|nobody (?:is|was|got) hurt|not today"
    # home and safe ("I got in safe and he walked on", "we made it home okay")
    r"|(?:i|we|he|she|they) (?:got|made it|made it back) (?:in|home|back|inside|indoors)"
    r" (?:safe|safely|ok|okay|alright|all right|fine))(?: now)?(?![a-z])"
)
# Parking that keeps happening ("people keep parking across my dropped kerb so my wife
# can't get her wheelchair out"): a nuisance told as a habit, however the sentence model
# reads someone who "can't get out" (p 0.6-0.8; three dev sets' writers: online). Its own
# words, and what it stops, are left out before the rest is read ("... and my wife's gone
# into labour": still asked).
_PARKING_HABIT = r"(?<![a-z])(?:keeps|keep|always|constantly) parking"
PARKING_HABIT = re.compile(rf"{_PARKING_HABIT}(?![a-z])")
PARKING_TOLD = re.compile(
    rf"{_PARKING_HABIT}"
    r"(?: (?!(?:and|but|so|has|have|is|just|because|then)(?![a-z]))[a-z']+){0,5}"
    r"|(?<![a-z])so [^,.;]*?(?:can't|cant|cannot|couldn't|couldnt) get(?![a-z])[^,.;]*"
)
# A second matter told as a habit ("also my neighbour keeps shouting at my kids over the
# fence"): a pattern to report, not a danger now.
TOLD_AS_HABIT = re.compile(
    r"(?<![a-z])(?:keeps|keep|always|all the time"
    r"|every (?:night|day|morning|evening|week|weekend|time))(?![a-z])"
)
# A unit asked for in a few words ("someone in the burglary team", "murder squad please"):
# the words name what it deals with, not what is happening. (Not "office": "there's a man
# in my office" is a place.)
UNIT_WORDS = frozenset({"team", "unit", "squad", "department", "dept", "section", "desk"})


def _without_parking(text: str) -> str:
    """``text`` without parking told as a habit and what it stops (``PARKING_TOLD``)."""
    return " ".join(PARKING_TOLD.sub(" ", text.lower().replace("\u2019", "'")).split())


def _told_no_danger(text: str) -> bool:
    """Words whose subject is no danger now, whatever the sentence model reads into them: a
    gun told of by its licence or its cabinet ("the man who does the shotgun
    certificates"; not with its holder angry or drunk: ``armed_state``), someone held by
    the police ("my pal's in the cells, when's he getting out"), a unit asked for in six
    words or fewer ("someone in the burglary team"), a harm put in the past whose victim
    is said to be fine now; and nothing else said to be here now ("still in the cells" is
    where they are held)."""
    said = normalise(text)
    if present_words(FINE_NOW.sub(" ", CUSTODY.sub(" ", said))):  # "he's alright now": no now
        return False
    words = said.split()
    return (
        (LICENSED.search(said) is not None and armed_state(said) is None)
        or CUSTODY.search(said) is not None
        or (PAST.search(said) is not None and FINE_NOW.search(said) is not None)
        or (len(words) <= UNIT_ASK_WORDS and not UNIT_WORDS.isdisjoint(words))
    )


# A turn from the story to now: "and now", "but now", "now they're back".
TURN = re.compile(
    r"\b(?:and|but|so|now) (?:now|again|this time|tonight)\b|\bnow (?=[\w']+ (?:back|here))"
    # a sentence of its own saying someone is here now ("He's taken my phone before.
    # He's here now. Can you come ...")
    r"|(?<=[.!?] )(?:he|she|they)(?:'s|'re| is| are) (?:here|back|outside|downstairs|upstairs"
    r"|in the house|at the door)(?: again)? now\b"
    # ... or back where it happened ("and they're back there now, they've got him ...")
    r"|\b(?:he|she|they)(?:'s|'re| is| are) back(?: there| here| again)? now\b"
)


# A turn to a second matter, at a clause's start: ", and also", "oh, also", "another
# thing", "while I'm on the phone", ". Oh, and". Not "he also took my phone": the same matter.
ANOTHER_MATTER = re.compile(
    r"(?:^|[,.;!?]\s*|\band\s+)(?:oh,?\s+|and,?\s+)*also\b,?"
    r"|\b(?:another thing|one more thing|while i'?m on the phone|while i have you)\b,?"
    # a sentence of its own starting "Oh, and" ("... at the airport? Oh, and there's ...")
    r"|(?<=[.;!?])\s*oh,?\s+and\b,?",
    re.IGNORECASE,
)


def _calmed(ordinary: Decision) -> bool:
    """Every cue was negated or cleared ("nobody's hurt"): routed as asked (the engine's
    ``_said_calm`` marks the evidence)."""
    return "negated_cue" in ordinary.evidence or "cleared_cue" in ordinary.evidence


def _turned_to_now(text: str) -> str | None:
    """The words after the last turn to now, when the story before it is long enough to
    drown them (MEANING_MIN_WORDS either side)."""
    turns = list(TURN.finditer(text.lower().replace("\u2019", "'")))
    if not turns:
        return None
    start = turns[-1].start()
    before, after = text[:start], text[start:]
    if len(before.split()) < MEANING_MIN_WORDS or len(after.split()) < MEANING_MIN_WORDS:
        return None
    return after


def _second_told(text: str) -> str | None:
    """The words after the last turn to a second matter (``ANOTHER_MATTER``), when enough
    to mean something and not told as no danger or a habit."""
    turns = list(ANOTHER_MATTER.finditer(text))
    if not turns:
        return None
    after = text[turns[-1].end() :].strip()
    if len(after.split()) < MEANING_MIN_WORDS or _told_no_danger(after):
        return None
    if TOLD_AS_HABIT.search(normalise(after)) is not None:
        return None
    return after


# A theft seen on a recording, not as it happens ("a video going round facebook of
# youths stealing from the shop", "on my ring doorbell").
RECORDED = re.compile(
    r"(?<![a-z])(?:(?:cctv|footage|video|videos|camera|photos?|pictures?|clip) of"
    r"|on (?:my|the|our|his|her) (?:ring|doorbell|cctv|camera|dashcam)"
    r"|going round (?:facebook|social media|online))(?![a-z])"
)


def _theft_going_on(said: str) -> str | None:
    """The words telling of a theft going on now ("they're loading my quad onto a
    trailer"), unless told in the past with nothing said to be now ("a man taking parcels
    off my step on Tuesday")."""
    found = IN_PROGRESS.search(said)
    if found is None:
        return None
    if RECORDED.search(said) is not None and IN_PROGRESS_NOW.search(said) is None:
        return None  # "I've got CCTV of two men stealing my parcel": seen afterwards
    if PAST.search(said) is not None and IN_PROGRESS_NOW.search(said) is None:
        return None
    return found.group(0).strip()


def _told_fine(said: str) -> bool:
    """Someone said to be fine ("she was fine", "I'm fine, I fell off"): nobody out there."""
    return FINE_NOW.search(said) is not None or FINE_THEN.search(said) is not None


# ... or said to have been fine then, or to be the caller ("I fell off", "she was fine").
FINE_THEN = re.compile(
    r"(?<![a-z])(?:(?:he|she|they|i) (?:was|were) (?:fine|ok|okay|alright|all right|unhurt)"
    r"|i fell off|(?:he|she|they) (?:walked|got|came) (?:home|back)(?: later)?)(?![a-z])"
)


def _overdue(said: str) -> str | None:
    """The words telling of someone overdue out walking, on the water or the hills, or whose
    horse or dog came back without them, unless they are said to be back."""
    if BACK_NOW.search(said) is not None:
        return None
    alone = CAME_BACK_ALONE.search(said)
    if alone is not None and PERSON_OUT.search(said) is not None and not _told_fine(said):
        return alone.group(0).strip()
    late = OVERDUE.search(said)
    if late is None or OUT_ON.search(said) is None:
        return None
    return late.group(0).strip()


def _offender_here(said: str) -> str | None:
    """The words telling that whoever did a crime is nearby now ("the men who did it are
    sleeping in a car next to the site now")."""
    found = OFFENDER_HERE.search(said)
    return found.group(0).strip() if found is not None else None


def _armed_holder(said: str) -> str | None:
    """The words telling that a lawful gun's holder is angry, threatening or here ("he's
    got a shotgun certificate and he's in a rage"): the licence said, no gun cue word."""
    return armed_state(said) if LICENSED.search(said) is not None else None


# Said to be now in so many words: a past time beside a hold is otherwise the story.
RIGHT_NOW = re.compile(r"(?<![a-z])(?:right now|as we speak)(?![a-z])")


def _held_resisting(said: str) -> str | None:
    """The words telling that someone held by the caller or bystanders is struggling to
    get away ("they're holding him by the stall, he's struggling")."""
    held, resisting = HELD.search(said), RESISTING.search(said)
    if held is None or resisting is None or HELD_ELSEWHERE.search(said) is not None:
        return None
    if GONE.search(said) is not None or (
        PAST.search(said) is not None and RIGHT_NOW.search(said) is None
    ):
        return None  # "earlier my staff were holding him and he's struggling, he's gone now"
    return f"{held.group(0)} ... {resisting.group(0)}"


@dataclass(frozen=True)
class _ToldNow:
    """A matter told without a cue word that is asked about."""

    key: str  # the evidence's field
    why: str  # the reason given
    find: Callable[[str], str | None]  # normalised words -> the words that tell it
    attend: bool = False  # a "no" still wants someone sent (DangerDoubt.attend)


_TOLD_NOW = (
    _ToldNow("going_on", "a theft said to be going on", _theft_going_on),
    # a "no" still wants someone sent: a missing person, not a crime report or a web form
    _ToldNow("overdue", "someone overdue out walking, on the water or the hills", _overdue, True),
    _ToldNow("offender_here", "whoever did it said to be nearby now", _offender_here, True),
    _ToldNow("armed_holder", "a licensed gun's holder said to be angry or here", _armed_holder),
    _ToldNow("held_resisting", "someone held who is struggling to get away", _held_resisting, True),
)


def _mostly_numbers(text: str) -> bool:
    """Half the words or more are numbers ("sixty-nine nine three oh, stroke twenty-five,
    force forty-two"): a reference said, whose words the sentence model reads as noise."""
    said = normalise(text).split()
    return bool(said) and 2 * sum(is_number_word(w) for w in said) >= len(said)


def engine_tops(heard: Sequence[Hypothesis]) -> dict[str, Hypothesis]:
    """Each engine's top alternative; none unless every alternative says which engine
    heard it (``Hypothesis.heard_by``: typed text and a lone engine's n-best do not)."""
    if not heard or not all(h.heard_by for h in heard):
        return {}
    return {engine: h for h in heard for engine, rank in h.heard_by if rank == 0}


def sure_engines(tops: Mapping[str, Hypothesis]) -> frozenset[str]:
    """The engines sure of their top (>= SECOND_OPINION): a second opinion to weigh."""
    return frozenset(engine for engine, h in tops.items() if h.confidence >= SECOND_OPINION)


def sure_engines_only(heard: Sequence[Hypothesis]) -> Sequence[Hypothesis]:
    """Two engines heard, one sure of its top (>= SECOND_OPINION) and another not: only
    the sure engine's alternatives (the unsure one's are the nearest words its LM knows to
    what it could not make out). Otherwise all of them."""
    tops = engine_tops(heard)
    sure = sure_engines(tops)
    if not sure or len(sure) == len(tops):
        return heard
    return tuple(h for h in heard if h.engines & sure)


def nearest_danger(scored: Sequence[IntentMatchLike]) -> IntentMatchLike | None:
    """The emergency intent's match when it is the nearest in meaning of all intents."""
    known = [(m.semantic, m) for m in scored if m.semantic is not None]
    if not known:
        return None
    semantic, nearest = max(known, key=lambda pair: pair[0])
    return nearest if nearest.emergency and semantic >= DANGER_MEANING else None


def understood(decision: Decision) -> bool:
    """Ordinary routing found something to act on: not "ask again", not "a person, we
    could not tell" (the reprompt limit)."""
    return decision.action != "reprompt" and decision.rule != "reprompt-limit"


def control_room_first(ordinary: Decision) -> Decision:
    """A choice that includes the Force Control Room offers it first: the caller said
    nobody is in danger now, but danger was heard ("he's gone now but he was waving an axe
    about half an hour ago", "someone on Facebook says they'll stab my son tomorrow"), so
    of the places the words fit, the one that can send someone is asked about first."""
    if ordinary.action != "disambiguate" or FCR not in (ordinary.evidence.get("choices") or ()):
        return ordinary
    first = [c for c in ordinary.candidates if c.destination == FCR]
    rest = [c for c in ordinary.candidates if c.destination != FCR]
    return replace(ordinary, candidates=(*first, *rest))


def ask_first(doubt: DangerDoubt, ordinary: Decision) -> Decision:
    """The danger check before ``ordinary``: a confirm of emergency whose no is ``otherwise``.

    Ordinary routing's reprompt (nothing else understood), or a web link sent unasked,
    becomes the Force Control Room: danger was heard, so a person assesses it rather than
    the menu again or a web form ("I'm getting threatening phone calls"). A web link only
    offered (a confirm) stays offered: the caller who said nobody is in danger is asked
    about it and can still say no ("is it safe to go into town after that stabbing?",
    "I lost my boy's teddy on the bus": the 101 questions a link answers).
    """
    otherwise = ordinary
    linked = ordinary.destination == ONLINE and ordinary.action == "route"
    attend = doubt.attend and ordinary.destination in (ONLINE, RC)
    # A doubt heard alone was a recogniser's guess: a "no" is what the caller asked for.
    if not doubt.heard_alone and (not understood(ordinary) or linked or attend):
        why = (
            "nothing else to route by"
            if not understood(ordinary)
            else "someone to send or something to prevent"
            if attend
            else "not a web form"
        )
        otherwise = Decision(
            action="route",
            destination=FCR,
            rule="danger-check-declined",
            reason=f"{doubt.reason}; nobody in danger now, but {why}:"
            " the Force Control Room assesses",
            intent=doubt.intent,
            evidence={**doubt.evidence, "source": "emergency", "rules": [doubt.rule]},
            ruleset_version=ordinary.ruleset_version,
        )
    if not doubt.heard_alone:
        otherwise = control_room_first(otherwise)
    then = f"{otherwise.action} {otherwise.destination or ''}".strip()
    return Decision(
        action="confirm",
        destination=EMERGENCY,
        rule="danger-check",
        reason=f"{doubt.reason}; asked if someone is in danger now (no: {then})",
        intent=doubt.intent,
        candidates=(Candidate(EMERGENCY, "999 handling", 1.0, doubt.reason),),
        evidence={
            **doubt.evidence,
            "source": "emergency",
            "rules": [doubt.rule, "danger-check"],
            "raised_by": doubt.rule,
            "otherwise": {
                "action": otherwise.action,
                "destination": otherwise.destination,
                "rule": otherwise.rule,
            },
        },
        ruleset_version=ordinary.ruleset_version,
        otherwise=otherwise,
    )
