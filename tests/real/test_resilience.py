"""The app's link to a real Asterisk 22 broken mid-call: the WebSocket dropped and
restored (a cuttable proxy in front of Asterisk's HTTP port), and `ivr serve` killed
and started again. Asterisk keeps the calls in Stasis meanwhile and replays nothing;
the app must pick each call up again, and nothing may be left behind in Asterisk.
"""

from __future__ import annotations

import asyncio

from ivr.ari.stream import EventStream
from ivr.embedded import AppWatch
from tests.real.app import real_app
from tests.real.asterisk import RealAsterisk
from tests.real.parties import Parties
from tests.real.proxy import CuttableProxy, cuttable_proxy
from tests.real.watch import Leftovers, watching

MENU = "route:"
WELCOME_S = 30.0  # the welcome plays 12.5 s before the menu


async def drop_and_restore(app: AppWatch, proxy: CuttableProxy) -> EventStream:
    """Cut the app off Asterisk until it has tried to come back once, then let it."""
    stream = app.runtime.stream
    assert stream is not None and stream.connects == 1
    proxy.cut()
    await proxy.until_turned_away()  # the app noticed the drop and is trying again
    assert not stream.connected.is_set()
    proxy.restore()
    await asyncio.wait_for(stream.connected.wait(), 30)
    return stream


async def test_a_caller_in_the_menu_when_the_websocket_drops_is_routed_by_keys_after_it_returns(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    async with (
        cuttable_proxy(asterisk.folder.http_port) as proxy,
        watching(asterisk) as watch,
        real_app(asterisk, db_path, {"ari.url": proxy.url}) as app,
    ):
        caller = await parties.call()
        await caller.answered()
        await app.step_reached(caller.call_id, MENU, WELCOME_S)
        stream = await drop_and_restore(app, proxy)
        await caller.keys("1")
        agent = await parties.agent_rung("rc")
        await agent.answer()
        await app.until_event(caller.call_id, "connected")
        await agent.hang_up()
        row = await app.call_row(caller.call_id)
        left = await watch.until_nothing_left()
    assert stream.connects == 2
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")
    assert left == Leftovers()


async def test_a_caller_talking_to_an_agent_when_the_websocket_drops_ends_cleanly_after_it(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    async with (
        cuttable_proxy(asterisk.folder.http_port) as proxy,
        watching(asterisk) as watch,
        real_app(asterisk, db_path, {"ari.url": proxy.url}) as app,
    ):
        caller = await parties.call()
        await caller.answered()
        await caller.keys("1")
        agent = await parties.agent_rung("rc")
        await agent.answer()
        await app.until_event(caller.call_id, "connected")
        stream = await drop_and_restore(app, proxy)
        await agent.hang_up()
        row = await app.call_row(caller.call_id)
        await caller.until_ended()
        left = await watch.until_nothing_left()
    assert stream.connects == 2
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")
    assert left == Leftovers()
