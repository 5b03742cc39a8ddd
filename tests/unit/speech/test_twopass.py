"""The two-pass strategy: confident and actionable stays fast, the rest gets Whisper."""

from __future__ import annotations

from ivr.routing.model import Hypothesis
from ivr.speech.model import RecognizerError, Transcript
from ivr.speech.twopass import TwoPassSpeech, merge


class Said:
    def __init__(self, text: str, confidence: float, engine: str, fail: bool = False) -> None:
        self.transcript = Transcript((Hypothesis(text, confidence),), engine, 1.0, 0.1)
        self.fail = fail
        self.calls = 0

    async def recognize(self, pcm: bytes, sample_rate: int = 8000) -> Transcript:
        self.calls += 1
        if self.fail:
            raise RecognizerError("down")
        return self.transcript


def routes(transcript: Transcript) -> bool:
    return "johnson" in transcript.text


async def test_a_confident_actionable_first_pass_is_kept() -> None:
    fast, slow = Said("pc johnson", 0.8, "pocketsphinx"), Said("x", 0.9, "whisper")
    two = TwoPassSpeech(fast, slow, routes)
    assert (await two.recognize(b"")).engine == "pocketsphinx"
    assert slow.calls == 0 and two.kept == 1


async def test_an_unsure_or_unactionable_first_pass_gets_a_second_opinion() -> None:
    for first in (Said("pc johnson", 0.3, "pocketsphinx"), Said("mumble", 0.9, "pocketsphinx")):
        slow = Said("PC Johnston", 0.9, "whisper")
        result = await TwoPassSpeech(first, slow, routes).recognize(b"")
        assert result.text == "PC Johnston" and result.engine.startswith("whisper")
        assert result.decode_seconds == 0.2


async def test_a_failed_second_opinion_keeps_the_first() -> None:
    fast = Said("mumble", 0.2, "pocketsphinx")
    result = await TwoPassSpeech(fast, Said("", 0, "whisper", fail=True), routes).recognize(b"")
    assert result.text == "mumble"


async def test_the_second_opinion_comes_first_and_the_first_pass_follows() -> None:
    fast = Said("ewan mcdonald please", 0.4, "pocketsphinx")
    slow = Said("Even with Donald, please.", 0.9, "whisper")
    result = await TwoPassSpeech(fast, slow, routes).recognize(b"")
    assert [h.text for h in result.alternatives] == [
        "Even with Donald, please.",
        "ewan mcdonald please",
    ]
    assert result.alternatives[1].confidence == 0.4


async def test_an_unsure_first_pass_emergency_cue_survives_the_second_opinion() -> None:
    # Whisper mishears "bleeding"; the router must still see PocketSphinx's cue.
    fast = Said("there's a fight outside and someone is bleeding", 0.17, "pocketsphinx")
    slow = Said("They're going to find outside and come one of leading.", 0.72, "whisper")
    result = await TwoPassSpeech(fast, slow, routes).recognize(b"")
    assert any("bleeding" in h.text for h in result.alternatives)


def test_merge_drops_what_the_second_opinion_already_said() -> None:
    first = Transcript((Hypothesis("pc johnson", 0.4), Hypothesis("pc jonson", 0.3)), "ps")
    second = Transcript((Hypothesis("PC Johnson", 0.9),), "whisper")
    assert [h.text for h in merge(first, second).alternatives] == ["PC Johnson", "pc jonson"]
