"""EarlySpeech: recognition started at the pause answers the utterance when it ends."""

from __future__ import annotations

import asyncio

import pytest

from ivr.routing.model import Hypothesis
from ivr.speech.early import MAX_PENDING, EarlySpeech
from ivr.speech.model import RecognizerError, Transcript


class SlowEngine:
    """Counts decodes; each takes ``seconds`` of event-loop time."""

    def __init__(self, seconds: float = 0.05, fail: bool = False) -> None:
        self.seconds = seconds
        self.fail = fail
        self.decoded: list[bytes] = []

    async def recognize(self, pcm: bytes, sample_rate: int = 8000) -> Transcript:
        self.decoded.append(pcm)
        await asyncio.sleep(self.seconds)
        if self.fail:
            raise RecognizerError("engine broke")
        return Transcript((Hypothesis(pcm.decode(), 0.9),), "slow")


async def test_the_early_decode_answers_the_utterance_without_decoding_again() -> None:
    engine = SlowEngine(seconds=0.2)
    speech = EarlySpeech(engine)
    speech.prefetch(b"pc jones please")
    await asyncio.sleep(0.15)  # the trailing silence is being confirmed meanwhile
    loop = asyncio.get_running_loop()
    started = loop.time()
    transcript = await speech.recognize(b"pc jones please")
    assert transcript.text == "pc jones please"
    assert loop.time() - started < 0.15  # only what was left of the decode
    assert engine.decoded == [b"pc jones please"] and speech.used == 1


async def test_audio_that_changed_since_the_pause_is_decoded_afresh() -> None:
    engine = SlowEngine()
    speech = EarlySpeech(engine)
    speech.prefetch(b"pc jones")
    speech.forget(b"pc jones")  # the caller went on talking
    transcript = await speech.recognize(b"pc jones please")
    assert transcript.text == "pc jones please"
    assert engine.decoded[-1] == b"pc jones please"  # the dropped guess never answers
    assert (speech.used, speech.wasted) == (0, 1)


async def test_an_early_decode_that_fails_fails_the_utterance_like_any_decode() -> None:
    speech = EarlySpeech(SlowEngine(fail=True))
    speech.prefetch(b"hello")
    with pytest.raises(RecognizerError):
        await speech.recognize(b"hello")


async def test_early_decodes_nobody_asks_for_are_bounded() -> None:
    speech = EarlySpeech(SlowEngine(seconds=10), max_in_flight=MAX_PENDING + 10)
    for i in range(MAX_PENDING + 5):
        speech.prefetch(f"utterance {i}".encode())
    assert speech.wasted == 5
    await speech.close()


async def test_no_early_decode_starts_while_the_engines_are_busy_with_others() -> None:
    engine = SlowEngine(seconds=10)
    speech = EarlySpeech(engine, max_in_flight=2)
    for text in (b"one", b"two", b"three"):
        speech.prefetch(text)
    await asyncio.sleep(0)
    assert engine.decoded == [b"one", b"two"] and speech.skipped == 1
    await speech.close()
