"""OfferChat through the flow: where the online link is offered, chat is offered instead
while the desk says open; yes texts the link and ends the call as deflected:chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest

from ivr.callers.model import CallerProfile
from ivr.chat.model import ChatAvailability, ChatContext, Unavailable
from ivr.decisions import Decision, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.notify.outbox import OutboxStore, SmsOutbox
from ivr.notify.sensitive import Sensitivity
from ivr.notify.texts import Texts
from ivr.routing.model import RoutingInputs
from ivr.session.events import DigitPressed
from ivr.session.model import CallInfo, Outcome, Verb
from ivr.session.session import CallSession
from ivr.verbs.chat_offer import OfferChat, wait_minutes
from ivr.verbs.deflect import OfferLink
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, TableCallers, fixed_clock

MOBILE = "07700900123"
LINK = "https://example.police.uk/report"


class Routing:
    emergency_key: str | None = None

    def decide(self, inputs: RoutingInputs) -> Decision:
        return Decision("route", "rc", rule="t", reason="t")

    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        return None

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        return None


class Desk:
    """The chat desk's two answers, as ChatDesk gives them (its own tests: test_desk)."""

    def __init__(self, seen: ChatAvailability, *, sends: bool = True) -> None:
        self.seen = seen
        self.sends = sends
        self.sent: list[tuple[ChatContext, str]] = []

    def availability(self, now: datetime | None = None) -> ChatAvailability:
        return self.seen

    async def send_link(self, context: ChatContext, number: str) -> bool:
        self.sent.append((context, number))
        return self.sends


OPEN = ChatAvailability(True, 7 * 60 + 5)


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[SmsOutbox]:
    box = SmsOutbox(str(tmp_path / "sms.db"))
    await box.open()
    try:
        yield box
    finally:
        await box.close()


async def kinds(outbox: SmsOutbox) -> list[str]:
    def read(store: OutboxStore) -> list[str]:
        return [str(r["kind"]) for r in store.db.rows_where("sms_outbox", order_by="id")]

    return await outbox.run(read)


def call(
    flow: Sequence[Verb],
    *,
    number: str = MOBILE,
    flags: frozenset[str] = frozenset(),
) -> tuple[CallSession, FakeControl, MemoryCallLog]:
    control = FakeControl(auto_finish=True)
    log = MemoryCallLog()
    session = CallSession(
        CallInfo("call-1", control.channel_id, number, "", "101"),
        control,
        FakePrompts(),
        log,
        list(flow),
        list,
        fixed_clock,
        callers=TableCallers({number: CallerProfile(flags=flags)}),
    )
    return session, control, log


def flows(texts: Texts, desk: Desk | None) -> FlowBuilder:
    return FlowBuilder(
        FlowSettings(first_digit_timeout=0.2), Routing(), FakePrompts(), texts=texts, chat=desk
    )


def played(control: FakeControl) -> list[str]:
    return [m for op, media in control.calls if op == "play" for m in media]


async def run_answering(session: CallSession, control: FakeControl, key: str) -> None:
    """Run the call; ``key`` (pressed during the first prompt) answers the first offer."""
    control.push(DigitPressed(key))
    await asyncio.wait_for(session.run(), 5)


async def test_yes_to_chat_texts_the_link_with_the_calls_context_and_ends_deflected_chat(
    outbox: SmsOutbox,
) -> None:
    desk = Desk(OPEN)
    flow = flows(Texts(outbox, LINK), desk).route_to("online", intent="report-theft")
    session, control, log = call(flow, flags=frozenset({"vulnerable"}))
    await session.caller_profile()
    session.about(categories=["report-theft"], heard=["my bike was stolen 42 18734 24"])
    await run_answering(session, control, "1")
    assert played(control)[:5] == [
        "sound:ivr101/chat_offer",
        "sound:ivr101/chat_wait_about",
        "number:8",  # 7 min 5 s: rounded up, never promised shorter than it is
        "sound:ivr101/minutes",
        "sound:ivr101/chat_offer_choose",
    ]
    [(context, number)] = desk.sent
    assert number == MOBILE
    assert context == ChatContext(
        call_id="call-1",
        intent="report-theft",
        destination="",
        heard=("my bike was stolen 42 18734 24",),
        reference="42/18734/24",
        flags=("vulnerable",),
        categories=("report-theft",),
    )
    assert MOBILE not in str(context.to_json())
    assert session.outcome == "deflected:chat" and session.destination == "chat"
    assert played(control)[-1] == "sound:ivr101/chat_sms_sent"
    assert control.ops()[-1] == "hangup"
    events = dict((kind, detail) for _, kind, detail in log.events)
    assert events["chat-offered"] == {"wait_min": 8}
    assert events["deflected"] == {"channel": "chat-link"}
    assert "chat-accepted" in events and "link-offered" not in events


