"""FlowBuilder turns each kind of Decision into the right verbs."""

from __future__ import annotations

from collections.abc import Sequence

from ivr.directory import DirectoryEntry
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.routing.model import Candidate, Decision, Hypothesis, RoutingInputs
from ivr.verbs import Play, Transfer
from ivr.verbs.route import Confirm, Disambiguate, RouteCall
from tests.fakes import FakePrompts

PATEL = DirectoryEntry(
    id="priya-patel", kind="person", name="Priya Patel", rank="PS", extension="4321"
)


class OneEntryRouting:
    def decide(self, inputs: RoutingInputs) -> Decision:
        return Decision("route", "rc", rule="t", reason="t")

    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        return PATEL if entry_id == PATEL.id else None

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None:
        return None


def builder() -> FlowBuilder:
    return FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())


def asked() -> RouteCall:
    flows = builder()
    return flows.ask(("main_menu",))


def test_a_directory_route_dials_the_extension_through_the_dialplan_then_the_switchboard() -> None:
    verbs = builder().act_on(
        Decision("route", "directory:priya-patel", rule="r", reason="r"), asked()
    )
    transfer = next(v for v in verbs if isinstance(v, Transfer))
    assert [t.endpoint for t in transfer.targets] == [
        "Local/dir-4321@ivr-agents",
        "Local/switchboard@ivr-agents",
    ]


def test_an_emergency_never_waits_for_the_advice_message() -> None:
    decision = Decision("route", "emergency", rule="r", reason="r", message="emergency_advice")
    verbs = builder().act_on(decision, asked())
    assert [v.describe() for v in verbs][:2] == ["play:transfer_emergency", "transfer:emergency"]
    transfer = verbs[1]
    assert isinstance(transfer, Transfer)
    assert [t.destination for t in transfer.targets] == ["emergency", "fcr", "switchboard"]


def test_confirm_and_disambiguate_offer_what_the_engine_chose() -> None:
    a = Candidate("directory:priya-patel", "Sergeant Priya Patel", 0.91)
    b = Candidate("directory:raj-patel", "Sergeant Raj Patel", 0.91)
    c = Candidate("directory:anil-patel", "DC Anil Patel", 0.71)
    confirm = builder().act_on(
        Decision("confirm", None, rule="r", reason="r", candidates=(a,)), asked()
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
    (verb,) = builder().act_on(decision, asked())
    assert isinstance(verb, Disambiguate) and verb.candidates == (a, b)


def test_reprompts_ask_for_a_reference_with_room_for_its_digits_or_say_sorry_first() -> None:
    ask_ref = Decision("reprompt", None, rule="r", reason="r", message="ask_reference")
    (again,) = builder().act_on(ask_ref, asked())
    assert isinstance(again, RouteCall) and again.max_digits == 16 and again.attempt == 2
    sorry = builder().act_on(
        Decision("reprompt", None, rule="r", reason="r", message="no_input"), asked()
    )
    assert isinstance(sorry[0], Play) and sorry[0].prompt_ids == ("no_input",)
    assert isinstance(sorry[1], RouteCall)


def test_names_play_their_rendered_audio_and_services_their_own_prompt() -> None:
    flows = builder()
    assert flows.name_media(Candidate("directory:priya-patel", "x", 1)) == [
        "sound:ivr101/names/priya-patel"
    ]
    assert flows.name_media(Candidate("rc", "x", 1)) == ["sound:ivr101/dest_rc"]
