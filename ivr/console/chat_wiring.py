"""Live chat's web parts as one thing the composition root builds and adds to the app.

LiveChat holds the chat records, the link signer, ChatLinks and the built-in ChatHub
(the IVR side offers chat from ``hub.availability`` and texts ``links.issue``), and the
two web sides: the public chat (ivr.console.chat_public) and the agents' desk
(ivr.console.chat_desk, chat_desk_api). Built only when [chat] enabled.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from ivr.chat.hub import ChatHub
from ivr.chat.links import ChatLinks
from ivr.chat.model import ChatChannel
from ivr.chat.store import ChatRecords
from ivr.chat.tokens import TokenSigner
from ivr.clock import Clock
from ivr.config import Settings
from ivr.console import chat_desk, chat_desk_api, chat_public
from ivr.console.access import ConsoleAccess
from ivr.console.chat_desk import AgentDesk
from ivr.console.chat_public import ChatPublic
from ivr.console.chat_replies import load_replies, replies_file
from ivr.console.openapi import ApiDocument

log = logging.getLogger(__name__)


@dataclass
class LiveChat:
    records: ChatRecords
    signer: TokenSigner
    links: ChatLinks
    hub: ChatHub
    public: ChatPublic
    desk: AgentDesk

    @classmethod
    def build(
        cls,
        settings: Settings,
        access: ConsoleAccess,
        clock: Clock,
        channel: ChatChannel | None = None,
    ) -> LiveChat:
        """``channel``: a force's own platform (ivr.chat.webhook) where [chat] channel
        says so; None: the built-in hub takes the chats."""
        chat = settings.chat
        if not chat.secret:
            log.warning(
                "chat: no [chat] secret (IVR_CHAT_SECRET): links texted before a restart"
                " will not open after it"
            )
        records = ChatRecords(settings.store.db_path)
        signer = TokenSigner(chat.secret)
        links = ChatLinks(
            records, signer, clock, public_url=chat.public_url, minutes=chat.link_minutes
        )
        hub = ChatHub(records, clock, per_agent=chat.per_agent, handle_s=chat.handle_minutes * 60)
        public = ChatPublic(
            links,
            channel or hub,
            hub if channel is None else None,
            signer,
            access.facts,
            settings.texts.online_link,
        )
        replies = load_replies(replies_file(settings.routing.rules_dir))
        desk = AgentDesk(hub, links, access.audit, access.facts, replies, chat.per_agent)
        return cls(records, signer, links, hub, public, desk)

    def register(self, app: web.Application, doc: ApiDocument) -> None:
        """The records and hub for the app's lifetime; the public routes, the desk's
        page, feed and actions (documented in ``doc``)."""
        app.cleanup_ctx.append(self._lifetime)
        chat_public.register(app, self.public)
        chat_desk.register(app, self.desk)
        chat_desk_api.register(app, doc)

    async def _lifetime(self, app: web.Application) -> AsyncIterator[None]:
        await self.records.open()
        try:
            await self.hub.open()  # the waiting and active chats of before a restart
            yield
        finally:
            await self.hub.close()
            await self.records.close()
