"""999 outranks every step: key 9 or a danger cue, wherever the caller is, reaches emergency.

One table walks every state a caller can be in, with the real RoutingEngine
(shipped rules), the real FlowBuilder and an app-run queue whose agents are
busy; the caller's keys and words are sent when the step's prompt plays.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from ivr.ari.errors import AriHttpError
from ivr.decisions import Ask, Candidate, Decision, Expect, Hint, Hypothesis
from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.queues.model import QueueEntry
from ivr.queues.service import QueueService
from ivr.queues.settings import AgentSpec
from ivr.routing.service import RoutingService
from ivr.session.events import (
    CallerHungUp,
    CallEvent,
    DigitPressed,
    PromptFinished,
    SpeechEnded,
    SpeechStarted,
)
from ivr.session.model import CallInfo, Verb
from ivr.session.session import CallSession
from ivr.speech.model import Transcript
from ivr.verbs.callback_offer import CallbackDesk
from ivr.verbs.deflect import OfferLink
from ivr.verbs.transfer import Target, Transfer
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, fixed_clock
from tests.unit.queues.conftest import small_config

KNIFE = "there's a man with a knife outside my house"
CALM = "nobody is hurt"  # a negated cue: no reason to leave the step
PATEL = Candidate("directory:priya-patel", "Sergeant Priya Patel", 0.8)
RAJ = Candidate("directory:raj-patel", "Sergeant Raj Patel", 0.79)


class WatchedLog(MemoryCallLog):
    """A call log the test can wait on: wakes it on every event and decision."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def event(self, call_id: str, at: datetime, kind: str, detail: dict[str, Any]) -> None:
        super().event(call_id, at, kind, detail)
        self.changed.set()

    def decision(self, call_id: str, at: datetime, decision: Decision) -> None:
        super().decision(call_id, at, decision)
        self.changed.set()

    def steps(self) -> list[str]:
        return [d["step"] for _, kind, d in self.events if kind == "step"]

    async def until(self, done: Callable[[], bool]) -> None:
        while not done():
            self.changed.clear()
            await self.changed.wait()


class ScriptedControl(FakeControl):
    """Every prompt finishes at once; the caller acts when a given prompt plays or a leg rings.

    ``cues``: (what to watch for, before the prompt finishes?, the caller's events). A
    cue fires once, on the first play whose media names it ("dial" for a leg ringing).
    """

    def __init__(self, cues: Sequence[tuple[str, bool, Callable[[int], list[CallEvent]]]]) -> None:
        super().__init__(auto_finish=False)
        self.listening = True
        self.cues = list(cues)

    def _fire(self, name: str, during: bool) -> None:
        for cue in list(self.cues):
            watched, when, events = cue
            if when == during and watched in name:
                self.cues.remove(cue)
                self.push(*events(self.epoch))

    async def play(self, media: Sequence[str]) -> str:
        self._fire(" ".join(media), during=True)
        playback = await super().play(media)
        self.push(PromptFinished(playback, completed=True))
        self._fire(" ".join(media), during=False)
        return playback

    async def dial(self, endpoint: str, *, timeout: int, caller_id: str, agent: str = "") -> str:
        leg = await super().dial(endpoint, timeout=timeout, caller_id=caller_id, agent=agent)
        self._fire("dial", during=False)
        return leg


class OneSentence:
    """A recognizer that hears the same words in every utterance."""

    def __init__(self, text: str) -> None:
        self.text = text

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        return Transcript((Hypothesis(self.text, 0.9),), "fake", audio_seconds=1.0)


class Desk:
    async def accept(self, call_id: str, number: str) -> QueueEntry:
        raise AssertionError("no callback is booked in these tests")

    async def withdraw(self, call_id: str, reason: str) -> bool:
        return False


class Links:
    async def online_link(self, call_id: str, number: str) -> bool:
        return True

    def is_quiet(self, categories: Iterable[str], heard: Iterable[str] = ()) -> bool:
        return False


def key(*digits: str) -> Callable[[int], list[CallEvent]]:
    return lambda epoch: [DigitPressed(d) for d in digits]


