"""Every AriClient call against the simulator, and each request it sent checked against
the Asterisk 22 Swagger docs: the client uses only real routes and parameter names."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest

from ivr.ari.client import AriClient
from ivr.ari.errors import AriConflict, AriNotFound
from ivr.ari.events import AriEvent, StasisStarted
from ivr.ari.stream import EventStream
from ivr.simulator import Simulator, SimulatorConfig
from tests.contract.swagger import Swagger, api_docs_dir
from tests.integration.registration import taken_over_and_left


@contextlib.asynccontextmanager
async def connected() -> AsyncIterator[tuple[Simulator, AriClient, asyncio.Queue[AriEvent], str]]:
    sim = Simulator(SimulatorConfig(username="u", password="p", time_scale=0.05))
    port = await sim.start("127.0.0.1", 0)
    events: asyncio.Queue[AriEvent] = asyncio.Queue()

    async def on_connected(reconnect: bool) -> None:
        return None

    try:
        async with aiohttp.ClientSession() as http:
            client = AriClient(http, f"http://127.0.0.1:{port}", "u", "p")
            stream = EventStream(client, "ivr101", events.put_nowait, on_connected)
            task = asyncio.create_task(stream.run())
            await asyncio.wait_for(stream.connected.wait(), 5)
            try:
                yield sim, client, events, f"http://127.0.0.1:{port}"
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    finally:
        await sim.stop()


async def _stasis_start(
    events: asyncio.Queue[AriEvent], channel_id: str | None = None
) -> StasisStarted:
    while True:
        event = await asyncio.wait_for(events.get(), 5)
        if isinstance(event, StasisStarted) and (
            channel_id is None or event.channel.id == channel_id
        ):
            return event


@pytest.mark.skipif(not api_docs_dir().is_dir(), reason="../shared/ari-api-docs is absent")
async def test_every_client_call_works_and_is_a_documented_operation() -> None:
    async with connected() as (_sim, client, events, base):
        async with client.http.post(
            f"{base}/_sim/calls", json={"dialled": "101", "script": []}
        ) as r:
            assert r.status == 201
        inbound = (await _stasis_start(events)).channel
        cid = inbound.id

        info = await client.asterisk_info()
        assert info.version == "22.10.1"
        assert (await client.get_application("ivr101"))["name"] == "ivr101"
        assert cid in {c.id for c in await client.list_channels()}
        await client.ring(cid)
        await client.ring_stop(cid)
        await client.answer(cid)
        assert (await client.get_channel(cid)).state == "Up"
        await client.start_moh(cid)
        await client.stop_moh(cid)
        await client.hold(cid)
        await client.unhold(cid)
        await client.set_variable(cid, "IVR_STEP", "menu")
        assert await client.get_variable(cid, "IVR_STEP") == "menu"
        playback = await client.play(cid, "pb-t1", ["sound:hello-world", "sound:beep"])
        assert playback.next_media_uri == "sound:beep"
        assert (await client.get_playback("pb-t1")).id == "pb-t1"
        await client.stop_playback("pb-t1")

        snoop = await client.snoop(cid, "snoop-t1", "ivr101", spy="in", app_args="snoop")
        assert snoop.id == "snoop-t1"
        media = await client.external_media("em-t1", "ivr101", "127.0.0.1:40000", "slin")
        assert "UNICASTRTP_LOCAL_PORT" in media.channelvars
        await _stasis_start(events, "em-t1")
        await client.create_bridge("br-t1", name="asr")
        await client.add_channels("br-t1", ["snoop-t1", "em-t1"])
        assert set((await client.get_bridge("br-t1")).channels) == {"snoop-t1", "em-t1"}
        await client.start_bridge_moh("br-t1")
        await client.stop_bridge_moh("br-t1")
        await client.play_on_bridge("br-t1", "pb-t2", ["sound:beep"])
        await client.remove_channels("br-t1", ["em-t1"])
        await client.destroy_bridge("br-t1")
        for own in ("em-t1", "snoop-t1"):
            await client.hangup(own)

        leg = await client.originate(
            "Local/agent1@ivr-agents", "leg-t1", "ivr101", app_args="leg", caller_id="IVR <101>"
        )
        assert leg.id == "leg-t1"
        created = await client.create_channel(
            "Local/agent1@ivr-agents", "leg-t2", "ivr101", app_args="leg"
        )
        await _stasis_start(events, created.id)
        await client.dial("leg-t2", caller=cid, timeout=30)
        await client.hangup("leg-t1")
        await client.hangup("leg-t2")

        with pytest.raises(AriNotFound):
            await client.answer("no-such-channel")
        with pytest.raises(AriConflict):
            await client.create_bridge("br-dup")
            await client.create_bridge("br-dup")
        await client.destroy_bridge("br-dup")
        await client.continue_in_dialplan(cid, "ivr-in", "199")
        with contextlib.suppress(AriNotFound):
            await client.hangup(cid)

        async with client.http.get(f"{base}/_sim/requests") as r:
            sent = await r.json()

    swagger = Swagger()
    problems = []
    for req in sent:
        op = swagger.find_operation(req["method"], req["path"])
        if op is None:
            problems.append(f"undocumented route {req['method']} {req['path']}")
            continue
        names = {p.name for p in op.parameters}
        problems += [
            f"{op.label}: undocumented parameter {q}" for q in req["query"] if q not in names
        ]
    assert not problems
    used = {op.label for r in sent if (op := swagger.find_operation(r["method"], r["path"]))}
    assert len(used) >= 30


async def test_a_stream_whose_app_asterisk_unregistered_connects_again_and_hears_calls() -> None:
    async with connected() as (_sim, client, _events, _url):
        stream = await taken_over_and_left(client, "ivr101-other", "Local/agent1@ivr-agents")
    assert (stream.connects, stream.registrations_lost) == (2, 1)
