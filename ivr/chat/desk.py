"""ChatDesk: may the IVR offer live chat to this caller now, and the link when they say yes.

Chat is offered only when it can answer (issue 17): [chat] enabled, the ``[chat]
schedule`` open now in the routing bundle's schedules (the ones rules read with
``closed: live-chat``, so a bank holiday or a closure shuts chat as it shuts the rule),
the channel open (agents signed in with room, or the force's platform up), and the wait
it would promise at most ``max_wait_minutes``. ``availability`` is pure over those
inputs: the flow asks it once per offer, the tests at any hour.

``send_link`` issues the single-use link (its row stored first, by ChatLinks) and stores
its text in the outbox; only then may the caller be told it is on its way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ivr.chat.model import ChatAvailability, ChatChannel, ChatContext, ChatLink, Unavailable
from ivr.chat.settings import ChatSettings
from ivr.clock import Clock

log = logging.getLogger(__name__)


class OpeningHours(Protocol):
    """The live schedules (ivr.routing.schedules.Schedules: the routing bundle's)."""

    def is_open(self, name: str, at: datetime) -> bool: ...


class LinkIssuer(Protocol):
    """ChatLinks.issue (ivr.chat.links): stores the link's row, then returns it."""

    async def issue(self, context: ChatContext, number: str) -> ChatLink: ...


class ChatTexts(Protocol):
    """ivr.notify.texts.Texts.chat_link: True once the text is stored in the outbox."""

    async def chat_link(self, call_id: str, number: str, url: str, minutes: float) -> bool: ...


class ChatDesk:
    def __init__(
        self,
        settings: ChatSettings,
        channel: ChatChannel,
        hours: Callable[[], OpeningHours],
        links: LinkIssuer,
        texts: ChatTexts,
        clock: Clock,
    ) -> None:
        """``hours``: the schedules live now (``lambda: routing.bundle.schedules``), read
        at each offer so a published change of the chat hours applies at once."""
        self.settings = settings
        self.channel = channel
        self.hours = hours
        self.links = links
        self.texts = texts
        self.clock = clock

    def availability(self, now: datetime | None = None) -> ChatAvailability:
        """Open with the wait to promise, or closed with the first reason found."""
        at = self.clock() if now is None else now
        return chat_availability(self.settings, self.hours(), self.channel, at)

    async def send_link(self, context: ChatContext, number: str) -> bool:
        """Issue the link and store its text; False (logged) when either fails, so the
        caller is offered the other ways in rather than told a text is coming."""
        try:
            link = await self.links.issue(context, number)
        except Exception:
            log.exception("call %s: chat link not issued", context.call_id)
            return False
        minutes = self.settings.link_minutes
        return await self.texts.chat_link(context.call_id, number, link.url, minutes)


def chat_availability(
    settings: ChatSettings, hours: OpeningHours, channel: ChatChannel, at: datetime
) -> ChatAvailability:
    """The rule of issue 17, item 1, over its inputs alone (the channel's own view of
    agents and capacity is asked last: it is the only part that may cost anything)."""
    if not settings.enabled:
        return ChatAvailability.closed(Unavailable.DISABLED)
    if not hours.is_open(settings.schedule, at):
        return ChatAvailability.closed(Unavailable.CLOSED)
    try:
        seen = channel.availability(at)
    except Exception:  # a platform's status check must never fail a call
        log.exception("chat channel availability failed")
        return ChatAvailability.closed(Unavailable.PLATFORM_DOWN)
    if not seen.open:
        return ChatAvailability.closed(seen.why_not or Unavailable.NO_AGENTS)
    wait = seen.expected_wait_s or 0.0
    if wait > settings.max_wait_minutes * 60:
        return ChatAvailability.closed(Unavailable.FULL)
    return ChatAvailability(True, wait)
