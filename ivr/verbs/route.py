"""Ask and decide: RouteCall, Confirm, Disambiguate.

The verbs only gather the caller's answer and hand it to the router; what
the answer means is the RoutingEngine's business (pure, explainable), and
what follows is the flow's (the verbs end with a step: ivr.session.steps).
Every Decision is stored with its evidence before it is acted on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol, runtime_checkable

from ivr.decisions import DIRECTORY_PREFIX, Candidate, Decision, Hint, Hypothesis
from ivr.replay.record import decision_record
from ivr.routing.model import CallerContext, RoutingInputs
from ivr.session.model import Outcome, Prompts, Verb
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.session.steps import Answered, AskAgain, Chosen, Decided, ToPerson
from ivr.verbs.ask import Question
from ivr.verbs.basic import VerbBase
from ivr.verbs.choice import ask_choice
from ivr.verbs.choice import choose as choose  # where the offers import it from
from ivr.verbs.choice import spoken_choice as spoken_choice
from ivr.verbs.choice import spoken_yes_no as spoken_yes_no
from ivr.verbs.readback import reference_media


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
        single_keys: Collection[str] = (),
        answered: Answered | None = None,
    ) -> None:
        """``spoken_question`` replaces ``question`` while the call can listen (it invites
        speech before the keypad choices).

        With ``confirmed`` and no question, it only asks the router again; with
        ``answered`` (no question), the router decides on that answer to another question.
        ``single_keys``: keys that answer at once in a multi-digit entry (Question).

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
        self.single_keys = tuple(single_keys)
        self.answered = answered

    def describe(self) -> str:
        if not self.question and self.answered is not None:
            return "route:answered"
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
                single_keys=self.single_keys,
            )
            answer = await question.ask(session)
            digits = answer.digits
            transcript = answer.transcript
            heard = transcript.alternatives if transcript else ()
        elif self.answered is not None:
            digits, heard = self.answered.digits, self.answered.heard
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
        # Off the event loop: matching by meaning runs a sentence model (~10-20 ms; numpy
        # releases the GIL), and other calls' events must not wait for this decision.
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
        self,
        candidate: Candidate,
        *,
        attempt: int = 1,
        first_digit_timeout: float = 6.0,
        reference: str | None = None,
    ) -> None:
        """``attempt``: the asking whose answer this confirms. ``reference``: a crime
        reference heard nearly right, read back instead of the candidate's name."""
        self.candidate = candidate
        self.attempt = attempt
        self.first_digit_timeout = first_digit_timeout
        self.reference = reference

    def describe(self) -> str:
        return f"confirm:{self.candidate.destination}"

    async def run(self, session: CallSession) -> Outcome:
        prompts = session.prompts
        media = [
            *(
                [prompts.media_uri("confirm_reference"), *reference_media(prompts, self.reference)]
                if self.reference
                else [prompts.media_uri("confirm_prefix"), *name_media(prompts, self.candidate)]
            ),
            prompts.media_uri("confirm_suffix"),
        ]
        choice = await ask_choice(
            session,
            media,
            {"1", "2"},
            spoken_yes_no,
            self.first_digit_timeout,
            references=True,
            expect=Hint.YES_NO,
        )
        if choice.reference is not None:
            return choice.answered(session, self.attempt)
        key, how = choice.key, choice.how
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
        choice = await ask_choice(
            session,
            media,
            valid,
            lambda text: spoken_choice(text, names),
            self.first_digit_timeout,
            references=True,
        )
        if choice.reference is not None:
            return choice.answered(session, self.attempt)
        key, how = choice.key, choice.how
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


class IfListening(VerbBase):
    """Run ``then`` when the call can take speech, else ``otherwise`` (a name needs speech)."""

    name = "if-listening"

    def __init__(self, then: Sequence[Verb], otherwise: Sequence[Verb]) -> None:
        self.then = tuple(then)
        self.otherwise = tuple(otherwise)

    async def run(self, session: CallSession) -> Outcome:
        return Outcome(Status.BRANCH, next_flow=self.then if session.can_listen else self.otherwise)
