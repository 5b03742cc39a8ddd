"""A crime reference heard nearly right is read back in the confirmation, not the officer's
name; a yes is a confirmed choice as any other (issue 16 item 4)."""

from __future__ import annotations

from ivr.decisions import Candidate, Decision
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.routing.case_route import CONFIRM_REFERENCE
from ivr.session.events import DigitPressed, PromptFinished
from ivr.session.outcomes import Status
from ivr.session.steps import Chosen, Decided
from ivr.verbs.readback import reference_media
from ivr.verbs.route import Confirm
from tests.fakes import FakeControl, FakePrompts
from tests.unit.session.test_verbs import make_session
from tests.unit.test_flows import OneEntryRouting

OFFICER = Candidate("directory:p-0001", "PC Sarah Johnson", 0.5, "reference 42/18734/24 ...")
NEAR = Decision(
    "confirm",
    OFFICER.destination,
    rule="reference-near",
    reason="crime reference 42/18735/24 is not in the case book",
    candidates=(OFFICER,),
    evidence={"reference_heard": "42/18735/24", CONFIRM_REFERENCE: "42/18734/24"},
)


def test_reference_media_reads_each_part_with_stroke_between() -> None:
    assert reference_media(FakePrompts(), "42/18734/24") == [
        "digits:42",
        "sound:ivr101/stroke",
        "digits:18734",
        "sound:ivr101/stroke",
        "digits:24",
    ]


async def test_the_plan_confirms_a_near_reference_by_reading_it_back() -> None:
    flow = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())
    (confirm,) = flow.verbs_for(Decided(NEAR, attempt=1))
    assert isinstance(confirm, Confirm) and confirm.reference == "42/18734/24"
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    outcome = await confirm.run(session)
    assert control.calls[0] == (
        "play",
        [
            "sound:ivr101/confirm_reference",
            *reference_media(FakePrompts(), "42/18734/24"),
            "sound:ivr101/confirm_suffix",
        ],
    )
    assert "names/p-0001" not in " ".join(control.calls[0][1])  # whose case it is: unsaid
    assert (outcome.status, outcome.step) == (Status.CONFIRMED, Chosen(OFFICER.destination, 1))
    assert call_log.decisions[-1]["rule"] == "caller-confirmed"


def test_other_confirmations_still_name_the_candidate() -> None:
    flow = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())
    plain = Decision("confirm", OFFICER.destination, "directory-confirm", "", candidates=(OFFICER,))
    (confirm,) = flow.verbs_for(Decided(plain, attempt=1))
    assert isinstance(confirm, Confirm) and confirm.reference is None
