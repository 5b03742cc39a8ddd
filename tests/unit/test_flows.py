"""FlowBuilder turns each kind of Decision into the right verbs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ivr.decisions import Ask, Candidate, Decision, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.queues.service import QueueService
from ivr.queues.settings import AgentSpec
from ivr.routing.model import RoutingInputs
from ivr.session.notes import QueuePlace
from ivr.session.steps import (
    AskAgain,
    Chosen,
    EmergencyRoute,
    MoveTo,
    PassOn,
    Rejoin,
    Step,
    ToOperator,
    ToPerson,
)
from ivr.verbs import Play, Transfer
from ivr.verbs.incident import Notice, Notices, PlayNotices
from ivr.verbs.queue import WaitInQueue
from ivr.verbs.route import Confirm, Disambiguate, RouteCall, name_media
from tests.fakes import FakePrompts
from tests.unit.queues.conftest import small_config

PATEL = DirectoryEntry(
    id="priya-patel", kind="person", name="Priya Patel", rank="PS", extension="4321"
)


class OneEntryRouting:
    emergency_key: str | None = None  # no break-out: breakout() below finds no cue either

    def decide(self, inputs: RoutingInputs) -> Decision:
        return Decision("route", "rc", rule="t", reason="t")

    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        return PATEL if entry_id == PATEL.id else None

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        return None


def builder() -> FlowBuilder:
    return FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())


def test_a_directory_route_dials_the_extension_through_the_dialplan_then_the_switchboard() -> None:
    verbs = builder().act_on(Decision("route", "directory:priya-patel", rule="r", reason="r"), 1)
    transfer = next(v for v in verbs if isinstance(v, Transfer))
    assert [t.endpoint for t in transfer.targets] == [
        "Local/dir-4321@ivr-agents",
        "Local/switchboard@ivr-agents",
    ]


def test_an_emergency_never_waits_for_the_advice_message() -> None:
    decision = Decision("route", "emergency", rule="r", reason="r", message="emergency_advice")
    verbs = builder().act_on(decision, attempt=1)
    assert [v.describe() for v in verbs][:2] == ["play:transfer_emergency", "transfer:emergency"]
    transfer = verbs[1]
    assert isinstance(transfer, Transfer)
    assert [t.destination for t in transfer.targets] == ["emergency", "fcr", "switchboard"]


def test_confirm_and_disambiguate_offer_what_the_engine_chose() -> None:
    a = Candidate("directory:priya-patel", "Sergeant Priya Patel", 0.91)
    b = Candidate("directory:raj-patel", "Sergeant Raj Patel", 0.91)
    c = Candidate("directory:anil-patel", "DC Anil Patel", 0.71)
    confirm = builder().act_on(
        Decision("confirm", None, rule="r", reason="r", candidates=(a,)), attempt=1
    )
    assert isinstance(confirm[0], Confirm) and confirm[0].candidate == a
    decision = Decision(
        "disambiguate",
        None,
        rule="r",
        reason="r",
        candidates=(a, b, c),
        evidence={"choices": [a.destination, b.destination]},
    )
    (verb,) = builder().act_on(decision, attempt=1)
    assert isinstance(verb, Disambiguate) and verb.candidates == (a, b)


def test_reprompts_ask_for_a_reference_with_room_for_its_digits_or_say_sorry_first() -> None:
    ask_ref = Decision(
        "reprompt", None, rule="r", reason="r", message="ask_reference", ask=Ask.REFERENCE
    )
    (again,) = builder().act_on(ask_ref, attempt=1)
    assert isinstance(again, RouteCall) and again.max_digits == 16 and again.attempt == 2
    assert again.question == ("ask_reference",)
    sorry = builder().act_on(
        Decision("reprompt", None, rule="r", reason="r", message="no_input"), attempt=1
    )
    assert isinstance(sorry[0], Play) and sorry[0].prompt_ids == ("no_input",)
    assert isinstance(sorry[1], RouteCall)


def test_names_play_their_rendered_audio_and_services_their_own_prompt() -> None:
    prompts = FakePrompts()
    assert name_media(prompts, Candidate("directory:priya-patel", "x", 1)) == [
        "sound:ivr101/names/priya-patel"
    ]
    assert name_media(prompts, Candidate("rc", "x", 1)) == ["sound:ivr101/dest_rc"]


def test_each_step_a_verb_ends_with_is_planned_into_its_verbs() -> None:
    """What the old callbacks did (on_yes, on_no, unclear, a full queue...), as the Plan."""
    flows = builder()

    def plan(step: Step) -> list[str]:
        return [v.describe() for v in flows.verbs_for(step)]

    (decide,) = flows.verbs_for(Chosen("rc", attempt=2))  # the router decides once more
    assert isinstance(decide, RouteCall)
    assert (decide.question, decide.confirmed, decide.attempt) == ((), "rc", 2)
    *sorry, again = flows.verbs_for(AskAgain(attempt=1, sorry="ask_again"))
    assert [v.describe() for v in sorry] == ["play:ask_again"]
    assert isinstance(again, RouteCall) and again.attempt == 2
    assert plan(AskAgain())[0] == "route:main_menu+main_menu_more"  # from the top, no sorry
    assert plan(ToPerson())[:2] == ["play:transfer_switchboard", "transfer:switchboard"]
    assert plan(EmergencyRoute())[:2] == ["play:transfer_emergency", "transfer:emergency"]
    assert plan(MoveTo("fcr"))[:2] == ["play:transfer_fcr", "transfer:fcr"]
    assert plan(PassOn("rc", (), urgent=False)) == ["hangup:no_one_available"]
    assert plan(PassOn("rc", ("switchboard",), urgent=False)) == [
        "play:agent_unavailable",
        "transfer:switchboard",
        "hangup:no_one_available",
    ]
    # Not one of ours after a restart (no app-run queues here): asked again, or for an
    # emergency, its route.
    assert plan(Rejoin(QueuePlace("rc", 1_796_000_000.0))) == [
        "play:ask_again",
        "route:main_menu+main_menu_more",
    ]
    emergency = QueuePlace("fcr", 1_796_000_000.0, emergency=True)
    assert plan(Rejoin(emergency))[:2] == ["play:transfer_emergency", "transfer:emergency"]


def queued_builder(notices: Notices | None = None) -> FlowBuilder:
    queues = QueueService(
        small_config(),
        {"a1": AgentSpec("PJSIP/rc-1", ("rc",)), "a2": AgentSpec("PJSIP/fcr-1", ("fcr",))},
    )
    return FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts(), queues=queues)


def test_an_operator_move_between_app_run_queues_keeps_the_callers_joined_at() -> None:
    verbs = queued_builder().verbs_for(MoveTo("fcr", joined_at=900.0))
    wait = next(v for v in verbs if isinstance(v, WaitInQueue))
    assert (wait.queue, wait.joined_at) == ("fcr", 900.0)
    fresh = next(v for v in queued_builder().verbs_for(MoveTo("fcr")) if isinstance(v, WaitInQueue))
    assert fresh.joined_at is None


def test_taken_to_an_operators_phone_rings_it_then_the_switchboard() -> None:
    verbs = builder().verbs_for(ToOperator("ann", "PJSIP/op-1"))
    transfer = next(v for v in verbs if isinstance(v, Transfer))
    assert [(t.destination, t.endpoint) for t in transfer.targets] == [
        ("operator:ann", "PJSIP/op-1"),
        ("switchboard", "Local/switchboard@ivr-agents"),
    ]
    assert verbs[-1].describe() == "hangup:no_one_available"


class NoNotices:
    def to_play(
        self, at: datetime, *, matched: bool, intent: str = "", heard: Sequence[str] = ()
    ) -> tuple[Notice, ...]:
        return ()


def test_incident_messages_follow_the_welcome_and_come_before_a_route_but_never_999() -> None:
    flows = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts(), notices=NoNotices())
    assert [v.describe() for v in flows.inbound()][:3] == ["answer", "play:welcome", "notices:all"]
    routed = flows.act_on(Decision("route", "rc", rule="r", reason="r", intent="burglary"), 1)
    assert isinstance(routed[0], PlayNotices) and routed[0].intent == "burglary"
    assert routed[0].describe() == "notices:matched"
    emergency = flows.act_on(Decision("route", "emergency", rule="r", reason="r"), 1)
    assert not any(isinstance(v, PlayNotices) for v in emergency)
    assert "notices:all" not in [v.describe() for v in builder().inbound()]  # none wired
