"""Live chat end to end through the app as built (issue 17), with no stand-ins: the
embedded harness with [chat] on and texts to a fake SMS provider over real HTTP.

An agent with the chat skill signs in through the login form and opens the desk's feed
(which signs them in to chat); a caller who chooses online is offered chat, takes it by
key, and is texted a link carrying only a token; opening it starts a chat the agent sees
with the call's context, takes and answers, and the caller's socket receives the answer.
With no agent signed in the same call is offered the online link, which never says chat.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import aiohttp

from ivr.callers.history import CallerHistory
from ivr.callers.pseudonym import Pseudonymiser
from ivr.chat.expiry import EXPIRED_EVENT
from ivr.chat.tokens import Purpose, TokenSigner
from ivr.console.identity import Role, Skill
from ivr.console.people import add_person
from ivr.store.db import CallStore, write_transaction
from tests.integration.app.stack import (
    TUESDAY_11AM,
    Stack,
    running_app,
    running_sim,
    running_stack,
)
from tests.integration.app.test_queues import CALLER, IN_MENU, until_event
from tests.integration.app.test_texts_through_calls import provider

PUBLIC = "https://101.example.police.uk"
SECRET = secrets.token_urlsafe(32)
PASSWORD = "a-long-test-password"
CALLER_KEY = "integration-key"
FRAME_S = 10.0  # the longest a socket waits for its next frame before the test fails
Frame = dict[str, Any]


def chat_settings(sms_url: str) -> dict[str, Any]:
    return {
        "sms.url": sms_url,
        "sms.survey": False,
        "chat.enabled": True,
        "chat.secret": SECRET,
        "chat.public_url": PUBLIC,
        "callers.key": CALLER_KEY,  # caller history on: a flag reaches the chat
    }


def browser() -> aiohttp.ClientSession:
    """A browser of its own: keeps the cookies a 127.0.0.1 server sets."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def next_frame(ws: aiohttp.ClientWebSocketResponse, wanted: Callable[[Frame], bool]) -> Frame:
    """The first JSON frame ``wanted`` accepts, skipping the others."""
    while True:
        frame = await ws.receive(timeout=FRAME_S)
        assert frame.type is aiohttp.WSMsgType.TEXT, frame
        data: Frame = json.loads(frame.data)
        if wanted(data):
            return data


class AtDesk(NamedTuple):
    browser: aiohttp.ClientSession  # signed in: the console's cookie
    feed: aiohttp.ClientWebSocketResponse  # the desk's live feed, open
    csrf: str  # for the desk's POSTs


@asynccontextmanager
async def agent_at_desk(stack: Stack, name: str = "ann") -> AsyncIterator[AtDesk]:
    """``name`` (chat skill) signs in with the form and opens the desk's feed, which
    signs them in to chat. Leaving closes both."""
    db = stack.runtime.settings.store.db_path
    await asyncio.to_thread(
        add_person, db, name, Role.OPERATOR, PASSWORD, by="test", skills=[Skill.CHAT]
    )
    async with browser() as agent:
        form = {"user": name, "password": PASSWORD}
        async with agent.post(f"{stack.app_url}/login", data=form, allow_redirects=False) as resp:
            assert (resp.status, resp.headers["Location"]) == (303, "/"), await resp.text()
        async with agent.get(f"{stack.app_url}/api/session") as resp:
            csrf = str((await resp.json())["csrf_token"])
        async with agent.ws_connect(f"{stack.app_url}/desk/chat/ws") as feed:
            hello = await next_frame(feed, lambda f: True)
            assert hello == {"kind": "hello", "me": name}  # sent once signed in to chat
            yield AtDesk(agent, feed, csrf)


async def chat_call(stack: Stack) -> str:
    """A caller chooses online (key 5) and, offered chat, says yes (key 1)."""
    call = await stack.place([{"wait": IN_MENU}, {"dtmf": "5"}, {"wait": 2000}])
    await until_event(stack, call, "chat-offered")
    await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "1"})
    return call


