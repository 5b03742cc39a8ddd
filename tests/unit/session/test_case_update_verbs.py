"""A crime reference at any question, and the case status heard and texted (issue 15, item 5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pytest

from ivr.decisions import Candidate, Decision, Hypothesis
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.routing.case_status import PublicStatus
from ivr.session.events import DigitPressed, PromptFinished, SpeechEnded, SpeechStarted
from ivr.session.outcomes import Status
from ivr.session.steps import Answered, Chosen
from ivr.verbs import Play
from ivr.verbs.ask import Question
from ivr.verbs.choice import REFERENCE_START, ask_choice
from ivr.verbs.route import Confirm, Disambiguate, RouteCall
from ivr.verbs.status_text import OfferStatusText
from tests.fakes import FakeControl, FakePrompts
from tests.unit.session.test_route_verbs import JOHNSON, JOHNSTON, TableRouter, plan
from tests.unit.session.test_speech_verbs import FakeSpeech, listening_session
from tests.unit.session.test_verbs import make_session
from tests.unit.test_flows import OneEntryRouting

KEYED = "42*18734*24"


def keys(text: str) -> list[DigitPressed]:
    return [DigitPressed(d) for d in text]


async def test_a_reference_keyed_at_a_confirmation_is_handed_to_the_router() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), *keys(KEYED + "#"))
    outcome = await Confirm(JOHNSON, attempt=2).run(session)
    assert outcome.step == Answered(KEYED, (), 2)
    assert "reference-answered" in call_log.kinds()
    assert not call_log.decisions  # nothing confirmed: the router decides next
    (decide,) = plan().verbs_for(outcome.step)
    assert isinstance(decide, RouteCall) and decide.describe() == "route:answered"
    router = TableRouter(Decision("route", "rc", rule="reference-closed", reason="closed"))
    decide.router = router
    await decide.run(session)
    (inputs,) = router.seen
    assert (inputs.digits, inputs.attempt) == (KEYED, 2)
    assert call_log.decisions[-1]["rule"] == "reference-closed"


async def test_the_answer_keys_still_answer_at_once() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    outcome = await Confirm(JOHNSON).run(session)  # no wait for more keys after the 1
    assert outcome.step == Chosen(JOHNSON.destination, 1)


async def test_a_reference_said_at_a_pick_is_handed_to_the_router() -> None:
    said = "it's about my crime four two stroke one eight seven three four stroke two four"
    control, session, _ = listening_session(FakeSpeech(said))
    control.push(
        PromptFinished("pb-1", True), SpeechStarted(1), SpeechEnded(b"\x00" * 1600, epoch=1)
    )
    outcome = await Disambiguate([JOHNSON, JOHNSTON]).run(session)
    assert isinstance(outcome.step, Answered)
    assert outcome.step.digits is None
    assert outcome.step.heard == (Hypothesis(said, 0.9),)


async def test_star_starts_a_reference_at_a_one_key_question() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    menu = plan().ask(["main_menu"])
    question = Question(
        ["main_menu"], max_digits=menu.max_digits, single_keys=menu.single_keys, speech=False
    )
    control.push(PromptFinished("pb-1", True), *keys("*" + KEYED + "#"))
    assert (await question.ask(session)).digits == "*" + KEYED
    for key in ("1", "#", "7"):  # every other key is a whole answer, as before
        control = FakeControl()
        session, _ = make_session(control)
        control.push(PromptFinished("pb-1", True), DigitPressed(key), DigitPressed("5"))
        assert (await question.ask(session)).digits == key  # the 5 is not part of it


class Sent:
    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.texts: list[tuple[str, str, str, str]] = []

    async def case_status(self, call_id: str, number: str, reference: str, status: str) -> bool:
        self.texts.append((call_id, number, reference, status))
        return True

    def is_quiet(self, categories: Iterable[str], heard: Iterable[str] = ()) -> bool:
        return self.quiet


THEN = (Play(["transfer_directory"]),)


async def test_the_status_is_texted_on_yes_and_the_call_goes_on() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("1"))
    sent = Sent()
    offer = OfferStatusText(sent, "42/18734/24", PublicStatus.AWAITING_INFORMATION, THEN)
    outcome = await offer.run(session)
    assert control.calls[0] == ("play", ["sound:ivr101/case_status_sms_offer"])
    assert sent.texts == [
        ("call-1", "07700900123", "42/18734/24", PublicStatus.AWAITING_INFORMATION.sentence)
    ]
    assert [v.describe() for v in outcome.next_flow or ()] == [
        "play:case_status_sms_sent",
        "play:transfer_directory",
    ]
    assert "status-texted" in call_log.kinds()


async def test_no_offer_to_a_landline_or_on_a_sensitive_call_and_no_means_no() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    quiet = Sent(quiet=True)
    outcome = await OfferStatusText(quiet, "42/1/24", PublicStatus.OPEN, THEN).run(session)
    assert (outcome.status, tuple(outcome.next_flow or ())) == (Status.NOT_OFFERED, THEN)
    control.push(PromptFinished("pb-1", True), DigitPressed("2"))
    sent = Sent()
    outcome = await OfferStatusText(sent, "42/1/24", PublicStatus.OPEN, THEN).run(session)
    assert (outcome.status, sent.texts) == (Status.DECLINED, [])
    session.info = replace(session.info, caller_number="01632 960001")
    outcome = await OfferStatusText(sent, "42/1/24", PublicStatus.OPEN, THEN).run(session)
    assert (outcome.status, sent.texts) == (Status.NOT_OFFERED, [])
    assert call_log.kinds().count("status-text-not-offered") == 2


def reference_decision(destination: str, public: PublicStatus, offers: tuple[str, ...]) -> Decision:
    return Decision(
        "route",
        destination,
        rule="reference-officer",
        reason="r",
        message=public.prompt,
        offers=offers,
        evidence={"reference": "42/18734/24", "public_status": public.value, "status": "x"},
        candidates=(Candidate(destination, "Priya Patel", 1.0),),
    )


def test_the_flow_plays_the_status_then_offers_it_then_puts_through() -> None:
    texts = Sent()
    flows = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts(), texts=texts)  # type: ignore[arg-type]
    decision = reference_decision(
        "directory:priya-patel", PublicStatus.UNDER_INVESTIGATION, ("status-sms",)
    )
    played, offer = flows.act_on(decision, 1)
    assert played.describe() == "play:case_status_under_investigation"
    assert isinstance(offer, OfferStatusText) and offer.status is PublicStatus.UNDER_INVESTIGATION
    assert [v.describe() for v in offer.then][:2] == [
        "play:transfer_directory",
        "transfer:directory:priya-patel",
    ]
    # The status prompt is the Decision's message: heard once, not again before the transfer.
    assert [v.describe() for v in offer.then].count("play:case_status_under_investigation") == 0


def test_a_closed_case_hears_its_status_and_goes_to_the_rc_with_no_text_offer() -> None:
    flows = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts(), texts=Sent())  # type: ignore[arg-type]
    verbs = flows.act_on(reference_decision("rc", PublicStatus.CLOSED_NFA, ()), 1)
    assert [v.describe() for v in verbs][:3] == [
        "play:case_status_closed_nfa",
        "play:transfer_rc",
        "transfer:rc",
    ]
    # Without an SMS gateway an open case is heard and put through, no offer.
    bare = FlowBuilder(FlowSettings(), OneEntryRouting(), FakePrompts())
    decision = reference_decision("directory:priya-patel", PublicStatus.OPEN, ("status-sms",))
    assert [v.describe() for v in bare.act_on(decision, 1)][:2] == [
        "play:case_status_open",
        "play:transfer_directory",
    ]


async def test_star_starts_a_reference_whose_first_key_is_an_answer_key() -> None:
    # At a confirmation 1 and 2 answer at once, so "12/18734/24" keyed plain is a yes; after
    # "*" every key is the reference's, until '#' or a pause.
    reference = "12*18734*24"
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(PromptFinished("pb-1", True), *keys("*" + reference + "#"))
    outcome = await Confirm(JOHNSON, attempt=1).run(session)
    assert outcome.step == Answered("*" + reference, (), 1)
    assert "reference-answered" in call_log.kinds()
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", True), *keys(reference + "#"))
    outcome = await Confirm(JOHNSON).run(session)  # the limit, documented: a yes
    assert outcome.step == Chosen(JOHNSON.destination, 1)


async def test_star_is_never_an_answer_key_where_a_reference_may_be_keyed() -> None:
    session, _ = make_session(FakeControl())
    with pytest.raises(ValueError, match="starts a crime reference"):
        await ask_choice(session, [], {"1", REFERENCE_START}, str, 1.0, references=True)
