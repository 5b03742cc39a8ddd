"""ChatHub: messages stored before they are told, resends landing once, the queue's
order, agents' limits, transfer and close, slow listeners, availability, restarts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ivr.chat.hub import (
    AtLimit,
    ChatClosed,
    ChatEvent,
    ChatEventKind,
    ChatHub,
    ChatListener,
    NoSuchChat,
    NotHeld,
    NotSignedIn,
    NotWaiting,
)
from ivr.chat.model import ChatMessage, ChatOutcome, ChatState, ChatUnavailable, Sender, Unavailable
from ivr.chat.store import ChatRecords, ChatStore
from tests.unit.chat.conftest import HandClock, context

HANDLE_S = 600.0


def new_hub(
    records: ChatRecords, clock: HandClock, *, per_agent: int = 2, backlog: int = 256
) -> ChatHub:
    return ChatHub(records, clock, per_agent=per_agent, handle_s=HANDLE_S, backlog=backlog)


@pytest.fixture
async def hub(records: ChatRecords, clock: HandClock) -> AsyncIterator[ChatHub]:
    h = new_hub(records, clock)
    await h.open()
    h.sign_in("pc-jones", "PC Jones")
    yield h
    await h.close()


async def started(hub: ChatHub, call_id: str = "call-1", *flags: str) -> str:
    start = await hub.start(context(call_id, *flags), f"link-{call_id}")
    assert start.chat_id and not start.redirect
    return start.chat_id


def pending(listener: ChatListener) -> list[ChatEvent]:
    """What a listener has queued now, without waiting."""
    return list(listener._items)


class HeldRecords(ChatRecords):
    """Holds each message at the door to the database until the test lets it in."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.entered = asyncio.Event()
        self.door = asyncio.Event()

    async def add_message(self, *args: Any, **kwargs: Any) -> tuple[ChatMessage, bool]:
        self.entered.set()
        await self.door.wait()
        return await super().add_message(*args, **kwargs)


async def test_a_message_is_in_the_database_before_a_listener_gets_it(
    db_location: str, clock: HandClock
) -> None:
    held = HeldRecords(db_location)
    await held.open()
    hub = new_hub(held, clock)
    hub.sign_in("pc-jones", "PC Jones")
    chat_id = await started(hub)
    page = hub.listen(chat_id)
    saying = asyncio.create_task(hub.say(chat_id, Sender.CALLER, "  my bike was stolen  "))
    await held.entered.wait()
    assert pending(page) == []  # not stored yet: nobody is told
    held.door.set()
    sent = await saying
    reader = ChatStore(db_location)  # another connection: sees only what was committed
    try:
        assert reader.messages_since(chat_id, 0) == [sent]
    finally:
        reader.close()
    assert [e.message for e in pending(page)] == [sent]
    assert (sent.body, sent.seq) == ("my bike was stolen", 1)
    await held.close()


async def test_a_resend_with_the_same_client_id_is_not_doubled(hub: ChatHub) -> None:
    chat_id = await started(hub)
    listener = hub.listen(chat_id)
    first = await hub.say(chat_id, Sender.CALLER, "hello", client_id="m-1")
    again = await hub.say(chat_id, Sender.CALLER, "hello", client_id="m-1")
    assert again == first
    assert [m.body for m in await hub.since(chat_id, 0)] == ["hello"]
    assert [e.seq for e in pending(listener)] == [1]  # published once
    assert hub.view(chat_id).last_seq == 1


async def test_since_replays_exactly_what_a_reconnecting_page_missed(hub: ChatHub) -> None:
    chat_id = await started(hub)
    page = hub.listen(chat_id)
    await hub.say(chat_id, Sender.CALLER, "one")
    await hub.take("pc-jones")
    last_seen = pending(page)[-1].seq
    page.close()  # the WebSocket dropped
    await hub.say(chat_id, Sender.AGENT, "two", author="PC Jones")
    await hub.say(chat_id, Sender.CALLER, "three")
    missed = await hub.since(chat_id, last_seen)
    assert [(m.seq, m.body) for m in missed] == [(3, "two"), (4, "three")]
    assert last_seen == 2  # "one", then "PC Jones has joined the chat."


async def test_the_queue_puts_vulnerable_and_repeat_callers_first_then_the_oldest(
    hub: ChatHub, clock: HandClock
) -> None:
    plain_old = await started(hub, "plain-old")
    clock.move(minutes=1)
    repeat = await started(hub, "repeat", "repeat")
    clock.move(minutes=1)
    plain_new = await started(hub, "plain-new")
    clock.move(minutes=1)
    vulnerable = await started(hub, "vulnerable", "vulnerable")
    assert [v.chat_id for v in hub.queue()] == [repeat, vulnerable, plain_old, plain_new]
    taken = await hub.take("pc-jones")  # the next by priority
    assert taken.chat_id == repeat and taken.state is ChatState.ACTIVE
    assert [v.chat_id for v in hub.queue()] == [vulnerable, plain_old, plain_new]


