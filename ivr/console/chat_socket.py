"""One caller's chat WebSocket: the hub's events out, the page's frames in.

Page -> server (JSON text frames, ``type``):
    {"type": "send", "client_id": "...", "body": "..."}   a message (client_id: the
        page's own id for it; a resend after a reconnect is not doubled by the hub)
    {"type": "typing"}                                     the caller is typing
    {"type": "seen", "seq": N}                             the page has shown up to N
    {"type": "callback"}                                   call me back instead

Server -> page: the hub's ``ChatEvent.to_json()`` (ivr.chat.hub), with agents' names
blanked (the public sees "an officer"), and three of this module's own ``kind``s:
    {"kind": "hello", "state": ChatState, "joined": bool, "ahead": N | null}
        first, on every connection; then every message after ``?since=N``, in order
    {"kind": "error", "error": "a sentence to show", "client_id": "..." (for a send)}
    {"kind": "no-chat"}   no chat behind this browser's cookie: the page says what to do

A connection ends with close code 4000 when the hub dropped it as too slow (the page
reconnects with ``?since=``), 4404 with no chat, 4429 with too many open for one chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping
from enum import IntEnum, StrEnum
from typing import Any

from aiohttp import WSMsgType, web

from ivr.chat.hub import ChatEvent, ChatEventKind, ChatHub, ChatListener, ChatRefused, NoSuchChat
from ivr.chat.model import ChatMessage, ChatState, Sender
from ivr.console.chat_limits import ChatLimits, MessageRate
from ivr.console.chat_presence import CallerPresence

log = logging.getLogger(__name__)


class PageFrame(StrEnum):
    SEND = "send"
    TYPING = "typing"
    SEEN = "seen"
    CALLBACK = "callback"


class CloseCode(IntEnum):
    DROPPED = 4000  # too slow a reader: reconnect with ?since=
    NO_CHAT = 4404
    TOO_MANY = 4429


MAX_CLIENT_ID = 64


def public_json(event: ChatEvent) -> dict[str, Any]:
    """The event as the caller's page gets it: no agent's name (their user name is a
    console sign-in name; the public is told "an officer")."""
    data = event.to_json()
    if isinstance(data.get("message"), dict):
        data["message"] = {**data["message"], "author": ""}
    if "who" in data:
        data["who"] = ""
    return data


class CallerSocket:
    """Serves one connection (made per connection)."""

    def __init__(
        self,
        hub: ChatHub | None,
        limits: ChatLimits,
        rate: MessageRate,
        presence: CallerPresence,
    ) -> None:
        self._hub = hub
        self._limits = limits
        self._rate = rate
        self._presence = presence
        self._sent: set[int] = set()  # seqs this connection has sent: each once
        self._lock = asyncio.Lock()  # the pump and the reader both write
        self._typed_at = 0.0

    async def serve(self, ws: web.WebSocketResponse, chat_id: str | None, since: int) -> None:
        hub = self._hub
        if hub is None or chat_id is None or not _known(hub, chat_id):
            await self._send(ws, {"kind": "no-chat"})
            await ws.close(code=CloseCode.NO_CHAT)
            return
        if not self._presence.arrive(chat_id):
            error = "This chat is open in too many tabs: close one and reload."
            await self._send(ws, {"kind": "error", "error": error})
            await ws.close(code=CloseCode.TOO_MANY)
            return
        try:
            await self._serve(ws, hub, chat_id, since)
        finally:
            self._presence.leave(chat_id)

    async def _serve(
        self, ws: web.WebSocketResponse, hub: ChatHub, chat_id: str, since: int
    ) -> None:
        # Listen before reading what was missed: a message stored in between is in one
        # or the other (or both: each seq is sent once).
        listener = hub.listen(chat_id) if hub.chat_of(chat_id) else None
        pump: asyncio.Task[None] | None = None
        try:
            await self._send(ws, _hello(hub, chat_id))
            for message in await hub.since(chat_id, since):
                await self._message(ws, message)
            if listener is None:  # closed: the transcript, then nothing more
                await ws.close()
                return
            pump = asyncio.create_task(self._pump(ws, listener), name=f"chat-out-{chat_id}")
            await self._read(ws, hub, chat_id)
        finally:
            if listener is not None:
                listener.close()
            if pump is not None:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pump

    async def _pump(self, ws: web.WebSocketResponse, listener: ChatListener) -> None:
        async for event in listener:
            if event.kind is ChatEventKind.DROPPED:
                await ws.close(code=CloseCode.DROPPED, message=b"reconnect")
                return
            if event.kind is ChatEventKind.MESSAGE and event.message is not None:
                await self._message(ws, event.message)
            else:
                await self._send(ws, public_json(event))

    async def _read(self, ws: web.WebSocketResponse, hub: ChatHub, chat_id: str) -> None:
        async for frame in ws:
            if frame.type is WSMsgType.TEXT:
                await self._frame(ws, hub, chat_id, frame.data)
            elif frame.type is WSMsgType.ERROR:
                break
            else:
                await self._error(ws, "Only text frames are read here.")

    async def _frame(
        self, ws: web.WebSocketResponse, hub: ChatHub, chat_id: str, text: str
    ) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("type") not in set(PageFrame):
            await self._error(ws, "The page sent something this chat cannot read: reload it.")
            return
        try:
            match PageFrame(data["type"]):
                case PageFrame.SEND:
                    await self._say(ws, hub, chat_id, data)
                case PageFrame.TYPING:
                    self._typing(hub, chat_id)
                case PageFrame.SEEN:
                    seq = data.get("seq")
                    if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0:
                        await hub.delivered(chat_id, seq, Sender.CALLER)
                case PageFrame.CALLBACK:
                    if not await hub.ask_callback(chat_id):
                        await self._error(ws, "You have already asked for a call back.")
        except ChatRefused:
            await self._error(ws, "This chat has ended.", data.get("client_id"))

    async def _say(
        self, ws: web.WebSocketResponse, hub: ChatHub, chat_id: str, data: Mapping[str, Any]
    ) -> None:
        client_id, body = data.get("client_id"), data.get("body")
        if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID:
            await self._error(ws, "The page sent a message without its id: reload it.")
            return
        text = body.strip() if isinstance(body, str) else ""
        refused = self._limits.too_long(text)
        if refused is None and not self._rate.allow(chat_id):
            refused = self._limits.too_fast
        if refused is not None:
            await self._error(ws, refused, client_id)
            return
        try:
            message = await hub.say(chat_id, Sender.CALLER, text, client_id=client_id)
        except ValueError as exc:
            await self._error(ws, str(exc), client_id)
            return
        await self._message(ws, message)  # the ack (a resend's came with the replay)

    def _typing(self, hub: ChatHub, chat_id: str) -> None:
        now = time.monotonic()
        if now - self._typed_at >= self._limits.typing_every_s:
            self._typed_at = now
            hub.typing(chat_id, Sender.CALLER)

    async def _message(self, ws: web.WebSocketResponse, message: ChatMessage) -> None:
        if message.seq in self._sent:
            return
        self._sent.add(message.seq)
        await self._send(ws, public_json(ChatEvent.of(message)))

    async def _error(self, ws: web.WebSocketResponse, error: str, client_id: Any = None) -> None:
        frame: dict[str, Any] = {"kind": "error", "error": error}
        if isinstance(client_id, str):
            frame["client_id"] = client_id[:MAX_CLIENT_ID]
        await self._send(ws, frame)

    async def _send(self, ws: web.WebSocketResponse, frame: Mapping[str, Any]) -> None:
        if ws.closed:
            return
        async with self._lock:
            with contextlib.suppress(ConnectionError):
                await ws.send_str(json.dumps(frame))


def _known(hub: ChatHub, chat_id: str) -> bool:
    try:
        hub.view(chat_id)
    except NoSuchChat:
        return False
    return True


def _hello(hub: ChatHub, chat_id: str) -> dict[str, Any]:
    view = hub.view(chat_id)
    waiting = [v.chat_id for v in hub.queue()]
    ahead = waiting.index(chat_id) if chat_id in waiting else None
    return {
        "kind": "hello",
        "state": ChatState(view.state).value,
        "joined": bool(view.agent),
        "ahead": ahead,
    }
