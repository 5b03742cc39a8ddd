"""The danger check at the menu: danger heard unsurely is asked about before anything else.

The shipped rules and the real RoutingEngine and FlowBuilder (the break-out table's
harness, tests/unit/session/test_emergency_breakout.py); the caller says a past
threat at the menu and answers the check by key, by silence, or cannot be asked it.
"""

from __future__ import annotations

import asyncio

import pytest

from ivr.flow_settings import FlowSettings
from ivr.flows.emergency import DangerCheck
from ivr.routing.service import RoutingService
from ivr.session.events import CallerHungUp
from tests.unit.session.test_emergency_breakout import (
    NoDangerPrompt,
    key,
    make_call,
    menu,
    talks,
)

PAST_THREAT = "my neighbour threatened me last week"


async def test_a_past_threat_is_asked_about_and_9_is_999_handling() -> None:
    call = make_call([("main_menu", False, talks()), ("danger_check", False, key("9"))], menu,
                     heard=PAST_THREAT)  # fmt: skip
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    asked, answered = call.log.decisions[-2:]
    assert (asked["action"], asked["rule"]) == ("confirm", "danger-check")
    assert asked["evidence"]["raised_by"] == "past-emergency-cue"
    assert (answered["destination"], answered["rule"]) == ("emergency", "danger-check-yes")
    assert answered["evidence"]["danger_check"] == "key 9"
    assert answered["message"] == "emergency_advice"
    assert call.log.steps()[-2:] == ["play:transfer_emergency", "transfer:emergency"]
    call.control.push(CallerHungUp())
    await task


async def test_a_past_threat_answered_no_goes_where_ordinary_routing_sends_it() -> None:
    call = make_call([("main_menu", False, talks()), ("danger_check", False, key("2"))], menu,
                     heard=PAST_THREAT)  # fmt: skip
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: any("danger_check" in d["evidence"] for d in call.log.decisions))
    asked, answered = call.log.decisions[-2:]
    otherwise = asked["evidence"]["otherwise"]
    assert (answered["action"], answered["destination"]) == (
        otherwise["action"],
        otherwise["destination"],
    )
    assert answered["destination"] != "emergency"
    assert answered["reason"].startswith("nobody in danger now (key 2)")
    assert "transfer:emergency" not in call.log.steps()
    call.control.push(CallerHungUp())
    await task


async def test_after_a_no_the_caller_can_still_break_out_with_9() -> None:
    """The check names emergency only as a question: it does not make the call an
    emergency (which would switch the break-out off), so a caller who said no and then
    keys 9 in the queue still reaches 999 handling."""
    cues = [
        ("main_menu", False, talks()),
        ("danger_check", False, key("2")),
        ("confirm_prefix", False, key("1")),  # "a crime to report, is that right?"
        ("queue_position", True, key("9")),
    ]
    call = make_call(cues, menu, heard=PAST_THREAT)
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    rules = [d["rule"] for d in call.log.decisions]
    assert rules[-5:] == [
        "danger-check",
        "intent-confirm",  # a no: the crime report, asked (0.75-0.85)
        "caller-confirmed",
        "confirmed",
        "keypad-emergency",
    ]
    assert call.log.decisions[-1]["evidence"]["breakout_from"] == "queue:rc"
    call.control.push(CallerHungUp())
    await task


async def test_silence_at_the_menus_danger_check_is_999_handling() -> None:
    call = make_call([("main_menu", False, talks())], menu, heard=PAST_THREAT,
                     settings=FlowSettings(first_digit_timeout=0.01))  # fmt: skip
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    answered = call.log.decisions[-1]
    assert (answered["rule"], answered["evidence"]["danger_check"]) == (
        "danger-check-yes",
        "no-input",
    )
    call.control.push(CallerHungUp())
    await task


async def test_a_menu_danger_check_that_cannot_be_asked_is_999_handling() -> None:
    call = make_call([("main_menu", False, talks())], menu, heard=PAST_THREAT,
                     prompts=NoDangerPrompt())  # fmt: skip
    task = asyncio.create_task(call.session.run())
    await call.log.until(lambda: "transfer:emergency" in call.log.steps())
    assert call.log.decisions[-1]["evidence"]["danger_check"] == "check-failed"
    assert "play:technical_difficulty" not in call.log.steps()
    call.control.push(CallerHungUp())
    await task


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("no", "2"),
        ("no thanks I'm fine", "2"),
        ("it's not an emergency", "2"),
        ("I'm not okay", None),
        ("not all right", None),
        ("no, he's got a knife", "9"),
        ("yes", "9"),
    ],
)
def test_only_a_plain_no_answers_no_to_the_danger_check(said: str, key: str | None) -> None:
    check = DangerCheck(RoutingService(None), 1.0)
    assert check._said(said) == key  # None: unclear, which counts as danger
