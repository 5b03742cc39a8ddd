"""The caller's voice over the production path: snoop + ExternalMedia RTP + endpointing.

The recogniser here is a stand-in that records what audio reached it and
answers a fixed text, so the test pins the media path and the flow; the real
engines are tested on their own (tests/unit/speech) and end to end by
`ivr call` (tests/integration/test_cli.py).
"""

from __future__ import annotations

from pathlib import Path

from ivr.decisions import Expect, Hypothesis
from ivr.simulator import AgentProfile
from ivr.speech.early import EarlySpeech
from ivr.speech.model import RecognizerError, Transcript
from tests.integration.app.stack import running_stack, sim_seconds

SPEECH = (
    Path(__file__).resolve().parents[2] / "unit" / "media" / "fixtures" / "speech_pc_johnson.wav"
)
SPEECH_SECONDS = 2.8
# A caller who says the name after the welcome.
SAYS_THE_NAME: list[dict[str, object]] = [
    {"wait": sim_seconds("welcome") + 1.0},
    {"say": str(SPEECH)},
]


class RecordingSpeech:
    def __init__(self, text: str, fail: bool = False, order: list[str] | None = None) -> None:
        self.text = text
        self.fail = fail
        self.utterances: list[bytes] = []
        self.order = order if order is not None else []

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.utterances.append(pcm)
        self.order.append("decode")
        if self.fail:
            raise RecognizerError("engine crashed")
        return Transcript((Hypothesis(self.text, 0.92),), "stand-in", len(pcm) / 2 / sample_rate)


class EndsAsked(EarlySpeech):
    """EarlySpeech that notes when the session asks for the utterance (its end called)."""

    def __init__(self, inner: RecordingSpeech) -> None:
        super().__init__(inner)
        self.order = inner.order

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.order.append("end")
        return await super().recognize(pcm, sample_rate)


async def test_a_spoken_name_reaches_the_recogniser_and_routes_the_call(tmp_path: Path) -> None:
    speech = RecordingSpeech("can I speak to PC Sarah Johnson")
    async with running_stack(tmp_path, settings={"speech.engine": "none"}) as stack:
        stack.runtime.speech = speech
        call_id = await stack.place(SAYS_THE_NAME)
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "directory:sarah-johnson")
        (utterance,) = speech.utterances
        seconds = len(utterance) / 2 / 8000
        assert SPEECH_SECONDS - 0.5 < seconds < SPEECH_SECONDS + 1.0
        heard = [h["media_uri"] for h in (await stack.sim_get(f"/_sim/calls/{call_id}"))["heard"]]
        spoken_menu = heard[1]
        assert spoken_menu.endswith("ask_speech")
        kinds = [e["kind"] for e in await stack.events(call_id)]
        assert "barge-in" in kinds and "speech" in kinds
        await stack.nothing_left()


async def test_a_failing_recogniser_steps_down_to_the_keypad(tmp_path: Path) -> None:
    speech = RecordingSpeech("", fail=True)
    async with running_stack(tmp_path, settings={"speech.engine": "none"}) as stack:
        stack.runtime.speech = speech
        script: list[dict[str, object]] = [
            {"wait": sim_seconds("welcome") + 1.0},
            {"say": str(SPEECH)},
            {"wait": 3.0 + sim_seconds("ask_again")},
            {"dtmf": "2"},
        ]
        call_id = await stack.place(script)
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "fcr")
        kinds = [e["kind"] for e in await stack.events(call_id)]
        assert "speech-failed" in kinds
        await stack.nothing_left()


async def test_listening_closes_before_the_caller_talks_to_a_person(tmp_path: Path) -> None:
    speech = RecordingSpeech("can I speak to PC Sarah Johnson")
    agents = {"Local/dir-4101@ivr-agents": AgentProfile(answer_after=1.0, talk_for=60.0)}
    async with running_stack(tmp_path, agents=agents, settings={"speech.engine": "none"}) as stack:
        stack.runtime.speech = speech
        call_id = await stack.place(SAYS_THE_NAME)
        await stack.until_event(call_id, "connected", 15)
        objects = await stack.sim_get("/_sim/objects")
        assert not [c for c in objects["channels"] if c.startswith(("snoop-", "em-"))]
        assert objects["external_media"] == []
        await stack.sim_post(f"/_sim/calls/{call_id}/hangup")
        await stack.call_row(call_id)
        await stack.nothing_left()


async def test_recognition_starts_at_the_pause_and_that_decode_answers(tmp_path: Path) -> None:
    """The endpointer hands the utterance out early_s into the silence; the decode begun
    then answers when the end is called, with no second decode. (The head start itself,
    early_s of audio time, is pinned in tests/unit/speech/test_early.py: here the
    simulator runs audio time at TIME_SCALE.)"""
    engine = RecordingSpeech("can I speak to PC Sarah Johnson")
    speech = EndsAsked(engine)
    async with running_stack(tmp_path, settings={"speech.engine": "none"}) as stack:
        stack.runtime.speech = speech
        call_id = await stack.place(SAYS_THE_NAME)
        row = await stack.call_row(call_id)
        assert (row["outcome"], row["destination"]) == ("transferred", "directory:sarah-johnson")
        assert speech.used == 1 and len(engine.utterances) == 1
        assert engine.order == ["decode", "end"]  # the decode began before the end was called
        await stack.nothing_left()
