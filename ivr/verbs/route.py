"""Ask, decide, and act on the routing Decision: RouteCall, Confirm, Disambiguate.

The verbs only gather the caller's answer and hand it to the router; what
the answer means is the RoutingEngine's business (pure, explainable).
Every Decision is stored with its evidence before it is acted on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ivr.routing.model import CallerContext, Candidate, Decision, RoutingInputs
from ivr.session.session import CallSession, Outcome, Verb
from ivr.verbs.basic import VerbBase
from ivr.verbs.gather import GatherDigits


class Router(Protocol):
    def decide(self, inputs: RoutingInputs) -> Decision: ...


# What to do with a Decision; ``ask`` is the RouteCall that produced it (for reprompts).
ActOn = Callable[[Decision, "RouteCall"], Sequence[Verb]]
# Media that names a candidate ("PC Sarah Johnson", "the Resolution Centre").
NameMedia = Callable[[Candidate], list[str]]


def decision_record(decision: Decision, **inputs: Any) -> dict[str, Any]:
    """The row stored for a decision: the Decision itself plus the inputs it saw."""
    row = decision.to_json()
    row["evidence"] = {**row["evidence"], "inputs": inputs}
    return row


class RouteCall(VerbBase):
    """Ask a question, collect the answer, let the router decide, act on the Decision."""

    name = "route"

    def __init__(
        self,
        question: Sequence[str],
        router: Router,
        act_on: ActOn,
        *,
        attempt: int = 1,
        max_digits: int = 1,
        first_digit_timeout: float = 6.0,
        confirmed: str | None = None,
    ) -> None:
        """With ``confirmed`` and no question, it only asks the router again.

        After the caller confirms or picks a destination the router decides once
        more, so closed hours, overrides and rules apply to what they chose.
        """
        self.question = tuple(question)
        self.confirmed = confirmed
        self.router = router
        self.act_on = act_on
        self.attempt = attempt
        self.max_digits = max_digits
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        if not self.question:
            return f"route:confirmed:{self.confirmed}"
        return f"route:{'+'.join(self.question)}"

    def with_confirmed(self, destination: str) -> RouteCall:
        return RouteCall(
            (),
            self.router,
            self.act_on,
            attempt=self.attempt,
            first_digit_timeout=self.first_digit_timeout,
            confirmed=destination,
        )

    def again(self, question: Sequence[str], *, max_digits: int = 1) -> RouteCall:
        """The same step asked once more (the router sees the attempt count)."""
        return RouteCall(
            question,
            self.router,
            self.act_on,
            attempt=self.attempt + 1,
            max_digits=max_digits,
            first_digit_timeout=self.first_digit_timeout,
        )

    async def run(self, session: CallSession) -> Outcome:
        gather = GatherDigits(
            self.question,
            max_digits=self.max_digits,
            tries=1,
            first_digit_timeout=self.first_digit_timeout,
        )
        digits: str | None = None
        if self.question:
            answer = await gather.run(session)
            digits = answer.value if answer.status == "ok" else None
        inputs = RoutingInputs(
            at=session.clock(),
            digits=digits,
            caller=CallerContext(number=session.info.caller_number),
            attempt=self.attempt,
            dialled=session.info.dialled,
            confirmed=self.confirmed,
        )
        decision = self.router.decide(inputs)
        session.record_decision(
            decision_record(
                decision,
                digits=digits,
                attempt=self.attempt,
                question=self.question,
                confirmed=self.confirmed,
            )
        )
        return Outcome("decided", value=decision.action, next_flow=self.act_on(decision, self))


class Confirm(VerbBase):
    """Ask "Did you want PC Sarah Johnson?" (1 yes, 2 no); an unclear answer goes to a person."""

    name = "confirm"

    def __init__(
        self,
        candidate: Candidate,
        name_media: NameMedia,
        on_yes: Callable[[], Sequence[Verb]],
        on_no: Callable[[], Sequence[Verb]],
        on_unclear: Callable[[], Sequence[Verb]],
        *,
        first_digit_timeout: float = 6.0,
    ) -> None:
        self.candidate = candidate
        self.name_media = name_media
        self.on_yes = on_yes
        self.on_no = on_no
        self.on_unclear = on_unclear
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        return f"confirm:{self.candidate.destination}"

    async def run(self, session: CallSession) -> Outcome:
        media = [
            session.prompts.media_uri("confirm_prefix"),
            *self.name_media(self.candidate),
            session.prompts.media_uri("confirm_suffix"),
        ]
        gather = GatherDigits(
            (), media=media, valid={"1", "2"}, tries=2, first_digit_timeout=self.first_digit_timeout
        )
        answer = await gather.run(session)
        if answer.status == "ok" and answer.value == "1":
            session.record_decision(
                {
                    "action": "route",
                    "destination": self.candidate.destination,
                    "rule": "caller-confirmed",
                    "reason": f"caller confirmed {self.candidate.name} (key 1)",
                    "candidates": [self.candidate.to_json()],
                    "evidence": {"digits": "1"},
                }
            )
            return Outcome("confirmed", value=self.candidate.destination, next_flow=self.on_yes())
        if answer.status == "ok":
            session.record("confirm-declined", destination=self.candidate.destination)
            return Outcome("declined", next_flow=self.on_no())
        session.record("confirm-unclear", destination=self.candidate.destination)
        return Outcome("unclear", next_flow=self.on_unclear())


class Disambiguate(VerbBase):
    """Offer close candidates by key ("for PC Sarah Johnson press 1"); 0 or silence: a person."""

    name = "disambiguate"

    def __init__(
        self,
        candidates: Sequence[Candidate],
        name_media: NameMedia,
        on_choice: Callable[[Candidate], Sequence[Verb]],
        on_none: Callable[[], Sequence[Verb]],
        *,
        first_digit_timeout: float = 6.0,
    ) -> None:
        self.candidates = tuple(candidates)[:8]
        self.name_media = name_media
        self.on_choice = on_choice
        self.on_none = on_none
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        return f"disambiguate:{len(self.candidates)}"

    async def run(self, session: CallSession) -> Outcome:
        media = [session.prompts.media_uri("disambiguate_intro")]
        for key, candidate in enumerate(self.candidates, 1):
            media += [
                session.prompts.media_uri("for"),
                *self.name_media(candidate),
                session.prompts.media_uri("press"),
                f"digits:{key}",
            ]
        media.append(session.prompts.media_uri("someone_else"))
        valid = {str(k) for k in range(len(self.candidates) + 1)}
        gather = GatherDigits(
            (), media=media, valid=valid, tries=2, first_digit_timeout=self.first_digit_timeout
        )
        answer = await gather.run(session)
        if answer.status == "ok" and answer.value != "0":
            chosen = self.candidates[int(answer.value) - 1]
            session.record_decision(
                {
                    "action": "route",
                    "destination": chosen.destination,
                    "rule": "caller-chose",
                    "reason": f"caller chose {chosen.name} (key {answer.value})",
                    "candidates": [c.to_json() for c in self.candidates],
                    "evidence": {"digits": answer.value},
                }
            )
            return Outcome("chosen", value=chosen.destination, next_flow=self.on_choice(chosen))
        session.record("disambiguate-none", answer=answer.status, digits=answer.value)
        return Outcome("none", next_flow=self.on_none())
