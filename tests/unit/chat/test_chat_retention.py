"""Retention of live chat's rows: links' numbers go after numbers_days, chats with their
transcripts and links after records_days (the calls' own two ages); on both engines
(``db_location``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.chat.model import ChatState, Sender
from ivr.chat.store import ChatRow, ChatStore
from ivr.store.retention import Retention, RetentionPolicy
from tests.unit.chat.conftest import context

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
POLICY = RetentionPolicy(numbers_days=30, records_days=400)
NUMBER = "07700900123"


@pytest.fixture
def store(db_location: str) -> Iterator[ChatStore]:
    s = ChatStore(db_location)
    yield s
    s.close()


def add_chat(store: ChatStore, name: str, days_ago: float, messages: int = 3) -> None:
    """A link texted ``days_ago``, opened, and a chat of ``messages`` lines from it."""
    at = NOW - timedelta(days=days_ago)
    ctx = context(f"call-{name}")
    store.add_link(f"link-{name}", ctx, NUMBER, at, at + timedelta(minutes=30))
    assert store.open_link(f"link-{name}", at + timedelta(minutes=1)) == ctx
    chat = ChatRow(name, ctx.call_id, f"link-{name}", ChatState.WAITING, 1, ctx, at)
    store.add_chat(chat)
    for n in range(messages):
        store.add_message(name, Sender.CALLER, f"line {n}", at)
    chat.state = ChatState.CLOSED
    store.save_chat(chat)


def purge(store: ChatStore, *, batch: int = 500) -> dict[str, int]:
    return Retention(store.db, POLICY, batch=batch, rest=0).purge(NOW).counts


def test_a_links_number_goes_after_numbers_days_and_the_chat_stays(store: ChatStore) -> None:
    add_chat(store, "old", days_ago=31)
    add_chat(store, "recent", days_ago=29)
    counts = purge(store)
    assert store.number_for("old") == "" and store.number_for("recent") == NUMBER
    old_link = store.link("link-old")
    assert old_link is not None and old_link["call_id"] == "call-old"  # what it was about stays
    assert len(store.messages_since("old", 0)) == 3 and store.chat("old") is not None
    assert counts["chat links: number blanked"] == 1
    assert purge(store)["chat links: number blanked"] == 0  # once


def test_chats_transcripts_and_links_go_after_records_days(store: ChatStore) -> None:
    add_chat(store, "ancient", days_ago=401)
    add_chat(store, "kept", days_ago=399)
    counts = purge(store)
    assert store.chat("ancient") is None and store.messages_since("ancient", 0) == []
    assert store.link("link-ancient") is None
    assert store.chat("kept") is not None and len(store.messages_since("kept", 0)) == 3
    assert store.link("link-kept") is not None
    assert (counts["chat messages deleted"], counts["chats deleted"]) == (3, 1)
    assert counts["chat links deleted"] == 1


def test_small_batches_reach_every_chat_row(store: ChatStore) -> None:
    for i in range(5):
        add_chat(store, f"a{i}", days_ago=450, messages=i)
        add_chat(store, f"b{i}", days_ago=40)
    counts = purge(store, batch=2)
    assert (counts["chat messages deleted"], counts["chats deleted"]) == (10, 5)
    assert counts["chat links deleted"] == 5
    assert counts["chat links: number blanked"] == 5
    left = store.db.execute(
        "SELECT count(*), sum(CASE WHEN number != '' THEN 1 ELSE 0 END) FROM chat_links"
    ).fetchone()
    assert tuple(left) == (5, 0)