def talks() -> Callable[[int], list[CallEvent]]:
    """The caller speaks (the call's recognizer hears its one sentence in the audio)."""
    return lambda epoch: [SpeechStarted(epoch), SpeechEnded(b"\x00\x01" * 800, epoch=epoch)]


@dataclass
class Call:
    session: CallSession
    control: ScriptedControl
    log: WatchedLog
    flows: FlowBuilder
    queues: QueueService


def busy_queues() -> QueueService:
    """App-run rc and fcr queues whose one agent each is on another call: callers hold."""
    queues = QueueService(
        small_config(capacity=20),
        {"rc-1": AgentSpec("PJSIP/rc-1", ("rc",)), "fcr-1": AgentSpec("PJSIP/fcr-1", ("fcr",))},
    )
    queues.claim_agent("leg-0.rc-1", "", "other-call-1")
    queues.claim_agent("leg-0.fcr-1", "", "other-call-2")
    return queues


def make_call(
    cues: Sequence[tuple[str, bool, Callable[[int], list[CallEvent]]]],
    flow: Callable[[FlowBuilder], Sequence[Verb]],
    heard: str = KNIFE,
    settings: FlowSettings | None = None,
    prompts: FakePrompts | None = None,
    speech: OneSentence | None = None,
    queues: QueueService | None = None,
    desk: CallbackDesk | None = None,
) -> Call:
    """A call running ``flow`` against the shipped rules; ``queues`` and ``desk``: the
    app-run queues (busy) and the callback desk (one that books nothing)."""
    routing = RoutingService(None)
    queues = queues or busy_queues()
    prompts = prompts or FakePrompts()
    flows = FlowBuilder(
        settings or FlowSettings(), routing, prompts, queues=queues, desk=desk or Desk()
    )
    control = ScriptedControl(cues)
    log = WatchedLog()
    session = CallSession(
        CallInfo("call-1", control.channel_id, "07700900123", "Test", "101"),
        control,
        prompts,
        log,
        flow(flows),
        flows.step_down,
        fixed_clock,
        speech or OneSentence(heard),
        breakout=flows.breakout(),
        plan=flows,
    )
    return Call(session, control, log, flows, queues)


def menu(flows: FlowBuilder) -> Sequence[Verb]:
    return flows.inbound()


def confirm(flows: FlowBuilder) -> Sequence[Verb]:
    decision = Decision("confirm", None, rule="t", reason="t", candidates=(PATEL,))
    return flows.act_on(decision, attempt=1)


def disambiguate(flows: FlowBuilder) -> Sequence[Verb]:
    decision = Decision("disambiguate", None, rule="t", reason="t", candidates=(PATEL, RAJ))
    return flows.act_on(decision, attempt=1)


def reference(flows: FlowBuilder) -> Sequence[Verb]:
    decision = Decision(
        "reprompt", None, rule="t", reason="t", message="ask_reference", ask=Ask.REFERENCE
    )
    return flows.act_on(decision, attempt=1)


def link_offer(flows: FlowBuilder) -> Sequence[Verb]:
    return [OfferLink(Links(), flows.route_to("rc"))]


def rc_queue(flows: FlowBuilder) -> Sequence[Verb]:
    return flows.reach("rc")


def rc_queue_offering_callbacks(flows: FlowBuilder) -> Sequence[Verb]:
    return flows.reach("rc", offers=("callback",), offer_rule="long-wait-callback")


def transfer(flows: FlowBuilder) -> Sequence[Verb]:
    return [Transfer([Target("switchboard", "Local/switchboard@ivr-agents")])]


