"""Verb behaviour through a fake CallControl: no Asterisk, no sleeps."""

from __future__ import annotations

import asyncio

import pytest

from ivr.ari.errors import AriHttpError, AriNotFound
from ivr.session.events import (
    CallerHungUp,
    DigitPressed,
    LegAnswered,
    LegFailed,
    LegHungUp,
    PromptFinished,
)
from ivr.session.model import CallerGone, CallInfo, Verb
from ivr.session.session import CallSession
from ivr.speech.model import SpeechService
from ivr.verbs import Answer, Hangup, Play, Transfer
from ivr.verbs.ask import Question
from ivr.verbs.route import choose
from ivr.verbs.transfer import Target
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog, fixed_clock


def make_session(
    control: FakeControl,
    flow: list[Verb] | None = None,
    fallback: list[Verb] | None = None,
    *,
    speech: SpeechService | None = None,
) -> tuple[CallSession, MemoryCallLog]:
    """A call on ``control``; ``speech`` None: keypad only."""
    call_log = MemoryCallLog()
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    session = CallSession(
        info,
        control,
        FakePrompts(),
        call_log,
        flow or [],
        lambda: list(fallback or []),
        fixed_clock,
        speech,
    )
    return session, call_log


async def test_play_returns_done_when_the_prompt_finishes() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", completed=True))
    outcome = await Play(["welcome"]).run(session)
    assert outcome.status == "done"
    assert control.calls[0] == ("play", ["sound:ivr101/welcome"])
    assert "stop_playback" not in control.ops()


async def test_a_key_barges_in_stops_the_prompt_and_is_kept_for_the_next_gather() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(DigitPressed("1"), PromptFinished("pb-1", completed=True))
    outcome = await Play(["welcome"]).run(session)
    assert outcome.status == "interrupted"
    assert control.ops() == ["play", "stop_playback"]
    assert list(session.keys) == ["1"]
    gathered = await Question(["main_menu"]).ask(session)
    assert (gathered.status, gathered.digits) == ("digits", "1")
    assert control.ops() == ["play", "stop_playback"]  # typed ahead: the menu is not replayed


async def test_without_barge_in_digits_are_buffered_and_the_prompt_plays_on() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(DigitPressed("9"), PromptFinished("pb-1", completed=True))
    outcome = await Play(["transfer_rc"], barge_in=False).run(session)
    assert outcome.status == "done"
    assert "stop_playback" not in control.ops()
    assert list(session.keys) == ["9"]


async def test_caller_hanging_up_during_a_prompt_raises_caller_gone_and_stops_it() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(CallerHungUp(16))
    with pytest.raises(CallerGone):
        await Play(["welcome"]).run(session)
    assert control.ops() == ["play", "stop_playback"]


async def test_choosing_retries_after_silence_then_accepts_a_valid_key() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    menu = ["sound:ivr101/main_menu"]
    control.push(PromptFinished("pb-1", True))  # menu, then silence times out
    task = asyncio.create_task(choose(session, menu, {"1"}, lambda text: None, 0.01, tries=3))
    await control.did("play", 2)  # the silence timed out: the menu is asked again
    control.push(PromptFinished("pb-2", True), PromptFinished("pb-3", True), DigitPressed("1"))
    outcome = await task
    assert outcome == ("1", "key 1")
    assert [m for op, m in control.calls if op == "play"] == [
        ["sound:ivr101/main_menu"],
        ["sound:ivr101/no_input"],
        ["sound:ivr101/main_menu"],
    ]
    assert "choose-no-input" in call_log.kinds()


async def test_choosing_reports_invalid_after_all_tries_with_wrong_keys() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(PromptFinished("pb-1", True), DigitPressed("7"))
    control.push(PromptFinished("pb-2", True), PromptFinished("pb-3", True), DigitPressed("8"))
    assert await choose(session, ["sound:x"], {"1"}, lambda text: None, 1, tries=2) == (
        None,
        "invalid",
    )


async def test_gather_collects_several_digits_until_the_terminator() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(DigitPressed("4"), DigitPressed("2"), DigitPressed("#"))
    answer = await Question([], max_digits=10, first_digit_timeout=1).ask(session)
    assert (answer.status, answer.digits) == ("digits", "42")


async def test_transfer_connects_the_answered_leg_and_ends_when_the_agent_hangs_up() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(LegAnswered("leg-1"), LegHungUp("leg-1"))
    verb = Transfer([Target("rc", "PJSIP/rc"), Target("switchboard", "PJSIP/sb")])
    outcome = await verb.run(session)
    assert outcome.status == "transferred" and outcome.value == "rc"
    # Listening stops again before the bridge (ivr.verbs.bridge, shared with the queues):
    # a no-op here, as the transfer stopped it before ringing.
    assert control.ops() == [
        "stop_listening",
        "moh",
        "dial",
        "moh",
        "stop_listening",
        "connect",
        "hangup",
    ]
    assert session.outcome == "transferred"
    assert "connected" in call_log.kinds()


