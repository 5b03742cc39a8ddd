"""What the hub tells a chat page or an agent's desk as it happens (ChatEvent), the
subscriber that carries it (ChatListener), and a chat as the desk shows it (ChatView).
ChatHub re-exports them (ivr.chat.hub).

A listener's backlog is bounded: a reader that falls that far behind is dropped (its
backlog cleared, one DROPPED event, then the end), so one slow phone never holds up the
others or grows memory. Nothing is lost by that: every message is stored first, and the
page reconnects asking for the messages after the last ``seq`` it has (ChatHub.since).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ivr.chat.model import ChatContext, ChatMessage, ChatState, Sender
from ivr.store.db import iso

BACKLOG = 256  # events a listener may have unread before it is dropped


class ChatEventKind(StrEnum):
    """JOINED, TRANSFERRED and CLOSED carry ``seq``: the chat's last message number then."""

    MESSAGE = "message"  # a stored message (``message`` set, ``seq`` its number)
    TYPING = "typing"  # ``sender`` is typing (not stored)
    DELIVERED = "delivered"  # ``sender`` has read up to ``seq`` (not stored)
    JOINED = "joined"  # agent ``who`` took the chat
    TRANSFERRED = "transferred"  # passed to agent ``who``
    CLOSED = "closed"  # ended; ``who``: by whom (an agent id, "caller" or "system")
    QUEUE = "queue"  # the waiting queue changed (``chat_id`` the chat that moved)
    DROPPED = "dropped"  # this listener fell behind: reconnect with since(seq)


@dataclass(frozen=True)
class ChatEvent:
    kind: ChatEventKind
    chat_id: str
    message: ChatMessage | None = None
    seq: int = 0
    sender: Sender | None = None
    who: str = ""

    def to_json(self) -> dict[str, Any]:
        """The wire form, every key always present::

        {"kind": "message", "chat_id": "...", "seq": 3, "sender": "caller" | null,
         "who": "", "message": null | {"seq": 3, "sender": "agent", "author": "PC Jones",
         "body": "...", "at": "2026-12-01T09:00:00.000+00:00", "client_id": ""}}
        """
        m = self.message
        return {
            "kind": self.kind.value,
            "chat_id": self.chat_id,
            "seq": self.seq,
            "sender": self.sender.value if self.sender is not None else None,
            "who": self.who,
            "message": message_json(m) if m is not None else None,
        }

    @classmethod
    def of(cls, message: ChatMessage) -> ChatEvent:
        return cls(ChatEventKind.MESSAGE, message.chat_id, message, message.seq, message.sender)


def message_json(m: ChatMessage) -> dict[str, Any]:
    return {
        "seq": m.seq,
        "sender": m.sender.value,
        "author": m.author,
        "body": m.body,
        "at": iso(m.at),
        "client_id": m.client_id,
    }


@dataclass(frozen=True)
class ChatView:
    """A chat as the desk shows it (and the caller's page its state)."""

    chat_id: str
    call_id: str
    state: ChatState
    priority: int
    context: ChatContext
    opened_at: datetime  # waiting since
    agent: str
    agent_display: str
    answered_at: datetime | None
    last_seq: int
    callback_requested: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "call_id": self.call_id,
            "state": self.state.value,
            "priority": self.priority,
            "context": self.context.to_json(),
            "opened_at": iso(self.opened_at),
            "agent": self.agent,
            "agent_display": self.agent_display,
            "answered_at": iso(self.answered_at) if self.answered_at else None,
            "last_seq": self.last_seq,
            "callback_requested": self.callback_requested,
        }


class ChatListener:
    """One subscriber: ``async for event in listener``; ``close()`` when done. The hub
    pushes without waiting; iteration ends after close, a drop, or the chat's end."""

    def __init__(
        self, chat_id: str, on_close: Callable[[ChatListener], None], backlog: int = BACKLOG
    ):
        self.chat_id = chat_id  # "" for an agent's feed
        self._on_close = on_close
        self._backlog = backlog
        self._items: deque[ChatEvent] = deque()
        self._wake = asyncio.Event()
        self._ended = False
        self.dropped = False

    @property
    def ended(self) -> bool:
        return self._ended

    def push(self, event: ChatEvent) -> None:
        """Queue ``event`` (never blocks); past the backlog the listener is dropped."""
        if self._ended:
            return
        if len(self._items) >= self._backlog:
            self._items.clear()
            self._items.append(ChatEvent(ChatEventKind.DROPPED, self.chat_id))
            self.dropped = True
            self.finish()
            return
        self._items.append(event)
        self._wake.set()

    def finish(self) -> None:
        """End after what is queued (the chat closed, the hub stopped, or a drop)."""
        if not self._ended:
            self._ended = True
            self._wake.set()
            self._on_close(self)

    def close(self) -> None:
        """The reader is done: nothing more is queued or read."""
        self._items.clear()
        self.finish()

    def __aiter__(self) -> ChatListener:
        return self

    async def __anext__(self) -> ChatEvent:
        while not self._items:
            if self._ended:
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()
        return self._items.popleft()
