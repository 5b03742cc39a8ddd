"""A restart while a caller is asked the danger check asks it again, never the menu first.

The question is noted on the caller's channel (Note.EMERGENCY = Urgency.CHECKING) before
it is asked and cleared by a no; a restart finds it and asks again: yes, 9, silence or
anything unclear is 999 handling; a no is the menu (what they said went with the old
process).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from ivr.ari.client import AriClient
from ivr.ari.errors import AriNotFound
from ivr.ari.models import Channel, DialplanLocation
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.session.events import CallerHungUp
from ivr.session.held import HeldChannels
from ivr.session.notes import Note, Urgency
from ivr.session.reconciler import Adoption, Reconciler
from ivr.session.steps import Decided
from ivr.verbs.danger import AskDanger
from tests.fakes import FakeControl, FakePrompts
from tests.unit.session.test_emergency_breakout import key, make_call, menu, talks
from tests.unit.session.test_verbs import make_session
from tests.unit.test_flows import OneEntryRouting

PAST_THREAT = "my neighbour threatened me last week"


def urgency_notes(control: FakeControl) -> list[str]:
    return [value for op, arg in control.calls if op == "remember" for note, value in [arg]
            if note is Note.EMERGENCY]  # fmt: skip


async def test_the_check_is_noted_before_it_is_asked_and_cleared_by_a_no() -> None:
    call = make_call([("main_menu", False, talks()), ("danger_check", False, key("2"))], menu,
                     heard=PAST_THREAT)  # fmt: skip
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: any("danger_check" in d["evidence"] for d in call.log.decisions))
    assert urgency_notes(call.control)[:2] == [Urgency.CHECKING, Urgency.NONE]
    call.control.push(CallerHungUp())
    await task


async def test_a_yes_leaves_the_emergency_route_noted() -> None:
    call = make_call([("main_menu", False, talks()), ("danger_check", False, key("9"))], menu,
                     heard=PAST_THREAT)  # fmt: skip
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    assert urgency_notes(call.control) == [Urgency.CHECKING, Urgency.DECIDED]
    call.control.push(CallerHungUp())
    await task


async def test_a_call_adopted_mid_check_is_asked_it_again_and_a_no_is_the_menu() -> None:
    flows = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())
    (resume,) = flows.adopted(Adoption(checking=True))
    session, call_log = make_session(FakeControl())
    outcome = await resume.run(session)
    assert isinstance(outcome.step, Decided)
    check = outcome.step.decision
    assert check.is_danger_check and check.rule == "danger-check-resumed"
    assert call_log.decisions[-1]["rule"] == "danger-check-resumed"
    (ask,) = flows.verbs_for(outcome.step)
    assert isinstance(ask, AskDanger)
    no = check.answered(False, "key 2")
    assert next(v.describe() for v in flows.verbs_for(Decided(no, 0))) == "play:ask_again"
    assert check.answered(True, "no-input").destination == "emergency"


class NotedClient:
    """Asterisk after a restart: one caller in Stasis, in no bridge, with its notes."""

    def __init__(self, notes: dict[str, str], state: str = "Up") -> None:
        self.notes = notes
        location = DialplanLocation(exten="101", app_name="Stasis", app_data="ivr101,101")
        self.channel = Channel("caller-1", "PJSIP/caller-1", state, dialplan=location)

    async def list_channels(self) -> list[Channel]:
        return [self.channel]

    async def get_application(self, app: str) -> dict[str, Any]:
        return {"channel_ids": [self.channel.id]}

    async def list_bridges(self) -> list[Any]:
        return []

    async def get_variable(self, channel_id: str, variable: str) -> str:
        if variable not in self.notes:
            raise AriNotFound("GET", f"/channels/{channel_id}/variable", 404, "not set")
        return self.notes[variable]


async def adopted_with(notes: dict[str, str]) -> Adoption:
    adopted: list[Adoption | None] = []
    reconciler = Reconciler(
        cast(AriClient, NotedClient(notes)),
        "ivr101",
        calls={},
        watched=set(),
        held=HeldChannels(),
        start_call=lambda channel, exten, adoption: adopted.append(adoption),
    )
    assert await reconciler.reconcile()
    (adoption,) = adopted
    assert adoption is not None
    return adoption


async def test_a_restart_reads_a_check_in_progress_from_the_channel() -> None:
    checking = await adopted_with({Note.EMERGENCY.value: Urgency.CHECKING.value})
    assert (checking.checking, checking.emergency) == (True, False)
    decided = await adopted_with({Note.EMERGENCY.value: Urgency.DECIDED.value})
    assert (decided.checking, decided.emergency) == (False, True)
    ruled_out = await adopted_with({Note.EMERGENCY.value: Urgency.NONE.value})
    assert (ruled_out.checking, ruled_out.emergency) == (False, False)
    assert (await adopted_with({})).checking is False
