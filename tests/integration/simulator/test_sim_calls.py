"""POST /_sim/calls: scripted callers, their records, and many calls at once."""

from __future__ import annotations

import asyncio

from tests.integration.simulator.harness import SimClient, eventually


async def test_scripted_caller(client: SimClient) -> None:
    stream = await client.events()
    call = await client.sim(
        "POST",
        "/calls",
        {
            "dialled": "101",
            "caller_number": "07700900999",
            "caller_name": "Jo",
            "script": [{"wait": 0.5}, {"dtmf": "9"}, {"say_sound": "tt-weasels"}],
        },
    )
    chan = call["channel_id"]
    start = await stream.wait_for("StasisStart")
    assert start["channel"]["id"] == chan
    assert start["channel"]["caller"] == {"name": "Jo", "number": "07700900999"}
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    digit = await stream.wait_for("ChannelDtmfReceived")
    assert digit["digit"] == "9"
    await client.sim("POST", f"/calls/{chan}/dtmf", {"digits": "7#"})
    await stream.wait_for("ChannelDtmfReceived", lambda e: e["digit"] == "#")
    record = await client.sim("GET", f"/calls/{call['caller_channel_id']}")
    assert record["answered"] is not None and record["hungup"] is None
    await client.sim("POST", f"/calls/{chan}/hangup")
    request = await stream.wait_for("ChannelHangupRequest")
    assert request["cause"] == 16
    record = await client.sim("GET", f"/calls/{chan}")
    assert record["hungup_by"] == "caller"
    assert [d["digit"] for d in record["dtmf_sent"]] == ["9", "7", "#"]
    await client.wait_idle()
    await stream.close()


async def test_call_to_unregistered_app_fails_stasis(client: SimClient) -> None:
    call = await client.sim("POST", "/calls", {"dialled": "101", "script": []})
    await client.wait_idle()
    record = await client.sim("GET", f"/calls/{call['channel_id']}")
    assert record["hungup_by"] == "stasis-failed"


async def test_three_hundred_concurrent_calls(client: SimClient) -> None:
    stream = await client.events()
    calls = await asyncio.gather(
        *[client.sim("POST", "/calls", {"script": [{"wait": 60}]}) for _ in range(300)]
    )
    ids = [c["channel_id"] for c in calls]

    async def until(event_type: str, count: int) -> None:
        async def enough() -> bool:
            return bool(sum(e["type"] == event_type for e in stream.events) >= count)

        await eventually(enough, 30)

    await until("StasisStart", 300)
    await asyncio.gather(*[client.ari("POST", f"/channels/{c}/answer", 204) for c in ids])
    await asyncio.gather(
        *[client.ari("POST", f"/channels/{c}/play", 201, media="sound:beep") for c in ids]
    )
    await until("PlaybackFinished", 300)
    await asyncio.gather(*[client.ari("DELETE", f"/channels/{c}", 204) for c in ids])
    await until("StasisEnd", 300)
    await client.wait_idle(within=30)
    assert sum(e["type"] == "StasisEnd" for e in stream.events) == 300
    await stream.close()


async def test_the_stand_in_sms_provider_keeps_what_it_is_sent_and_refuses_half_a_text(
    client: SimClient,
) -> None:
    sent = await client.sim("POST", "/sms", {"to": "+447700900123", "body": "hello"})
    assert sent == {"id": "sim-sms-1"}
    async with client.session.post(f"{client.base}/_sim/sms", json={"to": "+44"}) as resp:
        assert resp.status == 400 and (await resp.json())["error_id"] == "invalid-sms"
    assert await client.sim("GET", "/sms") == [{"to": "+447700900123", "body": "hello"}]
