"""Live chat offered on a real call (issue 17): a caller on the menu who chooses online
while chat is open is offered chat, says yes by key, and is texted a link that carries
only a token; the call ends deflected:chat.

The app is the embedded harness's; the chat desk is the real ChatDesk over the real
texts and the live routing bundle's schedules, put into the app's FlowBuilder as
ivr.app will (``FlowBuilder(chat=...)``). Its channel (agents with room) and its links
(ChatLinks, being written in another branch) are small stand-ins that sign real tokens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from ivr.chat.desk import ChatDesk
from ivr.chat.model import ChatAvailability, ChatContext, ChatLink, ChatStart
from ivr.chat.settings import ChatSettings
from ivr.chat.tokens import Purpose, TokenSigner
from ivr.clock import Clock
from tests.integration.app.stack import Stack, running_stack
from tests.integration.app.test_queues import CALLER, IN_MENU, until_event
from tests.integration.app.test_texts_through_calls import provider

PUBLIC = "https://101.example.police.uk"


class AgentsWithRoom:
    """ChatHub.availability's answer with one agent free: a wait of 3 minutes."""

    def availability(self, now: datetime) -> ChatAvailability:
        return ChatAvailability(True, 180.0)

    async def start(self, context: ChatContext, link_id: str) -> ChatStart:
        raise AssertionError("the call never starts the chat: opening the link does")


class SignedLinks:
    """ChatLinks.issue's contract: a random id, signed; the URL is the token alone."""

    def __init__(self, signer: TokenSigner, clock: Clock) -> None:
        self.signer = signer
        self.clock = clock
        self.issued: list[tuple[ChatLink, ChatContext, str]] = []

    async def issue(self, context: ChatContext, number: str) -> ChatLink:
        link_id = self.signer.new_id()
        token = self.signer.sign(Purpose.LINK, link_id)
        expires = self.clock() + timedelta(minutes=30)
        link = ChatLink(link_id, context.call_id, token, f"{PUBLIC}/chat/{token}", expires)
        self.issued.append((link, context, number))
        return link


def open_chat(stack: Stack, links: SignedLinks) -> None:
    runtime = stack.runtime
    texts = runtime.flows.texts
    assert texts is not None  # the harness has a gateway: sms.url is set
    settings = ChatSettings(enabled=True, public_url=PUBLIC, link_minutes=30.0)
    runtime.flows.chat = ChatDesk(
        settings,
        AgentsWithRoom(),
        lambda: runtime.routing.bundle.schedules,  # live-chat: daily 08:00-22:00
        links,
        texts,
        runtime.clock,
    )


async def test_a_caller_choosing_online_while_chat_is_open_takes_a_chat_link(
    tmp_path: Path,
) -> None:
    signer = TokenSigner("s" * 32)
    async with provider() as fake:
        settings = {"sms.url": fake.url, "sms.survey": False}
        async with running_stack(tmp_path, settings=settings) as stack:
            links = SignedLinks(signer, stack.runtime.clock)
            open_chat(stack, links)
            call = await stack.place([{"wait": IN_MENU}, {"dtmf": "5"}, {"wait": 2000}])
            await until_event(stack, call, "chat-offered")
            await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "1"})
            row = await stack.call_row(call)
            assert (row["outcome"], row["destination"]) == ("deflected:chat", "chat")
            kinds = [e["kind"] for e in await stack.events(call)]
            assert {"chat-offered", "chat-accepted", "deflected"} <= set(kinds)
            assert "link-offered" not in kinds  # chat instead of the link, not as well

            rows = await stack.runtime.sms.outbox.run(  # type: ignore[union-attr]
                lambda s: list(s.db.table("sms_outbox").rows_where("call_id = ?", [call]))
            )
            [text] = rows
            assert (text["kind"], text["to_number"]) == ("chat-link", "+447700900123")
            url = text["body"].split(" at ", 1)[1].split(" ", 1)[0]
            parts = urlsplit(url)
            assert f"{parts.scheme}://{parts.netloc}" == PUBLIC and not parts.query
            token = parts.path.removeprefix("/chat/")
            [(link, context, number)] = links.issued
            assert token == link.token and signer.verify(Purpose.LINK, token) == link.link_id
            for private in (CALLER, CALLER[1:], call):  # nothing of the caller or the call
                assert private not in url
            assert (context.call_id, context.destination, number) == (call, "online", CALLER)
            await stack.nothing_left()
