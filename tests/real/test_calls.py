"""Whole calls through a real Asterisk 22: the project's dialplan, the app, the caller.

What each test knows of the call it reads from the app's call log (``AppWatch``) and
from Asterisk itself: the test's ARI application sees its own legs, and where a test
must see what Asterisk did to the call (prompts started and stopped, the dialplan's
steps) it subscribes to the call's own channel before it is dialled
(``Parties.call_watched``), so no event is missed. Nothing waits on time: each step
waits on an event.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from ivr.ari.events import (
    AriEvent,
    DtmfReceived,
    PlaybackContinuing,
    PlaybackFinished,
    PlaybackStarted,
)
from ivr.embedded import AppWatch
from tests.real.app import real_app
from tests.real.asterisk import RealAsterisk
from tests.real.leftovers import nothing_left
from tests.real.parties import Caller, DialplanStep, Parties, Watched

MENU = "sound:ivr101/main_menu"
MENU_MORE = "sound:ivr101/main_menu_more"


@pytest.mark.parametrize(("key", "desk"), [("1", "rc"), ("2", "fcr")])
async def test_a_caller_who_keys_the_menu_is_put_through_to_that_desk(
    asterisk: RealAsterisk, parties: Parties, db_path: str, key: str, desk: str
) -> None:
    async with real_app(asterisk, db_path) as app:
        caller = await parties.call()
        await caller.answered()
        agent = await parties.put_through(app, caller, key, desk)
        await agent.hang_up()
        row = await app.call_row(caller.call_id)
        assert (row["outcome"], row["destination"], row["ended_by"]) == (
            "transferred",
            desk,
            "app",
        )
        decision = await app.first_decision(caller.call_id, 5)
        assert decision is not None
        assert (decision["destination"], decision["rule"]) == (desk, "keypad")
        await caller.until_ended()
        await nothing_left(asterisk, parties)


async def test_the_emergency_key_during_the_welcome_rings_the_emergency_desk_at_once(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    async with real_app(asterisk, db_path) as app:
        caller, call = await parties.call_watched()
        await caller.answered()
        await call.until_playing("sound:ivr101/welcome")
        await caller.keys("9")
        agent = await parties.agent_rung("emergency")
        # Straight there: the menu was never read out, nobody else was rung first.
        started = [e.playback.media_uri for e in call.events if isinstance(e, PlaybackStarted)]
        assert started == ["sound:ivr101/welcome", "sound:ivr101/transfer_emergency"]
        dialled = [
            e["detail"]["destination"]
            for e in await app.events(caller.call_id)
            if e["kind"] == "dial"
        ]
        assert dialled == ["emergency"]
        await agent.answer()
        await app.until_event(caller.call_id, "connected")
        await caller.hang_up()
        row = await app.call_row(caller.call_id)
        assert (row["outcome"], row["destination"], row["ended_by"]) == (
            "transferred",
            "emergency",
            "caller",
        )
        await nothing_left(asterisk, parties)


def _playback_events(events: list[AriEvent], playback_id: str) -> list[str]:
    return [
        type(e).__name__
        for e in events
        if isinstance(e, PlaybackStarted | PlaybackContinuing | PlaybackFinished)
        and e.playback.id == playback_id
    ]


async def test_a_key_during_the_menu_stops_it_before_its_second_half(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    """The menu is one playback of two sounds: a key pressed in the first stops it, so
    Asterisk finishes it without ever continuing to the second (event order, no clock)."""
    async with real_app(asterisk, db_path) as app:
        caller, call = await parties.call_watched()
        await caller.answered()
        menu = await call.until_playing(MENU)
        await caller.keys("1")
        await call.until_playing("sound:ivr101/transfer_rc")
        kinds = _playback_events(call.events, menu.playback.id)
        assert kinds == ["PlaybackStarted", "PlaybackFinished"]
        order = [
            "key" if isinstance(e, DtmfReceived) else "menu ended"
            for e in call.events
            if isinstance(e, DtmfReceived)
            or (isinstance(e, PlaybackFinished) and e.playback.id == menu.playback.id)
        ]
        assert order == ["key", "menu ended"]
        started = [e.playback.media_uri for e in call.events if isinstance(e, PlaybackStarted)]
        assert MENU_MORE not in started
        assert started[-1] == "sound:ivr101/transfer_rc"
        steps = [e["detail"] for e in await app.events(caller.call_id) if e["kind"] == "dtmf"]
        assert [(s["digit"], s["during"]) for s in steps] == [
            ("1", "play:main_menu+main_menu_more")
        ]
        await caller.hang_up()
        await app.call_row(caller.call_id)
        await nothing_left(asterisk, parties)


async def test_an_unanswered_resolution_centre_falls_back_to_the_switchboard(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    async with real_app(asterisk, db_path) as app:
        caller = await parties.call()
        await caller.answered()
        await caller.keys("1")
        unanswered = await parties.agent_rung("rc")
        # Left ringing: the app's ring_timeout (4 s here) ends the leg, not the test.
        await unanswered.until_ended()
        switchboard = await parties.agent_rung("switchboard")
        await switchboard.answer()
        await app.until_event(caller.call_id, "connected")
        await switchboard.hang_up()
        row = await app.call_row(caller.call_id)
        assert (row["outcome"], row["destination"], row["ended_by"]) == (
            "transferred",
            "switchboard",
            "app",
        )
        events = await app.events(caller.call_id)
        failed = [e["detail"] for e in events if e["kind"] == "dial-failed"]
        assert failed == [{"destination": "rc", "status": "NOANSWER"}]
        dialled = [e["detail"]["destination"] for e in events if e["kind"] == "dial"]
        assert dialled == ["rc", "switchboard"]
        await caller.until_ended()
        await nothing_left(asterisk, parties)


Drive = Callable[[Parties, AppWatch, Caller, Watched], Awaitable[None]]


async def _welcome(parties: Parties, app: AppWatch, caller: Caller, call: Watched) -> None:
    await call.until_playing("sound:ivr101/welcome")


async def _menu(parties: Parties, app: AppWatch, caller: Caller, call: Watched) -> None:
    await call.until_playing(MENU)


async def _transfer_prompt(parties: Parties, app: AppWatch, caller: Caller, call: Watched) -> None:
    await caller.keys("1")
    await call.until_playing("sound:ivr101/transfer_rc")


async def _agent_ringing(parties: Parties, app: AppWatch, caller: Caller, call: Watched) -> None:
    await caller.keys("1")
    await parties.agent_rung("rc")


async def _talking(parties: Parties, app: AppWatch, caller: Caller, call: Watched) -> None:
    await parties.put_through(app, caller, "1", "rc")


@dataclass(frozen=True)
class HangUpAt:
    """Where the caller hangs up (``reach``: until the call is there), and what the call
    row must say then."""

    reach: Drive
    last_step: str
    outcome: str


HANG_UPS = {
    "welcome": HangUpAt(_welcome, "play:welcome", "abandoned"),
    "menu": HangUpAt(_menu, "route:main_menu+main_menu_more", "abandoned"),
    "transfer_prompt": HangUpAt(_transfer_prompt, "play:transfer_rc", "abandoned"),
    "agent_ringing": HangUpAt(_agent_ringing, "transfer:rc", "abandoned"),
    "talking_to_agent": HangUpAt(_talking, "transfer:rc", "transferred"),
}


@pytest.mark.parametrize("where", list(HANG_UPS))
async def test_a_caller_who_hangs_up_leaves_nothing_in_asterisk_and_the_row_says_where(
    asterisk: RealAsterisk, parties: Parties, db_path: str, where: str
) -> None:
    at = HANG_UPS[where]
    async with real_app(asterisk, db_path) as app:
        caller, call = await parties.call_watched()
        await caller.answered()
        await at.reach(parties, app, caller, call)
        await caller.hang_up()
        row = await app.call_row(caller.call_id)
        assert (row["last_step"], row["outcome"], row["ended_by"]) == (
            at.last_step,
            at.outcome,
            "caller",
        )
        await caller.until_ended()
        await nothing_left(asterisk, parties)


async def test_nothing_left_names_a_channel_still_up(
    asterisk: RealAsterisk, parties: Parties
) -> None:
    caller = await parties.call(number="nobody", context="test-agents")
    await parties.agent_rung("nobody")
    with pytest.raises(AssertionError, match="Local/nobody@test-agents"):
        await nothing_left(asterisk, parties, timeout=0.3)
    await caller.hang_up()
    await nothing_left(asterisk, parties)


# The shipped fallback (dialplans/extensions.conf [ivr-agents] fallback), once Stasis
# has returned: apologise, try the switchboard, then the FCR, then say no one is there.
FALLBACK = [
    DialplanStep("Goto", "ivr-agents,fallback,1"),
    DialplanStep("Answer", ""),
    DialplanStep("Playback", "ivr101/technical_difficulty"),
    DialplanStep("Dial", "PJSIP/switchboard,60"),
    DialplanStep("Dial", "PJSIP/fcr-agent-1,60"),
    DialplanStep("Playback", "ivr101/no_one_available"),
    DialplanStep("Hangup", ""),
]


def _after_stasis(steps: list[DialplanStep]) -> list[DialplanStep]:
    """The steps after the call left Stasis(ivr101) up to the dialplan's Hangup (an `h`
    extension a test conf adds runs after it), a log line's text cut to its kind."""
    rest = steps[[s.app for s in steps].index("Stasis") + 1 :]
    apps = [s.app for s in rest]
    if "Hangup" in apps:
        rest = rest[: apps.index("Hangup") + 1]
    return [DialplanStep(s.app, s.data.split(":")[0]) if s.app == "Log" else s for s in rest]


