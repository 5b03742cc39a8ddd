"""Callers heard by speech through a real Asterisk 22: snoop (spy=in) + ExternalMedia RTP
into the app's endpointer and recogniser, and what they say routes the call.

The caller's voice is rendered by the project's own synthesiser (espeak-ng, 8 kHz) and
played into the call by the caller's half, so Asterisk carries it as any caller's audio.
Whisper (the packaged base model) is the engine: PocketSphinx hears espeak-ng's voice
badly (``ivr recognize`` on these phrases: "my on the" for "my car has been stolen"),
Whisper hears it word for word and loads in a few seconds offline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ivr.media.synth import missing_tools, synthesize
from ivr.speech.settings import SpeechEngine
from tests.real.app import real_app
from tests.real.asterisk import RealAsterisk
from tests.real.leftovers import nothing_left
from tests.real.parties import Parties
from tests.real.watch import watching

SPEECH = {"speech.engine": SpeechEngine.WHISPER}
LOAD_S = 60.0
STOLEN_CAR = "my car has been stolen"
MENU = "route:"  # the step that asks how we can help, after the welcome
MENU_PROMPT = "ask_speech"  # its first prompt: "tell me in a few words..."
WELCOME_S = 30.0  # the welcome plays 12.5 s and speech does not stop it


def spoken(asterisk: RealAsterisk, name: str, text: str) -> str:
    """``text`` as a caller's recording Asterisk can play: its ``sound:`` URI."""
    if missing_tools():
        pytest.skip(f"cannot render a caller's voice: {', '.join(missing_tools())} missing")
    out: Path = asterisk.folder.test_sounds / f"{name}.wav"
    if not out.exists():
        synthesize(text, out)
    return f"sound:test/{name}"


async def test_a_caller_who_says_their_car_was_stolen_is_put_through_to_the_resolution_centre(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    said = spoken(asterisk, "stolen_car", STOLEN_CAR)
    async with real_app(asterisk, db_path, SPEECH) as app:
        assert await app.wait_speech_ready(LOAD_S), "the speech engine did not load"
        caller = await parties.call()
        await caller.answered()
        await app.step_reached(caller.call_id, MENU, WELCOME_S)
        await caller.say(said)
        agent = await parties.agent_rung("rc")
        await agent.answer()
        await app.until_event(caller.call_id, "connected")
        heard = [e["detail"] for e in await app.events(caller.call_id) if e["kind"] == "speech"]
        decision = await app.first_decision(caller.call_id, 5)
        await agent.hang_up()
        row = await app.call_row(caller.call_id)
        await nothing_left(asterisk, parties)  # while the app runs: its call cleaned up
    # The words that route were heard (Whisper on the real line may add one: "my car
    # heart has been stolen" in one CI run): what is pinned is where the caller went.
    assert heard and {"car", "stolen"} <= set(re.findall(r"[a-z]+", heard[0]["text"].lower()))
    assert decision is not None and decision["destination"] == "rc"
    assert (row["outcome"], row["destination"]) == ("transferred", "rc")


async def test_a_caller_who_talks_over_the_menu_stops_it_and_is_heard(
    asterisk: RealAsterisk, parties: Parties, db_path: str
) -> None:
    said = spoken(asterisk, "stolen_car", STOLEN_CAR)
    async with watching(asterisk) as watch, real_app(asterisk, db_path, SPEECH) as app:
        assert await app.wait_speech_ready(LOAD_S), "the speech engine did not load"
        caller = await parties.call()
        await caller.answered()
        await app.step_reached(caller.call_id, MENU, WELCOME_S)
        menu = await watch.until(lambda _: watch.playback_of(caller.call_id, MENU_PROMPT), "menu")
        await caller.say(said)
        voice = watch.playback_of(caller.channel_id, said)
        assert voice is not None
        # The watch has its own WebSocket: it may hear the words end after the caller does.
        await watch.until(lambda _: watch.finished_at(voice), "the caller's words end")
        stopped, ended = watch.finished_at(menu), watch.finished_at(voice)
        await app.until_event(caller.call_id, "barge-in")
        await parties.agent_rung("rc")
        await caller.hang_up()
        row = await app.call_row(caller.call_id)
        await nothing_left(asterisk, parties)
    # The menu stopped while the caller was still talking, not at its own end.
    assert stopped is not None and ended is not None and stopped < ended
    assert row["ended_by"] == "caller"
