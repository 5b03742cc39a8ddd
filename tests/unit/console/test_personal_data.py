"""Callers' numbers on the board: every way the board reaches a browser (the page, its
JSON, the queues panel, the event stream's snapshot and updates) carries them masked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.board_routes import register
from ivr.queues.model import Callback, Priority, QueueEntry
from tests.unit.console.livecalls import ANNA, Switchboard, operator_middleware
from tests.unit.console.sse import next_calls, next_event

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
NUMBERS = ("07700900001", "07700900002", "07700900003")


@pytest.fixture
async def board() -> AsyncIterator[Switchboard]:
    board = Switchboard()
    yield board
    await board.close()


def unmasked(text: str) -> list[str]:
    return [n for n in NUMBERS if n in text or n[1:] in text]


async def test_no_board_payload_carries_a_full_number(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    await board.call("c1", NUMBERS[0])
    now = board.clock.epoch()
    board.queues.join(QueueEntry("c1", "rc", Priority.NORMAL, now))
    callback = Callback(NUMBERS[1], now - 30, now + 900, ready_at=now + 600)
    board.queues.engine.join(QueueEntry("cb1", "rc", Priority.NORMAL, now, callback=callback), now)
    app = web.Application(middlewares=[operator_middleware(ANNA)])
    register(app, board.console)
    client = await aiohttp_client(app)
    for path in ("/", "/api/board", "/api/queues"):
        response = await client.get(path)
        assert response.status == 200
        assert unmasked(await response.text()) == [], path
    async with client.get("/api/board/events") as stream:
        kind, snapshot = await next_event(stream)
        assert kind == "snapshot" and [c["caller"] for c in snapshot["calls"]] == ["07•••••••01"]
        assert snapshot["queues"]["callbacks"][0]["call_id"] == "cb1"
        assert unmasked(str(snapshot)) == []
        await board.call("c2", NUMBERS[2])
        update = await next_calls(stream)
        assert [c["caller"] for c in update["changed"]] == ["07•••••••03"]
        assert unmasked(str(update)) == []