async def test_an_agent_holds_at_most_per_agent_chats(hub: ChatHub) -> None:
    ids = [await started(hub, f"c{i}") for i in range(3)]
    await hub.take("pc-jones", ids[2])
    await hub.take("pc-jones")
    with pytest.raises(AtLimit):
        await hub.take("pc-jones")
    assert [v.chat_id for v in hub.queue()] == [ids[1]]
    assert sorted(v.chat_id for v in hub.held_by("pc-jones")) == sorted([ids[0], ids[2]])
    with pytest.raises(NotSignedIn):
        await hub.take("pc-smith")


async def test_taking_says_who_joined_stamps_answered_once_and_refuses_a_second_taker(
    hub: ChatHub, clock: HandClock
) -> None:
    hub.sign_in("pc-smith", "PC Smith")
    chat_id = await started(hub)
    page, desk = hub.listen(chat_id), hub.agent_feed("pc-smith")
    clock.move(minutes=3)
    view = await hub.take("pc-jones", chat_id)
    assert (view.agent, view.agent_display, view.answered_at) == ("pc-jones", "PC Jones", clock.at)
    with pytest.raises(NotWaiting):
        await hub.take("pc-smith", chat_id)
    events = pending(page)
    assert [e.kind for e in events] == [ChatEventKind.MESSAGE, ChatEventKind.JOINED]
    assert events[0].message is not None and events[0].message.sender is Sender.SYSTEM
    assert events[0].message.body == "PC Jones has joined the chat."
    assert events[1].who == "pc-jones"
    # Another agent's desk hears the queue change, not the chat's messages.
    assert [(e.kind, e.chat_id) for e in pending(desk)] == [(ChatEventKind.QUEUE, chat_id)]
    clock.move(minutes=5)
    moved = await hub.transfer(chat_id, "pc-jones", "pc-smith")
    assert moved.answered_at == view.answered_at  # answered once, not again on transfer


async def test_a_transfer_moves_the_chat_and_tells_both_desks(hub: ChatHub) -> None:
    hub.sign_in("pc-smith", "PC Smith")
    chat_id = await started(hub)
    await hub.take("pc-jones", chat_id)
    jones, smith = hub.agent_feed("pc-jones"), hub.agent_feed("pc-smith")
    with pytest.raises(NotHeld):
        await hub.transfer(chat_id, "pc-smith", "pc-jones")
    with pytest.raises(NotSignedIn):
        await hub.transfer(chat_id, "pc-jones", "pc-brown")
    view = await hub.transfer(chat_id, "pc-jones", "pc-smith")
    assert (view.agent, view.agent_display) == ("pc-smith", "PC Smith")
    assert hub.held_by("pc-jones") == [] and [v.chat_id for v in hub.held_by("pc-smith")] == [
        chat_id
    ]
    for desk in (jones, smith):
        assert (ChatEventKind.TRANSFERRED, "pc-smith") in [(e.kind, e.who) for e in pending(desk)]
    (note,) = [m for m in await hub.since(chat_id, 0) if "now talking" in m.body]
    assert note.body == "You are now talking to PC Smith."


async def test_a_transfer_to_an_agent_at_their_limit_is_refused(
    records: ChatRecords, clock: HandClock
) -> None:
    hub = new_hub(records, clock, per_agent=1)
    hub.sign_in("a", "A")
    hub.sign_in("b", "B")
    one, two = await started(hub, "one"), await started(hub, "two")
    await hub.take("a", one)
    await hub.take("b", two)
    with pytest.raises(AtLimit):
        await hub.transfer(one, "a", "b")
    assert hub.view(one).agent == "a"


