"""Error bodies, authentication, and the app WebSocket's lifecycle quirks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tests.integration.simulator.harness import AUTH, SimClient, basic, eventually


async def test_not_found_and_bad_requests(client: SimClient) -> None:
    stream = await client.events()
    for method, path, message in [
        ("GET", "/channels/nope", "Channel not found"),
        ("POST", "/channels/nope/answer", "Channel not found"),
        ("DELETE", "/channels/nope", "Channel not found"),
        ("GET", "/bridges/nope", "Bridge not found"),
        ("POST", "/bridges/nope/addChannel?channel=nope", "Bridge not found"),
        ("GET", "/playbacks/nope", "Playback not found"),
        ("DELETE", "/playbacks/nope", "Playback not found"),
        ("GET", "/no/such/resource", "Resource not found"),
        ("GET", "/applications/nope", "Application not found"),
    ]:
        assert await client.ari(method, path) == (404, {"message": message}), path
    chan = await client.call(stream)
    assert await client.ari("POST", f"/channels/{chan}/play") == (
        500,
        {"message": "Failed to queue media for playback"},
    )
    assert await client.ari("POST", f"/channels/{chan}/dtmf") == (
        400,
        {"message": "DTMF is required"},
    )
    assert await client.ari("GET", f"/channels/{chan}/variable") == (
        400,
        {"message": "Variable name is required"},
    )
    assert await client.ari("GET", f"/channels/{chan}/variable", variable="NOPE") == (
        404,
        {"message": "Provided variable was not found"},
    )
    await client.ari("POST", f"/channels/{chan}/variable", 204, variable="X", value="1")
    assert await client.ari("GET", f"/channels/{chan}/variable", variable="X") == (
        200,
        {"value": "1"},
    )
    await client.ari("POST", "/bridges", 200, bridgeId="br-e")
    assert await client.ari("POST", "/bridges/br-e/addChannel") == (
        400,
        {"message": "Missing parameter channel"},
    )
    assert await client.ari("POST", "/bridges", bridgeId="br-e") == (
        409,
        {"message": "Bridge with id 'br-e' already exists"},
    )
    assert await client.ari("POST", "/channels", app="ivr101") == (
        400,
        {"message": "Endpoint must be specified"},
    )
    assert await client.ari("POST", "/channels", endpoint="Local/101@ivr-in") == (
        400,
        {"message": "Application or extension must be specified"},
    )
    assert await client.ari("POST", "/channels", endpoint="Bogus/thing", app="ivr101") == (
        500,
        {"error": "Allocation failed"},
    )
    assert await client.ari(
        "POST", "/channels", endpoint="Local/101@ivr-in", app="ivr101", channelId=chan
    ) == (409, {"message": "Channel with given unique ID already exists"})
    assert await client.ari("POST", "/channels/externalMedia", app="ivr101", format="slin") == (
        400,
        {"message": "external_host is required for all but websocket server connections"},
    )
    assert (
        await client.ari("POST", "/channels", endpoint="PJSIP/x", app="ivr101", timeout="soon")
    )[0] == 400
    assert (await client.ari("DELETE", f"/channels/{chan}", reason="bogus"))[0] == 400
    await client.ari("DELETE", f"/channels/{chan}", 204, reason="normal")
    # a call that never enters Stasis: 409 on channel ops, 422 on addChannel
    outside, _ = await client.inbound("199", dialled="199")
    assert await client.ari("POST", f"/channels/{outside}/answer") == (
        409,
        {"message": "Channel not in Stasis application"},
    )
    assert await client.ari("POST", "/bridges/br-e/addChannel", channel=outside) == (
        422,
        {"message": "Channel not in Stasis application"},
    )
    await client.ari("DELETE", f"/channels/{outside}", 204)
    await client.ari("DELETE", "/bridges/br-e", 204)
    logged = await client.sim("GET", "/requests")
    assert {"method": "GET", "path": "/ari/channels/nope", "query": {}, "status": 404} in logged
    await client.wait_idle()
    await stream.close()


async def test_authentication(client: SimClient) -> None:
    base = client.base
    session = client.session
    for auth in (basic("asterisk", "wrong"), {}):
        async with session.get(f"{base}/ari/asterisk/info", headers=auth) as resp:
            assert resp.status == 401
            assert resp.headers["WWW-Authenticate"] == 'Basic realm="Asterisk REST Interface"'
            assert await resp.json() == {"message": "Authentication required"}
        async with session.get(f"{base}/ari/events?app=ivr101", headers=auth) as resp:
            assert resp.status == 401
    async with session.get(f"{base}/ari/asterisk/info?api_key=asterisk:asterisk") as resp:
        assert resp.status == 200
        assert (await resp.json())["system"]["entity_id"] == "02:fc:00:00:00:01"
    async with session.get(f"{base}/ari/events", headers=AUTH) as resp:
        assert resp.status == 400
        assert resp.content_type == "text/html"
        assert "missing param: [app]" in await resp.text()


def app_gone_check(client: SimClient) -> Callable[[], Awaitable[bool]]:
    async def app_gone() -> bool:
        return (await client.ari("GET", "/applications/ivr101"))[0] == 404

    return app_gone


async def test_second_socket_replaces_first(client: SimClient) -> None:
    app_gone = app_gone_check(client)
    first = await client.events()
    second = await client.events()
    replaced = await first.wait_for("ApplicationReplaced")
    assert replaced["application"] == "ivr101"
    await client.ari("GET", "/applications/ivr101", 200)
    chan = await client.call(second)
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await second.wait_for("StasisEnd")
    assert first.types() == ["ApplicationReplaced"]
    await second.close()
    await eventually(app_gone, 2)
    await client.inbound("199")
    await client.wait_idle()
    assert first.types() == ["ApplicationReplaced"]
    assert first.closed_code is None
    await first.close()


async def test_reconnect_drops_gap_events(client: SimClient) -> None:
    stream = await client.events()
    chan = await client.call(stream, "205")
    await client.ari("POST", f"/channels/{chan}/answer", 204)
    await client.ari(
        "POST", f"/channels/{chan}/play", 201, media="sound:hello-world", playbackId="pb-gap"
    )
    await stream.wait_for("PlaybackStarted")
    await stream.close()
    _, app = await client.ari("GET", "/applications/ivr101", 200)
    assert app["channel_ids"] == [chan]
    assert len((await client.ari("GET", "/channels", 200))[1]) == 2
    await asyncio.sleep(0.2)  # the gap: the prompt ends and DTMF 4,5 arrive while away
    again = await client.events()
    assert (await client.ari("GET", "/playbacks/pb-gap"))[0] == 404
    await client.ari("POST", f"/channels/{chan}/play", 201, media="sound:hello-world")
    await again.wait_for("PlaybackFinished")
    assert again.types() == ["PlaybackStarted", "PlaybackFinished"]
    await client.ari("DELETE", f"/channels/{chan}", 204)
    await again.wait_for("StasisEnd")
    await client.wait_idle()
    await again.close()


async def test_sim_drop_closes_sockets(client: SimClient) -> None:
    app_gone = app_gone_check(client)
    stream = await client.events()
    assert (await client.sim("POST", "/ws/drop"))["dropped"] == 1
    await stream.wait_closed()
    assert stream.closed_code == 1001
    await eventually(app_gone, 2)
