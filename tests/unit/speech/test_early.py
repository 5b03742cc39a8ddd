"""EarlySpeech: recognition started at the pause answers the utterance when it ends."""

from __future__ import annotations

import asyncio

import pytest

from ivr.decisions import Ask, Expect, Hypothesis
from ivr.speech.early import MAX_PENDING, EarlySpeech
from ivr.speech.model import RecognizerError, Transcript


class GatedEngine:
    """Counts decodes; each reports that it started and then waits for ``release``, so a
    test decides what is under way when, without timing anything."""

    def __init__(self, fail: bool = False, released: bool = True) -> None:
        self.fail = fail
        self.decoded: list[bytes] = []
        self.started: asyncio.Queue[bytes] = asyncio.Queue()
        self.release = asyncio.Event()
        if released:
            self.release.set()

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.decoded.append(pcm)
        self.started.put_nowait(pcm)
        await self.release.wait()
        if self.fail:
            raise RecognizerError("engine broke")
        return Transcript((Hypothesis(pcm.decode(), 0.9),), "slow")


async def test_the_early_decode_answers_the_utterance_without_decoding_again() -> None:
    engine = GatedEngine(released=False)
    speech = EarlySpeech(engine)
    speech.prefetch(b"pc jones please")
    assert await engine.started.get() == b"pc jones please"  # decoding at the pause
    asked = asyncio.create_task(speech.recognize(b"pc jones please"))  # the end is called
    engine.release.set()  # the decode under way finishes only now, after the end
    transcript = await asked
    assert transcript.text == "pc jones please"
    assert engine.decoded == [b"pc jones please"] and speech.used == 1  # no second decode


async def test_audio_that_changed_since_the_pause_is_decoded_afresh() -> None:
    engine = GatedEngine()
    speech = EarlySpeech(engine)
    speech.prefetch(b"pc jones")
    speech.forget(b"pc jones")  # the caller went on talking
    transcript = await speech.recognize(b"pc jones please")
    assert transcript.text == "pc jones please"
    assert engine.decoded[-1] == b"pc jones please"  # the dropped guess never answers
    assert (speech.used, speech.wasted) == (0, 1)


async def test_an_early_decode_that_fails_fails_the_utterance_like_any_decode() -> None:
    speech = EarlySpeech(GatedEngine(fail=True))
    speech.prefetch(b"hello")
    with pytest.raises(RecognizerError):
        await speech.recognize(b"hello")


async def test_early_decodes_nobody_asks_for_are_bounded() -> None:
    speech = EarlySpeech(GatedEngine(released=False), max_in_flight=MAX_PENDING + 10)
    for i in range(MAX_PENDING + 5):
        speech.prefetch(f"utterance {i}".encode())
    assert speech.wasted == 5
    await speech.close()


async def test_no_early_decode_starts_while_the_engines_are_busy_with_others() -> None:
    engine = GatedEngine(released=False)
    speech = EarlySpeech(engine, max_in_flight=2)
    for text in (b"one", b"two", b"three"):
        speech.prefetch(text)
    assert [await engine.started.get() for _ in range(2)] == [b"one", b"two"]
    assert engine.decoded == [b"one", b"two"] and speech.skipped == 1
    await speech.close()


class HintedEngine:
    """Records the hint each decode was given."""

    def __init__(self) -> None:
        self.decoded: list[tuple[bytes, Expect | None]] = []

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.decoded.append((pcm, expect))
        return Transcript((Hypothesis(pcm.decode(), 0.9),), "hinted")


@pytest.mark.parametrize("expect", [Ask.NAME, Ask.REFERENCE])
async def test_a_question_with_a_hint_is_decoded_afresh_with_it(expect: Ask) -> None:
    engine = HintedEngine()
    speech = EarlySpeech(engine)
    speech.prefetch(b"smyth")  # decoded at the pause, with no hint (the menu's prompt)
    transcript = await speech.recognize(b"smyth", expect=expect)
    assert transcript.text == "smyth"
    assert engine.decoded[-1] == (b"smyth", expect)  # the hinted decode answered
    assert speech.used == 0 and speech.wasted == 1


async def test_the_menu_takes_the_early_decode() -> None:
    engine = HintedEngine()
    speech = EarlySpeech(engine)
    speech.prefetch(b"my bike was stolen")
    await speech.recognize(b"my bike was stolen", expect=None)
    assert engine.decoded == [(b"my bike was stolen", None)] and speech.used == 1
