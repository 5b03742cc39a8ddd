"""SpeechPool: off the event loop, errors always RecognizerError, many calls at once."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from ivr.decisions import Expect, Hypothesis
from ivr.speech.model import RecognizerError, Transcript
from ivr.speech.pool import SpeechPool
from ivr.speech.sphinx import PocketSphinxRecognizer
from tests.unit.speech.conftest import Utterance


class Echo:
    name = "echo"

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        if pcm == b"boom":
            raise ValueError("engine blew up")
        if pcm == b"fail":
            raise RecognizerError("model missing")
        return Transcript((Hypothesis(f"{len(pcm)}", 0.5),), self.name, len(pcm) / 16000)


async def test_thread_pool_runs_many_calls() -> None:
    pool = SpeechPool(Echo(), workers=4)
    assert not pool.processes
    results = await asyncio.gather(*(pool.recognize(bytes(2 * n)) for n in range(50)))
    assert [r.text for r in results] == [str(2 * n) for n in range(50)]
    await pool.close()
    await pool.close()  # idempotent
    with pytest.raises(RecognizerError, match="closed"):
        await pool.recognize(b"")


async def test_engine_exceptions_become_recognizer_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool = SpeechPool(Echo(), workers=1)
    with caplog.at_level(logging.WARNING), pytest.raises(RecognizerError, match="blew up"):
        await pool.recognize(b"boom")
    assert RecognizerError.error_id in caplog.text
    with pytest.raises(RecognizerError, match="model missing"):
        await pool.recognize(b"fail")
    await pool.close()


async def test_pocketsphinx_runs_in_processes_concurrently(
    sphinx: PocketSphinxRecognizer, committed_utterances: list[Utterance]
) -> None:
    # The call-time limit (8 s) is not what this pins: a loaded machine may take longer.
    pool = SpeechPool(sphinx, workers=2, timeout_s=120)
    assert pool.processes  # it holds the GIL while decoding (measured; see ivr.speech.pool)
    try:
        jobs = [u.pcm for u in committed_utterances] * 2
        results = await asyncio.gather(*(pool.recognize(pcm) for pcm in jobs))
        assert len(results) == 12 and all(r.engine == "pocketsphinx" for r in results)
        assert results[0].text == results[6].text and "patel" in results[0].text
        with pytest.raises(RecognizerError):
            await pool.recognize(b"odd")
    finally:
        await pool.close()


class Stuck:
    name = "stuck"

    def __init__(self) -> None:
        self.release = threading.Event()

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.release.wait(5)
        return Transcript((), "stuck")


async def test_a_stuck_engine_times_out_instead_of_holding_the_call() -> None:
    engine = Stuck()
    pool = SpeechPool(engine, workers=1, processes=False, timeout_s=0.2)
    with pytest.raises(RecognizerError, match="no transcript within"):
        await pool.recognize(b"\x00" * 320)
    engine.release.set()
    await pool.close()


async def test_an_oversized_utterance_is_refused() -> None:
    pool = SpeechPool(Echo(), workers=1, processes=False)
    with pytest.raises(RecognizerError, match="not recognisable"):
        await pool.recognize(bytes(2 * 8000 * 31))
    await pool.close()


class Gathering(Echo):
    """Answers only once ``parties`` recognitions run at the same time."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=30)
        self.seen = 0

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.seen += 1
        self.barrier.wait()
        return super().recognize(pcm, sample_rate, expect=expect)


async def test_warm_up_starts_every_worker_at_once() -> None:
    recognizer = Gathering(3)
    pool = SpeechPool(recognizer, workers=3)
    await pool.warm_up()  # the barrier breaks (and warm_up still returns) if one is missing
    assert (recognizer.seen, recognizer.barrier.broken) == (3, False)
    await pool.close()
