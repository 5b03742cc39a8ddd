"""Other Asterisk nodes' calls on the board: read from the shared database (both engines),
published by the feed when they appear, change or end, served read-only by the page and
the JSON API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.board_routes import BoardConsole, register
from ivr.console.cluster import OtherNodes, OtherNodesCalls
from ivr.console.feed import FeedEvent, Subscriber
from ivr.store.db import CallStore, iso
from tests.fakes import MemoryCallLog
from tests.unit.console.livecalls import ANNA, NOW, AuditList, Clock, operator_middleware
from tests.unit.console.sse import next_event

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]

HERE = "ari:http://10.0.0.1:8088:ivr101"
THERE = "ari:http://10.0.0.2:8088:ivr101"


class SharedDatabase:
    """What the other node's app writes to the shared database (through CallStore)."""

    def __init__(self, location: str) -> None:
        self.store = CallStore(location)

    def call(
        self,
        call_id: str,
        origin: str = THERE,
        *,
        number: str = "07700900123",
        started: datetime = NOW - timedelta(seconds=30),
    ) -> None:
        self.store.call_started(
            {
                "call_id": call_id,
                "channel_id": f"chan-{call_id}",
                "caller_number": number,
                "dialled": "101",
                "started_at": iso(started),
                "outcome": "in-progress",
                "destination": "",
                "origin": origin,
            }
        )

    def event(self, call_id: str, kind: str, at: datetime) -> None:
        self.store.add_event(call_id, iso(at), kind, {})

    def update(self, call_id: str, **fields: Any) -> None:
        self.store.call_updated(call_id, fields)

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def shared(db_location: str) -> Iterator[SharedDatabase]:
    db = SharedDatabase(db_location)
    yield db
    db.close()


@pytest.fixture
def reader(db_location: str, shared: SharedDatabase) -> Iterator[OtherNodesCalls]:
    calls = OtherNodesCalls(db_location, HERE)
    yield calls
    calls.close()


def test_only_other_nodes_calls_in_progress_are_read(
    shared: SharedDatabase, reader: OtherNodesCalls
) -> None:
    shared.call("mine", HERE)
    shared.call("theirs")
    shared.call("before-origins", "")  # nobody can say whose: not shown as another node's
    shared.call("ended")
    shared.update("ended", outcome="completed", ended_at=iso(NOW))
    shared.call("left-two-days-ago", started=NOW - timedelta(days=2))  # a dead node's
    assert [c.call_id for c in reader.calls(NOW)] == ["theirs"]


def test_another_nodes_call_shows_its_node_masked_caller_and_latest_event(
    shared: SharedDatabase, reader: OtherNodesCalls
) -> None:
    started = NOW - timedelta(seconds=90)
    shared.call("c1", number="07700900123", started=started)
    shared.event("c1", "step", NOW - timedelta(seconds=80))
    shared.event("c1", "queue-joined", NOW - timedelta(seconds=20))
    shared.event("c1", "dtmf", NOW - timedelta(seconds=50))  # logged late: older than the last
    shared.update("c1", destination="rc")
    [call] = reader.calls(NOW)
    assert call.to_json() == {
        "call_id": "c1",
        "node": THERE,
        "caller": "07•••••••23",
        "dialled": "101",
        "started_at": started.timestamp(),
        "destination": "rc",
        "last_event": "queue-joined",
        "last_event_at": (NOW - timedelta(seconds=20)).timestamp(),
    }


def test_a_call_with_no_event_yet_is_shown_without_one(
    shared: SharedDatabase, reader: OtherNodesCalls
) -> None:
    shared.call("c1")
    [call] = reader.calls(NOW)
    assert (call.last_event, call.last_event_at) == ("", None)


# --- the feed ------------------------------------------------------------------------------


@pytest.fixture
def console(db_location: str, shared: SharedDatabase) -> BoardConsole:
    """A board with no calls of its own; the app (``register``) opens its reader."""
    others = OtherNodes(db_location, HERE, Clock())
    return BoardConsole.build(
        inner_log=MemoryCallLog(), live=list, audit=AuditList(), clock=Clock(), others=others
    )


