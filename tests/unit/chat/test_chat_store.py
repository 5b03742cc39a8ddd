"""ChatStore: a chat's rows and transcript as stored, and as a restart reads them back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from ivr.chat.model import ChatOutcome, ChatState, Sender
from ivr.chat.store import ChatRow, ChatStore
from tests.engine_errors import DUPLICATE
from tests.unit.chat.conftest import START, context


@pytest.fixture
def store(db_location: str) -> Iterator[ChatStore]:
    s = ChatStore(db_location)
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
    with pytest.raises(DUPLICATE):
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


def test_two_connections_writing_one_transcript_number_every_message_once(
    store: ChatStore, db_location: str
) -> None:
    """Two processes (two connections) adding to one chat at once: each message takes the
    next number, none is refused for a number the other took."""
    store.add_chat(new_chat())
    other = ChatStore(db_location)
    both = threading.Barrier(2)

    def write(writer: ChatStore, sender: Sender) -> None:
        both.wait()
        for i in range(25):
            writer.add_message("chat-1", sender, f"{sender.value} {i}", START)

    try:
        with ThreadPoolExecutor(2) as pool:
            runs = [
                pool.submit(write, store, Sender.CALLER),
                pool.submit(write, other, Sender.AGENT),
            ]
            for run in runs:
                run.result()
    finally:
        other.close()
    assert [m.seq for m in store.messages_since("chat-1", 0)] == list(range(1, 51))


def test_the_live_chats_come_back_oldest_first(store: ChatStore) -> None:
    """What a restarted hub queues: by when each chat opened, not by when it was stored."""
    for chat_id, minutes in (("b", 2), ("c", 0), ("a", 1)):
        chat = new_chat(chat_id)
        chat.opened_at = START + timedelta(minutes=minutes)
        store.add_chat(chat)
    assert [c.chat_id for c in store.live_chats()] == ["c", "a", "b"]
