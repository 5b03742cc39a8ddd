"""The agents' chat desk: only operators with the chat skill; an open feed signs the agent
in to chat; take (priority first), say, transfer, close with an outcome; each audited;
bad bodies are 400s, the wrong moment a 409, never a 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient

from ivr.chat.model import ChatOutcome, ChatStart, Sender
from ivr.chat.store import ChatRecords
from ivr.console.chat_desk import DeskAudit
from ivr.console.openapi import ApiDocument
from tests.unit.console.chatweb import ChatWorld, ClientFactory, context

Frame = dict[str, Any]
GUARD_S = 10.0  # only a guard against a hang: every wait below ends on a frame


@pytest.fixture
async def world(tmp_path: Any) -> AsyncIterator[ChatWorld]:
    records = ChatRecords(str(tmp_path / "calls.db"))
    await records.open()
    yield ChatWorld(records)
    await records.close()


def as_(user: str) -> dict[str, str]:
    return {"X-Test-User": user}


async def desk_feed(client: TestClient[Any, Any], user: str) -> ClientWebSocketResponse:
    ws = await client.ws_connect("/desk/chat/ws", headers=as_(user))
    hello = await ws.receive_json()
    assert hello == {"kind": "hello", "me": user}
    return ws


async def until(ws: ClientWebSocketResponse, wanted: Callable[[Frame], bool]) -> Frame:
    async with asyncio.timeout(GUARD_S):
        while True:
            frame = await ws.receive()
            assert frame.type is WSMsgType.TEXT, frame
            data: Frame = json.loads(frame.data)
            if wanted(data):
                return data


async def start_chat(world: ChatWorld, call_id: str, *flags: str) -> str:
    started: ChatStart = await world.hub.start(context(call_id, *flags), f"link-{call_id}")
    return started.chat_id


async def test_the_desk_needs_the_chat_skill_not_just_a_role(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    for user in ("cy", "root"):  # an operator without it; an admin without it
        response = await client.get("/api/chat/desk", headers=as_(user))
        assert response.status == 403
        assert "chat skill" in (await response.json())["error"]
        page = await client.get("/desk/chat", headers=as_(user), allow_redirects=False)
        assert page.status == 403 and "needs the chat skill" in await page.text()
    signed_out = await client.get("/desk/chat", allow_redirects=False)
    assert signed_out.status == 303 and signed_out.headers["Location"] == "/login"
    page = await client.get("/desk/chat", headers=as_("ann"))
    html = await page.text()
    assert page.status == 200 and "Hello, how can I help?" in html  # a canned reply
    assert all(o.value.replace("-", " ") in html for o in ChatOutcome)  # to close with


async def test_an_open_desk_signs_the_agent_in_and_closing_it_signs_them_out(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    now = world.clock()
    assert not world.hub.availability(now).open
    taken = await client.post("/api/chat/take", json={}, headers=as_("ann"))
    assert taken.status == 409 and "not signed in" in (await taken.json())["error"]
    ws = await desk_feed(client, "ann")
    assert world.hub.availability(now).open
    await ws.close()
    await client.close()  # the server stops once every handler has finished
    assert not world.desk.desks and not world.hub.availability(now).open


async def test_take_the_priority_chat_see_its_context_reply_and_close_it(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    ws = await desk_feed(client, "ann")
    plain = await start_chat(world, "call-1")
    first = await start_chat(world, "call-2", "vulnerable")
    await until(ws, lambda f: f["kind"] == "queue" and f["chat_id"] == first)

    desk = await (await client.get("/api/chat/desk", headers=as_("ann"))).json()
    assert [v["chat_id"] for v in desk["queue"]] == [first, plain]  # priority first
    assert desk["queue"][0]["context"]["heard"][1] == "<b>from the station</b>"
    assert desk["queue"][0]["context"]["reference"] == "AB/12345/26"

    taken = await client.post("/api/chat/take", json={}, headers=as_("ann"))
    assert taken.status == 200 and (await taken.json())["chat_id"] == first
    await world.hub.say(first, Sender.CALLER, "I am scared", client_id="c1")
    said = await until(ws, lambda f: f["kind"] == "message" and f["message"]["sender"] == "caller")
    assert said["message"]["body"] == "I am scared"

    reply = await client.post(
        f"/api/chat/{first}/say", json={"body": "I'm here", "client_id": "a1"}, headers=as_("ann")
    )
    assert reply.status == 200
    transcript = await client.get(f"/api/chat/{first}/messages?since=0", headers=as_("ann"))
    bodies = [m["body"] for m in (await transcript.json())["messages"]]
    assert bodies == ["Officer 1 has joined the chat.", "I am scared", "I'm here"]

    closed = await client.post(
        f"/api/chat/{first}/close", json={"outcome": "advice-given"}, headers=as_("ann")
    )
    assert closed.status == 200
    assert not world.hub.chat_of(first)
    detail = {"chat_id": first, "call_id": "call-2", "outcome": ChatOutcome.ADVICE_GIVEN.value}
    assert ("ann", DeskAudit.CHAT_CLOSED, detail) in world.audit.entries
    assert ("ann", DeskAudit.CHAT_TAKEN, {"chat_id": first, "call_id": "call-2"}) in (
        world.audit.entries
    )


async def test_a_chat_is_passed_to_another_agent_at_a_desk_and_only_the_holder_acts(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    ann, bob = await desk_feed(client, "ann"), await desk_feed(client, "bob")
    chat = await start_chat(world, "call-1")
    await client.post("/api/chat/take", json={"chat_id": chat}, headers=as_("ann"))
    desk = await (await client.get("/api/chat/desk", headers=as_("ann"))).json()
    assert desk["agents"] == ["bob"] and [v["chat_id"] for v in desk["mine"]] == [chat]

    not_his = await client.post(f"/api/chat/{chat}/say", json={"body": "hi"}, headers=as_("bob"))
    assert not_his.status == 409 and "take it first" in (await not_his.json())["error"]
    nobody = await client.post(f"/api/chat/{chat}/transfer", json={"to": "zed"}, headers=as_("ann"))
    assert nobody.status == 400
    moved = await client.post(f"/api/chat/{chat}/transfer", json={"to": "bob"}, headers=as_("ann"))
    assert moved.status == 200 and (await moved.json())["agent"] == "bob"
    await until(bob, lambda f: f["kind"] == "transferred" and f["who"] == "bob")
    await until(ann, lambda f: f["kind"] == "transferred")
    assert [v.chat_id for v in world.hub.held_by("bob")] == [chat]
    assert world.audit.entries[-1] == (
        "ann",
        DeskAudit.CHAT_TRANSFERRED,
        {"chat_id": chat, "call_id": "call-1", "to": "bob"},
    )


@pytest.mark.parametrize(
    ("path", "body", "complaint"),
    [
        ("say", {"body": ""}, '"body"'),
        ("say", {"body": "hi", "client_id": 7}, '"client_id"'),
        ("say", {"body": "x" * 2001}, "1 to 2000"),
        ("seen", {"seq": "1"}, '"seq"'),
        ("seen", {"seq": 99}, '"seq"'),
        ("close", {"outcome": "solved"}, '"outcome" is one of'),
        ("close", {}, '"outcome" is one of'),
    ],
)
async def test_bad_bodies_are_400s_that_say_what_is_wrong(
    world: ChatWorld, aiohttp_client: ClientFactory, path: str, body: Any, complaint: str
) -> None:
    client = await aiohttp_client(world.app())
    await desk_feed(client, "ann")
    chat = await start_chat(world, "call-1")
    await client.post("/api/chat/take", json={"chat_id": chat}, headers=as_("ann"))
    response = await client.post(f"/api/chat/{chat}/{path}", json=body, headers=as_("ann"))
    assert response.status == 400
    assert complaint in (await response.json())["error"]


async def test_unknown_chats_are_404_and_a_taken_one_409(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    await desk_feed(client, "ann")
    await desk_feed(client, "bob")
    missing = await client.post("/api/chat/nope/say", json={"body": "hi"}, headers=as_("ann"))
    assert missing.status == 404
    chat = await start_chat(world, "call-1")
    await client.post("/api/chat/take", json={"chat_id": chat}, headers=as_("ann"))
    late = await client.post("/api/chat/take", json={"chat_id": chat}, headers=as_("bob"))
    assert late.status == 409
    empty = await client.post("/api/chat/take", json={}, headers=as_("bob"))
    assert empty.status == 404 and "no chat is waiting" in (await empty.json())["error"]


async def test_the_callers_number_only_after_they_asked_for_a_callback(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    await desk_feed(client, "ann")
    token = await world.link_token("call-9")
    opened = await client.get(f"/chat/{token}", allow_redirects=False)
    assert opened.status == 303
    [view] = world.hub.queue()
    await client.post("/api/chat/take", json={"chat_id": view.chat_id}, headers=as_("ann"))
    early = await client.post(f"/api/chat/{view.chat_id}/number", headers=as_("ann"))
    assert early.status == 409
    await world.hub.ask_callback(view.chat_id)
    number = await client.post(f"/api/chat/{view.chat_id}/number", headers=as_("ann"))
    assert (await number.json()) == {"number": "07700900123"}
    assert world.audit.entries[-1][1] == DeskAudit.NUMBER_SHOWN


def test_every_desk_route_is_documented() -> None:
    from aiohttp import web

    from ivr.console import chat_desk_api
    from ivr.console.openapi import undocumented

    app = web.Application()
    doc = ApiDocument()
    chat_desk_api.register(app, doc)
    assert undocumented(app, doc) == (set(), set())
