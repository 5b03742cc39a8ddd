"""The chat web tests' world: real chat records on a temporary database, the real hub
and links, the public side and the desk on one aiohttp app; who is asking comes from an
``X-Test-User`` header (standing in for the console's sign-in)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.chat.hub import ChatHub
from ivr.chat.links import ChatLinks
from ivr.chat.model import ChatContext
from ivr.chat.store import ChatRecords
from ivr.chat.tokens import TokenSigner
from ivr.console import chat_desk, chat_desk_api, chat_public
from ivr.console.chat_desk import AgentDesk
from ivr.console.chat_limits import ChatLimits
from ivr.console.chat_public import ChatPublic
from ivr.console.chat_replies import CannedReply
from ivr.console.identity import OPERATOR, Operator, Role, Skill
from ivr.console.openapi import ApiDocument
from ivr.console.requests import RequestFacts
from tests.unit.console.support import HandClock, ListAudit

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CHAT = frozenset({Skill.CHAT})
PEOPLE = {
    "ann": Operator("ann", Role.OPERATOR, skills=CHAT),
    "bob": Operator("bob", Role.OPERATOR, skills=CHAT),
    "cy": Operator("cy", Role.OPERATOR),  # no chat skill
    "root": Operator("root", Role.ADMIN),  # every role, no chat skill
}
SECRET = "s" * 40
NUMBER = "07700900123"
REPLIES = (CannedReply("Greeting", "Hello, how can I help?"),)


def context(call_id: str = "call-1", *flags: str) -> ChatContext:
    return ChatContext(
        call_id=call_id,
        intent="report-theft",
        destination="rc",
        heard=("my bike was stolen", "<b>from the station</b>"),
        reference="AB/12345/26",
        flags=tuple(flags),
    )


@web.middleware
async def test_users(request: web.Request, handler: Handler) -> web.StreamResponse:
    who = PEOPLE.get(request.headers.get("X-Test-User", ""))
    if who is not None:
        request[OPERATOR] = who
    return await handler(request)


@dataclass
class ChatWorld:
    records: ChatRecords
    clock: HandClock = field(default_factory=HandClock)
    audit: ListAudit = field(default_factory=ListAudit)
    limits: ChatLimits = field(default_factory=ChatLimits)
    leave_after_s: float = 900.0

    def __post_init__(self) -> None:
        self.signer = TokenSigner(SECRET)
        self.links = ChatLinks(
            self.records, self.signer, self.clock, public_url="http://x", minutes=30
        )
        self.hub = ChatHub(self.records, self.clock, per_agent=2, handle_s=600.0)
        facts = RequestFacts(frozenset())
        self.public = ChatPublic(
            self.links, self.hub, self.hub, self.signer, facts, "https://report.example/",
            self.limits, leave_after_s=self.leave_after_s,
        )  # fmt: skip
        self.desk = AgentDesk(self.hub, self.links, self.audit, facts, REPLIES, per_agent=2)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[test_users])
        chat_public.register(app, self.public)
        chat_desk.register(app, self.desk)
        chat_desk_api.register(app, ApiDocument())
        return app

    async def link_token(self, call_id: str = "call-1", *flags: str) -> str:
        return (await self.links.issue(context(call_id, *flags), NUMBER)).token
