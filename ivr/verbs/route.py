"""Ask and decide: RouteCall, Confirm, Disambiguate.

The verbs only gather the caller's answer and hand it to the router; what
the answer means is the RoutingEngine's business (pure, explainable), and
what follows is the flow's (the verbs end with a step: ivr.session.steps).
Every Decision is stored with its evidence before it is acted on.
"""

from __future__ import annotations

import asyncio

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from rapidfuzz import fuzz

from ivr.decisions import DIRECTORY_PREFIX, Candidate, Decision, Hypothesis
from ivr.replay.record import decision_record
from ivr.routing.model import CallerContext, RoutingInputs
from ivr.session.model import Outcome, Prompts, Verb
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.session.steps import AskAgain, Chosen, Decided, ToPerson
from ivr.text import normalise
from ivr.verbs.ask import Question
from ivr.verbs.basic import Play, VerbBase


class Router(Protocol):
    def decide(self, inputs: RoutingInputs) -> Decision: ...


@runtime_checkable
class InForce(Protocol):
    """A router that says what its engine sees (RoutingService: the diverts in force added),
    so a decision is stored with those inputs; a router without it is taken as is."""

    def in_force(self, inputs: RoutingInputs) -> RoutingInputs: ...


def name_media(prompts: Prompts, candidate: Candidate) -> list[str]:
    """Audio that names a candidate: a rendered name, or the destination's own prompt."""
    if candidate.destination.startswith(DIRECTORY_PREFIX):
        entry_id = candidate.destination.removeprefix(DIRECTORY_PREFIX)
        return [prompts.sound_uri("names/" + entry_id)]
    return [prompts.media_uri(f"dest_{candidate.destination}")]


QueueWaits = Callable[[], Mapping[str, float]]


class RouteCall(VerbBase):
    """Ask a question, collect the answer, let the router decide; the flow acts on the
    Decision (``Decided``)."""

    name = "route"

    def __init__(
        self,
        question: Sequence[str],
        router: Router,
        *,
        attempt: int = 1,
        max_digits: int = 1,
        first_digit_timeout: float = 6.0,
        confirmed: str | None = None,
        spoken_question: Sequence[str] | None = None,
        waits: QueueWaits | None = None,
    ) -> None:
        """``spoken_question`` replaces ``question`` while the call can listen (it invites
        speech before the keypad choices).

        With ``confirmed`` and no question, it only asks the router again.

        After the caller confirms or picks a destination the router decides once
        more, so closed hours, overrides and rules apply to what they chose.
        """
        self.question = tuple(question)
        self.spoken_question = tuple(spoken_question) if spoken_question else None
        self.confirmed = confirmed
        self.router = router
        self.attempt = attempt
        self.max_digits = max_digits
        self.first_digit_timeout = first_digit_timeout
        self.waits = waits  # the app-run queues' current estimated waits, for wait_above rules

    def describe(self) -> str:
        if not self.question:
            return f"route:confirmed:{self.confirmed}"
        return f"route:{'+'.join(self.question)}"

    async def run(self, session: CallSession) -> Outcome:
        digits: str | None = None
        asked_ids: tuple[str, ...] = ()
        heard: tuple[Hypothesis, ...] = ()
        transcript = None
        if self.question:
            asked_ids = (
                self.spoken_question
                if session.can_listen and self.spoken_question
                else self.question
            )
            question = Question(
                asked_ids,
                max_digits=self.max_digits,
                first_digit_timeout=self.first_digit_timeout,
                # A reference can be said too, and so can an emergency while keying one.
                speech=True,
                breakout=False,  # the router weighs an emergency first in what it decides
            )
            answer = await question.ask(session)
            digits = answer.digits
            transcript = answer.transcript
            heard = transcript.alternatives if transcript else ()
        profile = await session.caller_profile()  # once per call; empty if history fails
        inputs = RoutingInputs(
            at=session.clock(),
            hypotheses=heard,
            digits=digits,
            caller=CallerContext(
                number=session.info.caller_number,
                flags=profile.flags,
                recent_calls=profile.recent_calls,
            ),
            attempt=self.attempt,
            dialled=session.info.dialled,
            confirmed=self.confirmed,
            queue_waits=self.waits() if self.waits is not None else {},
        )
        seen = self.router.in_force(inputs) if isinstance(self.router, InForce) else inputs
        # Off the event loop: matching by meaning runs a sentence model (numpy releases
        # the GIL), and other calls' events must not wait for this caller's decision.
        decision = await asyncio.to_thread(self.router.decide, inputs)
        session.about(
            categories=[*profile.flags, *([decision.intent] if decision.intent else [])],
            heard=[h.text for h in heard],
        )
        stored, evidence = decision_record(
            decision, seen, engine=transcript.engine if transcript else None, question=asked_ids
        )
        session.record_decision(stored, **evidence)
        return Outcome(Status.DECIDED, value=decision.action, step=Decided(decision, self.attempt))


