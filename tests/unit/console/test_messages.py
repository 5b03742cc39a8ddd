"""Incident messages: a catalogue prompt, a scope, an end; played to the callers in scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.messages import IncidentMessages, Scope, ScopeKind
from ivr.session.model import CallInfo
from ivr.session.session import CallSession
from ivr.verbs import Hangup
from ivr.verbs.incident import PlayNotices
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog
from tests.unit.console.support import ANN, START, HandClock, ListAudit

PROMPTS = ("welcome", "incident_flood", "incident_fire", "outage_phones")


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def audit() -> ListAudit:
    return ListAudit()


@pytest.fixture
async def messages(
    db_location: str, clock: HandClock, audit: ListAudit
) -> AsyncIterator[IncidentMessages]:
    store = IncidentMessages(db_location, PROMPTS, audit, clock, intents=lambda: {"burglary"})
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def later(**delta: float) -> str:
    return (START + timedelta(**delta)).isoformat()


async def test_each_scope_reaches_its_callers_until_it_ends(
    messages: IncidentMessages, clock: HandClock, audit: ListAudit
) -> None:
    everyone = await messages.add("outage_phones", "all", later(hours=1), ANN)
    burglary = await messages.add("incident_flood", "intent:burglary", later(hours=2), ANN)
    river = await messages.add("incident_flood", "place:High Street", later(hours=2), ANN)
    at = clock()
    assert [n.id for n in messages.to_play(at, matched=False)] == [everyone.id]
    assert [n.id for n in messages.to_play(at, matched=True, intent="burglary")] == [burglary.id]
    heard = ["there's water all over the high street"]
    assert [n.id for n in messages.to_play(at, matched=True, heard=heard)] == [river.id]
    assert messages.to_play(at, matched=True, heard=["the highstreet"]) == ()
    assert messages.to_play(at, matched=True, intent="lost-property") == ()
    notice = messages.to_play(at, matched=False)[0]
    assert (notice.prompt_id, notice.scope, notice.set_by) == ("outage_phones", "all", "ann")
    clock.advance(hours=1)
    assert messages.to_play(clock(), matched=False) == ()
    assert audit.actions() == ["message.add"] * 3


async def test_a_message_switched_off_is_not_played_and_not_switched_off_twice(
    messages: IncidentMessages, clock: HandClock
) -> None:
    on = await messages.add("outage_phones", "all", later(hours=1), ANN)
    off = await messages.cancel(on.id, ANN)
    assert off.cancelled_by == "ann"
    assert messages.to_play(clock(), matched=False) == ()
    with pytest.raises(NotFound):
        await messages.cancel(on.id, ANN)


@pytest.mark.parametrize(
    ("prompt_id", "scope", "until", "message"),
    [
        ("not_a_prompt", "all", later(hours=1), "prompt of the catalogue"),
        (None, "all", later(hours=1), "prompt of the catalogue"),
        ("outage_phones", "everywhere", later(hours=1), "not all, intent"),
        ("outage_phones", "intent:shoplifting", later(hours=1), "no intent"),
        ("outage_phones", "place:!!", later(hours=1), "a place is"),
        ("outage_phones", "", later(hours=1), "scope is required"),
        ("outage_phones", "all", later(days=8), "more than 7 days"),
        ("outage_phones", "all", None, "until must be a time"),
    ],
)
async def test_a_bad_message_is_refused_with_what_is_wrong(
    messages: IncidentMessages, prompt_id: object, scope: str, until: object, message: str
) -> None:
    with pytest.raises(BadRequest, match=message):
        await messages.add(prompt_id, scope, until, ANN)


def test_a_scope_reads_back_as_it_was_written() -> None:
    assert str(Scope.parse("place:Market Square")) == "place:market square"
    assert Scope.parse("all") == Scope(ScopeKind.ALL)
    assert str(Scope.parse("intent:burglary")) == "intent:burglary"


async def test_a_message_in_force_is_heard_and_on_the_calls_record(
    messages: IncidentMessages, clock: HandClock
) -> None:
    on = await messages.add("outage_phones", "all", later(hours=1), ANN)
    control = FakeControl(auto_finish=True)
    call_log = MemoryCallLog()
    session = CallSession(
        CallInfo("call-1", control.channel_id, "07700900123", "Test", "101"),
        control,
        FakePrompts(),
        call_log,
        [PlayNotices(messages), Hangup(None)],
        lambda: [Hangup("technical_difficulty")],
        clock,
    )
    await session.run()
    played = [d for _, kind, d in call_log.events if kind == "incident-message"]
    assert played == [{"id": on.id, "prompt": "outage_phones", "scope": "all", "set_by": "ann"}]
    assert ("play", ["sound:ivr101/outage_phones"]) in control.calls


async def test_the_same_message_twice_or_a_pile_for_every_caller_is_refused(
    messages: IncidentMessages,
) -> None:
    """Each message for all callers plays before the menu: they are capped, never doubled."""
    await messages.add("outage_phones", "all", later(hours=1), ANN)
    with pytest.raises(Conflict, match="already on"):
        await messages.add("outage_phones", "all", later(hours=2), ANN)
    await messages.add("incident_flood", "all", later(hours=1), ANN)
    with pytest.raises(Conflict, match="at most 2"):
        await messages.add("incident_fire", "all", later(hours=1), ANN)
    await messages.add("incident_fire", "place:High Street", later(hours=1), ANN)  # scoped: fine


async def test_a_message_switched_on_and_off_on_another_node_plays_here_after_a_refresh(
    db_location: str, messages: IncidentMessages, clock: HandClock, audit: ListAudit
) -> None:
    other = IncidentMessages(db_location, PROMPTS, audit, clock, intents=lambda: {"burglary"})
    await other.open()
    try:
        on = await other.add("outage_phones", "all", later(hours=1), ANN)
        assert messages.to_play(clock(), matched=False) == ()  # memory only until read again
        await messages.refresh()
        assert [n.id for n in messages.to_play(clock(), matched=False)] == [on.id]
        await other.cancel(on.id, ANN)
        await messages.refresh()
        assert messages.to_play(clock(), matched=False) == ()
    finally:
        await other.close()
