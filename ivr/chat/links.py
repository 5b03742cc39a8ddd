"""ChatLinks: the single-use, expiring link texted to a caller who chose chat.

The URL carries only a signed random id (ivr.chat.tokens): nothing about the caller. A
token whose signature fails is refused before any database read; a good one is opened
by one guarded UPDATE (ivr.chat.store), so a link opened twice at once starts one chat.
The link's row is committed before ``issue`` returns, so no text promises a link the
database does not know.
"""

from __future__ import annotations

from datetime import timedelta

from ivr.chat.model import ChatContext, ChatLink, LinkRefused
from ivr.chat.store import ChatRecords, ExpiredLink
from ivr.chat.tokens import Purpose, TokenSigner
from ivr.clock import Clock

__all__ = ["ChatLinks", "ExpiredLink"]


class ChatLinks:
    def __init__(
        self,
        records: ChatRecords,
        signer: TokenSigner,
        clock: Clock,
        *,
        public_url: str,
        minutes: float,
    ) -> None:
        """``public_url``: [chat] public_url; ``minutes``: [chat] link_minutes."""
        self._records = records
        self._signer = signer
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._lifetime = timedelta(minutes=minutes)

    async def issue(self, context: ChatContext, number: str) -> ChatLink:
        """A new link for ``context``'s call, stored (state sent) before it is returned.
        ``number`` stays on the row (a callback asked from the chat), never in the URL."""
        link_id = self._signer.new_id()
        token = self._signer.sign(Purpose.LINK, link_id)
        now = self._clock()
        expires_at = now + self._lifetime
        await self._records.add_link(link_id, context, number, now, expires_at)
        return ChatLink(
            link_id=link_id,
            call_id=context.call_id,
            token=token,
            url=f"{self._public_url}/chat/{token}",
            expires_at=expires_at,
        )

    async def open(self, token: str) -> tuple[str, ChatContext] | LinkRefused:
        """(link_id, context) for the first open of a good, unexpired link; otherwise
        why not. A forged or edited token costs no database read."""
        link_id = self._signer.verify(Purpose.LINK, token)
        if link_id is None:
            return LinkRefused.UNKNOWN
        opened = await self._records.open_link(link_id, self._clock())
        if isinstance(opened, LinkRefused):
            return opened
        return link_id, opened

    async def release(self, link_id: str) -> None:
        """The link opened but no chat could start (no agent just then, the platform
        down): it may be opened again until it expires (one that started a chat stays
        used)."""
        await self._records.release_link(link_id)

    async def attach(self, link_id: str, chat_id: str) -> None:
        """Record the chat a link started (the built-in hub does this itself on start)."""
        await self._records.attach(link_id, chat_id)

    async def expire_due(self) -> list[ExpiredLink]:
        """Sent links past their time, marked expired and returned, once each: the caller
        of this records a ``chat-link-expired`` event on each one's call."""
        return await self._records.expire_due(self._clock())

    async def number_for(self, chat_id: str) -> str:
        """The number the link was texted to, for a callback asked from the chat ("" when
        there is none, or retention has blanked it)."""
        return await self._records.number_for(chat_id)
