"""[ha]: a standby has its active node's origin, so its sender must not start (and take
back "its own" texts mid-send) until it is the active node itself."""

from __future__ import annotations

import asyncio

from ivr.notify.service import SmsService
from ivr.notify.settings import SmsSettings
from tests.integration.notify.test_sms_claims import LATER, LEASE_S, A, stores, text


async def test_a_standby_leaves_the_active_nodes_sends_alone_until_it_becomes_active(
    db_location: str,
) -> None:
    with stores(db_location, A) as (active,):
        row_id = text(active, 1)
        assert active.claim_next(LATER, "", LEASE_S) is not None  # the active node sends it
        standby = SmsService.from_settings(SmsSettings(), db_location, origin=A)
        became_active = asyncio.Event()
        async with standby.running(became_active):
            await standby.sender_waiting.wait()  # the sender has started, and waits
            await standby.outbox.flush()  # anything it had queued on the outbox has run
            row = active.get(row_id)
            assert row is not None and row["state"] == "sending"
            assert not standby.worker.started.is_set()
            became_active.set()
            await standby.worker.started.wait()  # its own origin's sends came back
            row = active.get(row_id)
            assert row is not None and row["state"] == "queued"
