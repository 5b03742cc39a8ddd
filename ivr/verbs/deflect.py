"""OfferLink: offer the online link by SMS, never force it; a person is one key away.

Offered only when the rules say so (``offer: deflect-sms``, which they only
give within the channel's opening hours) and the caller's number can take a
text. On "yes" the text is stored in the outbox first; only then is the
caller told it is on its way, and the call ends as ``deflected`` (counted
apart from abandonment). "No", silence or a text that cannot be stored
carries on to ``otherwise`` (the queue or a person).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ivr.decisions import ONLINE
from ivr.notify.texts import can_text
from ivr.session.model import Outcome, Verb
from ivr.session.outcomes import CallOutcome, Status
from ivr.session.session import CallSession
from ivr.verbs.basic import Hangup, VerbBase
from ivr.verbs.route import choose, spoken_yes_no


class LinkSender(Protocol):
    async def online_link(self, call_id: str, number: str) -> bool: ...
    def is_quiet(self, categories: Iterable[str], heard: Iterable[str] = ()) -> bool: ...


class OfferLink(VerbBase):
    name = "offer-link"

    def __init__(
        self,
        texts: LinkSender,
        otherwise: Sequence[Verb],
        *,
        prompt: str = "online_sms_offer",
        first_digit_timeout: float = 6.0,
        not_offered: Sequence[Verb] | None = None,
    ) -> None:
        """``not_offered``: for a number that cannot take a text (default ``otherwise``)."""
        self.texts = texts
        self.otherwise = tuple(otherwise)
        self.not_offered = self.otherwise if not_offered is None else tuple(not_offered)
        self.prompt = prompt
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        return "offer-link"

    async def run(self, session: CallSession) -> Outcome:
        number = session.info.caller_number
        if not can_text(number):
            session.record("link-not-offered", reason="caller number cannot take a text")
            return Outcome(Status.NOT_OFFERED, next_flow=self.not_offered)
        if self.texts.is_quiet(session.categories, session.heard):
            session.record("link-not-offered", reason="sensitive call: no texts to this phone")
            return Outcome(Status.NOT_OFFERED, next_flow=self.not_offered)
        session.record("link-offered")
        key, how = await choose(
            session,
            [session.prompts.media_uri(self.prompt)],
            {"1", "2"},
            spoken_yes_no,
            self.first_digit_timeout,
            tries=1,
        )
        if key != "1":
            session.record("link-declined", answer=how)
            return Outcome(Status.DECLINED, next_flow=self.otherwise)
        if not await self.texts.online_link(session.call_id, number):
            session.record("link-not-sent")
            return Outcome(Status.NOT_SENT, next_flow=self.otherwise)
        session.record("deflected", channel="sms-link")
        session.settle(CallOutcome.DEFLECTED, ONLINE)
        return Outcome(
            Status.DEFLECTED,
            value=ONLINE,
            next_flow=[Hangup("online_sms_sent", outcome=CallOutcome.DEFLECTED)],
        )
