"""Whole calls through a real Asterisk 22: the project's dialplan, the app, the caller."""

from __future__ import annotations

from tests.real.app import real_app
from tests.real.asterisk import RealAsterisk
from tests.real.parties import Parties


async def test_a_caller_who_keys_1_is_put_through_to_the_resolution_centre(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    async with real_app(asterisk, db_path) as app:
        caller = await parties.call()
        await caller.answered()
        await caller.keys("1")
        agent = await parties.agent_rung("rc")
        await agent.answer()
        await app.until_event(caller.call_id, "connected")
        await agent.hang_up()
        row = await app.call_row(caller.call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "rc")
        await caller.until_ended()
    assert asterisk.active_channels() == 0
