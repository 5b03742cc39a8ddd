"""What the flow does when something outside a verb fails: it never drops the caller
and the call's record always ends."""

from __future__ import annotations

from collections.abc import Sequence

from ivr.decisions import EMERGENCY, Decision
from ivr.session.model import CallInfo, Outcome, Verb
from ivr.session.notes import Note
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.session.steps import AskAgain, Step
from ivr.verbs import Hangup
from ivr.verbs.basic import VerbBase
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, fixed_clock


class Asks(VerbBase):
    """Ends with a step for the plan."""

    name = "asks"

    async def run(self, session: CallSession) -> Outcome:
        return Outcome(Status.DECLINED, step=AskAgain(1))


class DecidesEmergency(VerbBase):
    name = "decides"

    async def run(self, session: CallSession) -> Outcome:
        session.record_decision(Decision("route", EMERGENCY, rule="t", reason="t"))
        return Outcome(Status.DECIDED)


class BrokenPlan:
    def verbs_for(self, step: Step) -> Sequence[Verb]:
        raise KeyError("extension")  # e.g. a directory_dial template naming {ext}


class RefusingNotes(FakeControl):
    async def remember(self, note: Note, value: str) -> None:
        raise RuntimeError("cannot note")


def session_on(
    control: FakeControl, flow: list[Verb], plan: BrokenPlan | None = None
) -> tuple[CallSession, MemoryCallLog]:
    call_log = MemoryCallLog()
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    session = CallSession(
        info,
        control,
        FakePrompts(),
        call_log,
        flow,
        lambda: [Hangup("technical_difficulty")],
        fixed_clock,
        plan=plan,
    )
    return session, call_log


async def test_a_plan_that_fails_steps_down_like_a_failing_verb() -> None:
    control = FakeControl(auto_finish=True)
    session, call_log = session_on(control, [Asks()], BrokenPlan())
    await session.run()
    assert ("error", "asks") in [(k, d.get("step")) for _, k, d in call_log.events]
    assert "hangup:technical_difficulty" in [
        d["step"] for _, k, d in call_log.events if k == "step"
    ]
    assert session.done.is_set()


async def test_a_crash_outside_any_verb_hands_the_caller_back_and_ends_the_record() -> None:
    control = RefusingNotes(auto_finish=True)
    session, call_log = session_on(control, [DecidesEmergency(), Hangup(None)])
    await session.run()
    row = call_log.rows["call-1"]
    assert (row["outcome"], row["ended_by"]) == ("failed", "app")
    assert "hand_back" in control.ops()  # the dialplan's own fallback rings a person
    assert session.done.is_set()
