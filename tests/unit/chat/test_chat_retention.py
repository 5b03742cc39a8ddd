"""Retention of live chat's rows: links' numbers go after numbers_days, chats with their
transcripts and links after records_days (the calls' own two ages).

On both engines (``db_location``). The rows are written as ivr.chat.store writes them
(its own tests pin that): retention is what is under test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.chat.model import ChatState, LinkState, Sender
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.engine import Database, Row
from ivr.store.retention import Retention, RetentionPolicy
from tests.unit.chat.conftest import context

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
POLICY = RetentionPolicy(numbers_days=30, records_days=400)
NUMBER = "07700900123"


@pytest.fixture
def db(db_location: str) -> Iterator[Database]:
    store = CallStore(db_location)
    yield store.db
    store.close()


def add_chat(db: Database, name: str, days_ago: float, messages: int = 3) -> None:
    """A link texted ``days_ago``, opened, and a closed chat of ``messages`` lines from it."""
    at = iso(NOW - timedelta(days=days_ago))
    ctx = json.dumps(context(f"call-{name}").to_json())
    with write_transaction(db):
        db.insert(
            "chat_links",
            {
                "link_id": f"link-{name}",
                "call_id": f"call-{name}",
                "number": NUMBER,
                "context": ctx,
                "created_at": at,
                "expires_at": at,
                "state": LinkState.OPENED.value,
                "opened_at": at,
                "chat_id": name,
            },
        )
        db.insert(
            "chats",
            {
                "chat_id": name,
                "call_id": f"call-{name}",
                "link_id": f"link-{name}",
                "state": ChatState.CLOSED.value,
                "priority": 1,
                "context": ctx,
                "opened_at": at,
            },
        )
        for n in range(messages):
            db.insert(
                "chat_messages",
                {
                    "chat_id": name,
                    "seq": n + 1,
                    "sender": Sender.CALLER.value,
                    "body": f"line {n}",
                    "at": at,
                },
            )


def link(db: Database, name: str) -> Row | None:
    rows = db.rows_where("chat_links", "link_id = ?", [f"link-{name}"])
    return rows[0] if rows else None


def chat(db: Database, name: str) -> Row | None:
    rows = db.rows_where("chats", "chat_id = ?", [name])
    return rows[0] if rows else None


def messages(db: Database, name: str) -> int:
    return int(db.scalar("SELECT count(*) FROM chat_messages WHERE chat_id = ?", [name]))


def purge(db: Database, *, batch: int = 500) -> dict[str, int]:
    return Retention(db, POLICY, batch=batch, rest=0).purge(NOW).counts


def test_a_links_number_goes_after_numbers_days_and_the_chat_stays(db: Database) -> None:
    add_chat(db, "old", days_ago=31)
    add_chat(db, "recent", days_ago=29)
    counts = purge(db)
    old_link, recent_link = link(db, "old"), link(db, "recent")
    assert old_link is not None and recent_link is not None
    assert (old_link["number"], recent_link["number"]) == ("", NUMBER)
    assert old_link["call_id"] == "call-old"  # what it was about stays
    assert messages(db, "old") == 3 and chat(db, "old") is not None
    assert counts["chat links: number blanked"] == 1
    assert purge(db)["chat links: number blanked"] == 0  # once


def test_chats_transcripts_and_links_go_after_records_days(db: Database) -> None:
    add_chat(db, "ancient", days_ago=401)
    add_chat(db, "kept", days_ago=399)
    counts = purge(db)
    assert chat(db, "ancient") is None and messages(db, "ancient") == 0
    assert link(db, "ancient") is None
    assert chat(db, "kept") is not None and messages(db, "kept") == 3
    assert link(db, "kept") is not None
    assert (counts["chat messages deleted"], counts["chats deleted"]) == (3, 1)
    assert counts["chat links deleted"] == 1


def test_small_batches_reach_every_chat_row(db: Database) -> None:
    for i in range(5):
        add_chat(db, f"a{i}", days_ago=450, messages=i)
        add_chat(db, f"b{i}", days_ago=40)
    counts = purge(db, batch=2)
    assert (counts["chat messages deleted"], counts["chats deleted"]) == (10, 5)
    assert counts["chat links deleted"] == 5
    assert counts["chat links: number blanked"] == 5
    left = db.execute(
        "SELECT count(*), sum(CASE WHEN number != '' THEN 1 ELSE 0 END) FROM chat_links"
    ).fetchone()
    assert tuple(left) == (5, 0)
