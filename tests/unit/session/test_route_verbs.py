"""RouteCall, Confirm and Disambiguate through fakes: what the caller hears, what is stored."""

from __future__ import annotations

from collections.abc import Sequence

from ivr.routing.model import Candidate, Decision, RoutingInputs
from ivr.session.events import DigitPressed, PromptFinished
from ivr.session.session import Verb
from ivr.verbs import Hangup
from ivr.verbs.route import Confirm, Disambiguate, RouteCall
from tests.fakes import FakeControl
from tests.unit.session.test_verbs import make_session

JOHNSON = Candidate("directory:p-0001", "PC Sarah Johnson", 0.74, "surname phonetic")
JOHNSTON = Candidate("directory:p-0002", "DC Sam Johnston", 0.72, "surname phonetic")


def names(candidate: Candidate) -> list[str]:
    return [f"sound:ivr101/names/{candidate.destination.split(':')[1]}"]


class TableRouter:
    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.seen: list[RoutingInputs] = []

    def decide(self, inputs: RoutingInputs) -> Decision:
        self.seen.append(inputs)
        return self.decision


def marker(label: str) -> Sequence[Verb]:
    return [Hangup(label)]


async def test_route_call_passes_digits_time_and_caller_and_stores_the_decision() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    decision = Decision("route", "rc", rule="keypad", reason="caller pressed 1")
    router = TableRouter(decision)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    verb = RouteCall(["main_menu"], router, lambda d, ask: marker(d.destination or ""))
    outcome = await verb.run(session)
    assert outcome.value == "route"
    assert [v.describe() for v in outcome.next_flow or []] == ["hangup:rc"]
    (inputs,) = router.seen
    assert (inputs.digits, inputs.caller.number, inputs.attempt) == ("1", "07700900123", 1)
    assert inputs.at.tzinfo is not None
    stored = call_log.decisions[0]
    assert stored["rule"] == "keypad" and stored["evidence"]["inputs"]["digits"] == "1"


async def test_route_call_with_silence_still_asks_the_router_with_no_digits() -> None:
    control = FakeControl(auto_finish=True)
    session, _ = make_session(control)
    router = TableRouter(Decision("reprompt", None, rule="nothing-heard", reason="no input"))
    verb = RouteCall(["main_menu"], router, lambda d, ask: [], first_digit_timeout=0.01)
    await verb.run(session)
    assert router.seen[0].digits is None
    assert verb.again(["main_menu"]).attempt == 2


async def test_confirm_plays_the_name_between_prompts_and_routes_on_yes() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    verb = Confirm(JOHNSON, names, lambda: marker("yes"), lambda: marker("no"), lambda: marker("?"))
    outcome = await verb.run(session)
    assert control.calls[0] == (
        "play",
        ["sound:ivr101/confirm_prefix", "sound:ivr101/names/p-0001", "sound:ivr101/confirm_suffix"],
    )
    assert [v.describe() for v in outcome.next_flow or []] == ["hangup:yes"]
    assert call_log.decisions[-1]["rule"] == "caller-confirmed"


async def test_confirm_no_and_unclear_take_their_own_paths() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("2"))
    verb = Confirm(JOHNSON, names, lambda: marker("yes"), lambda: marker("no"), lambda: marker("?"))
    assert [v.describe() for v in (await verb.run(session)).next_flow or []] == ["hangup:no"]
    silent = FakeControl(auto_finish=True)
    session, _ = make_session(silent)
    quick = Confirm(
        JOHNSON, names, lambda: [], lambda: [], lambda: marker("?"), first_digit_timeout=0.01
    )
    assert [v.describe() for v in (await quick.run(session)).next_flow or []] == ["hangup:?"]


async def test_disambiguate_reads_each_candidate_with_its_key_and_routes_the_choice() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("2"))
    chosen: list[Candidate] = []

    def on_choice(c: Candidate) -> Sequence[Verb]:
        chosen.append(c)
        return []

    verb = Disambiguate([JOHNSON, JOHNSTON], names, on_choice, lambda: marker("none"))
    await verb.run(session)
    media = control.calls[0][1]
    assert media[:5] == [
        "sound:ivr101/disambiguate_intro",
        "sound:ivr101/for",
        "sound:ivr101/names/p-0001",
        "sound:ivr101/press",
        "digits:1",
    ]
    assert media[-1] == "sound:ivr101/someone_else"
    assert chosen == [JOHNSTON]
    assert call_log.decisions[-1]["destination"] == "directory:p-0002"


async def test_disambiguate_zero_means_someone_else() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("0"))
    verb = Disambiguate([JOHNSON, JOHNSTON], names, lambda c: [], lambda: marker("none"))
    assert [v.describe() for v in (await verb.run(session)).next_flow or []] == ["hangup:none"]