class Confirm(VerbBase):
    """Ask "Did you want PC Sarah Johnson?" (1 yes, 2 no); an unclear answer goes to a person."""

    name = "confirm"

    def __init__(
        self, candidate: Candidate, *, attempt: int = 1, first_digit_timeout: float = 6.0
    ) -> None:
        """``attempt``: the asking whose answer this confirms."""
        self.candidate = candidate
        self.attempt = attempt
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        return f"confirm:{self.candidate.destination}"

    async def run(self, session: CallSession) -> Outcome:
        media = [
            session.prompts.media_uri("confirm_prefix"),
            *name_media(session.prompts, self.candidate),
            session.prompts.media_uri("confirm_suffix"),
        ]
        key, how = await choose(session, media, {"1", "2"}, spoken_yes_no, self.first_digit_timeout)
        if key == "1":
            destination = self.candidate.destination
            session.record_decision(
                Decision(
                    "route",
                    destination,
                    rule="caller-confirmed",
                    reason=f"caller confirmed {self.candidate.name} ({how})",
                    candidates=(self.candidate,),
                    evidence={"answer": how},
                )
            )
            return Outcome(
                Status.CONFIRMED, value=destination, step=Chosen(destination, self.attempt)
            )
        if key == "2":
            session.record("confirm-declined", destination=self.candidate.destination, answer=how)
            return Outcome(Status.DECLINED, step=AskAgain(self.attempt))
        session.record("confirm-unclear", destination=self.candidate.destination)
        return Outcome(Status.UNCLEAR, step=ToPerson())


class Disambiguate(VerbBase):
    """Offer close candidates by key ("for PC Sarah Johnson press 1"); 0 or silence: a person."""

    name = "disambiguate"

    def __init__(
        self,
        candidates: Sequence[Candidate],
        *,
        attempt: int = 1,
        first_digit_timeout: float = 6.0,
    ) -> None:
        """``attempt``: the asking whose answer this narrows down."""
        self.candidates = tuple(candidates)[:8]
        self.attempt = attempt
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        return f"disambiguate:{len(self.candidates)}"

    async def run(self, session: CallSession) -> Outcome:
        media = [session.prompts.media_uri("disambiguate_intro")]
        for number, candidate in enumerate(self.candidates, 1):
            media += [
                session.prompts.media_uri("for"),
                *name_media(session.prompts, candidate),
                session.prompts.media_uri("press"),
                f"digits:{number}",
            ]
        media.append(session.prompts.media_uri("someone_else"))
        valid = {str(k) for k in range(len(self.candidates) + 1)}
        names = [c.name for c in self.candidates]
        key, how = await choose(
            session, media, valid, lambda text: spoken_choice(text, names), self.first_digit_timeout
        )
        if key is not None and key != "0":
            chosen = self.candidates[int(key) - 1]
            session.record_decision(
                Decision(
                    "route",
                    chosen.destination,
                    rule="caller-chose",
                    reason=f"caller chose {chosen.name} ({how})",
                    candidates=self.candidates,
                    evidence={"answer": how},
                )
            )
            return Outcome(
                Status.CHOSEN,
                value=chosen.destination,
                step=Chosen(chosen.destination, self.attempt),
            )
        session.record("disambiguate-none", answer=how)
        return Outcome(Status.NONE, step=ToPerson())


