"""AriClient error mapping and EventStream keepalive/reconnect, against a tiny aiohttp server."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from ivr.ari.client import AriClient
from ivr.ari.errors import AriAuthError, AriConflict, AriHttpError, AriNotFound, AriUnavailable
from ivr.ari.events import AriEvent, StasisStarted
from ivr.ari.stream import Backoff, EventStream

ServerFactory = Callable[[web.Application], Awaitable[TestServer]]

STASIS_START = {
    "type": "StasisStart",
    "timestamp": "2026-11-24T06:10:38.300+0000",
    "application": "ivr101",
    "args": [],
    "channel": {"id": "c1", "name": "Local/101@ivr-in-1;2", "state": "Ring"},
}


def _ari_app(seen: list[web.Request]) -> web.Application:
    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(request)
        if request.headers.get("Authorization") != aiohttp.encode_basic_auth("u", "secret"):
            return web.json_response({"message": "Authentication required"}, status=401)
        table: dict[str, tuple[int, Any]] = {
            "/ari/channels/gone/answer": (404, {"message": "Channel not found"}),
            "/ari/bridges/b/addChannel": (422, {"message": "Channel not in Stasis application"}),
            "/ari/channels": (500, {"error": "Allocation failed"}),
            "/ari/channels/c1/play": (
                201,
                {"id": "pb-1", "media_uri": "sound:a", "state": "queued"},
            ),
            "/ari/channels/c1/answer": (204, None),
        }
        status, body = table.get(request.path, (404, {"message": "Resource not found"}))
        if body is None:
            return web.Response(status=status)
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


async def test_client_maps_statuses_to_typed_errors_with_route_and_message(
    aiohttp_server: ServerFactory,
) -> None:
    seen: list[web.Request] = []
    server = await aiohttp_server(_ari_app(seen))
    async with aiohttp.ClientSession() as http:
        client = AriClient(http, str(server.make_url("/")), "u", "secret")
        await client.answer("c1")
        with pytest.raises(AriNotFound) as gone:
            await client.answer("gone")
        assert "POST /channels/gone/answer -> 404: Channel not found" in str(gone.value)
        with pytest.raises(AriConflict):
            await client.add_channels("b", ["x"])
        with pytest.raises(AriHttpError) as boom:
            await client.originate("Bogus/x", "leg-1", "ivr101")
        assert boom.value.status == 500 and boom.value.message == "Allocation failed"
        playback = await client.play("c1", "pb-1", ["sound:a", "sound:b"])
        assert playback.id == "pb-1"
    play_request = seen[-1]
    assert play_request.query["media"] == "sound:a,sound:b"  # one comma-separated parameter
    assert play_request.query["playbackId"] == "pb-1"


async def test_wrong_credentials_raise_auth_error_without_leaking_the_password(
    aiohttp_server: ServerFactory,
) -> None:
    server = await aiohttp_server(_ari_app([]))
    async with aiohttp.ClientSession() as http:
        client = AriClient(http, str(server.make_url("/")), "u", "wrong-password")
        with pytest.raises(AriAuthError) as err:
            await client.answer("c1")
    assert "wrong-password" not in str(err.value)


async def test_unreachable_asterisk_is_reported_as_unavailable() -> None:
    async with aiohttp.ClientSession() as http:
        client = AriClient(http, "http://127.0.0.1:9", "u", "p", request_timeout=2)
        with pytest.raises(AriUnavailable):
            await client.asterisk_info()


def test_backoff_grows_to_its_cap_with_jitter() -> None:
    rng = random.Random(1)
    backoff = Backoff(initial=0.5, maximum=8.0)
    delays = [backoff.delay(n, rng) for n in range(8)]
    assert 0.25 <= delays[0] <= 0.5
    assert all(4.0 <= d <= 8.0 for d in delays[5:])
    assert len(set(delays)) == len(delays)


async def test_stream_reconnects_after_a_drop_and_asks_for_reconciliation(
    aiohttp_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    connects = 0

    async def events(request: web.Request) -> web.WebSocketResponse:
        nonlocal connects
        connects += 1
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("not json")
        await ws.send_str(json.dumps({"no": "type"}))
        await ws.send_str(json.dumps(STASIS_START))
        if connects == 1:
            await ws.close()  # the drop
        else:
            await asyncio.sleep(30)
        return ws

    app = web.Application()
    app.router.add_get("/ari/events", events)
    server = await aiohttp_server(app)
    received: list[AriEvent] = []
    reconnects: list[bool] = []
    slept: list[float] = []
    done = asyncio.Event()

    async def on_connected(reconnect: bool) -> None:
        reconnects.append(reconnect)

    def on_event(event: AriEvent) -> None:
        received.append(event)
        if len(received) == 2:
            done.set()

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    async with aiohttp.ClientSession() as http:
        client = AriClient(http, str(server.make_url("/")), "u", "p")
        stream = EventStream(client, "ivr101", on_event, on_connected, sleep=fake_sleep)
        with caplog.at_level(logging.WARNING):
            task = asyncio.create_task(stream.run())
            await asyncio.wait_for(done.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert reconnects == [False, True]
    assert all(isinstance(e, StasisStarted) for e in received)
    assert stream.skipped_messages == 4
    assert len(slept) == 1
    assert "skipped ari message" in caplog.text
    assert "p@" not in caplog.text


async def test_a_handler_error_does_not_stop_the_stream() -> None:
    def broken(event: AriEvent) -> None:
        raise RuntimeError("bug")

    async def nothing(reconnect: bool) -> None:
        return None

    async with aiohttp.ClientSession() as http:
        stream = EventStream(AriClient(http, "http://x", "u", "p"), "a", broken, nothing)
        stream.handle_text(json.dumps(STASIS_START))  # logged, not raised
