"""Live chat's rows in the call database: links, chats and their transcripts.

``ChatStore`` is synchronous and used only on its own thread; ``ChatRecords`` is its async
face (one connection on a StoreThread: the event loop never waits on the database). Every
promise is committed before it is made: a link's row before the text goes, a message
before anyone is sent it. The tables are ivr.store.chat_tables'.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ivr.chat.model import (
    ChatContext,
    ChatMessage,
    ChatOutcome,
    ChatState,
    LinkRefused,
    LinkState,
    Sender,
)
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.engine import Dialect
from ivr.store.thread import StoreThread

Row = dict[str, Any]


@dataclass(frozen=True, order=True)
class ExpiredLink:
    """A link never opened in time: the caller of ``expire_due`` records a
    ``chat-link-expired`` event on its call (counted apart from abandonment)."""

    link_id: str
    call_id: str


@dataclass
class ChatRow:
    """A chat as stored (and, for the live ones, as the hub keeps it in memory)."""

    chat_id: str
    call_id: str
    link_id: str
    state: ChatState
    priority: int
    context: ChatContext
    opened_at: datetime
    answered_at: datetime | None = None
    agent: str = ""
    closed_at: datetime | None = None
    closed_by: str = ""
    outcome: ChatOutcome | None = None
    callback_requested_at: datetime | None = None
    last_seq: int = 0  # the transcript's last message number (0: none yet)


def _time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _stored(at: datetime | None) -> str:
    return iso(at) if at is not None else ""


def _chat(row: Row, last_seq: int) -> ChatRow:
    opened = _time(row["opened_at"])
    assert opened is not None  # NOT NULL, written by add_chat
    return ChatRow(
        chat_id=row["chat_id"],
        call_id=row["call_id"],
        link_id=row["link_id"],
        state=ChatState(row["state"]),
        priority=int(row["priority"]),
        context=ChatContext.from_json(json.loads(row["context"])),
        opened_at=opened,
        answered_at=_time(row["answered_at"]),
        agent=row["agent"],
        closed_at=_time(row["closed_at"]),
        closed_by=row["closed_by"],
        outcome=ChatOutcome(row["outcome"]) if row["outcome"] else None,
        callback_requested_at=_time(row["callback_requested_at"]),
        last_seq=last_seq,
    )


def _message(row: tuple[Any, ...]) -> ChatMessage:
    chat_id, seq, sender, author, body, at, client_id = row
    return ChatMessage(
        chat_id, int(seq), Sender(sender), body, datetime.fromisoformat(at), author, client_id
    )


_MESSAGE_COLUMNS = "chat_id, seq, sender, author, body, at, client_id"


class ChatStore:
    """Synchronous queries; used only on the chat records' thread."""

    def __init__(self, path: str) -> None:
        self._calls = CallStore(path)  # migrates a new database itself
        self.db = self._calls.db

    def close(self) -> None:
        self._calls.close()

    # --- links -----------------------------------------------------------------------

    def add_link(
        self,
        link_id: str,
        context: ChatContext,
        number: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO chat_links (link_id, call_id, number, context, created_at,"
                " expires_at, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    link_id,
                    context.call_id,
                    number,
                    json.dumps(context.to_json()),
                    iso(created_at),
                    iso(expires_at),
                    LinkState.SENT.value,
                ],
            )

    def open_link(self, link_id: str, now: datetime) -> ChatContext | LinkRefused:
        """Mark a sent, unexpired link opened and give its context; one UPDATE guarded by
        its state, so of two racing opens (even from two processes) exactly one wins."""
        with write_transaction(self.db):
            cur = self.db.execute(
                "UPDATE chat_links SET state = ?, opened_at = ?"
                " WHERE link_id = ? AND state = ? AND expires_at > ? RETURNING context",
                [LinkState.OPENED.value, iso(now), link_id, LinkState.SENT.value, iso(now)],
            )
            won = cur.fetchone()
            if won is not None:
                return ChatContext.from_json(json.loads(won[0]))
            row = self.db.execute(
                "SELECT state FROM chat_links WHERE link_id = ?", [link_id]
            ).fetchone()
        if row is None:
            return LinkRefused.UNKNOWN
        # A sent link past its time is refused as expired; expire_due marks it (and its
        # call's event is recorded once, there).
        return LinkRefused.USED if row[0] == LinkState.OPENED.value else LinkRefused.EXPIRED

    def release_link(self, link_id: str) -> None:
        """An opened link that started no chat (the channel refused) is sent again:
        single use means one chat, not one try."""
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE chat_links SET state = ?, opened_at = '' WHERE link_id = ?"
                " AND state = ? AND chat_id = ''",
                [LinkState.SENT.value, link_id, LinkState.OPENED.value],
            )

    def attach(self, link_id: str, chat_id: str) -> None:
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE chat_links SET chat_id = ? WHERE link_id = ?", [chat_id, link_id]
            )

    def expire_due(self, now: datetime) -> list[ExpiredLink]:
        with write_transaction(self.db):
            rows = self.db.execute(
                "UPDATE chat_links SET state = ? WHERE state = ? AND expires_at <= ?"
                " RETURNING link_id, call_id",
                [LinkState.EXPIRED.value, LinkState.SENT.value, iso(now)],
            ).fetchall()
        return sorted(ExpiredLink(link_id, call_id) for link_id, call_id in rows)

    def number_for(self, chat_id: str) -> str:
        row = self.db.execute(
            "SELECT number FROM chat_links WHERE chat_id = ? LIMIT 1", [chat_id]
        ).fetchone()
        return str(row[0]) if row is not None else ""

    def link(self, link_id: str) -> Row | None:
        """The link's row as stored (tests, the console's record of a call)."""
        rows = self.db.rows_where("chat_links", "link_id = ?", [link_id])
        return rows[0] if rows else None

    # --- chats -----------------------------------------------------------------------

    def add_chat(self, chat: ChatRow) -> None:
        """A new chat, tied to the link it was started from in the same commit."""
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO chats (chat_id, call_id, link_id, state, priority, context,"
                " opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    chat.chat_id,
                    chat.call_id,
                    chat.link_id,
                    chat.state.value,
                    chat.priority,
                    json.dumps(chat.context.to_json()),
                    iso(chat.opened_at),
                ],
            )
            if chat.link_id:
                self.db.execute(
                    "UPDATE chat_links SET chat_id = ? WHERE link_id = ?",
                    [chat.chat_id, chat.link_id],
                )

    def save_chat(self, chat: ChatRow) -> None:
        """The chat's changing fields (state, agent, answered, closed, callback)."""
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE chats SET state = ?, agent = ?, answered_at = ?, closed_at = ?,"
                " closed_by = ?, outcome = ?, callback_requested_at = ? WHERE chat_id = ?",
                [
                    chat.state.value,
                    chat.agent,
                    _stored(chat.answered_at),
                    _stored(chat.closed_at),
                    chat.closed_by,
                    chat.outcome.value if chat.outcome is not None else "",
                    _stored(chat.callback_requested_at),
                    chat.chat_id,
                ],
            )

    def chat(self, chat_id: str) -> ChatRow | None:
        rows = self.db.rows_where("chats", "chat_id = ?", [chat_id])
        return _chat(rows[0], self._last_seq(chat_id)) if rows else None

    def live_chats(self) -> list[ChatRow]:
        """The chats waiting or with an agent: what a restarted hub picks up, oldest
        first (chats opened in the same millisecond: by id, an order both engines keep)."""
        rows = self.db.rows_where(
            "chats",
            "state IN (?, ?)",
            [ChatState.WAITING.value, ChatState.ACTIVE.value],
            order_by="opened_at, chat_id",
        )
        return [_chat(row, self._last_seq(row["chat_id"])) for row in rows]

    def recently_closed(self, limit: int) -> list[ChatRow]:
        """The last ``limit`` chats closed, oldest first (a page open on one when the
        process restarted is still told it ended)."""
        rows = self.db.rows_where(
            "chats", "state = ?", [ChatState.CLOSED.value], order_by="closed_at desc", limit=limit
        )
        return [_chat(row, self._last_seq(row["chat_id"])) for row in rows][::-1]

    # --- messages --------------------------------------------------------------------

    def add_message(
        self,
        chat_id: str,
        sender: Sender,
        body: str,
        at: datetime,
        *,
        author: str = "",
        client_id: str = "",
    ) -> tuple[ChatMessage, bool]:
        """The message numbered next and stored; True if new. A ``client_id`` seen
        before in this chat gives the stored message back (and False)."""
        with write_transaction(self.db):
            self._lock_chat(chat_id)
            if client_id:
                row = self.db.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM chat_messages"
                    " WHERE chat_id = ? AND client_id = ?",
                    [chat_id, client_id],
                ).fetchone()
                if row is not None:
                    return _message(row), False
            seq = self._last_seq(chat_id) + 1
            self.db.execute(
                f"INSERT INTO chat_messages ({_MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [chat_id, seq, sender.value, author, body, iso(at), client_id],
            )
        return ChatMessage(chat_id, seq, sender, body, at, author, client_id), True

    def messages_since(self, chat_id: str, seq: int) -> list[ChatMessage]:
        rows = self.db.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM chat_messages WHERE chat_id = ? AND seq > ?"
            " ORDER BY seq",
            [chat_id, seq],
        ).fetchall()
        return [_message(row) for row in rows]

    def _lock_chat(self, chat_id: str) -> None:
        """Inside a transaction: one writer at a time numbers this chat's messages.

        SQLite's BEGIN IMMEDIATE holds the one write lock already. On PostgreSQL two
        connections (two processes) would read the same last seq, and the second INSERT
        fail: the chat's row is locked instead, until the transaction ends.
        """
        if self.db.dialect is Dialect.POSTGRES:
            self.db.execute("SELECT 1 FROM chats WHERE chat_id = ? FOR UPDATE", [chat_id])

    def _last_seq(self, chat_id: str) -> int:
        row = self.db.execute(
            "SELECT coalesce(max(seq), 0) FROM chat_messages WHERE chat_id = ?", [chat_id]
        ).fetchone()
        return int(row[0])