async def test_close_with_an_outcome_is_stored_ends_the_pages_and_refuses_more(
    hub: ChatHub, records: ChatRecords, clock: HandClock
) -> None:
    chat_id = await started(hub)
    await hub.take("pc-jones", chat_id)
    page = hub.listen(chat_id)
    clock.move(minutes=9)
    await hub.close_chat(chat_id, ChatOutcome.REFERRED_ONLINE, "pc-jones")
    kinds = [e.kind async for e in page]  # the page's iteration ends
    assert kinds == [ChatEventKind.MESSAGE, ChatEventKind.CLOSED]
    stored = await records.chat(chat_id)
    assert stored is not None
    assert (stored.state, stored.outcome, stored.closed_by, stored.closed_at) == (
        ChatState.CLOSED,
        ChatOutcome.REFERRED_ONLINE,
        "pc-jones",
        clock.at,
    )
    assert not hub.chat_of(chat_id) and hub.view(chat_id).state is ChatState.CLOSED
    assert hub.held_by("pc-jones") == []
    with pytest.raises(ChatClosed):
        await hub.say(chat_id, Sender.CALLER, "hello?")
    with pytest.raises(ChatClosed):
        await hub.close_chat(chat_id, ChatOutcome.ADVICE_GIVEN, "pc-jones")
    late = hub.listen(chat_id)  # a page opened after the end is told so at once
    assert [(e.kind, e.who) async for e in late] == [(ChatEventKind.CLOSED, "pc-jones")]
    with pytest.raises(NoSuchChat):
        await hub.say("no-such-chat", Sender.CALLER, "hello")


async def test_a_caller_who_leaves_a_waiting_chat_closes_it_but_not_an_answered_one(
    hub: ChatHub, records: ChatRecords
) -> None:
    waiting, answered = await started(hub, "w"), await started(hub, "a")
    await hub.take("pc-jones", answered)
    await hub.caller_left(waiting)
    await hub.caller_left(answered)
    stored = await records.chat(waiting)
    assert stored is not None and (stored.outcome, stored.closed_by) == (
        ChatOutcome.CALLER_LEFT,
        "caller",
    )
    assert hub.queue() == [] and hub.chat_of(answered)
    assert (await hub.since(answered, 0))[-1].body == "The caller has left the chat."


async def test_a_callback_is_asked_once(hub: ChatHub, records: ChatRecords) -> None:
    chat_id = await started(hub)
    assert await hub.ask_callback(chat_id) is True
    assert await hub.ask_callback(chat_id) is False
    assert hub.view(chat_id).callback_requested
    stored = await records.chat(chat_id)
    assert stored is not None and stored.callback_requested_at is not None
    bodies = [m.body for m in await hub.since(chat_id, 0)]
    assert bodies == ["The caller asked to be called back."]


async def test_a_caller_who_asked_for_a_callback_and_left_the_page_still_waits(
    hub: ChatHub, records: ChatRecords
) -> None:
    chat_id = await started(hub)
    await hub.ask_callback(chat_id)
    await hub.caller_left(chat_id)
    assert [v.chat_id for v in hub.queue()] == [chat_id] and hub.view(chat_id).callback_requested
    stored = await records.chat(chat_id)
    assert stored is not None and stored.state is ChatState.WAITING


async def test_a_message_body_is_one_to_2000_characters_after_trimming(hub: ChatHub) -> None:
    chat_id = await started(hub)
    for bad in ("", "   \n ", "x" * 2001):
        with pytest.raises(ValueError):
            await hub.say(chat_id, Sender.CALLER, bad)
    assert (await hub.say(chat_id, Sender.CALLER, "x" * 2000)).seq == 1


async def test_typing_and_delivery_are_published_not_stored(hub: ChatHub) -> None:
    chat_id = await started(hub)
    await hub.take("pc-jones", chat_id)
    page, desk = hub.listen(chat_id), hub.agent_feed("pc-jones")
    hub.typing(chat_id, Sender.AGENT)
    await hub.delivered(chat_id, 1, Sender.CALLER)
    for listener in (page, desk):
        assert [(e.kind, e.sender, e.seq) for e in pending(listener)] == [
            (ChatEventKind.TYPING, Sender.AGENT, 0),
            (ChatEventKind.DELIVERED, Sender.CALLER, 1),
        ]
    assert len(await hub.since(chat_id, 0)) == 1  # only "has joined"


async def test_a_slow_listener_is_dropped_and_the_others_get_every_message(
    records: ChatRecords, clock: HandClock
) -> None:
    hub = new_hub(records, clock, backlog=3)
    hub.sign_in("pc-jones", "PC Jones")
    chat_id = await started(hub)
    slow, fast = hub.listen(chat_id), hub.listen(chat_id)
    got = []
    for n in range(6):
        await hub.say(chat_id, Sender.CALLER, f"m{n}")
        got.append(await anext(fast))
    assert [e.message.body for e in got if e.message] == [f"m{n}" for n in range(6)]
    assert [e.kind async for e in slow] == [ChatEventKind.DROPPED]
    assert slow.dropped and not fast.dropped and not fast.ended
    # Nothing was lost: the dropped page asks again from what it had.
    assert len(await hub.since(chat_id, 0)) == 6


