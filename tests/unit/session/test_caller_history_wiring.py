"""Caller history in a call: flags reach the router, the call is remembered, failures are harmless.

Through fakes (TableCallers, FakeControl): the session looks the caller up once,
RouteCall puts flags and recent calls into CallerContext, a re-dial link is a
call event, and a lookup that fails or hangs leaves the call routed as a new
caller's would be.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import ivr.session.caller as caller_module
from ivr.callers.model import CallerProfile
from ivr.decisions import Decision
from ivr.routing.model import RoutingInputs
from ivr.session.events import CallerHungUp, DigitPressed, PromptFinished
from ivr.session.model import CallInfo, Verb
from ivr.session.outcomes import CallOutcome
from ivr.session.session import CallSession
from ivr.session.steps import Decided, Step
from ivr.verbs import Hangup
from ivr.verbs.route import RouteCall
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, TableCallers, fixed_clock

NUMBER = "07700900123"
FLAGGED = CallerProfile(
    pseudonym="p" * 64,
    flags=frozenset({"vulnerable", "repeat"}),
    recent_calls=4,
    calls_today=2,
    redial_of="call-0",
    redial_after_s=600.0,
)


class PutThrough:
    """The plan: whatever the router decided, the caller is put through (and that ends it)."""

    def verbs_for(self, step: Step) -> Sequence[Verb]:
        assert isinstance(step, Decided)
        return [Hangup(None, outcome=CallOutcome.TRANSFERRED)]


class TableRouter:
    def __init__(self) -> None:
        self.seen: list[RoutingInputs] = []

    def decide(self, inputs: RoutingInputs) -> Decision:
        self.seen.append(inputs)
        return Decision("route", "rc", rule="keypad", reason="pressed 1")


def call_with(
    callers: TableCallers, router: TableRouter, number: str = NUMBER
) -> tuple[CallSession, FakeControl, MemoryCallLog]:
    control = FakeControl()
    call_log = MemoryCallLog()
    session = CallSession(
        CallInfo("call-1", control.channel_id, number, "Test", "101"),
        control,
        FakePrompts(),
        call_log,
        [RouteCall(["main_menu"], router)],
        lambda: [],
        fixed_clock,
        callers=callers,
        plan=PutThrough(),
    )
    return session, control, call_log


async def test_flags_and_recent_calls_reach_the_router_and_the_call_is_remembered() -> None:
    callers, router = TableCallers({NUMBER: FLAGGED}), TableRouter()
    session, control, call_log = call_with(callers, router)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    await session.run()
    (inputs,) = router.seen
    assert inputs.caller.flags == {"vulnerable", "repeat"} and inputs.caller.recent_calls == 4
    assert callers.looked_up == ["call-1"]  # once per call
    events = {kind: detail for _, kind, detail in call_log.events}
    assert events["caller-profile"] == {
        "flags": ["repeat", "vulnerable"],
        "recent_calls": 4,
        "calls_today": 2,
    }
    assert events["redial-of"] == {"linked_call_id": "call-0", "after_s": 600.0}
    (record,) = callers.recorded
    assert (record.number, record.call_id, record.outcome, record.destination) == (
        NUMBER,
        "call-1",
        "transferred",
        "rc",
    )
    assert record.linked_call_id == "call-0" and not record.abandoned
    assert record.at == fixed_clock() and record.ended_at is not None
    assert call_log.kinds()[-1] == "ended"


async def test_a_failed_lookup_routes_the_call_as_a_new_caller() -> None:
    callers, router = TableCallers({NUMBER: FLAGGED}), TableRouter()
    callers.fail = OSError("database is locked")
    session, control, call_log = call_with(callers, router)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    await session.run()
    (inputs,) = router.seen
    assert inputs.caller.flags == frozenset() and inputs.caller.recent_calls == 0
    assert inputs.caller.number == NUMBER
    assert "caller-lookup-failed" in call_log.kinds()
    assert session.outcome == "transferred"
    assert callers.recorded[0].linked_call_id is None  # still remembered, without the link


async def test_a_hung_lookup_does_not_hold_the_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caller_module, "CALLER_LOOKUP_WAIT_S", 0.01)
    callers, router = TableCallers({NUMBER: FLAGGED}), TableRouter()
    callers.delay = 60.0
    session, control, _ = call_with(callers, router)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    await session.run()
    assert router.seen[0].caller.flags == frozenset()
    assert len(callers.recorded) == 1


async def test_a_caller_who_hangs_up_at_once_is_remembered_as_abandoned() -> None:
    callers, router = TableCallers({NUMBER: FLAGGED}), TableRouter()
    session, control, _ = call_with(callers, router)
    control.push(CallerHungUp())
    await session.run()
    (record,) = callers.recorded
    assert record.abandoned and record.linked_call_id == "call-0"  # the lookup was awaited


async def test_a_record_that_raises_never_stops_the_end_of_the_call() -> None:
    class Broken(TableCallers):
        def record(self, call: object) -> None:
            raise RuntimeError("disk on fire")

    session, control, call_log = call_with(Broken(), TableRouter())
    control.push(CallerHungUp())
    await session.run()
    assert session.done.is_set() and call_log.kinds()[-1] == "ended"


async def test_a_ring_back_after_a_chat_link_says_how_the_earlier_call_ended() -> None:
    after_chat = CallerProfile(
        pseudonym="p" * 64,
        recent_calls=2,
        calls_today=2,
        redial_of="call-0",
        redial_after_s=900.0,
        redial_of_outcome="deflected:chat",
    )
    session, control, call_log = call_with(TableCallers({NUMBER: after_chat}), TableRouter())
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    await session.run()
    events = {kind: detail for _, kind, detail in call_log.events}
    assert events["redial-of"] == {
        "linked_call_id": "call-0",
        "after_s": 900.0,
        "after": "deflected:chat",
    }