# (state, flow, cues that take the caller there and then break out, expected rule, step it
# broke out of (None: the menu's router decided it itself)). Words out of the menu are
# checked ("if someone is in danger now, press 9"): the caller presses 9.
Cue = tuple[str, bool, Callable[[int], list[CallEvent]]]
DANGER_YES: Cue = ("danger_check", False, key("9"))
STATES: list[tuple[str, Callable[[FlowBuilder], Sequence[Verb]], list[Cue], str, str | None]] = [
    ("welcome, key 9", menu, [("welcome", True, key("9"))], "keypad-emergency", "play:welcome"),
    ("menu, key 9", menu, [("main_menu", False, key("9"))], "keypad-emergency", None),
    ("menu, said", menu, [("main_menu", False, talks())], "emergency-cue", None),
    ("confirm, key 9", confirm, [("confirm_prefix", False, key("9"))], "keypad-emergency",
     "confirm:directory:priya-patel"),
    ("confirm, said", confirm, [("confirm_prefix", False, talks()), DANGER_YES], "emergency-cue",
     "confirm:directory:priya-patel"),
    ("disambiguate, key 9", disambiguate, [("disambiguate_intro", False, key("9"))],
     "keypad-emergency", "disambiguate:2"),
    ("disambiguate, said", disambiguate, [("disambiguate_intro", True, talks()), DANGER_YES],
     "emergency-cue", "disambiguate:2"),
    ("reference entry, key 9", reference, [("ask_reference", False, key("9", "#"))],
     "keypad-emergency", None),
    ("reference entry, said", reference, [("ask_reference", False, talks())],
     "emergency-cue", None),
    ("link offer, key 9", link_offer, [("online_sms_offer", False, key("9"))],
     "keypad-emergency", "offer-link"),
    ("link offer, said", link_offer, [("online_sms_offer", False, talks()), DANGER_YES],
     "emergency-cue", "offer-link"),
    ("queue on hold, key 9", rc_queue, [("queue_position", False, key("9"))],
     "keypad-emergency", "queue:rc"),
    ("queue on hold, said", rc_queue, [("queue_position", False, talks()), DANGER_YES],
     "emergency-cue", "queue:rc"),
    ("queue announcement, key 9", rc_queue, [("queue_position", True, key("9"))],
     "keypad-emergency", "queue:rc"),
    ("queue callback offer, key 9", rc_queue_offering_callbacks,
     [("callback_offer", False, key("9"))], "keypad-emergency", "queue:rc"),
    ("queue callback offer, said", rc_queue_offering_callbacks,
     [("callback_offer", False, talks()), DANGER_YES], "emergency-cue", "queue:rc"),
    ("callback number confirmation, key 9", rc_queue_offering_callbacks,
     [("callback_offer", False, key("1")), ("callback_number_is", False, key("9"))],
     "keypad-emergency", "queue:rc"),
    ("callback number confirmation, said", rc_queue_offering_callbacks,
     [("callback_offer", False, key("1")), ("callback_number_is", False, talks()), DANGER_YES],
     "emergency-cue", "queue:rc"),
    ("callback number entry, key 9", rc_queue_offering_callbacks,
     [("callback_offer", False, key("1")), ("callback_number_is", False, key("2")),
      ("callback_enter_number", False, key("9", "0", "7"))],
     "keypad-emergency", "queue:rc"),
    ("transfer ringing, key 9", transfer, [("dial", False, key("9"))], "keypad-emergency",
     "transfer:switchboard"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("flow", "cues", "rule", "broke_out_of"),
    [pytest.param(*row[1:], id=row[0]) for row in STATES],
)
async def test_an_emergency_said_or_keyed_at_any_step_goes_to_emergency_at_once(
    flow: Callable[[FlowBuilder], Sequence[Verb]],
    cues: list[Cue],
    rule: str,
    broke_out_of: str | None,
) -> None:
    call = make_call(cues, flow)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())

    (decision,) = [d for d in call.log.decisions if d["destination"] == "emergency"]
    assert decision["rule"] == rule
    assert decision["evidence"].get("breakout_from") == broke_out_of
    checked = DANGER_YES in cues
    assert decision["evidence"].get("danger_check") == ("key 9" if checked else None)
    if broke_out_of is not None:
        assert f"(while at {broke_out_of}" in decision["reason"]
    assert call.control.cues == []  # the caller reached the step before breaking out
    steps = call.log.steps()
    assert steps[-2:] == ["play:transfer_emergency", "transfer:emergency"]
    assert call.queues.place_of("call-1") is None  # no place left behind in any queue
    if broke_out_of == "transfer:switchboard":
        assert ("drop_leg", "leg-1") in call.control.calls  # the ringing leg is let go
    call.control.push(CallerHungUp())
    await task


