"""The board's page and JSON API: who may see them, escaping, strict headers, the queues
panel and the callback actions (validated, audited)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console.board_routes import (
    STREAMS_IN_ALL,
    STREAMS_PER_OPERATOR,
    StreamSlots,
    register,
)
from ivr.console.identity import Operator
from ivr.console.reasons import MAX_REASON_CHARS
from ivr.queues.model import Callback, Priority, QueueEntry
from ivr.queues.outcomes import PlaceCallback
from tests.unit.console.livecalls import ANNA, Switchboard, operator_middleware

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
async def board() -> AsyncIterator[Switchboard]:
    board = Switchboard()
    yield board
    await board.close()


async def client_for(
    board: Switchboard, aiohttp_client: ClientFactory, operator: Operator | None = ANNA
) -> TestClient[Any, Any]:
    app = web.Application(middlewares=[operator_middleware(operator)])
    register(app, board.console)
    return await aiohttp_client(app)


def book_callback(board: Switchboard, call_id: str, *, ready_in: float) -> None:
    now = board.clock.epoch()
    board.queues.engine.join(
        QueueEntry(
            call_id,
            "rc",
            Priority.NORMAL,
            now - 60,
            callback=Callback("07700900009", now - 30, now + 900, ready_at=now + ready_in),
        ),
        now,
    )
    board.withdrawals.open.add(call_id)


async def test_the_page_shows_a_callers_words_as_text_never_as_markup(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    session = await board.call("c1")
    session.record("speech", text="<script>alert(1)</script> help", confidence=0.5)
    client = await client_for(board, aiohttp_client)
    response = await client.get("/")
    assert response.status == 200
    html = await response.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; help" in html
    assert "<script>alert(1)" not in html
    assert "07•••••••01" in html and "07700900001" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert ("anna", "board-viewed", {"via": "page"}) in board.audit.entries


async def test_the_page_and_its_static_files_need_nothing_from_outside(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    client = await client_for(board, aiohttp_client)
    html = await (await client.get("/")).text()
    assert "http://" not in html and "https://" not in html
    for path in ("/static/board.js", "/static/board.css"):
        assert (await client.get(path)).status == 200


async def test_nobody_signed_in_goes_to_the_sign_in_page_and_the_api_says_401(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    client = await client_for(board, aiohttp_client, operator=None)
    page = await client.get("/", allow_redirects=False)
    assert (page.status, page.headers["Location"]) == (303, "/login")
    for path in ("/api/board", "/api/queues", "/api/board/events"):
        response = await client.get(path)
        assert response.status == 401
        assert "error" in await response.json()
    response = await client.post("/api/callbacks/c1/now")
    assert response.status == 401


async def test_the_board_as_json(board: Switchboard, aiohttp_client: ClientFactory) -> None:
    await board.call("c1")
    client = await client_for(board, aiohttp_client)
    body = await (await client.get("/api/board")).json()
    assert [c["call_id"] for c in body["calls"]] == ["c1"]
    assert body["calls"][0]["caller"] == "07•••••••01"


async def test_the_queues_panel_lists_agents_waiting_callers_and_callbacks(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    await board.call("c1")
    board.queues.join(QueueEntry("c1", "rc", Priority.NORMAL, board.clock.epoch()))  # rc-1 busy
    board.queues.join(QueueEntry("c2", "rc", Priority.NORMAL, board.clock.epoch()))
    book_callback(board, "cb1", ready_in=120)
    client = await client_for(board, aiohttp_client)
    panel = await (await client.get("/api/queues")).json()
    assert panel["agents"] == [
        {"agent_id": "rc-1", "queues": ["rc"], "status": "on a call", "serving": "c1"}
    ]
    (queue,) = panel["queues"]
    assert [w["call_id"] for w in queue["waiting"]] == ["c2"]
    (callback,) = panel["callbacks"]
    assert (callback["call_id"], callback["state"], callback["attempts"]) == (
        "cb1",
        "retry later",
        0,
    )
    assert ("anna", "queues-viewed", {}) in board.audit.entries


async def test_calling_a_callback_now_makes_it_ready_in_the_same_place(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    book_callback(board, "cb1", ready_in=600)
    before = board.queues.engine.entry("cb1")
    client = await client_for(board, aiohttp_client)
    response = await client.post("/api/callbacks/cb1/now")
    assert response.status == 200, await response.text()
    # rc-1 was free: ready now, it is placed at once (no placer in the test: kept in place).
    entry = board.queues.engine.entry("cb1")
    assert entry.callback is not None and entry.callback.ready_at <= board.clock.epoch()
    assert (entry.joined_at, entry.seq) == (before.joined_at, before.seq)
    assert ("anna", "callback-called-now", {"call_id": "cb1"}) in board.audit.entries
    assert board.withdrawals.ready == ["cb1"]  # written down: a restart keeps it ready
    assert (await client.post("/api/callbacks/nobody/now")).status == 404


async def test_cancelling_a_callback_needs_a_reason_and_is_audited(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    book_callback(board, "cb1", ready_in=600)
    client = await client_for(board, aiohttp_client)
    url = "/api/callbacks/cb1/cancel"
    bad: list[tuple[Any, str]] = [
        ("{not json", "not valid JSON"),
        ("[1]", "JSON object"),
        ('{"reason": 5}', '"reason" is required'),
        ('{"reason": "   "}', '"reason" is required'),
        ('{"reason": "' + "x" * (MAX_REASON_CHARS + 1) + '"}', "longer than"),
    ]
    JSON = {"Content-Type": "application/json"}
    for body, message in bad:
        response = await client.post(url, data=body, headers=JSON)
        assert response.status == 400, body
        assert message in (await response.json())["error"]
    response = await client.post(url, json={"reason": "caller rang back and was helped"})
    assert response.status == 200
    assert board.withdrawals.done == [("cb1", "operator anna: caller rang back and was helped")]
    assert (
        "anna",
        "callback-cancelled",
        {"call_id": "cb1", "reason": "caller rang back and was helped"},
    ) in board.audit.entries
    again = await client.post(url, json={"reason": "twice"})
    assert again.status == 404
    assert "no open callback" in (await again.json())["error"]


async def test_live_boards_are_capped_per_person_and_a_closed_one_frees_its_slot(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    client = await client_for(board, aiohttp_client)
    async with contextlib.AsyncExitStack() as open_streams:
        for _ in range(STREAMS_PER_OPERATOR):
            stream = await open_streams.enter_async_context(client.get("/api/board/events"))
            assert stream.status == 200
            await stream.content.readuntil(b"\n\n")  # its snapshot: the slot is held
        refused = await client.get("/api/board/events")
        assert refused.status == 429
        assert "live boards per person" in (await refused.json())["error"]
        assert (await client.head("/api/board/events")).status == 405


def test_stream_slots_count_each_person_and_everyone() -> None:
    slots = StreamSlots()
    assert [slots.take("ann") for _ in range(STREAMS_PER_OPERATOR)] == [None] * 3
    assert slots.take("ann") is not None
    slots.give_back("ann")
    assert slots.take("ann") is None
    for n in range(STREAMS_IN_ALL - STREAMS_PER_OPERATOR):
        assert slots.take(f"op{n}") is None
    assert "too many" in (slots.take("zed") or "")


class HeldPlacer:
    """Places nothing: each attempt stays under way until the test ends it."""

    def __init__(self) -> None:
        self.actions: list[PlaceCallback] = []

    def place(self, action: PlaceCallback) -> None:
        self.actions.append(action)


async def test_a_callback_being_placed_stays_on_the_panel_as_calling_now_until_it_ends(
    board: Switchboard, aiohttp_client: ClientFactory
) -> None:
    placer = HeldPlacer()
    board.queues.placer = placer
    book_callback(board, "cb1", ready_in=0)  # ready at once, rc-1 free: the attempt begins
    board.queues.dispatch()
    [attempt] = placer.actions
    client = await client_for(board, aiohttp_client)
    panel = await (await client.get("/api/queues")).json()
    (callback,) = panel["callbacks"]
    assert (callback["call_id"], callback["state"], callback["queue"]) == (
        "cb1",
        "calling now",
        "rc",
    )
    page = await (await client.get("/")).text()
    assert "calling now" in page
    assert 'data-action="callback-now"' not in page  # it cannot be called any sooner
    board.queues.agent_done(attempt.agent_id, attempt.entry.queue)
    board.queues.engine.callback_attempted(attempt.entry, board.clock.epoch(), answered=True)
    assert (await (await client.get("/api/queues")).json())["callbacks"] == []
