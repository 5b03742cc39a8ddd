"""ChatStore: a chat's rows and transcript as stored, and as a restart reads them back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from ivr.chat.model import ChatOutcome, ChatState, Sender
from ivr.chat.store import ChatRow, ChatStore
from tests.unit.chat.conftest import START, context


@pytest.fixture
def store(db_path: str) -> Iterator[ChatStore]:
    s = ChatStore(db_path)
    yield s
    s.close()


def new_chat(chat_id: str = "chat-1", *flags: str) -> ChatRow:
    ctx = context(f"call-{chat_id}", *flags)
    return ChatRow(chat_id, ctx.call_id, "", ChatState.WAITING, ctx.priority, ctx, START)


def test_messages_are_numbered_per_chat_from_one(store: ChatStore) -> None:
    store.add_chat(new_chat("a"))
    store.add_chat(new_chat("b"))
    first, fresh = store.add_message("a", Sender.CALLER, "hello", START)
    assert (first.seq, fresh) == (1, True)
    assert store.add_message("b", Sender.CALLER, "hi", START)[0].seq == 1
    second, _ = store.add_message("a", Sender.AGENT, "how can I help?", START, author="PC Jones")
    assert second.seq == 2
    assert store.messages_since("a", 0) == [first, second]
    assert store.messages_since("a", 1) == [second]
    assert store.messages_since("a", 2) == []


def test_a_client_id_seen_before_gives_the_stored_message_back(store: ChatStore) -> None:
    store.add_chat(new_chat())
    sent, _ = store.add_message("chat-1", Sender.CALLER, "hello", START, client_id="c-1")
    again, fresh = store.add_message("chat-1", Sender.CALLER, "hello", START, client_id="c-1")
    assert (again, fresh) == (sent, False)
    assert len(store.messages_since("chat-1", 0)) == 1
    # The database itself refuses a second row with the same client id.
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO chat_messages (chat_id, seq, sender, body, at, client_id)"
            " VALUES ('chat-1', 9, 'caller', 'x', '', 'c-1')"
        )
    # Messages without a client id are never taken for each other.
    store.add_message("chat-1", Sender.SYSTEM, "joined", START)
    store.add_message("chat-1", Sender.SYSTEM, "joined", START)
    assert [m.seq for m in store.messages_since("chat-1", 0)] == [1, 2, 3]


def test_a_saved_chat_reads_back_as_it_was(store: ChatStore) -> None:
    chat = new_chat("c", "vulnerable")
    store.add_chat(chat)
    store.add_message("c", Sender.CALLER, "hello", START)
    chat.state, chat.agent, chat.answered_at = ChatState.ACTIVE, "pc-jones", START
    store.save_chat(chat)
    chat.last_seq = 1
    assert store.chat("c") == chat
    assert store.live_chats() == [chat]
    chat.state, chat.closed_at, chat.closed_by = ChatState.CLOSED, START, "pc-jones"
    chat.outcome = ChatOutcome.ADVICE_GIVEN
    store.save_chat(chat)
    assert store.chat("c") == chat
    assert store.live_chats() == []
    assert store.chat("nope") is None
