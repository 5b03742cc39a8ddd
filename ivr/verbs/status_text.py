"""OfferStatusText: "to get this update by text, press 1", then on to whoever takes the call.

The caller has just heard their case's public status (ivr.routing.case_status);
the text says the same sentence and the online tracking link, never the
records system's words. Like OfferLink it is offered only to a number that can
take a text, and never on a call about a sensitive topic (the phone may be read
by the person reported). Unlike OfferLink it is not a deflection: whatever the
answer, the call goes on to ``then`` (the officer in charge).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ivr.notify.texts import can_text
from ivr.routing.case_status import PublicStatus
from ivr.session.model import Outcome, Verb
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.verbs.basic import Play, VerbBase
from ivr.verbs.route import choose, spoken_yes_no

OFFER_PROMPT = "case_status_sms_offer"
SENT_PROMPT = "case_status_sms_sent"


class StatusSender(Protocol):
    async def case_status(self, call_id: str, number: str, reference: str, status: str) -> bool: ...
    def is_quiet(self, categories: Iterable[str], heard: Iterable[str] = ()) -> bool: ...


class OfferStatusText(VerbBase):
    name = "offer-status-text"

    def __init__(
        self,
        texts: StatusSender,
        reference: str,
        status: PublicStatus,
        then: Sequence[Verb],
        *,
        first_digit_timeout: float = 6.0,
    ) -> None:
        self.texts = texts
        self.reference = reference
        self.status = status
        self.then = tuple(then)
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        return "offer-status-text"

    async def run(self, session: CallSession) -> Outcome:
        if not can_text(session.info.caller_number):
            session.record("status-text-not-offered", reason="caller number cannot take a text")
            return Outcome(Status.NOT_OFFERED, next_flow=self.then)
        if self.texts.is_quiet(session.categories, session.heard):
            session.record("status-text-not-offered", reason="sensitive call: no texts")
            return Outcome(Status.NOT_OFFERED, next_flow=self.then)
        session.record("status-text-offered", public_status=self.status.value)
        key, how = await choose(
            session,
            [session.prompts.media_uri(OFFER_PROMPT)],
            {"1", "2"},
            spoken_yes_no,
            self.first_digit_timeout,
            tries=1,
        )
        if key != "1":
            session.record("status-text-declined", answer=how)
            return Outcome(Status.DECLINED, next_flow=self.then)
        sent = await self.texts.case_status(
            session.call_id, session.info.caller_number, self.reference, self.status.sentence
        )
        if not sent:
            session.record("status-text-not-sent")
            return Outcome(Status.NOT_SENT, next_flow=self.then)
        session.record("status-texted", public_status=self.status.value)
        return Outcome(
            Status.OK, value="texted", next_flow=[Play([SENT_PROMPT], barge_in=False), *self.then]
        )
