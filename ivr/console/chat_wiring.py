"""Live chat's web parts as one thing the composition root builds and adds to the app.

LiveChat holds the chat records, the link signer, ChatLinks and the built-in ChatHub
(the IVR side offers chat from ``hub.availability`` and texts ``links.issue``), and the
two web sides: the public chat (ivr.console.chat_public) and the agents' desk
(ivr.console.chat_desk, chat_desk_api). Built only when [chat] enabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from ivr.chat.expiry import EventLog, LinkExpiry
from ivr.chat.hub import ChatHub
from ivr.chat.links import ChatLinks
from ivr.chat.model import ChatChannel
from ivr.chat.settings import ChannelKind, ChatSettings
from ivr.chat.store import ChatRecords
from ivr.chat.tokens import TokenSigner
from ivr.chat.webhook import WebhookChatChannel
from ivr.clock import Clock
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

    settings: ChatSettings
    records: ChatRecords
    signer: TokenSigner
    links: ChatLinks
    hub: ChatHub
    channel: ChatChannel  # where a started chat goes: the hub, or a force's platform
    expiry: LinkExpiry  # links never opened: counted on their calls
    platform: WebhookChatChannel | None = None  # [chat] channel = "webhook"

    @classmethod
    def build(cls, chat: ChatSettings, db_path: str, clock: Clock, call_log: EventLog) -> LiveChat:
        """``chat``: [chat]; ``db_path``: [store] db; ``call_log``: where a link that
        expired unopened is recorded. [chat] channel picks the built-in hub or a force's
        own platform (ivr.chat.webhook; ValueError names a missing setting)."""
        if not chat.secret:
            log.warning(
                "chat: no [chat] secret (IVR_CHAT_SECRET): links texted before a restart"
                " will not open after it"
            )
        records = ChatRecords(db_path)
        signer = TokenSigner(chat.secret)
        links = ChatLinks(
            records, signer, clock, public_url=chat.public_url, minutes=chat.link_minutes
        )
        hub = ChatHub(records, clock, per_agent=chat.per_agent, handle_s=chat.handle_minutes * 60)
        platform = (
            WebhookChatChannel.from_settings(chat, clock)
            if chat.channel is ChannelKind.WEBHOOK
            else None
        )
        expiry = LinkExpiry(links, call_log, clock)
        return cls(chat, records, signer, links, hub, platform or hub, expiry, platform)

    def register(
        self,
        app: web.Application,
        access: ConsoleAccess,
        doc: ApiDocument,
        *,
        online_url: str,
        rules_dir: Path | None,
    ) -> None:
        """The records and hub for the app's lifetime; the public routes, the desk's
        page, feed and actions (documented in ``doc``). ``online_url``: [texts]
        online_link (what a refused caller can do instead); ``rules_dir``: where
        chat_replies.yaml may be."""
        public = ChatPublic(
            self.links,
            self.channel,
            self.hub if self.channel is self.hub else None,
            self.signer,
            access.facts,
            online_url,
        )
        replies = load_replies(replies_file(rules_dir))
        per_agent = self.settings.per_agent
        desk = AgentDesk(self.hub, self.links, access.audit, access.facts, replies, per_agent)
        app.cleanup_ctx.append(self._lifetime)
        chat_public.register(app, public)
        chat_desk.register(app, desk)
        chat_desk_api.register(app, doc)

    async def _lifetime(self, app: web.Application) -> AsyncIterator[None]:
        """Records, then the hub; the platform's status poll and the expiry chore run
        while the app does (the call log is open: it starts before these)."""
        await self.records.open()
        tasks: list[asyncio.Task[None]] = []
        try:
            await self.hub.open()  # the waiting and active chats of before a restart
            if self.platform is not None:
                await self.platform.open()
                tasks.append(asyncio.create_task(self.platform.run(), name="chat-status"))
            tasks.append(asyncio.create_task(self.expiry.run(), name="chat-link-expiry"))
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if self.platform is not None:
                await self.platform.close()
            await self.hub.close()
            await self.records.close()
