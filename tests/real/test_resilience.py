"""The app's link to a real Asterisk 22 broken mid-call: the WebSocket dropped and
restored (a cuttable proxy in front of Asterisk's HTTP port), and `ivr serve` killed
and started again; and Asterisk unregistering the app while its socket stays open.
Asterisk keeps the calls in Stasis meanwhile and replays nothing;
the app must pick each call up again, and nothing may be left behind in Asterisk.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from ivr.ari.client import AriClient
from ivr.ari.stream import EventStream
from ivr.embedded import AppWatch
from tests.integration.registration import taken_over_and_left
from tests.real.app import real_app
from tests.real.asterisk import RealAsterisk
from tests.real.leftovers import nothing_left
from tests.real.parties import Agent, Parties
from tests.real.proxy import CuttableProxy, cuttable_proxy
from tests.real.serve import CONNECTED, ivr_serve
from tests.real.watch import watching

MENU = "route:"
WELCOME_S = 30.0  # the welcome plays 12.5 s before the menu
MENU_PROMPT = "main_menu"


def call_rows(db: Path) -> list[dict[str, Any]]:
    """The `calls` table as `ivr serve` left it (read once it has stopped)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM calls")]


async def drop_and_restore(app: AppWatch, proxy: CuttableProxy) -> EventStream:
    """Cut the app off Asterisk, between its requests, until it has tried to come back
    once, then let it."""
    stream = app.runtime.stream
    assert stream is not None and stream.connects == 1
    await proxy.cut_between_requests()
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
        # Cut once the menu plays (and its POST /play has its answer: drop_and_restore):
        # a request cut in flight is a different case (the call steps down to a person).
        await watch.until(lambda _: watch.playback_of(caller.call_id, MENU_PROMPT), "menu")
        stream = await drop_and_restore(app, proxy)
        agent = await parties.put_through(app, caller, "1", "rc")
        await agent.hang_up()
        row = await app.call_row(caller.call_id)
        await nothing_left(asterisk, parties)
    assert stream.connects == 2
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")


async def test_a_caller_talking_to_an_agent_when_the_websocket_drops_ends_cleanly_after_it(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    async with (
        cuttable_proxy(asterisk.folder.http_port) as proxy,
        real_app(asterisk, db_path, {"ari.url": proxy.url}) as app,
    ):
        caller = await parties.call()
        await caller.answered()
        agent = await parties.put_through(app, caller, "1", "rc")
        stream = await drop_and_restore(app, proxy)
        await agent.hang_up()
        row = await app.call_row(caller.call_id)
        await caller.until_ended()
        await nothing_left(asterisk, parties)
    assert stream.connects == 2
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")


async def first_rung(parties: Parties, desks: tuple[str, ...] = ("rc", "fcr")) -> Agent:
    """The agent the app rings first among ``desks``: `ivr serve` runs on the real clock,
    and out of the resolution centre's hours key 1 goes to the control room instead."""
    waits = {asyncio.create_task(parties.agent_rung(desk)) for desk in desks}
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in pending:
        wait.cancel()
    return done.pop().result()


async def test_ivr_serve_killed_with_calls_in_progress_takes_them_up_again_when_it_restarts(
    asterisk: RealAsterisk, parties: Parties, tmp_path: Path
) -> None:
    async with watching(asterisk) as watch:
        async with ivr_serve(asterisk, tmp_path) as serve:
            await serve.until_logged(CONNECTED)
            talking = await parties.call(caller="07700900001")
            await talking.answered()
            await talking.keys("1")
            agent = await first_rung(parties)
            await agent.answer()
            await watch.until(lambda _: watch.in_bridge_with_another(talking.call_id), "bridge")
            waiting = await parties.call(caller="07700900002")
            await waiting.answered()
            await watch.until(lambda _: watch.playback_of(waiting.call_id, MENU_PROMPT), "menu")

            await serve.kill()
            await serve.start()
            await serve.until_logged(CONNECTED)
            await serve.until_logged("adopting call", talking.call_id)
            await serve.until_logged("adopting call", waiting.call_id)

            assert not waiting.ended
            await waiting.keys("1")
            second = await first_rung(parties)
            await second.answer()
            await watch.until(lambda _: watch.in_bridge_with_another(waiting.call_id), "bridge")
            assert not talking.ended  # never let go: still with the agent it had
            await agent.hang_up()
            await talking.until_ended()
            await second.hang_up()
            await waiting.until_ended()
            await nothing_left(asterisk, parties)
        rows = {r["call_id"]: r for r in call_rows(tmp_path / "calls.db")}
    for call, desk in ((talking, agent.desk), (waiting, second.desk)):
        row = rows[call.call_id]
        assert (row["outcome"], row["destination"]) == ("transferred", desk), row
        # The whole call, both processes' parts: counted from the caller's start.
        whole = datetime.fromisoformat(row["ended_at"]) - datetime.fromisoformat(row["started_at"])
        assert abs(row["duration_s"] - whole.total_seconds()) < 0.01, row
    # Taken up in its conversation, not asked again (docs/architecture.md, "Restarts").
    assert rows[talking.call_id]["last_step"] == "stay-connected"


async def test_a_stream_whose_app_asterisk_unregistered_connects_again_and_hears_calls(
    asterisk: RealAsterisk,
) -> None:
    user, password = asterisk.credentials
    async with aiohttp.ClientSession() as http:
        client = AriClient(http, asterisk.ari_url, user, password)
        # Created, never dialled: its `;1` half is in the app at once, nothing rings.
        stream = await taken_over_and_left(client, "ivr101-other", "Local/nobody@test-agents")
    assert (stream.connects, stream.registrations_lost) == (2, 1)
