"""ChatLinks: stored before it is texted, opened once, expired after its minutes, and a
forged token refused before the database is asked."""

from __future__ import annotations

import asyncio

from ivr.chat.links import ChatLinks
from ivr.chat.model import LinkRefused, LinkState
from ivr.chat.store import ChatRecords, ExpiredLink
from ivr.chat.tokens import Purpose, TokenSigner
from tests.unit.chat.conftest import HandClock, context

SECRET = "k" * 40
NUMBER = "07700900123"


def links(records: ChatRecords, clock: HandClock, secret: str = SECRET) -> ChatLinks:
    return ChatLinks(
        records, TokenSigner(secret), clock, public_url="https://101.example.police.uk/", minutes=30
    )


async def test_a_link_is_stored_as_sent_before_it_is_returned(
    records: ChatRecords, clock: HandClock
) -> None:
    link = await links(records, clock).issue(context(), NUMBER)
    row = await records.run(lambda s: s.link(link.link_id))
    assert row is not None
    assert (row["state"], row["call_id"], row["number"]) == (LinkState.SENT, "call-1", NUMBER)
    assert link.url == f"https://101.example.police.uk/chat/{link.token}"
    assert link.expires_at == clock.at.replace(minute=30)
    # Nothing of the caller in the URL: the token is the row's random id, signed.
    assert NUMBER not in link.url and "call-1" not in link.url
    assert TokenSigner(SECRET).verify(Purpose.LINK, link.token) == link.link_id


async def test_opening_gives_the_calls_context_once(records: ChatRecords, clock: HandClock) -> None:
    chat_links = links(records, clock)
    link = await chat_links.issue(context("call-7", "vulnerable"), NUMBER)
    clock.move(minutes=5)
    opened = await chat_links.open(link.token)
    assert opened == (link.link_id, context("call-7", "vulnerable"))
    assert await chat_links.open(link.token) is LinkRefused.USED
    row = await records.run(lambda s: s.link(link.link_id))
    assert row is not None and row["state"] == LinkState.OPENED


async def test_a_link_released_after_no_chat_started_opens_again_but_not_once_attached(
    records: ChatRecords, clock: HandClock
) -> None:
    chat_links = links(records, clock)
    link = await chat_links.issue(context(), NUMBER)
    assert not isinstance(await chat_links.open(link.token), LinkRefused)
    await chat_links.release(link.link_id)  # the channel refused: no chat started
    row = await records.run(lambda s: s.link(link.link_id))
    assert row is not None and (row["state"], row["opened_at"]) == (LinkState.SENT, "")
    assert await chat_links.open(link.token) == (link.link_id, context())
    await chat_links.attach(link.link_id, "chat-1")
    await chat_links.release(link.link_id)  # a chat was started: it stays used
    assert await chat_links.open(link.token) is LinkRefused.USED


async def test_two_racing_opens_on_two_connections_start_one_chat(
    db_location: str, records: ChatRecords, clock: HandClock
) -> None:
    link = await links(records, clock).issue(context(), NUMBER)
    others = [ChatRecords(db_location) for _ in range(4)]
    for other in others:
        await other.open()
    try:
        results = await asyncio.gather(*(links(r, clock).open(link.token) for r in others))
    finally:
        for other in others:
            await other.close()
    wins = [r for r in results if not isinstance(r, LinkRefused)]
    assert wins == [(link.link_id, context())]
    assert [r for r in results if isinstance(r, LinkRefused)] == [LinkRefused.USED] * 3


async def test_a_link_past_its_minutes_is_refused_as_expired(
    records: ChatRecords, clock: HandClock
) -> None:
    chat_links = links(records, clock)
    link = await chat_links.issue(context(), NUMBER)
    clock.move(minutes=30)
    assert await chat_links.open(link.token) is LinkRefused.EXPIRED
    # Refusing does not mark it: expire_due does, once, so the event is recorded once.
    assert await chat_links.expire_due() == [ExpiredLink(link.link_id, "call-1")]
    assert await chat_links.expire_due() == []
    assert await chat_links.open(link.token) is LinkRefused.EXPIRED


async def test_expire_due_marks_only_sent_links_past_their_time(
    records: ChatRecords, clock: HandClock
) -> None:
    chat_links = links(records, clock)
    opened = await chat_links.issue(context("opened"), NUMBER)
    due = await chat_links.issue(context("due"), NUMBER)
    clock.move(minutes=10)
    later = await chat_links.issue(context("later"), NUMBER)
    assert isinstance(await chat_links.open(opened.token), tuple)
    clock.move(minutes=25)  # due is 35 minutes old, later 25
    assert await chat_links.expire_due() == [ExpiredLink(due.link_id, "due")]
    rows = await records.run(lambda s: [s.link(x.link_id) for x in (opened, due, later)])
    assert [row and row["state"] for row in rows] == ["opened", "expired", "sent"]


async def test_a_forged_or_edited_token_is_refused_without_a_database_read(
    records: ChatRecords, clock: HandClock, db_location: str
) -> None:
    link = await links(records, clock).issue(context(), NUMBER)
    link_id, _, signature = link.token.rpartition(".")
    never_opened = ChatRecords(db_location)  # any database read on it would raise
    refusing = links(never_opened, clock)
    edited = f"{link_id}x.{signature}"
    other_key = TokenSigner("z" * 40).sign(Purpose.LINK, link_id)
    cookie = TokenSigner(SECRET).sign(Purpose.CALLER, link_id)  # right key, wrong purpose
    for token in (edited, other_key, cookie, link_id, "", "." * 3, "a" * 500):
        assert await refusing.open(token) is LinkRefused.UNKNOWN, token
    await never_opened.close()
    # The same good token through an open store still works: the refusals were the token's.
    assert isinstance(await links(records, clock).open(link.token), tuple)


async def test_a_good_token_for_no_row_is_unknown(records: ChatRecords, clock: HandClock) -> None:
    token = TokenSigner(SECRET).sign(Purpose.LINK, TokenSigner.new_id())
    assert await links(records, clock).open(token) is LinkRefused.UNKNOWN


async def test_the_number_is_found_by_the_chat_a_link_started(
    records: ChatRecords, clock: HandClock
) -> None:
    chat_links = links(records, clock)
    link = await chat_links.issue(context(), NUMBER)
    assert await chat_links.number_for("chat-9") == ""
    await chat_links.attach(link.link_id, "chat-9")
    assert await chat_links.number_for("chat-9") == NUMBER
