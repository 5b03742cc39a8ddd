"""Endpointer on real (synthesised) speech: webrtcvad does not take a tone for speech."""

from __future__ import annotations

import random
import shutil
import subprocess
from array import array
from pathlib import Path

import pytest

from ivr.media.endpointing import (
    Endpointer,
    EndpointerConfig,
    EndpointEvent,
    NoInput,
    SpeechBegan,
    SpeechDone,
    SpeechPausing,
)
from ivr.media.wav import read_wav_8k

FIXTURE = Path(__file__).parent / "fixtures" / "speech_pc_johnson.wav"
RATE = 8000
TOL = 0.06


def half(samples: array[int]) -> bytes:
    """As Asterisk hands the caller to ExternalMedia: -6 dB."""
    return array("h", (int(x / 2) for x in samples)).tobytes()


def silence(seconds: float) -> bytes:
    return bytes(2 * round(seconds * RATE))


def speech_span(pcm: bytes) -> tuple[float, float]:
    """First and last 20 ms window above -50 dBFS: where the speech audibly is."""
    s = array("h", pcm)
    loud = [
        i
        for i in range(0, len(s) - 159, 160)
        if sum(x * x for x in s[i : i + 160]) / 160 > (32768 * 10 ** (-50 / 20)) ** 2
    ]
    return loud[0] / RATE, (loud[-1] + 160) / RATE


def run(ep: Endpointer, pcm: bytes, chunk: int = 320) -> list[EndpointEvent]:
    events: list[EndpointEvent] = []
    for i in range(0, len(pcm), chunk):
        events += ep.feed(pcm[i : i + chunk])
    return events