class ChatRecords(StoreThread[ChatStore]):
    """Async face of the chat tables: one connection, one thread. Open it once
    (``await records.open()``) and share it between ChatLinks and ChatHub."""

    def __init__(self, path: str) -> None:
        super().__init__(
            "chat", lambda: ChatStore(path), lambda: RuntimeError("the chat records are not open")
        )

    async def add_link(
        self,
        link_id: str,
        context: ChatContext,
        number: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        await self.run(lambda s: s.add_link(link_id, context, number, created_at, expires_at))

    async def open_link(self, link_id: str, now: datetime) -> ChatContext | LinkRefused:
        return await self.run(lambda s: s.open_link(link_id, now))

    async def release_link(self, link_id: str) -> None:
        await self.run(lambda s: s.release_link(link_id))

    async def attach(self, link_id: str, chat_id: str) -> None:
        await self.run(lambda s: s.attach(link_id, chat_id))

    async def expire_due(self, now: datetime) -> list[ExpiredLink]:
        return await self.run(lambda s: s.expire_due(now))

    async def number_for(self, chat_id: str) -> str:
        return await self.run(lambda s: s.number_for(chat_id))

    async def add_chat(self, chat: ChatRow) -> None:
        await self.run(lambda s: s.add_chat(chat))

    async def save_chat(self, chat: ChatRow) -> None:
        snapshot = replace(chat)  # as it is now: the loop may change it before the thread runs
        await self.run(lambda s: s.save_chat(snapshot))

    async def chat(self, chat_id: str) -> ChatRow | None:
        return await self.run(lambda s: s.chat(chat_id))

    async def live_chats(self) -> list[ChatRow]:
        return await self.run(lambda s: s.live_chats())

    async def recently_closed(self, limit: int) -> list[ChatRow]:
        return await self.run(lambda s: s.recently_closed(limit))

    async def add_message(
        self,
        chat_id: str,
        sender: Sender,
        body: str,
        at: datetime,
        *,
        author: str = "",
        client_id: str = "",
    ) -> tuple[ChatMessage, bool]:
        return await self.run(
            lambda s: s.add_message(chat_id, sender, body, at, author=author, client_id=client_id)
        )

    async def messages_since(self, chat_id: str, seq: int) -> list[ChatMessage]:
        return await self.run(lambda s: s.messages_since(chat_id, seq))
