"""The question's hint (``expect``) reaches the engine through every layer of the app's
speech path: the pool (threads and worker processes) and the two-pass strategy."""

from __future__ import annotations

import pytest

from ivr.decisions import Ask, Expect, Hypothesis
from ivr.speech.model import Transcript
from ivr.speech.pool import SpeechPool
from ivr.speech.twopass import TwoPassSpeech


class SaysItsHint:
    """An engine whose transcript is the hint it was given (picklable: module level)."""

    name = "hint"

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        return Transcript((Hypothesis(str(expect), 0.9),), self.name)


@pytest.mark.parametrize("processes", [False, True])
async def test_the_pool_hands_the_hint_to_the_engine(processes: bool) -> None:
    pool = SpeechPool(SaysItsHint(), workers=1, processes=processes, timeout_s=60)
    try:
        assert (await pool.recognize(b"\x00" * 320, expect=Ask.NAME)).text == "name"
        assert (await pool.recognize(b"\x00" * 320)).text == "None"
    finally:
        await pool.close()


async def test_both_passes_get_the_hint() -> None:
    fast, slow = SpeechPool(SaysItsHint(), workers=1), SpeechPool(SaysItsHint(), workers=1)
    two = TwoPassSpeech(fast, slow, lambda transcript: "")  # never actionable: both run
    try:
        heard = await two.recognize(b"\x00" * 320, expect=Ask.NAME)
        assert [h.text for h in heard.alternatives] == ["name"]  # the same text, merged
        assert heard.alternatives[0].heard_by == (("hint", 0), ("hint", 0))
    finally:
        await fast.close()
        await slow.close()
