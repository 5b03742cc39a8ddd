"""LinkExpiry: each link never opened in time is recorded once on the call it came from."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from ivr.chat.expiry import EXPIRED_EVENT, LinkExpiry
from ivr.chat.model import ChatLink
from tests.fakes import MemoryCallLog, fixed_clock


def link(link_id: str, call_id: str) -> ChatLink:
    expires = fixed_clock() - timedelta(minutes=1)
    return ChatLink(link_id, call_id, f"{link_id}.sig", f"https://x/chat/{link_id}.sig", expires)


class DueLinks:
    """expire_due as ChatLinks answers it: what is due now, each link once."""

    def __init__(self, *batches: Sequence[ChatLink]) -> None:
        self.batches = list(batches)
        self.asked = 0
        self.fail_next: Exception | None = None
        self.asked_twice = asyncio.Event()

    async def expire_due(self) -> Sequence[ChatLink]:
        self.asked += 1
        if self.asked >= 2:
            self.asked_twice.set()
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return self.batches.pop(0) if self.batches else []


async def test_each_expired_link_is_recorded_on_its_call() -> None:
    links = DueLinks([link("l1", "call-1"), link("l2", "call-2")], [])
    call_log = MemoryCallLog()
    expiry = LinkExpiry(links, call_log, fixed_clock)
    assert await expiry.tick() == 2
    assert await expiry.tick() == 0  # nothing new: nothing recorded twice
    assert call_log.events == [
        ("call-1", EXPIRED_EVENT, {"link_id": "l1"}),
        ("call-2", EXPIRED_EVENT, {"link_id": "l2"}),
    ]


async def test_a_failed_tick_does_not_stop_the_chore() -> None:
    links = DueLinks()
    links.fail_next = OSError("database is locked")
    links.batches = [[link("l1", "call-1")]]
    call_log = MemoryCallLog()
    task = asyncio.create_task(LinkExpiry(links, call_log, fixed_clock, every_s=0).run())
    try:
        await asyncio.wait_for(links.asked_twice.wait(), 5)
    finally:
        task.cancel()
    assert call_log.kinds() == [EXPIRED_EVENT]  # the tick after the failure recorded it
