"""The agents' chat desk: the page at ``/desk/chat`` and its live feed ``/desk/chat/ws``.

Signed in (the console's session), with the operator role and the ``chat`` skill. An
agent is "signed in to chat" (ChatHub.sign_in: new chats may be offered on their
capacity) while at least one desk of theirs has its feed open; the last one closing
signs them out of chat (the chats they hold stay theirs to close or pass on).

The caller sees agents only as "Officer <n>" (n given here, per process): a console
user name is a sign-in name and stays inside the console.

The actions (take, say, transfer, close...) are JSON POSTs under ``/api/chat/``
(ivr.console.chat_desk_api), with the console's CSRF token like every other action.

Feed frames (server -> desk): ``ChatEvent.to_json()`` (ivr.chat.feed), each with its
agent names as they are, and first ``{"kind": "hello", "me": "<user>"}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from aiohttp import WSMsgType, web

from ivr.chat.hub import ChatHub, ChatListener
from ivr.chat.links import ChatLinks
from ivr.chat.model import ChatOutcome
from ivr.console.access import ACCESS
from ivr.console.chat_public import ensure_static
from ivr.console.chat_replies import CannedReply
from ivr.console.identity import OPERATOR, Audit, Operator, Role, Skill, require
from ivr.console.pages import Pages
from ivr.console.requests import RequestFacts

DESK_PAGE = "/desk/chat"
FEED_CHECK_S = 30.0  # how often an idle feed checks its session is still signed in
DESKS_PER_AGENT = 3


class DeskAudit(StrEnum):
    """What the chat desk writes to the audit trail."""

    DESK_VIEWED = "chat-desk-viewed"  # the queue's contexts (what callers said) were shown
    CHAT_READ = "chat-read"  # a transcript was read
    CHAT_TAKEN = "chat-taken"
    CHAT_TRANSFERRED = "chat-transferred"
    CHAT_CLOSED = "chat-closed"
    NUMBER_SHOWN = "chat-number-shown"  # the caller's number, for a callback they asked


@dataclass
class AgentDesk:
    """The desk's parts, built once per app."""

    hub: ChatHub
    links: ChatLinks
    audit: Audit
    facts: RequestFacts
    replies: tuple[CannedReply, ...] = ()
    per_agent: int = 3
    pages: Pages = field(default_factory=Pages)
    desks: Counter[str] = field(default_factory=Counter)  # open feeds per agent
    numbers: dict[str, int] = field(default_factory=dict)  # agent -> "Officer <n>"
    feeds: set[web.WebSocketResponse] = field(default_factory=set)

    def display(self, agent: str) -> str:
        """What the caller reads: "Officer 3", the same for this agent all day."""
        number = self.numbers.setdefault(agent, len(self.numbers) + 1)
        return f"Officer {number}"

    def signed_in(self) -> list[str]:
        """Agents with a desk open: whom a chat can be passed to."""
        return sorted(self.desks)

    def opened(self, agent: str) -> None:
        self.desks[agent] += 1
        self.hub.sign_in(agent, self.display(agent))

    def closed(self, agent: str) -> None:
        self.desks[agent] -= 1
        if self.desks[agent] <= 0:
            del self.desks[agent]
            self.hub.sign_out(agent)


DESK = web.AppKey("chat_desk", AgentDesk)


def chat_agent(request: web.Request) -> Operator:
    """The operator, if they hold the operator role and the chat skill; else 403."""
    operator = require(request, Role.OPERATOR)
    if not operator.can(Skill.CHAT):
        raise web.HTTPForbidden(
            text='{"error": "this needs the chat skill (ivr users add ... --skill chat)"}',
            content_type="application/json",
        )
    return operator


def register(app: web.Application, desk: AgentDesk) -> None:
    """The page and its feed (the JSON actions: ivr.console.chat_desk_api.register)."""
    app[DESK] = desk
    ensure_static(app)
    app.router.add_get(DESK_PAGE, _page)
    app.router.add_get(f"{DESK_PAGE}/ws", _feed)
    app.on_shutdown.append(_close_feeds)


async def _close_feeds(app: web.Application) -> None:
    for ws in list(app[DESK].feeds):
        await ws.close(code=1001, message=b"server restarting")


async def _page(request: web.Request) -> web.StreamResponse:
    if request.get(OPERATOR) is None:
        raise web.HTTPSeeOther("/login")
    operator = require(request, Role.OPERATOR)
    desk = request.app[DESK]
    if not operator.can(Skill.CHAT):
        return desk.pages.render("chat_desk_forbidden.html", status=403, operator=operator)
    return desk.pages.render(
        "chat_desk.html",
        operator=operator,
        per_agent=desk.per_agent,
        replies=desk.replies,
        outcomes=list(ChatOutcome),  # caller-left too: a caller who went quiet
    )


async def _feed(request: web.Request) -> web.StreamResponse:
    operator = chat_agent(request)
    desk = request.app[DESK]
    if not desk.facts.same_origin(request):
        raise web.HTTPForbidden(text='{"error": "the desk opens only from its own page"}')
    if desk.desks[operator.name] >= DESKS_PER_AGENT:
        raise web.HTTPTooManyRequests(
            text=json.dumps({"error": f"at most {DESKS_PER_AGENT} chat desks per person"}),
            content_type="application/json",
        )
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=1024)
    await ws.prepare(request)
    desk.feeds.add(ws)
    listener = desk.hub.agent_feed(operator.name)
    desk.opened(operator.name)
    pump = asyncio.create_task(_pump(request, ws, listener), name=f"chat-desk-{operator.name}")
    try:
        await ws.send_str(json.dumps({"kind": "hello", "me": operator.name}))
        async for frame in ws:  # the desk sends nothing: this notices it going away
            if frame.type is WSMsgType.ERROR:
                break
    finally:
        listener.close()
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump
        desk.closed(operator.name)
        desk.feeds.discard(ws)
    return ws


async def _pump(request: web.Request, ws: web.WebSocketResponse, listener: ChatListener) -> None:
    events = aiter(listener)
    try:
        while True:
            try:
                async with asyncio.timeout(FEED_CHECK_S):
                    event = await anext(events)
            except TimeoutError:
                if await _still_signed_in(request):
                    continue
                await ws.close(code=4401, message=b"signed out")
                return
            await ws.send_str(json.dumps(event.to_json()))
    except StopAsyncIteration:  # dropped as too slow, or the hub stopped: the page reconnects
        await ws.close(code=4000, message=b"reconnect")
    except ConnectionError:
        pass


async def _still_signed_in(request: web.Request) -> bool:
    """Callers' words stop flowing once the agent is signed out, disabled or expired."""
    access = request.app.get(ACCESS)
    return access is None or await access.auth.still_signed_in(request)
