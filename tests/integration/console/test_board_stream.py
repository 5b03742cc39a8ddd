"""The board's event stream on the app as built: it stops carrying callers' details once
the operator is signed out, and tells the page so (it then says NOT LIVE)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import build_app
from ivr.config import Settings
from ivr.console.board_routes import BOARD
from ivr.console.identity import Role
from ivr.console.people import add_person

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PASSWORD = "a-long-test-password"


async def test_the_event_stream_ends_when_its_operator_signs_out(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    db = str(tmp_path / "calls.db")
    quiet = {"store.db_path": db, "ari.url": "http://127.0.0.1:9", "speech.engine": "none"}
    app = build_app(Settings().overridden(quiet))
    app[BOARD].feed.heartbeat_s = 0.05  # the stream re-checks its session at each keep-alive
    client = await aiohttp_client(app)
    await asyncio.to_thread(add_person, db, "ann", Role.OPERATOR, PASSWORD, by="test")
    signed_in = await client.post("/api/session", json={"user": "ann", "password": PASSWORD})
    assert signed_in.status == 200, await signed_in.text()
    csrf = (await signed_in.json())["csrf_token"]
    async with client.get("/api/board/events") as stream:
        assert stream.status == 200
        assert (await stream.content.readuntil(b"\n\n")).startswith(b"event: snapshot")
        signed_out = await client.delete("/api/session", headers={"X-CSRF-Token": csrf})
        assert signed_out.status == 200
        rest = await stream.content.read()  # the server ends the stream
    assert rest.endswith(b"event: signed-out\ndata: {}\n\n")
    assert (await client.get("/api/board")).status == 401