@pytest.fixture
async def polling(console: BoardConsole) -> AsyncIterator[BoardConsole]:
    """The board's reader open without the app: the test polls it itself."""
    assert console.others is not None
    await console.others.open()
    yield console
    await console.others.close()


def sent(subscriber: Subscriber) -> list[tuple[str, Any]]:
    """The messages queued for a client so far: (event, data)."""
    messages = []
    while not subscriber.queue.empty():
        message = subscriber.queue.get_nowait()
        assert message is not None
        head, _, body = message.decode().partition("\ndata: ")
        messages.append((head.removeprefix("event: "), json.loads(body)))
    return messages


async def read_others(console: BoardConsole) -> bool:
    """One poll of the feed's (what its task does every couple of seconds)."""
    assert console.others is not None
    return console.feed.others_read(await console.others.calls())


async def test_the_feed_publishes_other_nodes_calls_when_they_appear_change_and_end(
    shared: SharedDatabase, polling: BoardConsole
) -> None:
    subscriber, _ = polling.feed.subscribe()
    shared.call("c1")
    assert await read_others(polling)
    [(kind, data)] = sent(subscriber)
    assert kind == FeedEvent.OTHERS
    assert [(c["call_id"], c["node"]) for c in data["others"]] == [("c1", THERE)]

    assert not await read_others(polling)  # nothing changed: nothing sent
    assert sent(subscriber) == []

    shared.event("c1", "queue-joined", NOW)
    assert await read_others(polling)
    [(_, data)] = sent(subscriber)
    assert data["others"][0]["last_event"] == "queue-joined"

    shared.update("c1", outcome="abandoned", ended_at=iso(NOW))
    assert await read_others(polling)
    assert sent(subscriber) == [(FeedEvent.OTHERS, {"now": NOW.timestamp(), "others": []})]


async def test_a_new_client_gets_the_other_nodes_calls_in_its_snapshot(
    shared: SharedDatabase, polling: BoardConsole
) -> None:
    shared.call("c1")
    await read_others(polling)
    _, first = polling.feed.subscribe()
    data = json.loads(first.decode().partition("\ndata: ")[2])
    assert [c["call_id"] for c in data["others"]] == ["c1"]


async def test_the_feeds_task_sends_another_nodes_call_to_a_connected_board(
    shared: SharedDatabase, console: BoardConsole, aiohttp_client: ClientFactory
) -> None:
    console.feed.others_s = 0.05
    app = web.Application(middlewares=[operator_middleware(ANNA)])
    register(app, console)
    client = await aiohttp_client(app)
    async with client.get("/api/board/events") as response:
        kind, data = await next_event(response)
        assert (kind, data["others"]) == (FeedEvent.SNAPSHOT, [])
        shared.call("c1")
        while kind != FeedEvent.OTHERS:
            kind, data = await next_event(response)
        assert [c["call_id"] for c in data["others"]] == ["c1"]


# --- the page and the JSON ------------------------------------------------------------------


async def test_the_board_json_names_this_node_and_lists_other_nodes_calls(
    shared: SharedDatabase, console: BoardConsole, aiohttp_client: ClientFactory
) -> None:
    shared.call("theirs")
    shared.call("mine", HERE)
    app = web.Application(middlewares=[operator_middleware(ANNA)])
    register(app, console)
    client = await aiohttp_client(app)
    response = await client.get("/api/board")
    assert response.status == 200
    data = await response.json()
    assert data["node"] == HERE
    assert [(c["call_id"], c["node"]) for c in data["others"]] == [("theirs", THERE)]


async def test_the_page_lists_other_nodes_calls_without_actions(
    shared: SharedDatabase, console: BoardConsole, aiohttp_client: ClientFactory
) -> None:
    shared.call("theirs")
    app = web.Application(middlewares=[operator_middleware(ANNA)])
    register(app, console)
    client = await aiohttp_client(app)
    page = await (await client.get("/")).text()
    section = page.split('<section id="others"', 1)[1].split("</section>", 1)[0]
    assert "Calls on other nodes" in section
    assert HERE in section and THERE in section
    assert 'id="other-theirs"' in section
    assert "07•••••••23" in section and "07700900123" not in section
    assert "<button" not in section