YES = frozenset(
    [
        "yes",
        "yeah",
        "yep",
        "yup",
        "correct",
        "right",
        "aye",
        "please",
        "sure",
        "ok",
        "okay",
        "that's",
    ]
)
NO = frozenset(["no", "nope", "nah", "wrong", "not", "incorrect"])
ORDINALS = {
    "1": ("one", "first", "1"),
    "2": ("two", "second", "2"),
    "3": ("three", "third", "3"),
    "4": ("four", "fourth", "4"),
    "5": ("five", "fifth", "5"),
    "6": ("six", "sixth", "6"),
    "7": ("seven", "seventh", "7"),
    "8": ("eight", "eighth", "8"),
}
SOMEONE_ELSE = ("someone else", "somebody else", "none", "neither", "nobody", "operator")


def spoken_yes_no(text: str) -> str | None:
    """ "1" for yes, "2" for no, None when unclear (or both: "no, yes" is asked again)."""
    words = set(normalise(text).split())
    yes, no = bool(words & YES), bool(words & NO)
    if yes == no:
        return None
    return "1" if yes else "2"


def spoken_choice(text: str, names: Sequence[str]) -> str | None:
    """The key a spoken answer stands for: an ordinal, a name, or "someone else" (0)."""
    said = normalise(text)
    if any(phrase in said for phrase in SOMEONE_ELSE):
        return "0"
    words = said.split()
    for position in (1, 0, 2):  # "second" before "one": "the second one" means 2
        for key, forms in ORDINALS.items():
            if int(key) <= len(names) and forms[position] in words:
                return key
    # Only the words that tell the names apart count ("Priya" vs "Raj", not "Sergeant Patel").
    name_words = [name.lower().split() for name in names]
    common = set.intersection(*(set(w) for w in name_words)) if name_words else set()
    scores = sorted(
        (
            (
                max((fuzz.ratio(w, s) for w in ws if w not in common for s in words), default=0),
                str(i),
            )
            for i, ws in enumerate(name_words, 1)
        ),
        reverse=True,
    )
    if scores and scores[0][0] >= 80 and (len(scores) == 1 or scores[0][0] - scores[1][0] >= 10):
        return scores[0][1]
    return None


Interpret = Callable[[str], str | None]


async def choose(
    session: CallSession,
    media: list[str],
    valid: set[str],
    interpret: Interpret,
    first_digit_timeout: float,
    tries: int = 2,
    *,
    breakout: bool = True,
) -> tuple[str | None, str]:
    """Ask up to ``tries`` times for one of ``valid`` keys, or words that mean one.

    ``breakout`` False: the question is itself about an emergency (9 is an answer).
    """
    last = "no-input"
    for attempt in range(1, tries + 1):
        question = Question(
            (), media=media, first_digit_timeout=first_digit_timeout, breakout=breakout
        )
        answer = await question.ask(session)
        if answer.digits in valid:
            return answer.digits, f"key {answer.digits}"
        if answer.transcript is not None:
            key = interpret(answer.transcript.text)
            if key in valid:
                return key, f"said {answer.transcript.text!r}"
        last = answer.status if answer.status != "digits" else "invalid"
        session.record(f"choose-{last}", attempt=attempt, digits=answer.digits)
        if attempt < tries:
            await Play(["no_input" if last == "no-input" else "invalid_choice"]).run(session)
            session.keys.clear()
    return None, last


class IfListening(VerbBase):
    """Run ``then`` when the call can take speech, else ``otherwise`` (a name needs speech)."""

    name = "if-listening"

    def __init__(self, then: Sequence[Verb], otherwise: Sequence[Verb]) -> None:
        self.then = tuple(then)
        self.otherwise = tuple(otherwise)

    async def run(self, session: CallSession) -> Outcome:
        return Outcome(Status.BRANCH, next_flow=self.then if session.can_listen else self.otherwise)
