"""ConsoleActions on a live CallSession: moves, takes and priorities, each recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ivr.console.actions import ConsoleActions
from ivr.console.destinations import KnownDestinations
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.reasons import Reason, ReasonCode
from ivr.decisions import Decision
from ivr.queues.model import Priority, QueueEntry
from ivr.queues.service import QueueService
from ivr.queues.settings import AgentSpec
from ivr.session.events import CallerHungUp
from ivr.session.steps import MoveTo, ToOperator
from tests.unit.console.support import (
    ANN,
    BOB,
    Calls,
    ListAudit,
    Live,
    OneEntryDirectory,
    live_call,
)
from tests.unit.queues.conftest import small_config

MISROUTED = Reason(ReasonCode.MISROUTED, "asked for FCR")


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    async with live_call() as call:
        yield call


def queues() -> QueueService:
    return QueueService(
        small_config(),
        {"a1": AgentSpec("PJSIP/rc-1", ("rc",)), "a2": AgentSpec("PJSIP/fcr-1", ("fcr",))},
    )


def actions(live: Live, audit: ListAudit, service: QueueService | None = None) -> ConsoleActions:
    return ConsoleActions(
        Calls(live.session), KnownDestinations(OneEntryDirectory()), audit, lambda: service
    )


async def test_a_move_is_a_decision_saying_who_when_from_to_and_why(live: Live) -> None:
    audit = ListAudit()
    live.session.record_decision(Decision("route", "rc", rule="keypad", reason="1"))
    moved = actions(live, audit).route("call-1", "fcr", MISROUTED, ANN)
    await live.session.done.wait()
    assert (moved.source, moved.destination, moved.by) == ("rc", "fcr", "ann")
    decision = live.log.decisions[-1]
    assert (decision["destination"], decision["rule"]) == ("fcr", "operator-move")
    assert decision["evidence"] == {
        "by": "ann",
        "from": "rc",
        "reason_code": "misrouted",
        "reason": "asked for FCR",
    }
    assert decision["reason"] == "moved by ann: misrouted: asked for FCR"
    assert live.plan.steps == [MoveTo("fcr")]
    assert audit.actions() == ["call.route"]


async def test_moved_between_app_run_queues_the_caller_keeps_their_place(live: Live) -> None:
    service = queues()
    service.engine.agent_busy("a1", 1000.0)
    service.join(QueueEntry("call-1", "rc", Priority.NORMAL, 900.0))
    moved = actions(live, ListAudit(), service).route("call-1", "fcr", MISROUTED, ANN)
    assert moved.kept_place
    assert live.plan.steps == [MoveTo("fcr", joined_at=900.0)]


async def test_taken_to_the_operators_phone(live: Live) -> None:
    audit = ListAudit()
    moved = actions(live, audit).take("call-1", Reason(ReasonCode.CALLER_ASKED), ANN)
    assert moved.destination == "operator:ann"
    assert live.plan.steps == [ToOperator("ann", "PJSIP/op-1")]
    assert live.log.decisions[-1]["destination"] == "operator:ann"
    with pytest.raises(Conflict, match="no phone"):
        actions(live, audit).take("call-1", Reason(ReasonCode.CALLER_ASKED), BOB)


async def test_a_call_with_a_person_or_ended_or_unknown_is_refused(live: Live) -> None:
    acts = actions(live, ListAudit())
    with pytest.raises(NotFound):
        acts.route("call-9", "fcr", MISROUTED, ANN)
    with pytest.raises(BadRequest, match="unknown"):
        acts.route("call-1", "the moon", MISROUTED, ANN)
    live.session.connected("leg-1", "rc")
    with pytest.raises(Conflict, match="talking to a person"):
        acts.route("call-1", "fcr", MISROUTED, ANN)
    live.session.disconnected()
    live.control.push(CallerHungUp())
    await live.session.done.wait()
    with pytest.raises(Conflict, match="ended"):
        acts.route("call-1", "fcr", MISROUTED, ANN)
    assert live.plan.steps == []


async def test_a_waiting_callers_priority_is_raised_and_recorded(live: Live) -> None:
    service = queues()
    service.engine.agent_busy("a1", 1000.0)
    service.join(QueueEntry("other", "rc", Priority.NORMAL, 800.0))
    service.join(QueueEntry("call-1", "rc", Priority.NORMAL, 900.0))
    audit = ListAudit()
    raised = actions(live, audit, service).raise_priority("call-1", "vulnerable", "disclosed", ANN)
    assert (raised.priority, raised.position) == (int(Priority.PRIORITY), 1)
    assert "priority-raised" in live.log.kinds()
    assert audit.actions() == ["call.priority"]
    with pytest.raises(BadRequest, match="flag must be one of"):
        actions(live, audit, service).raise_priority("call-1", "nuisance", "x", ANN)
    with pytest.raises(BadRequest, match="reason is required"):
        actions(live, audit, service).raise_priority("call-1", "vulnerable", " ", ANN)
    service.leave("call-1", where="moved-on")
    with pytest.raises(Conflict, match="not waiting"):
        actions(live, audit, service).raise_priority("call-1", "vulnerable", "x", ANN)
    with pytest.raises(Conflict, match="not waiting"):
        actions(live, audit).raise_priority("call-1", "vulnerable", "x", ANN)


def test_a_reason_is_a_code_of_the_list_and_other_needs_words() -> None:
    assert str(Reason.parse("wrong-queue", "  meant  FCR ")) == "wrong-queue: meant FCR"
    with pytest.raises(BadRequest, match="reason_code must be one of"):
        Reason.parse("bored", "")
    with pytest.raises(BadRequest, match="reason is required"):
        Reason.parse("other", "")
    with pytest.raises(BadRequest, match="must be text"):
        Reason.parse("other", 5)


async def test_a_call_on_the_emergency_route_is_never_moved_or_taken_off_it(live: Live) -> None:
    """Moved away, the caller could no longer break out to 999: only emergency is allowed."""
    audit = ListAudit()
    live.session.record_decision(Decision("route", "emergency", rule="cue", reason="fire"))
    console = actions(live, audit)
    with pytest.raises(Conflict, match="emergency route"):
        console.route("call-1", "rc", MISROUTED, ANN)
    with pytest.raises(Conflict, match="emergency route"):
        console.take("call-1", MISROUTED, ANN)
    assert live.plan.steps == [] and audit.actions() == []
    console.route("call-1", "emergency", MISROUTED, ANN)  # to emergency handling: fine
    assert live.plan.steps == [MoveTo("emergency")]
