"""A sensitive caller put back in a queue after a restart is still never texted.

The new process has not heard what made the call sensitive; the queue-place
note on the channel says only that it was (never the topic).
"""

from __future__ import annotations

from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.notify.sensitive import SENSITIVE, Sensitivity
from ivr.session.notes import QueuePlace
from ivr.session.reconciler import Adoption
from ivr.session.steps import Rejoin
from ivr.verbs.resume import Resume
from tests.fakes import FakeControl, FakePrompts
from tests.unit.session.test_verbs import make_session
from tests.unit.test_flows import OneEntryRouting


def test_a_queue_place_carries_whether_the_call_was_quiet() -> None:
    place = QueuePlace("rc", 1_796_000_000.25, emergency=False, quiet=True)
    assert QueuePlace.decode(place.encode()) == place
    # A note written by the release before: three fields, not quiet.
    assert QueuePlace.decode("fcr 1796000000.5 1") == QueuePlace("fcr", 1_796_000_000.5, True)
    assert QueuePlace.decode("rc 1796000000.5 1 2") is None


def test_a_call_marked_sensitive_is_blocked_whatever_the_forces_list() -> None:
    assert Sensitivity(["hate_incident"]).blocked({SENSITIVE, "fcr"}) == [SENSITIVE]


async def test_a_quiet_place_restored_after_a_restart_marks_the_call_sensitive() -> None:
    session, call_log = make_session(FakeControl())
    place = QueuePlace("rc", 1_796_000_000.0, quiet=True)
    outcome = await Resume(None, place, emergency=False).run(session)
    assert outcome.step == Rejoin(place)
    assert SENSITIVE in session.categories
    assert "queue-resumed" in call_log.kinds()


async def test_an_emergency_whose_queue_is_gone_after_a_restart_resumes_the_emergency_route() -> (
    None
):
    """queues.yaml or [agents] changed with the restart: an emergency is never sent to the
    menu for want of its old queue."""

    flows = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())  # no app-run queues
    place = QueuePlace("fcr", 1_796_000_000.0, emergency=True)
    (resume,) = flows.adopted(Adoption(place=place, emergency=True))
    session, _ = make_session(FakeControl())
    outcome = await resume.run(session)
    assert outcome.step == Rejoin(place)  # back at its place: the plan finds it gone
    steps = [verb.describe() for verb in flows.verbs_for(outcome.step)]
    assert steps[:2] == ["play:transfer_emergency", "transfer:emergency"]