async def texts_for(stack: Stack, call: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await stack.runtime.sms.outbox.run(  # type: ignore[union-attr]
        lambda s: s.db.rows_where("sms_outbox", "call_id = ?", [call])
    )
    return rows


def link_path(body: str) -> str:
    """The texted URL's path, checked to be ``/chat/<token>`` on the public origin."""
    url = body.split(" at ", 1)[1].split(" ", 1)[0]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    assert not parts.query and not parts.fragment
    assert parts.path.startswith("/chat/") and parts.path.count("/") == 2
    return parts.path


def flag_caller(tmp_path: Path, flag: str) -> None:
    """An operator's flag on the caller's history, as the console sets it (pseudonymised
    under [callers] key): the call reads it, and so does the chat it moves to."""
    store = CallStore(tmp_path / "calls.db")
    pseudonym = Pseudonymiser(CALLER_KEY).pseudonym(CALLER)
    assert pseudonym is not None
    with write_transaction(store.db):
        CallerHistory(store.db).set_flag(
            pseudonym, flag, set_by="op", reason="test", at=TUESDAY_11AM, expires_at=None
        )
    store.close()


async def test_a_caller_moves_to_chat_and_the_agent_sees_the_call_and_answers(
    tmp_path: Path,
) -> None:
    flag_caller(tmp_path, "repeat-victim")
    async with (
        provider() as fake,
        running_stack(tmp_path, settings=chat_settings(fake.url)) as stack,
        agent_at_desk(stack) as (agent, feed, csrf),
    ):
        call = await chat_call(stack)
        row = await stack.call_row(call)
        assert (row["outcome"], row["destination"]) == ("deflected:chat", "chat")
        events = {e["kind"]: e["detail"] for e in await stack.events(call)}
        assert {"chat-offered", "chat-accepted", "deflected"} <= set(events)
        assert "link-offered" not in events  # chat instead of the link, not as well

        [text] = await texts_for(stack, call)
        assert (text["kind"], text["to_number"]) == ("chat-link", "+447700900123")
        path = link_path(text["body"])
        assert TokenSigner(SECRET).verify(Purpose.LINK, path.removeprefix("/chat/"))
        for private in (CALLER, CALLER[1:], call):  # nothing of the caller or the call
            assert private not in path

        async with browser() as phone:
            async with phone.get(f"{stack.app_url}{path}", allow_redirects=False) as opened:
                assert (opened.status, opened.headers["Location"]) == (303, "/chat/")
                assert opened.cookies["ivr_chat"]["path"] == "/chat/"
            async with phone.get(f"{stack.app_url}{path}", allow_redirects=False) as again:
                assert again.status == 410  # single use
                assert "already been used" in await again.text()

            # The agent's feed hears of the waiting chat; the desk shows the call's context
            # as the call recorded it: where it was going, what was heard, the flags.
            await next_frame(feed, lambda f: f["kind"] == "queue")
            async with agent.get(f"{stack.app_url}/api/chat/desk") as resp:
                [waiting] = (await resp.json())["queue"]
            [decision] = await stack.runtime.call_log.query(lambda s: s.decisions_for(call))
            context = waiting["context"]
            assert (waiting["call_id"], context["call_id"]) == (call, call)
            assert context["destination"] == decision["destination"] == "online"
            assert context["intent"] == decision["intent"]
            assert context["heard"] == decision["evidence"]["inputs"]["heard"]  # keyed: none
            assert context["flags"] == events["caller-profile"]["flags"] == ["repeat-victim"]
            assert waiting["priority"] == 0  # a repeat victim is answered first
            assert "07700900123" not in json.dumps(waiting)  # the number stays on the link

            async with phone.ws_connect(f"{stack.app_url}/chat/ws") as caller:
                hello = await next_frame(caller, lambda f: f["kind"] == "hello")
                assert (hello["state"], hello["joined"]) == ("waiting", False)
                headers = {"X-CSRF-Token": csrf}
                take = f"{stack.app_url}/api/chat/take"
                async with agent.post(take, json={}, headers=headers) as resp:
                    taken = await resp.json()
                    assert resp.status == 200, taken
                assert (taken["chat_id"], taken["agent"]) == (waiting["chat_id"], "ann")
                await next_frame(caller, lambda f: f["kind"] == "joined")
                say = f"{stack.app_url}/api/chat/{taken['chat_id']}/say"
                words = "Hello, I can see you rang 101 about reporting online."
                async with agent.post(say, json={"body": words}, headers=headers) as resp:
                    assert resp.status == 200, await resp.text()
                heard = await next_frame(
                    caller, lambda f: f["kind"] == "message" and f["message"]["sender"] == "agent"
                )
                assert heard["message"]["body"] == words
                assert heard["message"]["author"] == ""  # the public never sees a user name
        await stack.nothing_left()


async def test_with_no_agent_signed_in_the_call_is_offered_the_link_that_never_says_chat(
    tmp_path: Path,
) -> None:
    async with (
        provider() as fake,
        running_stack(tmp_path, settings=chat_settings(fake.url)) as stack,
    ):
        call = await stack.place([{"wait": IN_MENU}, {"dtmf": "5"}, {"wait": 2000}])
        await until_event(stack, call, "link-offered")
        await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "1"})
        row = await stack.call_row(call)
        assert (row["outcome"], row["destination"]) == ("deflected", "online")
        events = {e["kind"]: e["detail"] for e in await stack.events(call)}
        assert events["chat-not-offered"] == {"reason": "no chat agent signed in"}
        assert "chat-offered" not in events
        [text] = await texts_for(stack, call)
        assert text["kind"] == "deflection"
        assert stack.runtime.settings.texts.online_link in text["body"]
        assert "chat" not in text["body"].lower()
        await stack.nothing_left()