async def test_a_negated_cue_in_a_confirmation_does_not_break_out() -> None:
    call = make_call([("confirm_prefix", False, talks()), DANGER_YES], confirm, heard=CALM)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "choose-speech" in call.log.kinds())  # heard, not understood
    assert [d for d in call.log.decisions if d["destination"] == "emergency"] == []
    call.control.push(CallerHungUp())
    await task


async def test_words_spoken_over_the_position_announcement_are_heard_before_any_offer() -> None:
    """Speech that barges in on the announcement is recognised on hold, not thrown away by
    the callback offer that would follow it."""
    call = make_call([("queue_position", True, talks()), DANGER_YES], rc_queue_offering_callbacks)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    (decision,) = [d for d in call.log.decisions if d["destination"] == "emergency"]
    assert decision["rule"] == "emergency-cue"
    assert "callback-offered" not in call.log.kinds()
    call.control.push(CallerHungUp())
    await task


async def test_an_agent_ringing_when_the_caller_breaks_out_is_free_again_not_set_away() -> None:
    call = make_call([("dial", False, key("9"))], rc_queue)
    call.queues.agent_done("rc-1", "rc")  # rc-1 finished the other call: free to ring now
    free = asyncio.Event()
    asyncio.get_running_loop().call_later(0, free.set)  # after the wrap-up timer (0 s) fires
    await free.wait()
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    assert [e["agent"] for _, kind, e in call.log.events if kind == "dial"] == ["rc-1"]
    # The agent missed nothing: still on the roster, not away for agent_away_s.
    assert [a.id for a in call.queues.engine.agents("rc")] == ["rc-1"]
    call.control.push(CallerHungUp())
    await task


async def test_an_error_stopping_the_ringing_leg_does_not_cost_the_caller_the_emergency() -> None:
    call = make_call([("dial", False, key("9"))], transfer)
    call.control.fail_on["drop_leg"] = AriHttpError("DELETE", "/channels/leg-1", 500, "boom")
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    assert "error" not in call.log.kinds()  # no step-down to the switchboard instead
    call.control.push(CallerHungUp())
    await task


async def test_what_a_caller_says_on_hold_is_not_stored_unless_it_is_an_emergency() -> None:
    calm = "how much longer is this going to take"
    call = make_call([("queue_position", False, talks())], rc_queue, heard=calm)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "speech-unstored" in call.log.kinds())
    assert "speech" not in call.log.kinds()
    assert all(calm not in str(detail) for _, _, detail in call.log.events)
    assert call.log.decisions == []
    call.control.push(CallerHungUp())
    await task


async def test_a_hurried_caller_on_hold_who_says_it_is_no_emergency_keeps_their_place() -> None:
    hurried = "hurry up I'm still here"  # urgency words the engine reads as danger cues
    call = make_call(
        [("queue_position", False, talks()), ("danger_check", False, key("2"))],
        rc_queue,
        heard=hurried,
    )
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "emergency-check-declined" in call.log.kinds())
    assert call.log.decisions == []
    place = call.queues.place_of("call-1")
    assert place is not None and (place["queue"], place["position"]) == ("rc", 1)
    assert all(hurried not in str(detail) for _, _, detail in call.log.events)
    call.control.push(CallerHungUp())
    await task


async def test_a_caller_who_cannot_answer_the_danger_check_is_taken_as_in_danger() -> None:
    call = make_call(
        [("queue_position", False, talks())],
        rc_queue,
        settings=FlowSettings(first_digit_timeout=0.01),  # the check's silence, at once
    )
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    (decision,) = [d for d in call.log.decisions if d["destination"] == "emergency"]
    assert decision["evidence"]["danger_check"] == "no-input"
    call.control.push(CallerHungUp())
    await task