async def test_availability_follows_agents_signed_in_and_their_capacity(
    records: ChatRecords, clock: HandClock
) -> None:
    hub = new_hub(records, clock, per_agent=2)
    now = clock.at
    assert hub.availability(now).why_not is Unavailable.NO_AGENTS
    with pytest.raises(ChatUnavailable):
        await hub.start(context(), "link")
    hub.sign_in("a", "A")
    assert hub.availability(now).expected_wait_s == 0.0  # two free slots
    one = await started(hub, "one")
    assert hub.availability(now).expected_wait_s == 0.0  # one waits, one slot still free
    await hub.take("a", one)
    await started(hub, "two")
    await hub.take("a")
    # Both slots taken: the next chat waits for one of 2 slots to free (600 s each).
    assert hub.availability(now).expected_wait_s == pytest.approx(HANDLE_S / 2)
    await started(hub, "three")  # one ahead now
    assert hub.availability(now).expected_wait_s == pytest.approx(2 * HANDLE_S / 2)
    hub.sign_in("b", "B")  # 4 slots, 2 held: the waiting chat and the next both fit
    assert hub.availability(now).expected_wait_s == 0.0
    hub.sign_out("a")  # a's chats still held, but a's slots no longer count
    assert hub.availability(now).expected_wait_s == 0.0
    hub.sign_out("b")
    assert not hub.availability(now).open
    assert [v.chat_id for v in hub.held_by("a")] != []


async def test_a_new_hub_on_the_same_database_has_the_same_chats_and_carries_on(
    records: ChatRecords, clock: HandClock, db_location: str
) -> None:
    first = new_hub(records, clock)
    first.sign_in("pc-jones", "PC Jones")
    waiting = await started(first, "w", "vulnerable")
    active = await started(first, "a")
    closed = await started(first, "c")
    await first.take("pc-jones", active)
    await first.say(active, Sender.AGENT, "hello", author="PC Jones")
    await first.close_chat(closed, ChatOutcome.ADVICE_GIVEN, "pc-jones")
    before = {v.chat_id: v for v in [*first.queue(), *first.held_by("pc-jones")]}
    await first.close()
    await records.close()

    reopened = ChatRecords(db_location)  # the process restarted
    await reopened.open()
    try:
        second = new_hub(reopened, clock)
        await second.open()
        second.sign_in("pc-jones", "PC Jones")
        after = {v.chat_id: v for v in [*second.queue(), *second.held_by("pc-jones")]}
        assert after == before and set(after) == {waiting, active}
        assert not second.chat_of(closed)
        assert (second.view(closed).state, second.view(closed).last_seq) == (ChatState.CLOSED, 1)
        message = await second.say(active, Sender.CALLER, "still there?", client_id="x")
        assert message.seq == 3  # joined, hello, then this
        assert [m.seq for m in await second.since(active, 0)] == [1, 2, 3]
        with pytest.raises(ChatClosed):
            await second.say(closed, Sender.CALLER, "hello?")
        await second.close()
    finally:
        await reopened.close()


async def test_events_and_views_have_a_json_wire_form(hub: ChatHub) -> None:
    chat_id = await started(hub, "call-9", "vulnerable")
    page = hub.listen(chat_id)
    await hub.say(chat_id, Sender.CALLER, "hello", client_id="c-1")
    (event,) = pending(page)
    assert json.loads(json.dumps(event.to_json())) == {
        "kind": "message",
        "chat_id": chat_id,
        "seq": 1,
        "sender": "caller",
        "who": "",
        "message": {
            "seq": 1,
            "sender": "caller",
            "author": "",
            "body": "hello",
            "at": "2026-12-01T09:00:00.000+00:00",
            "client_id": "c-1",
        },
    }
    view = json.loads(json.dumps(hub.view(chat_id).to_json()))
    assert (view["state"], view["priority"], view["answered_at"], view["last_seq"]) == (
        "waiting",
        0,
        None,
        1,
    )
    assert view["context"]["flags"] == ["vulnerable"] and view["context"]["call_id"] == "call-9"


async def test_two_agents_taking_one_chat_at_once_one_gets_it(hub: ChatHub) -> None:
    hub.sign_in("pc-smith", "PC Smith")
    chat_id = await started(hub)
    results = await asyncio.gather(
        hub.take("pc-jones", chat_id), hub.take("pc-smith", chat_id), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["ChatView", "NotWaiting"]
    joined = [m for m in await hub.since(chat_id, 0) if m.sender is Sender.SYSTEM]
    assert len(joined) == 1
