"""RouteCall stores the engine's inputs as the engine saw them: the caller's flags and recent
calls, the diverts the RoutingService added, the time; never the caller's number. The writer
keeps them in the decisions.inputs column, out of the evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ivr.callers.model import CallerProfile
from ivr.decisions import Decision
from ivr.replay.codec import from_json
from ivr.routing.model import Override
from ivr.routing.service import RoutingService
from ivr.session.events import DigitPressed, PromptFinished
from ivr.session.model import CallInfo
from ivr.session.session import CallSession
from ivr.store.db import STORED_INPUTS, CallStore
from ivr.verbs.route import RouteCall
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, TableCallers

AT = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
DIVERT = Override("rc", "fcr", "flooded office")


class Diverts:
    def active(self, at: datetime) -> tuple[Override, ...]:
        return (DIVERT,)


async def test_route_call_stores_what_the_engine_saw_and_the_writer_files_it(
    tmp_path: Path,
) -> None:
    control = FakeControl()
    log = MemoryCallLog()
    callers = TableCallers(
        {"07700900123": CallerProfile("p1", frozenset({"repeat"}), recent_calls=3)}
    )
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    session = CallSession(info, control, FakePrompts(), log, [], list, lambda: AT, callers=callers)
    routing = RoutingService(None)
    routing.use_overrides(Diverts())
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    await RouteCall(["main_menu"], routing, waits=lambda: {"rc": 120.0}).run(session)

    (row,) = log.decisions
    assert (row["destination"], row["evidence"]["inputs"]["digits"]) == ("fcr", "1")
    text = row["evidence"][STORED_INPUTS]
    assert "07700900123" not in text
    seen = from_json(text)
    assert (seen.at, seen.digits, seen.attempt, seen.dialled) == (AT, "1", 1, "101")
    assert (seen.caller.flags, seen.caller.recent_calls) == (frozenset({"repeat"}), 3)
    assert (seen.overrides, dict(seen.queue_waits)) == ((DIVERT,), {"rc": 120.0})

    store = CallStore(tmp_path / "calls.db")
    store.call_started({"call_id": "call-1", "channel_id": "chan-1", "started_at": "t0"})
    store.add_decision("call-1", "t1", row)
    (stored,) = store.decisions_for("call-1")
    assert stored["inputs"] == text and STORED_INPUTS not in stored["evidence"]
    assert stored["evidence"]["inputs"]["digits"] == "1"
    store.close()


async def test_a_call_pinned_to_its_rules_stores_the_diverts_in_force_too() -> None:
    """The app routes each call by RoutingService.pinned(): its stored inputs must still
    carry the diverts the engine was given, or a replay would decide without them."""
    control = FakeControl()
    log = MemoryCallLog()
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    session = CallSession(info, control, FakePrompts(), log, [], list, lambda: AT)
    routing = RoutingService(None)
    routing.use_overrides(Diverts())
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    await RouteCall(["main_menu"], routing.pinned()).run(session)
    seen = from_json(log.decisions[0]["evidence"][STORED_INPUTS])
    assert seen.overrides == (DIVERT,)


async def test_a_router_that_cannot_say_what_its_engine_sees_is_stored_as_asked() -> None:
    class Table:
        def decide(self, inputs: object) -> Decision:
            return Decision("route", "rc", rule="keypad", reason="1")

    control = FakeControl()
    log = MemoryCallLog()
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    session = CallSession(info, control, FakePrompts(), log, [], list, lambda: AT)
    control.push(PromptFinished("pb-1", True), DigitPressed("2"))
    await RouteCall(["main_menu"], Table()).run(session)
    seen = from_json(log.decisions[0]["evidence"][STORED_INPUTS])
    assert (seen.digits, seen.overrides, seen.caller.flags) == ("2", (), frozenset())
