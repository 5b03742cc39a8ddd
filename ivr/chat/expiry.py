"""LinkExpiry: the chore that closes chat links never opened in time, and says so on the
call they were texted from.

A caller who said yes to chat but never opened the link within [chat] link_minutes is
counted apart (issue 17: not a chat, not an abandoned call): every ``every_s`` the
chore asks ChatLinks to expire what is due (SENT rows past their time → EXPIRED, each
returned once) and records a ``chat-link-expired`` event on each one's call. The call
ended long before: the event goes straight to the call log (as a callback's news does),
so the report and the caller's history read it with the call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from ivr.clock import Clock

log = logging.getLogger(__name__)

EXPIRED_EVENT = "chat-link-expired"
EVERY_S = 60.0


class ExpiredLink(Protocol):
    """One link ``expire_due`` closed (ivr.chat.model.ChatLink fits)."""

    @property
    def link_id(self) -> str: ...
    @property
    def call_id(self) -> str: ...


class DueLinks(Protocol):
    """ivr.chat.links.ChatLinks: SENT links past their time become EXPIRED, returned once."""

    async def expire_due(self) -> Sequence[ExpiredLink]: ...


class EventLog(Protocol):
    """The call log (ivr.store.log.SqliteCallLog): stores an event on a call, never blocks."""

    def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None: ...


class LinkExpiry:
    def __init__(
        self, links: DueLinks, call_log: EventLog, clock: Clock, *, every_s: float = EVERY_S
    ) -> None:
        self.links = links
        self.call_log = call_log
        self.clock = clock
        self.every_s = every_s

    async def tick(self) -> int:
        """Expire what is due now and record it on each call; how many expired."""
        expired = await self.links.expire_due()
        now = self.clock()
        for link in expired:
            self.call_log.event(link.call_id, now, EXPIRED_EVENT, {"link_id": link.link_id})
        if expired:
            log.info("chat: %d link(s) expired unopened", len(expired))
        return len(expired)

    async def run(self) -> None:
        """Tick, sleep, repeat until cancelled; a failed tick is logged and tried again at
        the next (a locked database must not stop the chore, nor the calls)."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("chat: expiring links failed; trying again in %.0f s", self.every_s)
            await asyncio.sleep(self.every_s)