async def test_a_link_never_opened_expires_and_is_counted_on_its_call(tmp_path: Path) -> None:
    """The expiry chore runs in the app's lifetime, first as it starts: an app started
    again after the link's time (same database, same secret) finds it, records it on the
    call, and the link no longer opens."""
    async with provider() as fake, running_sim() as sim:
        settings = chat_settings(fake.url)
        async with running_app(sim, tmp_path, settings) as stack, agent_at_desk(stack):
            call = await chat_call(stack)
            assert (await stack.call_row(call))["outcome"] == "deflected:chat"
            [text] = await texts_for(stack, call)
            path = link_path(text["body"])
            assert EXPIRED_EVENT not in {e["kind"] for e in await stack.events(call)}
        later = TUESDAY_11AM + timedelta(minutes=stack.runtime.settings.chat.link_minutes + 1)
        async with running_app(sim, tmp_path, settings, start=later) as again:
            await until_event(again, call, EXPIRED_EVENT)
            [expired] = [e for e in await again.events(call) if e["kind"] == EXPIRED_EVENT]
            assert set(expired["detail"]) == {"link_id"}
            async with (
                browser() as phone,
                phone.get(f"{again.app_url}{path}", allow_redirects=False) as resp,
            ):
                assert resp.status == 410
                assert "has expired" in await resp.text()
            await again.nothing_left()


async def test_a_link_opened_while_no_agent_is_at_a_desk_still_opens_once_one_is(
    tmp_path: Path,
) -> None:
    """The agent who made chat open closes their desk (a reload, a break) before the
    caller opens the link: the caller is told chat is not open just now, and the link,
    which started no chat, is not spent: opened again once an agent is back, it works."""
    async with (
        provider() as fake,
        running_stack(tmp_path, settings=chat_settings(fake.url)) as stack,
    ):
        async with agent_at_desk(stack):
            call = await chat_call(stack)
            assert (await stack.call_row(call))["outcome"] == "deflected:chat"
        [text] = await texts_for(stack, call)
        path = link_path(text["body"])
        async with browser() as phone:
            async with phone.get(f"{stack.app_url}{path}", allow_redirects=False) as refused:
                assert refused.status == 503
                assert "will work again" in await refused.text()
                assert "ivr_chat" not in refused.cookies
            async with (
                agent_at_desk(stack, "bob") as desk,
                phone.get(f"{stack.app_url}{path}", allow_redirects=False) as opened,
            ):
                assert (opened.status, opened.headers["Location"]) == (303, "/chat/")
                await next_frame(desk.feed, lambda f: f["kind"] == "queue")
        await stack.nothing_left()