@pytest.fixture(scope="session")
def espeak_speech(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A second voice and phrase, rendered now, when the synthesiser is installed."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        pytest.skip("espeak-ng and sox not installed: using only the committed speech fixture")
    d = tmp_path_factory.mktemp("speech")
    raw, out = d / "raw.wav", d / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(raw),
         "Hello, I need to report a stolen bicycle"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    subprocess.run(
        ["sox", "-R", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(out),
         "silence", "1", "0.005", "0.5%", "reverse", "silence", "1", "0.005", "0.5%", "reverse"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return half(read_wav_8k(out))


@pytest.fixture(scope="session")
def committed_speech() -> bytes:
    return half(read_wav_8k(FIXTURE))


@pytest.fixture(params=["committed", "espeak"])
def speech(request: pytest.FixtureRequest) -> bytes:
    name = "committed_speech" if request.param == "committed" else "espeak_speech"
    pcm: bytes = request.getfixturevalue(name)
    return pcm


def test_committed_fixture_is_small_8k_speech() -> None:
    assert FIXTURE.stat().st_size < 60_000
    assert 2.0 < len(read_wav_8k(FIXTURE)) / RATE < 3.5


def test_speech_then_silence(speech: bytes) -> None:
    lead = 1.0
    pcm = silence(lead) + speech + silence(2.0)
    start, end = speech_span(pcm)
    cfg = EndpointerConfig()
    events = run(Endpointer(cfg), pcm)
    assert [type(e) for e in events] == [SpeechBegan, SpeechPausing, SpeechDone]
    began, pausing, done = events
    assert isinstance(began, SpeechBegan) and isinstance(done, SpeechDone)
    assert isinstance(pausing, SpeechPausing)
    assert began.at_s == pytest.approx(start, abs=TOL)
    # early_s into the silence, the utterance is handed out exactly as it will end
    assert cfg.early_s is not None
    assert pausing.at_s == pytest.approx(end + cfg.early_s, abs=TOL)
    assert pausing.audio == done.audio
    assert done.reason == "silence"
    assert done.at_s == pytest.approx(end + cfg.trailing_silence_s, abs=TOL)
    want = cfg.pre_roll_s + (end - start) + cfg.tail_s
    assert len(done.audio) / 2 / RATE == pytest.approx(want, abs=TOL)
    # the utterance is the audio itself, from pre_roll_s before the start
    first = round((began.at_s - cfg.pre_roll_s) * RATE) * 2
    assert done.audio == pcm[first : first + len(done.audio)]


def test_speech_began_is_emitted_once_min_speech_is_reached(committed_speech: bytes) -> None:
    ep = Endpointer(EndpointerConfig(min_speech_s=0.25))
    pcm = silence(0.5) + committed_speech
    for i in range(0, len(pcm), 320):
        events = ep.feed(pcm[i : i + 320])
        if events:
            (began,) = events
            assert isinstance(began, SpeechBegan)
            assert ep.time_s - began.at_s >= 0.25
            assert ep.time_s - began.at_s < 0.25 + 0.2  # a few unvoiced frames at most
            return
    pytest.fail("no SpeechBegan")


def test_pre_roll_is_clipped_at_the_start(committed_speech: bytes) -> None:
    cfg = EndpointerConfig()
    pcm = silence(0.1) + committed_speech + silence(1.0)
    done = run(Endpointer(cfg), pcm)[-1]
    assert isinstance(done, SpeechDone)
    assert done.audio == pcm[: len(done.audio)]


def test_no_speech_is_no_input() -> None:
    ep = Endpointer(EndpointerConfig(no_input_s=5.0))
    assert run(ep, silence(6.0)) == [NoInput(at_s=pytest.approx(5.0))]  # type: ignore[arg-type]
    assert ep.feed(silence(1.0)) == []


def test_long_speech_is_cut_at_max_speech(committed_speech: bytes) -> None:
    cfg = EndpointerConfig(max_speech_s=4.0)
    pcm = silence(0.5) + committed_speech * 3
    events = run(Endpointer(cfg), pcm)
    assert [type(e) for e in events] == [SpeechBegan, SpeechDone]
    began, done = events
    assert isinstance(began, SpeechBegan) and isinstance(done, SpeechDone)
    assert done.reason == "max-speech"
    assert done.at_s == pytest.approx(began.at_s + 4.0, abs=0.021)
    assert len(done.audio) / 2 / RATE == pytest.approx(cfg.pre_roll_s + 4.0, abs=0.021)


def white_noise(dbfs: float, seconds: float, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    sd = 32768 * 10 ** (dbfs / 20)
    n = round(seconds * RATE)
    samples = (max(-32768, min(32767, round(rng.gauss(0, sd)))) for _ in range(n))
    return array("h", samples).tobytes()


def test_line_noise_does_not_start_speech() -> None:
    events = run(Endpointer(EndpointerConfig(no_input_s=5.0)), white_noise(-45, 6.0))
    assert [type(e) for e in events] == [NoInput]


def mix(a: bytes, b: bytes) -> bytes:
    x, y = array("h", a), array("h", b)
    return array("h", (max(-32768, min(32767, p + q)) for p, q in zip(x, y, strict=True))).tobytes()


def test_speech_over_line_noise_is_found(committed_speech: bytes) -> None:
    pcm = silence(1.0) + committed_speech + silence(2.0)
    noisy = mix(pcm, white_noise(-45, len(pcm) / 2 / RATE))
    start, end = speech_span(pcm)
    events = run(Endpointer(EndpointerConfig(early_s=None)), noisy)
    assert [type(e) for e in events] == [SpeechBegan, SpeechDone]
    assert events[0].at_s == pytest.approx(start, abs=TOL)
    assert events[1].at_s == pytest.approx(end + 0.8, abs=0.1)


@pytest.mark.parametrize("chunk", [1, 37, 111, 333, 480, 4001])
def test_odd_sized_feeds_give_the_same_events(committed_speech: bytes, chunk: int) -> None:
    pcm = silence(0.7) + committed_speech + silence(1.5)
    assert run(Endpointer(), pcm, chunk) == run(Endpointer(), pcm, 320)


def test_reset_starts_a_new_utterance_at_time_zero(committed_speech: bytes) -> None:
    ep = Endpointer()
    pcm = silence(0.5) + committed_speech + silence(1.5)
    first = run(ep, pcm)
    assert ep.feed(pcm) == []
    ep.reset()
    assert ep.time_s == 0.0
    assert run(ep, pcm) == first


def test_gate_can_be_turned_off_and_config_is_checked() -> None:
    Endpointer(EndpointerConfig(energy_gate_dbfs=None)).feed(silence(0.1))
    with pytest.raises(ValueError):
        EndpointerConfig(vad_mode=4)
    with pytest.raises(ValueError):
        EndpointerConfig(no_input_s=0)
    with pytest.raises(ValueError):
        Endpointer(sample_rate=11025)


def test_speech_that_resumes_after_a_pause_ends_once_with_all_of_it(
    committed_speech: bytes,
) -> None:
    """A pause longer than early_s but shorter than the trailing silence: one utterance."""
    cfg = EndpointerConfig(early_s=0.3, trailing_silence_s=0.8)
    pcm = silence(0.5) + committed_speech + silence(0.5) + committed_speech + silence(2.0)
    events = run(Endpointer(cfg), pcm)
    kinds = [type(e) for e in events]
    assert kinds == [SpeechBegan, SpeechPausing, SpeechPausing, SpeechDone]
    first, last, done = events[1], events[2], events[3]
    assert isinstance(first, SpeechPausing) and isinstance(last, SpeechPausing)
    assert isinstance(done, SpeechDone)
    assert first.audio != done.audio and last.audio == done.audio


def test_early_s_must_fall_between_the_tail_and_the_trailing_silence() -> None:
    with pytest.raises(ValueError, match="early_s"):
        EndpointerConfig(early_s=0.1, tail_s=0.2)
    with pytest.raises(ValueError, match="early_s"):
        EndpointerConfig(early_s=0.8, trailing_silence_s=0.8)