async def test_an_emergency_restored_to_the_fcr_queue_keeps_what_is_left_of_its_wait_limit() -> (
    None
):
    """After a restart an emergency rejoins at its place; the time it already waited
    counts against ``emergency_wait_s``, so the limit cannot double."""
    waited = FlowSettings().emergency_wait_s + 10.0
    joined_at = time.time() - waited

    def restored(flows: FlowBuilder) -> Sequence[Verb]:
        return flows.reach("fcr", urgent=True, joined_at=joined_at)

    call = make_call([], restored)
    decided = Decision("route", "emergency", rule="emergency-resumed", reason="before a restart")
    call.session.record_decision(decided)  # decided before the restart
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "queue-gave-up" in call.log.kinds())
    kinds = call.log.kinds()
    assert "queue-announced" not in kinds[: kinds.index("queue-gave-up")]
    call.control.push(CallerHungUp())
    await task


@pytest.mark.parametrize(
    ("reply", "breaks_out"),
    [
        ("no", False),
        ("not an emergency", False),
        ("no thanks I'm fine", False),
        ("he's not breathing", True),  # "not" in it, and danger: danger
        ("no I am not safe", True),
        ("no no help me he has a knife", True),
        ("yes", True),
        ("what", True),  # unclear: taken as danger
    ],
)
async def test_a_reply_to_the_danger_check_is_a_no_only_when_it_says_nothing_else(
    reply: str, breaks_out: bool
) -> None:
    replies = iter(["hurry up please", reply])

    class TwoSentences(OneSentence):
        async def recognize(
            self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
        ) -> Transcript:
            return Transcript((Hypothesis(next(replies), 0.9),), "fake", audio_seconds=1.0)

    call = make_call(
        [("queue_position", False, talks()), ("danger_check", False, talks())],
        rc_queue,
        speech=TwoSentences(""),
    )
    task = asyncio.create_task(call.session.run())
    ended = "transfer:emergency" if breaks_out else "emergency-check-declined"
    await call.log.until(lambda: ended in call.log.steps() or ended in call.log.kinds())
    emergencies = [d for d in call.log.decisions if d["destination"] == "emergency"]
    assert bool(emergencies) is breaks_out
    call.control.push(CallerHungUp())
    await task


async def test_the_danger_check_tells_the_recogniser_a_yes_or_no_is_coming() -> None:
    replies = iter(["hurry up please", "no"])
    hints: list[Expect | None] = []

    class Hinted(OneSentence):
        async def recognize(
            self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
        ) -> Transcript:
            hints.append(expect)
            return Transcript((Hypothesis(next(replies), 0.9),), "fake", audio_seconds=1.0)

    call = make_call(
        [("queue_position", False, talks()), ("danger_check", False, talks())],
        rc_queue,
        speech=Hinted(""),
    )
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "emergency-check-declined" in call.log.kinds())
    assert hints == [None, Hint.YES_NO]  # words on hold are anything; the answer a yes/no
    call.control.push(CallerHungUp())
    await task


async def test_the_danger_check_is_heard_without_hold_music() -> None:
    call = make_call([("queue_position", False, talks()), DANGER_YES], rc_queue)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    ops = [(op, arg) for op, arg in call.control.calls if op in ("moh", "play")]
    check = next(i for i, (op, arg) in enumerate(ops) if op == "play" and "danger_check" in arg[0])
    assert ops[check - 1] == ("moh", False)
    call.control.push(CallerHungUp())
    await task


class NoDangerPrompt(FakePrompts):
    """A force's own catalogue, older than the danger check."""

    def media_uri(self, prompt_id: str) -> str:
        if prompt_id == "danger_check":
            raise KeyError(prompt_id)
        return super().media_uri(prompt_id)


async def test_a_danger_check_that_cannot_be_asked_takes_the_words_as_an_emergency() -> None:
    call = make_call([("confirm_prefix", False, talks())], confirm, prompts=NoDangerPrompt())
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    (decision,) = [d for d in call.log.decisions if d["destination"] == "emergency"]
    assert decision["evidence"]["danger_check"] == "check-failed"
    assert "play:technical_difficulty" not in call.log.steps()  # no step-down instead
    call.control.push(CallerHungUp())
    await task
