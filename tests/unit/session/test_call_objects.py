"""CallObjects: ARI events mean something to a call only for the objects it owns."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from ivr.ari import events as ari
from ivr.ari.models import Channel, DialplanLocation
from ivr.session.call_objects import CallObjects
from ivr.session.events import (
    CallerHungUp,
    DigitPressed,
    LegAnswered,
    LegFailed,
    LegHungUp,
    PromptFinished,
)
from tests.fakes import ReadQueue


class Router:
    def __init__(self) -> None:
        self.watched: dict[str, asyncio.Queue[ari.AriEvent]] = {}

    def watch(self, object_id: str, sink: asyncio.Queue[ari.AriEvent]) -> None:
        self.watched[object_id] = sink

    def unwatch(self, object_id: str) -> None:
        self.watched.pop(object_id, None)


def event(raw: dict[str, Any]) -> ari.AriEvent:
    return ari.parse_event({"application": "ivr101", "timestamp": "", **raw})


def chan(cid: str) -> dict[str, str]:
    return {"id": cid, "name": f"PJSIP/{cid}", "state": "Up"}


def test_only_the_callers_own_digits_and_hang_up_count() -> None:
    objects = CallObjects(Router(), "c1")
    dtmf = {"type": "ChannelDtmfReceived", "digit": "5"}
    assert objects.translate(event({**dtmf, "channel": chan("c1")})) == DigitPressed("5")
    assert objects.translate(event({**dtmf, "channel": chan("other")})) is None
    soft = {"type": "ChannelHangupRequest", "channel": chan("c1"), "soft": True}
    assert objects.translate(event(soft)) is None
    assert not objects.caller_gone
    hard = {"type": "ChannelHangupRequest", "channel": chan("c1"), "cause": 16}
    assert objects.translate(event(hard)) == CallerHungUp(16)
    assert objects.caller_gone


def test_a_finished_prompt_is_reported_once_and_no_longer_watched() -> None:
    router = Router()
    objects = CallObjects(router, "c1")
    objects.add_playback("pb-1")
    finished = event({"type": "PlaybackFinished", "playback": {"id": "pb-1", "state": "done"}})
    assert objects.translate(finished) == PromptFinished("pb-1", completed=True)
    assert "pb-1" not in router.watched
    assert objects.translate(finished) is None


def test_a_leg_rings_answers_and_hangs_up() -> None:
    router = Router()
    objects = CallObjects(router, "c1")
    objects.ring("leg-1")
    assert "leg-1" in router.watched
    started = event({"type": "StasisStart", "channel": chan("leg-1"), "args": ["leg"]})
    assert objects.translate(started) == LegAnswered("leg-1")
    assert objects.translate(started) is None  # already up
    hangup = event({"type": "ChannelHangupRequest", "channel": chan("leg-1")})
    assert objects.translate(hangup) == LegHungUp("leg-1")
    assert not objects.owns_leg("leg-1")


def test_a_ringing_leg_that_fails_to_dial_is_reported_failed() -> None:
    objects = CallObjects(Router(), "c1")
    objects.ring("leg-1")
    busy = event({"type": "Dial", "peer": chan("leg-1"), "dialstatus": "BUSY"})
    assert objects.translate(busy) == LegFailed("leg-1", "BUSY")
    assert objects.legs() == []


def test_a_ringing_leg_that_rang_out_is_reported_by_its_cause() -> None:
    """A real Asterisk 22 sends no Dial NOANSWER for an originate that times out: the
    leg's ChannelDestroyed (cause 19) is all there is."""
    objects = CallObjects(Router(), "c1")
    objects.ring("leg-1")
    objects.ring("leg-2")
    rang_out = {"type": "ChannelDestroyed", "cause": 19, "cause_txt": "User alerting, no answer"}
    assert objects.translate(event({**rang_out, "channel": chan("leg-1")})) == LegFailed(
        "leg-1", "NOANSWER"
    )
    cleared = {"type": "ChannelDestroyed", "cause": 16, "cause_txt": "Normal Clearing"}
    assert objects.translate(event({**cleared, "channel": chan("leg-2")})) == LegFailed(
        "leg-2", "HANGUP"
    )
    assert objects.legs() == []


def test_after_a_gap_legs_that_went_or_answered_are_reported() -> None:
    objects = CallObjects(Router(), "c1")
    objects.ring("leg-gone")
    objects.ring("leg-up")
    objects.adopt("br-1", ["leg-talking"])
    up = Channel(
        id="leg-up",
        name="Local/x;1",
        state="Up",
        dialplan=DialplanLocation(app_name="Stasis", app_data="ivr101,leg"),
    )
    objects.catch_up_legs({"leg-up": up})
    reported = [objects.translate(objects.inbox.get_nowait()) for _ in range(3)]
    assert reported == [
        LegFailed("leg-gone", "HANGUP"),
        LegAnswered("leg-up"),
        LegHungUp("leg-talking"),
    ]
    assert objects.legs() == ["leg-up"]


def test_forget_all_stops_watching_everything_and_lets_the_caller_go() -> None:
    router = Router()
    objects = CallObjects(router, "c1")
    objects.add_playback("pb-1")
    objects.ring("leg-1")
    objects.adopt("br-1", [])
    objects.forget_all()
    assert router.watched == {}
    assert objects.caller_gone and objects.bridge_id is None
    assert objects.legs() == [] and objects.playbacks() == []


async def test_next_event_skips_what_means_nothing_and_times_out() -> None:
    objects = CallObjects(Router(), "c1")
    objects.inbox.put_nowait(event({"type": "ChannelStateChange", "channel": chan("c1")}))
    objects.report(CallerHungUp())
    assert await objects.next_event(1) == CallerHungUp()
    assert await objects.next_event(0.01) is None


async def test_a_cancel_that_lands_as_an_event_arrives_is_not_swallowed() -> None:
    # An operator's re-route cancels the verb waiting here; if an event arrives in the
    # same instant the cancel must still win (asyncio.wait_for on 3.11 returned the event
    # and the old verb rang on), and the event stays for whoever reads next.
    objects = CallObjects(Router(), "c1")
    inbox: ReadQueue[ari.AriEvent] = ReadQueue()
    objects.inbox = inbox  # the same queue, telling the test when the wait began
    waiting = asyncio.create_task(objects.next_event(5.0))
    await inbox.reading.wait()
    dtmf = {"type": "ChannelDtmfReceived", "digit": "5", "channel": chan("c1")}
    objects.inbox.put_nowait(event(dtmf))
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    assert waiting.cancelled()
    assert await objects.next_event(0) == DigitPressed("5")
