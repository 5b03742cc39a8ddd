"""ChatDesk: chat is offered only while its schedule is open and an agent can answer in
time; the link's text is stored before the caller may be told it is coming."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.chat.desk import ChatDesk, chat_availability
from ivr.chat.model import (
    ChatAvailability,
    ChatContext,
    ChatLink,
    ChatStart,
    Unavailable,
)
from ivr.chat.settings import ChatSettings
from ivr.routing.schedules import Schedules
from ivr.routing.schedules_yaml import parse_schedules

LONDON = ZoneInfo("Europe/London")
ON = ChatSettings(enabled=True, max_wait_minutes=20.0)
HOURS = """
timezone: Europe/London
bank_holidays: {region: ENG, extra: [], not_holidays: []}
closures:
  - {date: 2026-11-26, reason: chat platform upgrade, schedules: [live-chat]}
schedules:
  live-chat:
    hours: {mon-fri: "08:00-20:00"}
    bank_holidays: closed
  rc-hours:
    hours: {daily: "00:00-24:00"}
"""


def local(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LONDON)


TUESDAY_NOON = local(24, 12)


@pytest.fixture(scope="module")
def hours() -> Schedules:
    return parse_schedules(HOURS)


class Agents:
    """The channel's own view of agents and capacity, as ChatHub.availability gives it."""

    def __init__(self, seen: ChatAvailability) -> None:
        self.seen = seen
        self.asked: list[datetime] = []

    def availability(self, now: datetime) -> ChatAvailability:
        self.asked.append(now)
        return self.seen

    async def start(self, context: ChatContext, link_id: str) -> ChatStart:
        raise AssertionError("the IVR never starts a chat")


class Broken(Agents):
    def availability(self, now: datetime) -> ChatAvailability:
        raise ConnectionError("platform status check timed out")


FREE = Agents(ChatAvailability(True, 240.0))


@pytest.mark.parametrize(
    ("at", "why"),
    [
        (TUESDAY_NOON, None),
        (local(24, 7), Unavailable.CLOSED),  # before the chat hours
        (local(24, 20), Unavailable.CLOSED),  # end exclusive
        (local(28, 12), Unavailable.CLOSED),  # Saturday: weekdays only
        (local(25, 12, month=12), Unavailable.CLOSED),  # Christmas Day: closed on holidays
        (local(26, 12), Unavailable.CLOSED),  # the closure
        (local(27, 12), None),  # the day after it
    ],
)
def test_chat_is_offered_only_within_its_schedule(
    hours: Schedules, at: datetime, why: Unavailable | None
) -> None:
    seen = chat_availability(ON, hours, FREE, at)
    assert seen.open is (why is None)
    assert seen.why_not is why
    assert seen.expected_wait_s == (240.0 if why is None else None)


@pytest.mark.parametrize(
    ("channel", "why"),
    [
        (Agents(ChatAvailability.closed(Unavailable.NO_AGENTS)), Unavailable.NO_AGENTS),
        (Agents(ChatAvailability(False)), Unavailable.NO_AGENTS),  # no reason given
        (Agents(ChatAvailability(True, 20 * 60 + 1)), Unavailable.FULL),
        (Broken(ChatAvailability(True, 0.0)), Unavailable.PLATFORM_DOWN),
    ],
)
def test_no_agent_no_room_or_no_answer_means_no_offer(
    hours: Schedules, channel: Agents, why: Unavailable
) -> None:
    assert chat_availability(ON, hours, channel, TUESDAY_NOON) == ChatAvailability.closed(why)


def test_the_longest_wait_allowed_is_still_offered(hours: Schedules) -> None:
    edge = Agents(ChatAvailability(True, 20 * 60))
    assert chat_availability(ON, hours, edge, TUESDAY_NOON) == ChatAvailability(True, 1200.0)


def test_switched_off_or_outside_hours_the_channel_is_not_even_asked(hours: Schedules) -> None:
    channel = Agents(ChatAvailability(True, 0.0))
    off = ChatSettings(enabled=False)
    assert chat_availability(off, hours, channel, TUESDAY_NOON).why_not is Unavailable.DISABLED
    assert chat_availability(ON, hours, channel, local(24, 23)).why_not is Unavailable.CLOSED
    assert channel.asked == []


def test_an_unknown_schedule_name_counts_as_closed(hours: Schedules) -> None:
    typo = ChatSettings(enabled=True, schedule="live-chta")
    assert chat_availability(typo, hours, FREE, TUESDAY_NOON).why_not is Unavailable.CLOSED


class Links:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.issued: list[tuple[ChatContext, str]] = []

    async def issue(self, context: ChatContext, number: str) -> ChatLink:
        if self.fail:
            raise OSError("disk full")
        self.issued.append((context, number))
        expires = TUESDAY_NOON + timedelta(minutes=30)
        url = "https://101.example.police.uk/chat/abc.def"
        return ChatLink("link-1", context.call_id, "abc.def", url, expires)


class Outbox:
    def __init__(self, stores: bool = True) -> None:
        self.stores = stores
        self.texts: list[tuple[str, str, str, float]] = []

    async def chat_link(self, call_id: str, number: str, url: str, minutes: float) -> bool:
        self.texts.append((call_id, number, url, minutes))
        return self.stores


def desk(hours: Schedules, links: Links, texts: Outbox) -> ChatDesk:
    settings = ChatSettings(enabled=True, link_minutes=15.0)
    return ChatDesk(settings, FREE, lambda: hours, links, texts, lambda: TUESDAY_NOON)


CONTEXT = ChatContext("call-1", intent="report-theft", heard=("my bike was stolen",))


async def test_send_link_issues_the_link_then_stores_its_text(hours: Schedules) -> None:
    links, texts = Links(), Outbox()
    assert await desk(hours, links, texts).send_link(CONTEXT, "07700900123")
    assert links.issued == [(CONTEXT, "07700900123")]
    assert texts.texts == [
        ("call-1", "07700900123", "https://101.example.police.uk/chat/abc.def", 15.0)
    ]


async def test_a_link_not_issued_or_a_text_not_stored_is_not_sent(hours: Schedules) -> None:
    texts = Outbox()
    assert not await desk(hours, Links(fail=True), texts).send_link(CONTEXT, "07700900123")
    assert texts.texts == []  # no text for a link that was never stored
    assert not await desk(hours, Links(), Outbox(stores=False)).send_link(CONTEXT, "07700900123")


def test_the_desk_reads_the_hours_live_now(hours: Schedules) -> None:
    """A publish that changes the chat hours applies to the next offer."""
    current: list[Schedules] = [hours]
    at = local(24, 21)
    d = ChatDesk(ON, FREE, lambda: current[0], Links(), Outbox(), lambda: at)
    assert not d.availability().open
    current[0] = parse_schedules(HOURS.replace('"08:00-20:00"', '"08:00-22:00"'))
    assert d.availability().open
    assert d.availability(local(24, 23)).why_not is Unavailable.CLOSED
