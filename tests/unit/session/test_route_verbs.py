"""RouteCall, Confirm and Disambiguate through fakes: what the caller hears, what is stored."""

from __future__ import annotations

from ivr.decisions import Candidate, Decision
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.routing.model import RoutingInputs
from ivr.session.events import DigitPressed, PromptFinished
from ivr.session.outcomes import Status
from ivr.session.steps import AskAgain, Chosen, Decided, ToPerson
from ivr.verbs.route import Confirm, Disambiguate, RouteCall
from tests.fakes import FakeControl, FakePrompts
from tests.unit.session.test_verbs import make_session
from tests.unit.test_flows import OneEntryRouting

JOHNSON = Candidate("directory:p-0001", "PC Sarah Johnson", 0.74, "surname phonetic")
JOHNSTON = Candidate("directory:p-0002", "DC Sam Johnston", 0.72, "surname phonetic")


class TableRouter:
    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.seen: list[RoutingInputs] = []

    def decide(self, inputs: RoutingInputs) -> Decision:
        self.seen.append(inputs)
        return self.decision


def plan() -> FlowBuilder:
    """The flow that turns the steps these verbs end with into verbs."""
    return FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())


async def test_route_call_passes_digits_time_and_caller_and_stores_the_decision() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    decision = Decision("route", "rc", rule="keypad", reason="caller pressed 1")
    router = TableRouter(decision)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    verb = RouteCall(["main_menu"], router)
    outcome = await verb.run(session)
    assert (outcome.status, outcome.value) == (Status.DECIDED, "route")
    assert outcome.step == Decided(decision, attempt=1)
    (inputs,) = router.seen
    assert (inputs.digits, inputs.caller.number, inputs.attempt) == ("1", "07700900123", 1)
    assert inputs.at.tzinfo is not None
    stored = call_log.decisions[0]
    assert stored["rule"] == "keypad" and stored["evidence"]["inputs"]["digits"] == "1"


async def test_route_call_with_silence_still_asks_the_router_with_no_digits() -> None:
    control = FakeControl(auto_finish=True)
    session, _ = make_session(control)
    router = TableRouter(Decision("reprompt", None, rule="nothing-heard", reason="no input"))
    verb = RouteCall(["main_menu"], router, first_digit_timeout=0.01)
    outcome = await verb.run(session)
    assert router.seen[0].digits is None
    assert outcome.step == Decided(router.decision, attempt=1)
    *_, again = plan().verbs_for(outcome.step)  # asked once more: the router sees attempt 2
    assert isinstance(again, RouteCall) and again.attempt == 2


async def test_confirm_plays_the_name_between_prompts_and_routes_on_yes() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    verb = Confirm(JOHNSON, attempt=2)
    outcome = await verb.run(session)
    assert control.calls[0] == (
        "play",
        ["sound:ivr101/confirm_prefix", "sound:ivr101/names/p-0001", "sound:ivr101/confirm_suffix"],
    )
    assert (outcome.status, outcome.value) == (Status.CONFIRMED, JOHNSON.destination)
    assert outcome.step == Chosen(JOHNSON.destination, attempt=2)
    assert call_log.decisions[-1]["rule"] == "caller-confirmed"
    # The router decides once more on what they confirmed (hours, overrides, rules).
    (decide,) = plan().verbs_for(outcome.step)
    assert isinstance(decide, RouteCall)
    assert (decide.question, decide.confirmed, decide.attempt) == ((), JOHNSON.destination, 2)


async def test_confirm_no_and_unclear_take_their_own_paths() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("2"))
    declined = await Confirm(JOHNSON).run(session)
    assert (declined.status, declined.step) == (Status.DECLINED, AskAgain(attempt=1))
    silent = FakeControl(auto_finish=True)
    session, _ = make_session(silent)
    quick = Confirm(JOHNSON, first_digit_timeout=0.01)
    unclear = await quick.run(session)
    assert (unclear.status, unclear.step) == (Status.UNCLEAR, ToPerson())


async def test_disambiguate_reads_each_candidate_with_its_key_and_routes_the_choice() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("2"))
    verb = Disambiguate([JOHNSON, JOHNSTON])
    outcome = await verb.run(session)
    media = control.calls[0][1]
    assert media[:5] == [
        "sound:ivr101/disambiguate_intro",
        "sound:ivr101/for",
        "sound:ivr101/names/p-0001",
        "sound:ivr101/press",
        "digits:1",
    ]
    assert media[-1] == "sound:ivr101/someone_else"
    assert outcome.step == Chosen(JOHNSTON.destination, attempt=1)
    assert call_log.decisions[-1]["destination"] == "directory:p-0002"


async def test_disambiguate_zero_means_someone_else() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("0"))
    outcome = await Disambiguate([JOHNSON, JOHNSTON]).run(session)
    assert (outcome.status, outcome.step) == (Status.NONE, ToPerson())