async def answer_offer(offer: Verb, key: str) -> tuple[Outcome, CallSession, MemoryCallLog]:
    """Run the offer alone (what follows it is only looked at); ``key`` answers it."""
    session, control, log = call([])
    control.push(DigitPressed(key))
    return await offer.run(session), session, log


async def test_no_to_chat_goes_to_a_person_not_to_another_offer(outbox: SmsOutbox) -> None:
    desk = Desk(OPEN)
    builder = flows(Texts(outbox, LINK), desk)
    [offer] = builder.route_to("online")
    outcome, session, log = await answer_offer(offer, "2")
    assert outcome.status == "declined" and desk.sent == []
    assert [v.describe() for v in outcome.next_flow or ()][:1] == ["play:transfer_rc"]
    assert "chat-declined" in log.kinds() and "link-offered" not in log.kinds()
    assert session.outcome != "deflected:chat"


@pytest.mark.parametrize(
    ("seen", "number", "reason"),
    [
        (ChatAvailability.closed(Unavailable.CLOSED), MOBILE, "outside the chat schedule"),
        (ChatAvailability.closed(Unavailable.NO_AGENTS), MOBILE, "no chat agent signed in"),
        (OPEN, "01632960123", "caller number cannot take a text"),
    ],
)
async def test_chat_not_open_offers_the_link_that_never_promises_chat(
    outbox: SmsOutbox, seen: ChatAvailability, number: str, reason: str
) -> None:
    flow = flows(Texts(outbox, LINK), Desk(seen)).route_to("online")
    session, control, log = call(flow, number=number)
    await run_answering(session, control, "1")
    not_offered = [d for _, k, d in log.events if k == "chat-not-offered"]
    assert not_offered == [{"reason": reason}]
    assert "chat-offered" not in log.kinds()
    if number == MOBILE:  # the link offer, as before chat
        assert played(control)[0] == "sound:ivr101/online_sms_offer"
        assert session.outcome == "deflected" and await kinds(outbox) == ["deflection"]
    else:
        assert "link-not-offered" in log.kinds()


async def test_a_sensitive_call_is_never_offered_a_text_of_chat(outbox: SmsOutbox) -> None:
    texts = Texts(outbox, LINK, Sensitivity(frozenset({"domestic-abuse"})))
    flow = flows(texts, Desk(OPEN)).route_to("online")
    session, _, log = call(flow)
    session.about(categories=["domestic-abuse"])
    await asyncio.wait_for(session.run(), 5)
    reasons = [d["reason"] for _, k, d in log.events if k.endswith("-not-offered")]
    assert reasons == ["sensitive call: no texts to this phone"] * 2  # chat, then the link


async def test_a_link_that_could_not_be_sent_keeps_the_caller_going_to_a_person(
    outbox: SmsOutbox,
) -> None:
    desk = Desk(OPEN, sends=False)
    [offer] = flows(Texts(outbox, LINK), desk).route_to("online")
    outcome, session, log = await answer_offer(offer, "1")
    assert outcome.status == "not-sent" and len(desk.sent) == 1
    assert [v.describe() for v in outcome.next_flow or ()][:1] == ["play:transfer_rc"]
    assert "chat-link-not-sent" in log.kinds() and "chat-accepted" not in log.kinds()
    assert session.outcome != "deflected:chat"


def test_a_deflect_sms_offer_on_a_route_is_chat_first_then_the_link() -> None:
    texts = Texts.__new__(Texts)  # never sends here: only the verbs are looked at
    verbs = flows(texts, Desk(OPEN)).route_to("rc", "online_sms_offer", offers=("deflect-sms",))
    [offer] = verbs
    assert isinstance(offer, OfferChat)
    [link] = offer.closed
    assert isinstance(link, OfferLink) and link.prompt == "online_sms_offer"
    assert offer.otherwise == link.otherwise  # "no" to either: the queue or the transfer
    without = flows(texts, None).route_to("rc", "online_sms_offer", offers=("deflect-sms",))
    assert [type(v) for v in without] == [OfferLink]


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(None, 0), (0.0, 0), (59.9, 0), (60.0, 1), (61.0, 2), (1200.0, 20)]
)
def test_the_wait_said_is_whole_minutes_rounded_up(seconds: float | None, minutes: int) -> None:
    assert wait_minutes(seconds) == minutes


async def test_a_wait_under_a_minute_is_said_as_such(outbox: SmsOutbox) -> None:
    [offer] = flows(Texts(outbox, LINK), Desk(ChatAvailability(True, 20.0))).route_to("online")
    session, control, _ = call([])
    control.push(DigitPressed("2"))
    await offer.run(session)
    assert played(control) == [
        "sound:ivr101/chat_offer",
        "sound:ivr101/chat_wait_short",
        "sound:ivr101/chat_offer_choose",
    ]
