"""OfferChat: offer live chat instead of waiting, only while chat can answer (issue 17).

Where the online link would be offered (the ``online`` route, a rule's ``offer:
deflect-sms``), the desk is asked first. Open: the caller hears the chat wait in whole
minutes and is offered a single-use chat link by text (yes / key 1; no / key 2 carries
on to ``otherwise``, a person). On yes the link and its text are stored first; only
then is the caller told it is on its way, and the call ends as ``deflected:chat``
(counted apart from abandonment). Closed, or a phone that cannot or must not get a
text: ``closed`` runs instead (the online-link offer, which never promises chat), and
the reason is recorded.

The call's context goes with the link (what the caller said, the intent, a crime
reference, flags), so the chat agent sees what the caller already told the IVR; the
number stays on the link's row, never in the context or the URL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from ivr.chat.model import ChatAvailability, ChatContext
from ivr.notify.texts import can_text
from ivr.routing.references import parse_reference
from ivr.session.model import Outcome, Verb
from ivr.session.outcomes import CallOutcome, Status
from ivr.session.session import CallSession
from ivr.verbs.basic import Hangup, VerbBase
from ivr.verbs.route import choose, spoken_yes_no

CHAT = "chat"  # the destination a call deflected to chat is recorded with


class ChatOffering(Protocol):
    """What the verb needs of the chat desk (ivr.chat.desk.ChatDesk)."""

    def availability(self, now: datetime | None = None) -> ChatAvailability: ...
    async def send_link(self, context: ChatContext, number: str) -> bool: ...


class QuietCalls(Protocol):
    """ivr.notify.texts.Texts.is_quiet: a sensitive call brings no text to the phone."""

    def is_quiet(self, categories: Iterable[str], heard: Iterable[str] = ()) -> bool: ...


def wait_minutes(expected_wait_s: float | None) -> int:
    """The wait said to the caller: whole minutes, rounded up (0: under a minute)."""
    seconds = expected_wait_s or 0.0
    return 0 if seconds < 60 else math.ceil(seconds / 60)


def wait_media(minutes: int, uri: Callable[[str], str]) -> list[str]:
    """ "The wait for chat is about 6 minutes", or "... less than a minute"."""
    if minutes == 0:
        return [uri("chat_wait_short")]
    return [uri("chat_wait_about"), f"number:{minutes}", uri("minutes")]


def chat_context(session: CallSession, intent: str) -> ChatContext:
    """What the caller already told the IVR, for the chat agent (no phone number)."""
    heard = tuple(dict.fromkeys(h for h in session.heard if h))  # n-best repeats once
    reference = next((r for h in heard if (r := parse_reference(h))), "")
    return ChatContext(
        call_id=session.call_id,
        intent=intent,
        destination=session.destination,
        heard=heard,
        reference=reference,
        flags=tuple(sorted(session.caller.flags)),
        categories=tuple(sorted(session.categories)),
    )


class OfferChat(VerbBase):
    name = "offer-chat"

    def __init__(
        self,
        desk: ChatOffering,
        texts: QuietCalls,
        otherwise: Sequence[Verb],
        *,
        closed: Sequence[Verb],
        intent: str = "",
        first_digit_timeout: float = 6.0,
    ) -> None:
        """``otherwise``: after a "no" (or a link that could not be sent): a person.
        ``closed``: when chat is not offered (the online-link offer, or ``otherwise``)."""
        self.desk = desk
        self.texts = texts
        self.otherwise = tuple(otherwise)
        self.closed = tuple(closed)
        self.intent = intent
        self.first_digit_timeout = first_digit_timeout

    def describe(self) -> str:
        return "offer-chat"

    async def run(self, session: CallSession) -> Outcome:
        seen = self.desk.availability(session.clock())
        number = session.info.caller_number
        why = self._why_not(session, seen, number)
        if why:
            session.record("chat-not-offered", reason=why)
            return Outcome(Status.NOT_OFFERED, next_flow=self.closed)
        minutes = wait_minutes(seen.expected_wait_s)
        session.record("chat-offered", wait_min=minutes)
        uri = session.prompts.media_uri
        key, how = await choose(
            session,
            [uri("chat_offer"), *wait_media(minutes, uri), uri("chat_offer_choose")],
            {"1", "2"},
            spoken_yes_no,
            self.first_digit_timeout,
            tries=1,
        )
        if key != "1":
            session.record("chat-declined", answer=how)
            return Outcome(Status.DECLINED, next_flow=self.otherwise)
        if not await self.desk.send_link(chat_context(session, self.intent), number):
            session.record("chat-link-not-sent")
            return Outcome(Status.NOT_SENT, next_flow=self.otherwise)
        session.record("chat-accepted", wait_min=minutes, answer=how)
        # A deflection like the online link's: every count of deflections includes it.
        session.record("deflected", channel="chat-link")
        session.settle(CallOutcome.DEFLECTED_CHAT, CHAT)
        return Outcome(
            Status.DEFLECTED,
            value=CHAT,
            next_flow=[Hangup("chat_sms_sent", outcome=CallOutcome.DEFLECTED_CHAT)],
        )

    def _why_not(self, session: CallSession, seen: ChatAvailability, number: str) -> str:
        """Why chat is not offered to this call now ("" when it is)."""
        if not seen.open:
            return seen.why_not.value if seen.why_not else "chat closed"
        if not can_text(number):
            return "caller number cannot take a text"
        if self.texts.is_quiet(session.categories, session.heard):
            return "sensitive call: no texts to this phone"
        return ""
