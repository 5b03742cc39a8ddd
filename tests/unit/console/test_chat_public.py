"""The public chat: a link opens once (a plain page for every refusal, each with the 999
banner and what to do instead), the caller's cookie, and the WebSocket: messages stored
before they are acknowledged, a resend not doubled, a reconnect given exactly what it
missed, agents' names never shown, and the size and rate limits with clear errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient

from ivr.chat.model import ChatOutcome, Sender
from ivr.chat.store import ChatRecords
from ivr.chat.tokens import Purpose
from ivr.console.chat_limits import ChatLimits, MessageRate
from ivr.console.chat_public import CHAT_COOKIE
from tests.unit.console.chatweb import ChatWorld, ClientFactory

Frame = dict[str, Any]
GUARD_S = 10.0  # only a guard against a hang: every wait below ends on a frame


@pytest.fixture
async def records(tmp_path: Any) -> AsyncIterator[ChatRecords]:
    opened = ChatRecords(str(tmp_path / "calls.db"))
    await opened.open()
    yield opened
    await opened.close()


@pytest.fixture
def world(records: ChatRecords) -> ChatWorld:
    return ChatWorld(records)


async def caller(world: ChatWorld, aiohttp_client: ClientFactory) -> TestClient[Any, Any]:
    """A phone that opened its link (an agent is signed in, so the chat starts)."""
    world.hub.sign_in("ann", "Officer 1")
    client = await aiohttp_client(world.app())
    opened = await client.get(f"/chat/{await world.link_token()}", allow_redirects=False)
    assert opened.status == 303 and opened.headers["Location"] == "/chat/"
    return client


async def until(ws: ClientWebSocketResponse, wanted: Callable[[Frame], bool]) -> list[Frame]:
    """Frames read until one is ``wanted`` (that one last)."""
    seen: list[Frame] = []
    async with asyncio.timeout(GUARD_S):
        while True:
            frame = await ws.receive()
            assert frame.type is WSMsgType.TEXT, frame
            seen.append(json.loads(frame.data))
            if wanted(seen[-1]):
                return seen


def kind(name: str) -> Callable[[Frame], bool]:
    return lambda f: f["kind"] == name


def message_from(sender: str) -> Callable[[Frame], bool]:
    return lambda f: f["kind"] == "message" and f["message"]["sender"] == sender


async def test_a_link_opens_once_and_sets_a_strict_http_only_cookie(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    world.hub.sign_in("ann", "Officer 1")
    client = await aiohttp_client(world.app())
    token = await world.link_token()
    opened = await client.get(f"/chat/{token}", allow_redirects=False)
    assert opened.status == 303 and opened.headers["Location"] == "/chat/"
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith(f"{CHAT_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/chat/" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    [waiting] = world.hub.queue()
    assert world.public.signer.verify(Purpose.CALLER, value) == waiting.chat_id
    assert waiting.context.call_id == "call-1"  # the call's context came with it

    again = await client.get(f"/chat/{token}", allow_redirects=False)
    assert again.status == 410
    page = await again.text()
    assert "already been used" in page and "999" in page and "https://report.example/" in page
    assert len(world.hub.queue()) == 1  # no second chat


@pytest.mark.parametrize(
    ("token", "status", "words"),
    [
        ("not-a-token", 404, "We do not recognise this link"),
        ("abc.forged-signature", 404, "We do not recognise this link"),
        ("x" * 500, 404, "We do not recognise this link"),
    ],
)
async def test_a_bad_link_gets_a_plain_page_saying_what_to_do(
    world: ChatWorld, aiohttp_client: ClientFactory, token: str, status: int, words: str
) -> None:
    client = await aiohttp_client(world.app())
    response = await client.get(f"/chat/{token}", allow_redirects=False)
    assert response.status == status
    page = await response.text()
    assert words in page and 'href="tel:999"' in page and 'href="tel:101"' in page
    assert "Set-Cookie" not in response.headers


async def test_a_link_opened_when_no_agent_is_signed_in_says_chat_is_not_open(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    response = await client.get(f"/chat/{await world.link_token()}", allow_redirects=False)
    assert response.status == 503
    assert "Chat is not open just now" in await response.text()


async def test_the_page_has_the_999_banner_a_live_region_and_labels(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    response = await client.get("/chat/")
    assert response.status == 200
    page = await response.text()
    assert 'call <a href="tel:999">999</a>' in page
    assert 'id="messages" aria-live="polite"' in page
    assert '<label for="body">Your message</label>' in page
    assert "Call me back instead" in page
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


async def test_without_a_chat_cookie_the_socket_says_so_and_closes(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await aiohttp_client(world.app())
    ws = await client.ws_connect("/chat/ws")
    assert (await ws.receive_json())["kind"] == "no-chat"
    assert (await ws.receive()).type is WSMsgType.CLOSE
    assert ws.close_code == 4404


async def test_a_message_is_stored_then_acknowledged_and_a_resend_is_not_doubled(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await caller(world, aiohttp_client)
    [chat] = world.hub.queue()
    ws = await client.ws_connect("/chat/ws")
    hello = (await until(ws, kind("hello")))[-1]
    assert (hello["state"], hello["joined"], hello["ahead"]) == ("waiting", False, 0)

    await ws.send_json({"type": "send", "client_id": "m1", "body": "  my bike was stolen  "})
    ack = (await until(ws, message_from("caller")))[-1]["message"]
    assert (ack["seq"], ack["body"], ack["client_id"]) == (1, "my bike was stolen", "m1")
    assert [m.body for m in await world.hub.since(chat.chat_id, 0)] == ["my bike was stolen"]

    await ws.close()  # the phone lost its connection before it saw the ack, say
    ws = await client.ws_connect("/chat/ws?since=0")
    replay = await until(ws, message_from("caller"))
    assert replay[-1]["message"]["seq"] == 1
    # The page resends what it had no ack for: the hub keeps the one it stored.
    await ws.send_json({"type": "send", "client_id": "m1", "body": "my bike was stolen"})
    await ws.send_json({"type": "send", "client_id": "m2", "body": "a red one"})
    after = await until(ws, kind("message"))
    assert [f["message"]["seq"] for f in after if f["kind"] == "message"] == [2]
    stored = await world.hub.since(chat.chat_id, 0)
    assert [(m.seq, m.client_id) for m in stored] == [(1, "m1"), (2, "m2")]


async def test_a_reconnect_gets_exactly_what_it_missed_without_agents_names(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await caller(world, aiohttp_client)
    [chat] = world.hub.queue()
    ws = await client.ws_connect("/chat/ws")
    await until(ws, kind("hello"))
    await world.hub.take("ann", chat.chat_id)
    joined = await until(ws, kind("joined"))
    assert joined[-1]["who"] == ""  # not "ann"
    joined_at = [f["message"]["seq"] for f in joined if f["kind"] == "message"]
    assert joined_at == [1]  # "Officer 1 has joined the chat."
    await ws.close()

    for text in ("hello", "are you there?"):  # said while the phone was away
        await world.hub.say(chat.chat_id, Sender.AGENT, text, author="ann")
    ws = await client.ws_connect("/chat/ws?since=1")
    frames = await until(ws, lambda f: f["kind"] == "message" and f["message"]["seq"] == 3)
    messages = [f["message"] for f in frames if f["kind"] == "message"]
    assert [(m["seq"], m["body"], m["author"]) for m in messages] == [
        (2, "hello", ""),
        (3, "are you there?", ""),
    ]
    assert frames[0]["kind"] == "hello" and frames[0]["joined"] is True


async def test_typing_seen_and_a_callback_reach_the_hub(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await caller(world, aiohttp_client)
    [chat] = world.hub.queue()
    await world.hub.take("ann", chat.chat_id)
    feed = world.hub.agent_feed("ann")
    ws = await client.ws_connect("/chat/ws")
    await until(ws, kind("hello"))
    await ws.send_json({"type": "typing"})
    await ws.send_json({"type": "seen", "seq": 1})
    await ws.send_json({"type": "callback"})
    kinds = []
    async with asyncio.timeout(GUARD_S):
        async for event in feed:
            kinds.append((event.kind.value, event.sender))
            if event.kind.value == "message":
                assert event.message is not None and "called back" in event.message.body
                break
    assert kinds[:2] == [("typing", Sender.CALLER), ("delivered", Sender.CALLER)]
    assert world.hub.view(chat.chat_id).callback_requested
    await ws.send_json({"type": "callback"})
    error = (await until(ws, kind("error")))[-1]
    assert "already asked" in error["error"]
    feed.close()


async def test_too_long_too_fast_and_unreadable_frames_get_clear_errors(
    records: ChatRecords, aiohttp_client: ClientFactory
) -> None:
    world = ChatWorld(records, limits=ChatLimits(max_chars=20, per_minute=2))
    client = await caller(world, aiohttp_client)
    ws = await client.ws_connect("/chat/ws")
    await until(ws, kind("hello"))
    await ws.send_json({"type": "send", "client_id": "a", "body": "x" * 21})
    error = (await until(ws, kind("error")))[-1]
    assert error["client_id"] == "a" and "at most 20 characters" in error["error"]
    for n in range(2):
        await ws.send_json({"type": "send", "client_id": f"ok{n}", "body": "hi"})
        await until(ws, kind("message"))
    await ws.send_json({"type": "send", "client_id": "fast", "body": "hi"})
    error = (await until(ws, kind("error")))[-1]
    assert error["client_id"] == "fast" and "2 messages a minute" in error["error"]
    await ws.send_str("not json")
    assert "cannot read" in (await until(ws, kind("error")))[-1]["error"]
    await ws.send_json({"type": "send", "body": "no id"})
    assert "without its id" in (await until(ws, kind("error")))[-1]["error"]


async def test_a_closed_chat_shows_its_transcript_and_then_ends(
    world: ChatWorld, aiohttp_client: ClientFactory
) -> None:
    client = await caller(world, aiohttp_client)
    [chat] = world.hub.queue()
    ws = await client.ws_connect("/chat/ws")
    await until(ws, kind("hello"))
    await world.hub.take("ann", chat.chat_id)
    await world.hub.close_chat(chat.chat_id, ChatOutcome.ADVICE_GIVEN, "ann")
    closed = (await until(ws, kind("closed")))[-1]
    assert closed["who"] == ""
    ws = await client.ws_connect("/chat/ws")
    frames = await until(ws, lambda f: f["kind"] == "message" and "ended" in f["message"]["body"])
    assert frames[0] == {"kind": "hello", "state": "closed", "joined": True, "ahead": None}
    await ws.send_json({"type": "send", "client_id": "late", "body": "hello?"})
    assert (await ws.receive()).type in (WSMsgType.CLOSE, WSMsgType.CLOSED)


def test_the_rate_is_a_sliding_minute() -> None:
    now = [0.0]
    rate = MessageRate(2, clock=lambda: now[0])
    assert rate.allow("c") and rate.allow("c") and not rate.allow("c")
    assert rate.allow("other")
    now[0] = 59.0
    assert not rate.allow("c")
    now[0] = 60.5
    assert rate.allow("c")


async def test_a_waiting_caller_whose_page_is_gone_has_left_and_one_page_too_many_is_refused(
    records: ChatRecords, aiohttp_client: ClientFactory
) -> None:
    world = ChatWorld(records, limits=ChatLimits(sockets_per_chat=1), leave_after_s=0.0)
    client = await caller(world, aiohttp_client)
    [chat] = world.hub.queue()
    feed = world.hub.agent_feed("ann")
    ws = await client.ws_connect("/chat/ws")
    await until(ws, kind("hello"))
    second = await client.ws_connect("/chat/ws")
    assert "too many tabs" in (await second.receive_json())["error"]
    assert (await second.receive()).type is WSMsgType.CLOSE and second.close_code == 4429

    await ws.close()
    async with asyncio.timeout(GUARD_S):
        async for event in feed:
            if event.kind.value == "queue" and event.chat_id == chat.chat_id:
                break
    row = await records.chat(chat.chat_id)
    assert row is not None and row.outcome is ChatOutcome.CALLER_LEFT
    assert not world.hub.queue()
    feed.close()