async def test_with_the_app_down_the_dialplan_apologises_and_tries_the_switchboard(
    asterisk: RealAsterisk, parties: Parties
) -> None:
    caller, call = await parties.call_watched()
    await caller.answered()
    steps = await call.until_dialplan(DialplanStep("Hangup", ""))
    assert steps[1] == DialplanStep("NoOp", "ivr101: 07700900123 dialled 101")
    assert DialplanStep("Stasis", "ivr101,101") in steps
    assert call.variable_set("STASISSTATUS") == ["FAILED"]
    assert _after_stasis(steps) == [
        DialplanStep("GotoIf", "1?app-down"),
        DialplanStep("Log", "WARNING,ivr101 app not running"),
        *FALLBACK,
    ]
    # The agents' phones are not registered here: both dials fail at once, and the
    # caller hears no_one_available to its end before the dialplan hangs up.
    assert call.variable_set("DIALSTATUS") == ["CHANUNAVAIL", "CHANUNAVAIL"]
    assert call.variable_set("PLAYBACKSTATUS") == ["SUCCESS", "SUCCESS"]
    await caller.until_ended()
    await nothing_left(asterisk, parties)


def _stored_call(db_path: str, call_id: str) -> dict[str, object]:
    """The call's row as the stopped app left it in its database."""
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM calls WHERE call_id = ?", (call_id,)).fetchone()
    assert row is not None, f"no row for {call_id}"
    return dict(row)


async def test_a_call_the_app_releases_as_it_stops_reaches_the_dialplan_fallback(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    async with real_app(asterisk, db_path):
        caller, call = await parties.call_watched()
        await caller.answered()
        await call.until_playing("sound:ivr101/welcome")
    # The app has stopped: it handed the caller back to the dialplan after Stasis().
    steps = await call.until_dialplan(DialplanStep("Dial", "PJSIP/switchboard,60"))
    assert call.variable_set("STASISSTATUS") == ["SUCCESS"]
    assert _after_stasis(steps)[:6] == [
        DialplanStep("GotoIf", "0?app-down"),
        DialplanStep("Log", "NOTICE,ivr101 released ${CHANNEL} to the dialplan"),
        *FALLBACK[:4],
    ]
    row = _stored_call(db_path, caller.call_id)
    assert (row["last_step"], row["outcome"], row["ended_by"]) == (
        "play:welcome",
        "handed-to-dialplan",
        "app-shutdown",
    )
    await caller.hang_up()
    await caller.until_ended()
    await nothing_left(asterisk, parties)