class RefusingBridge(FakeControl):
    async def connect(self, leg_id: str) -> None:
        self._did("connect", leg_id)
        raise AriHttpError("POST", "/bridges", 500, "bridge refused")


async def test_an_answered_leg_that_cannot_be_bridged_is_dropped_not_left_alone() -> None:
    control = RefusingBridge()
    session, _ = make_session(control)
    control.push(LegAnswered("leg-1"))
    with pytest.raises(AriHttpError):
        await Transfer([Target("rc", "PJSIP/rc")]).run(session)
    assert control.ops()[-2:] == ["connect", "drop_leg"]
    assert session.connected_leg is None  # never counted as talking to a person


async def test_transfer_falls_back_to_the_next_target_when_busy() -> None:
    control = FakeControl()
    session, call_log = make_session(control)
    control.push(
        LegFailed("leg-1", "BUSY"),
        PromptFinished("pb-2", True),
        LegAnswered("leg-3"),
        LegHungUp("leg-3"),
    )
    verb = Transfer([Target("rc", "PJSIP/rc"), Target("switchboard", "PJSIP/sb")])
    outcome = await verb.run(session)
    assert outcome.value == "switchboard"
    assert [a for op, a in control.calls if op == "dial"] == ["PJSIP/rc", "PJSIP/sb"]
    assert ("drop_leg", "leg-1") in control.calls
    assert "dial-failed" in call_log.kinds()


async def test_transfer_drops_the_ringing_leg_when_the_caller_hangs_up() -> None:
    control = FakeControl()
    session, _ = make_session(control)
    control.push(CallerHungUp())
    with pytest.raises(CallerGone):
        await Transfer([Target("rc", "PJSIP/rc")]).run(session)
    assert ("drop_leg", "leg-1") in control.calls


async def test_session_records_where_an_abandoning_caller_left() -> None:
    control = FakeControl()
    session, call_log = make_session(control, [Answer(), Play(["welcome"]), Hangup()])
    control.push(CallerHungUp())
    await session.run()
    row = call_log.rows["call-1"]
    assert row["outcome"] == "abandoned"
    assert row["last_step"] == "play:welcome"
    assert row["ended_by"] == "caller"
    assert control.released == 1


async def test_a_refused_request_steps_down_to_the_safe_path_once() -> None:
    control = FakeControl()
    control.fail_on["play"] = AriHttpError("POST", "/channels/x/play", 500, "boom")
    session, call_log = make_session(control, [Play(["welcome"])], fallback=[Hangup(None)])
    await session.run()
    assert control.ops() == ["play", "hangup"]
    assert "error" in call_log.kinds()
    assert call_log.rows["call-1"]["outcome"] == "completed"


async def test_a_404_after_the_caller_left_ends_the_call_as_abandoned() -> None:
    control = FakeControl()
    control.caller_gone = True
    control.fail_on["play"] = AriNotFound("POST", "/channels/x/play", 404, "Channel not found")
    session, call_log = make_session(control, [Play(["welcome"])], fallback=[Hangup(None)])
    await session.run()
    assert call_log.rows["call-1"]["outcome"] == "abandoned"
    assert "hangup" not in control.ops()


async def test_replace_flow_cancels_the_current_verb_and_runs_the_new_one() -> None:
    control = FakeControl()
    session, call_log = make_session(control, [Play(["welcome"])])
    task = asyncio.create_task(session.run())
    await control.did("play")
    session.replace_flow([Hangup(None)], reason="operator: route to switchboard")
    await asyncio.wait_for(task, 1)
    assert control.ops() == ["play", "stop_playback", "hangup"]
    assert "flow-replaced" in call_log.kinds()


async def test_a_prompt_whose_finish_never_comes_is_given_up_after_its_length() -> None:
    control = FakeControl()
    call_log = MemoryCallLog()
    info = CallInfo("call-1", control.channel_id, "07700900123", "Test", "101")
    prompts = FakePrompts({"welcome": 0.05})
    session = CallSession(info, control, prompts, call_log, [], lambda: [], fixed_clock)
    import ivr.verbs.basic as basic

    grace, basic.WATCHDOG_GRACE_S = basic.WATCHDOG_GRACE_S, 0.05
    try:
        outcome = await Play(["welcome"]).run(session)
    finally:
        basic.WATCHDOG_GRACE_S = grace
    assert outcome.status == "lost"
    assert control.ops() == ["play", "stop_playback"]
    assert "prompt-watchdog" in call_log.kinds()
