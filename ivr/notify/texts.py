"""What the app texts callers, and when: links, abandoned calls, callback news.

Every message goes through the outbox (stored first, sent by the worker), so
a gateway outage delays a text and loses none. These calls never raise into a
call: a number that cannot take a text, or a database hiccup, is logged and
the caller's journey goes on (a deflection that cannot be texted is not
offered; see ``can_text``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from ivr.notify.numbers import InvalidNumber, normalise_uk_mobile
from ivr.notify.outbox import SmsOutbox
from ivr.notify.sensitive import DEFAULT_SURVEY_EXCLUDED, Sensitivity

log = logging.getLogger(__name__)
UK = ZoneInfo("Europe/London")

# Never "chat to us": chat is offered by its own text, only while it can answer.
LINK_TEXT = "Police 101: report online or track a report at {link} In an emergency always call 999."
# The live-chat link: only a token in the URL, nothing about the caller or the call.
CHAT_LINK_TEXT = (
    "Police 101: chat to us at {url} (link works once, for {minutes} minutes). "
    "In an emergency call 999."
)


class AbandonedOffer(StrEnum):
    """What a caller who gave up waiting is offered ([queues] abandoned_sms_offer)."""

    BOTH = "both"
    CALLBACK = "callback"  # call again and choose a callback
    LINK = "link"  # report online


ABANDONED_TEXTS = {
    AbandonedOffer.BOTH: (
        "Police 101: sorry we could not answer your call. Call 101 again and choose a "
        "callback to keep your place, or report online at {link} In an emergency call 999."
    ),
    AbandonedOffer.CALLBACK: (
        "Police 101: sorry we could not answer your call. Call 101 again and choose a "
        "callback: we will ring you back and you will not wait on the line. "
        "In an emergency call 999."
    ),
    AbandonedOffer.LINK: (
        "Police 101: sorry we could not answer your call. You can report online "
        "or track a report at {link} In an emergency call 999."
    ),
}
# A case's public status (ivr.routing.case_status), never the records system's words.
CASE_STATUS_TEXT = (
    "Police 101: an update on your report {reference}: {status} "
    "Track it at {link} In an emergency call 999."
)
CALLBACK_MISSED_TEXT = (
    "Police 101: we tried to call you back {attempts} times without reaching you. "
    "Please call 101 again, or report online at {link} In an emergency call 999."
)
# Caller first: the caller answered, but no one could be put through (or they left first).
CALLBACK_NOT_CONNECTED_TEXT = (
    "Police 101: we called you back {attempts} times but could not put you through to "
    "someone. Please call 101 again, or report online at {link} In an emergency call 999."
)
CALLBACK_LATE_TEXT = (
    "Police 101: sorry, we have not called you back by {time} as we said. You keep your "
    "place and we will still call. You can also report online at {link}"
)


def can_text(number: str) -> bool:
    try:
        normalise_uk_mobile(number)
    except InvalidNumber:
        return False
    return True


class Texts:
    def __init__(
        self,
        outbox: SmsOutbox,
        link: str,
        sensitivity: Sensitivity | None = None,
        *,
        abandoned_offer: AbandonedOffer = AbandonedOffer.BOTH,
    ) -> None:
        """``sensitivity``: calls in these categories get no unasked-for text (abandoned).

        ``abandoned_offer``: what the abandoned-call text offers.
        """
        self.outbox = outbox
        self.link = link
        self.abandoned_text = ABANDONED_TEXTS[abandoned_offer]
        self.sensitivity = sensitivity or Sensitivity(DEFAULT_SURVEY_EXCLUDED)

    def is_quiet(self, categories: Iterable[str], heard: Iterable[str] = ()) -> bool:
        """True when the call must bring no text to the caller's phone (sensitive)."""
        return bool(self.sensitivity.blocked(categories, heard))

    async def online_link(self, call_id: str, number: str) -> bool:
        """The deflection text; True once it is stored (the caller may be told it is sent)."""
        return await self._send(number, LINK_TEXT.format(link=self.link), "deflection", call_id)

    async def chat_link(self, call_id: str, number: str, url: str, minutes: float) -> bool:
        """The live-chat link the caller said yes to; True once it is stored."""
        body = CHAT_LINK_TEXT.format(url=url, minutes=f"{minutes:g}")
        return await self._send(number, body, "chat-link", call_id)

    async def case_status(self, call_id: str, number: str, reference: str, status: str) -> bool:
        """The status the caller asked for by text; ``status``: a public status's sentence."""
        body = CASE_STATUS_TEXT.format(reference=reference, status=status, link=self.link)
        return await self._send(number, body, "case-status", call_id)

    async def abandoned(
        self,
        call_id: str,
        number: str,
        categories: Iterable[str] = (),
        heard: Iterable[str] = (),
    ) -> bool:
        """The caller gave up waiting; never when the call was about a sensitive topic."""
        blocked = self.sensitivity.blocked(categories, heard)
        if blocked:
            log.info("call %s: no abandoned-call text: %s", call_id, ", ".join(blocked))
            return False
        body = self.abandoned_text.format(link=self.link)
        return await self._send(number, body, "abandoned-callback-offer", call_id)

    async def callback_missed(
        self, call_id: str, number: str, attempts: int, *, reached: bool = False
    ) -> bool:
        """The callback failed; ``reached``: the caller answered at least the last ring."""
        text = CALLBACK_NOT_CONNECTED_TEXT if reached else CALLBACK_MISSED_TEXT
        body = text.format(attempts=attempts, link=self.link)
        return await self._send(number, body, "callback-update", call_id)

    async def callback_late(self, call_id: str, number: str, promised_by: float) -> bool:
        when = datetime.fromtimestamp(promised_by, UTC).astimezone(UK).strftime("%H:%M")
        body = CALLBACK_LATE_TEXT.format(time=when, link=self.link)
        return await self._send(number, body, "callback-update", call_id)

    async def _send(self, number: str, body: str, kind: str, call_id: str) -> bool:
        if not can_text(number):
            log.info("call %s: no %s text: %s cannot take one", call_id, kind, "the number")
            return False
        try:
            await self.outbox.enqueue(number, body, kind, call_id=call_id)
        except Exception:
            log.exception("call %s: %s text not stored", call_id, kind)
            return False
        return True
