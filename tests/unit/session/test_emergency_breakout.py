"""999 outranks every step: key 9 or a danger cue, wherever the caller is, reaches emergency.

One table walks every state a caller can be in, with the real RoutingEngine
(shipped rules), the real FlowBuilder and an app-run queue whose agents are
busy; the caller's keys and words are sent when the step's prompt plays.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from ivr.config import AgentSpec, Settings
from ivr.flows import FlowBuilder
from ivr.queues.model import QueueEntry
from ivr.queues.service import QueueService
from ivr.routing.model import Candidate, Decision, Hypothesis
from ivr.routing.service import RoutingService
from ivr.session.emergency import BreakOut
from ivr.session.events import (
    CallerHungUp,
    CallEvent,
    DigitPressed,
    PromptFinished,
    SpeechEnded,
    SpeechStarted,
)
from ivr.session.session import CallInfo, CallSession, Verb
from ivr.speech.model import Transcript
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

    def decision(self, call_id: str, at: datetime, decision: dict[str, Any]) -> None:
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

    async def recognize(self, pcm: bytes, sample_rate: int = 8000) -> Transcript:
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


def make_call(
    cues: Sequence[tuple[str, bool, Callable[[int], list[CallEvent]]]],
    flow: Callable[[FlowBuilder], Sequence[Verb]],
    heard: str = KNIFE,
) -> Call:
    routing = RoutingService(None)
    queues = QueueService(
        small_config(capacity=20),
        {"rc-1": AgentSpec("PJSIP/rc-1", ("rc",)), "fcr-1": AgentSpec("PJSIP/fcr-1", ("fcr",))},
    )
    # Both agents are on other calls: whoever joins a queue holds.
    queues.claim_agent("leg-0.rc-1", "", "other-call-1")
    queues.claim_agent("leg-0.fcr-1", "", "other-call-2")
    prompts = FakePrompts()
    flows = FlowBuilder(Settings(), routing, prompts, queues=queues, desk=Desk())
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
        OneSentence(heard),
        breakout=BreakOut(routing, flows.emergency),
    )
    return Call(session, control, log, flows, queues)


def menu(flows: FlowBuilder) -> Sequence[Verb]:
    return flows.inbound()


def confirm(flows: FlowBuilder) -> Sequence[Verb]:
    decision = Decision("confirm", None, rule="t", reason="t", candidates=(PATEL,))
    return flows.act_on(decision, flows.ask(("main_menu",)))


def disambiguate(flows: FlowBuilder) -> Sequence[Verb]:
    decision = Decision("disambiguate", None, rule="t", reason="t", candidates=(PATEL, RAJ))
    return flows.act_on(decision, flows.ask(("main_menu",)))


def reference(flows: FlowBuilder) -> Sequence[Verb]:
    decision = Decision("reprompt", None, rule="t", reason="t", message="ask_reference")
    return flows.act_on(decision, flows.ask(("main_menu",)))


def link_offer(flows: FlowBuilder) -> Sequence[Verb]:
    return [OfferLink(Links(), flows.route_to("rc"))]


def rc_queue(flows: FlowBuilder) -> Sequence[Verb]:
    return flows.reach("rc")


def rc_queue_offering_callbacks(flows: FlowBuilder) -> Sequence[Verb]:
    return flows.reach("rc", offers=("callback",), offer_rule="long-wait-callback")


def transfer(flows: FlowBuilder) -> Sequence[Verb]:
    return [Transfer([Target("switchboard", "Local/switchboard@ivr-agents")])]


# (state, flow, cues that take the caller there and then break out, expected rule, step it
# broke out of (None: the menu's router decided it itself))
Cue = tuple[str, bool, Callable[[int], list[CallEvent]]]
STATES: list[tuple[str, Callable[[FlowBuilder], Sequence[Verb]], list[Cue], str, str | None]] = [
    ("welcome, key 9", menu, [("welcome", True, key("9"))], "keypad-emergency", "play:welcome"),
    ("menu, key 9", menu, [("main_menu", False, key("9"))], "keypad-emergency", None),
    ("menu, said", menu, [("main_menu", False, talks())], "emergency-cue", None),
    ("confirm, key 9", confirm, [("confirm_prefix", False, key("9"))], "keypad-emergency",
     "confirm:directory:priya-patel"),
    ("confirm, said", confirm, [("confirm_prefix", False, talks())], "emergency-cue",
     "confirm:directory:priya-patel"),
    ("disambiguate, key 9", disambiguate, [("disambiguate_intro", False, key("9"))],
     "keypad-emergency", "disambiguate:2"),
    ("disambiguate, said", disambiguate, [("disambiguate_intro", True, talks())],
     "emergency-cue", "disambiguate:2"),
    ("reference entry, key 9", reference, [("ask_reference", False, key("9", "#"))],
     "keypad-emergency", None),
    ("reference entry, said", reference, [("ask_reference", False, talks())],
     "emergency-cue", None),
    ("link offer, key 9", link_offer, [("online_sms_offer", False, key("9"))],
     "keypad-emergency", "offer-link"),
    ("link offer, said", link_offer, [("online_sms_offer", False, talks())],
     "emergency-cue", "offer-link"),
    ("queue on hold, key 9", rc_queue, [("queue_position", False, key("9"))],
     "keypad-emergency", "queue:rc"),
    ("queue on hold, said", rc_queue, [("queue_position", False, talks())],
     "emergency-cue", "queue:rc"),
    ("queue announcement, key 9", rc_queue, [("queue_position", True, key("9"))],
     "keypad-emergency", "queue:rc"),
    ("queue callback offer, key 9", rc_queue_offering_callbacks,
     [("callback_offer", False, key("9"))], "keypad-emergency", "queue:rc"),
    ("queue callback offer, said", rc_queue_offering_callbacks,
     [("callback_offer", False, talks())], "emergency-cue", "queue:rc"),
    ("callback number confirmation, key 9", rc_queue_offering_callbacks,
     [("callback_offer", False, key("1")), ("callback_number_is", False, key("9"))],
     "keypad-emergency", "queue:rc"),
    ("callback number confirmation, said", rc_queue_offering_callbacks,
     [("callback_offer", False, key("1")), ("callback_number_is", False, talks())],
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
    if broke_out_of is not None:
        assert f"(while at {broke_out_of})" in decision["reason"]
    assert call.control.cues == []  # the caller reached the step before breaking out
    steps = call.log.steps()
    assert steps[-2:] == ["play:transfer_emergency", "transfer:emergency"]
    assert call.queues.place_of("call-1") is None  # no place left behind in any queue
    if broke_out_of == "transfer:switchboard":
        assert ("drop_leg", "leg-1") in call.control.calls  # the ringing leg is let go
    call.control.push(CallerHungUp())
    await task


async def test_a_negated_cue_in_a_confirmation_does_not_break_out() -> None:
    call = make_call([("confirm_prefix", False, talks())], confirm, heard=CALM)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "choose-speech" in call.log.kinds())  # heard, not understood
    assert [d for d in call.log.decisions if d["destination"] == "emergency"] == []
    call.control.push(CallerHungUp())
    await task
