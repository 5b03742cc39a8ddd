"""The board's change feed: an event reaches the page as one message, bursts coalesce, and a
client that goes away or falls behind is dropped without holding anything up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.board_routes import register
from ivr.console.feed import FeedEvent, Subscriber, sse
from ivr.decisions import Decision
from ivr.queues.model import Priority, QueueEntry
from tests.unit.console.livecalls import ANNA, Switchboard, operator_middleware
from tests.unit.console.sse import next_calls, next_event

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def board() -> AsyncIterator[Switchboard]:
    board = Switchboard()
    yield board
    await board.close()


async def client_for(board: Switchboard, aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    app = web.Application(middlewares=[operator_middleware(ANNA)])
    register(app, board.console)
    return await aiohttp_client(app)


async def test_a_snapshot_on_connect_then_one_message_per_call_event_within_a_second(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    await board.call("c1")
    client = await client_for(board, aiohttp_client)
    async with client.get("/api/board/events") as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        kind, data = await next_event(response)
        assert kind == FeedEvent.SNAPSHOT
        assert [c["call_id"] for c in data["calls"]] == ["c1"]
        assert data["queues"]["agents"][0]["status"] == "available"
        session = await board.call("c2", "07700900002")
        session.record_decision(Decision("route", "fcr", rule="keypad", reason="pressed 2"))
        data = await next_calls(response)
        assert [c["call_id"] for c in data["changed"]] == ["c2"]
        if data["changed"][0]["decision"] is None:
            # Start and decision are coalesced into one message unless the feed's tick
            # falls between them (a loaded runner): then the decision is the next one.
            data = await next_calls(response)
            assert [c["call_id"] for c in data["changed"]] == ["c2"]
        assert data["changed"][0]["decision"]["rule"] == "keypad"
        await board.hang_up("c1")
        data = await next_calls(response)
        assert (data["removed"], data["changed"]) == (["c1"], [])
    assert ("anna", "board-viewed", {"via": "events"}) in board.audit.entries


async def test_a_burst_of_changes_is_coalesced_into_few_messages(board: Switchboard) -> None:
    calls = [await board.call(f"c{i}", f"0770090000{i}") for i in range(3)]
    feed = board.console.feed
    subscriber, _ = feed.subscribe()
    task = asyncio.create_task(feed.run())
    try:
        for n in range(20):  # 20 changes to 3 calls over about 0.4 s
            calls[n % 3].at_step(f"step-{n}")
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.6)
    finally:
        task.cancel()
    messages = []
    while not subscriber.queue.empty():
        messages.append(subscriber.queue.get_nowait())
    calls_messages = [m for m in messages if m is not None and m.startswith(b"event: calls")]
    assert 1 <= len(calls_messages) <= 4  # at most one per 0.25 s
    assert b"step-19" in calls_messages[-1]


async def test_a_client_that_disconnects_is_dropped(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    session = await board.call("c1")
    client = await client_for(board, aiohttp_client)
    feed = board.console.feed
    response = await client.get("/api/board/events")
    await next_event(response)
    assert feed.clients == 1
    response.close()
    async with asyncio.timeout(5):
        while feed.clients:
            session.at_step("still-here")  # the next write finds the client gone
            await asyncio.sleep(0.1)


def test_a_client_too_far_behind_is_told_to_stop_and_dropped() -> None:
    subscriber = Subscriber(asyncio.Queue(maxsize=2))
    message = sse(FeedEvent.CALLS, {"changed": [], "removed": []})
    assert subscriber.offer(message) and subscriber.offer(message)
    assert not subscriber.offer(message)  # a third: the queue is full
    assert subscriber.dropped
    assert subscriber.queue.get_nowait() is None  # what it had is gone: it reconnects


async def test_a_slow_client_does_not_hold_up_the_others(board: Switchboard) -> None:
    session = await board.call("c1")
    feed = board.console.feed
    slow, _ = feed.subscribe()
    fast, _ = feed.subscribe()
    for n in range(feed.client_backlog + 5):
        session.at_step(f"step-{n}")
        feed.publish()
        while not fast.queue.empty():
            fast.queue.get_nowait()  # the fast client keeps up
    assert slow.dropped and not fast.dropped
    assert feed.clients == 1
    assert feed.stats.dropped_clients == 1


async def test_a_queue_position_change_is_found_by_the_sweep(board: Switchboard) -> None:
    await board.call("c1")
    await board.call("c2", "07700900002")
    now = board.clock.epoch()
    board.queues.join(QueueEntry("c1", "fcr", Priority.NORMAL, now - 20))
    board.queues.join(QueueEntry("c2", "fcr", Priority.NORMAL, now - 10))
    feed = board.console.feed
    subscriber, _ = feed.subscribe()
    feed.publish(sweep=True)
    while not subscriber.queue.empty():
        subscriber.queue.get_nowait()
    board.queues.leave("c1")  # c2 moves up, though nothing of c2's was logged
    feed.publish(sweep=True)
    message = subscriber.queue.get_nowait()
    assert message is not None and message.startswith(b"event: calls")
    changed = {c["call_id"]: c for c in json.loads(message.split(b"data: ", 1)[1])["changed"]}
    assert changed["c2"]["queue"]["position"] == 1
    assert changed["c1"]["queue"] is None
    feed.publish(sweep=True)
    assert subscriber.queue.empty()  # nothing changed since: nothing sent


async def test_closing_the_feed_ends_every_stream(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    client = await client_for(board, aiohttp_client)
    async with client.get("/api/board/events") as response:
        await next_event(response)
        board.console.feed.close()
        with pytest.raises(EOFError):
            await next_event(response)
    assert board.console.feed.clients == 0
