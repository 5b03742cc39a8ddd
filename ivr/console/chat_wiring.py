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
    """Built before the call flow (which offers chat from ``hub`` and texts ``links``),
    added to the app after the console's access control (``register``)."""

    settings: Settings
    records: ChatRecords
    signer: TokenSigner
    links: ChatLinks
    hub: ChatHub
    channel: ChatChannel  # where a started chat goes: the hub, or a force's platform

    @classmethod
    def build(
        cls, settings: Settings, clock: Clock, channel: ChatChannel | None = None
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
        return cls(settings, records, signer, links, hub, channel or hub)

    def register(self, app: web.Application, access: ConsoleAccess, doc: ApiDocument) -> None:
        """The records and hub for the app's lifetime; the public routes, the desk's
        page, feed and actions (documented in ``doc``)."""
        settings = self.settings
        public = ChatPublic(
            self.links,
            self.channel,
            self.hub if self.channel is self.hub else None,
            self.signer,
            access.facts,
            settings.texts.online_link,
        )
        replies = load_replies(replies_file(settings.routing.rules_dir))
        per_agent = settings.chat.per_agent
        desk = AgentDesk(self.hub, self.links, access.audit, access.facts, replies, per_agent)
        app.cleanup_ctx.append(self._lifetime)
        chat_public.register(app, public)
        chat_desk.register(app, desk)
        chat_desk_api.register(app, doc)

    async def _lifetime(self, app: web.Application) -> AsyncIterator[None]:
        await self.records.open()
        try:
            await self.hub.open()  # the waiting and active chats of before a restart
            yield
        finally:
            await self.hub.close()
            await self.records.close()
