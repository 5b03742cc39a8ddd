"""The speech benches' voices and telephone line: stable names, band, 8 kHz, G.711, noise."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench.voices import (
    INDEPENDENT,
    RATE,
    Channel,
    Synth,
    TelephoneSpeaker,
    parse_voice,
    read_wav,
    speech_script,
    telephone_band,
    ulaw_round_trip,
)

FLITE = ("kal16", "rms", "slt", "awb")
needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="sox: scripts/install_system.sh")


def test_a_spec_names_itself_the_same_way_it_was_written() -> None:
    for spec in (*INDEPENDENT, "kal16@1.0", "espeak:en-gb@150", "festival:ked@tempo0.9"):
        assert parse_voice(spec, FLITE).name == spec


def test_specs_say_what_they_render() -> None:
    shifted = parse_voice("festival:slt-hts@pitch-300@tempo1.15", FLITE)
    assert (shifted.synth, shifted.voice, shifted.pitch, shifted.tempo) == (
        Synth.FESTIVAL,
        "slt-hts",
        -300,
        "1.15",
    )
    accent = parse_voice("espeak:en-gb-scotland+f3@140@p70", FLITE)
    assert (accent.synth, accent.voice, accent.speed, accent.pitch) == (
        Synth.ESPEAK,
        "en-gb-scotland+f3",
        "140",
        70,
    )
    assert parse_voice("awb@1.15", FLITE).synth is Synth.FLITE


@pytest.mark.parametrize(
    "bad",
    [
        "festival:nobody",  # no such festival voice
        "festival:kal@pitch300",  # a shift needs its sign
        "festival:kal@pitch-5000",  # more than an octave
        "festival:kal@tempo3",  # too fast to be a caller
        "espeak:en-gb",  # no speed
        "espeak:en-gb@150@p120",  # pitch is 0-99
        "kal@1.0",  # not a flite voice here
        "festival:kal@tempo0.9@pitch-200",  # pitch before tempo: one name per voice
        "",
    ],
)
def test_a_bad_spec_says_why(bad: str) -> None:
    with pytest.raises(ValueError, match="voice"):
        parse_voice(bad, FLITE)


def test_the_independent_voices_are_none_of_the_own() -> None:
    script = speech_script()
    own = {script.voice_for(i) for i in range(7 * 12)}
    assert not own & set(INDEPENDENT)
    kinds = {parse_voice(v, script.FLITE_VOICES).synth for v in INDEPENDENT}
    assert kinds == {Synth.FESTIVAL, Synth.ESPEAK}
    festival = {parse_voice(v, FLITE).voice for v in INDEPENDENT if v.startswith("festival:")}
    assert festival == {"kal", "ked", "slt-hts"}  # every installed festival voice is heard


def _tones(path: Path, rate: int, freqs: tuple[float, ...], seconds: float = 1.0) -> None:
    t = np.arange(round(rate * seconds)) / rate
    signal = sum(np.sin(2 * np.pi * f * t) for f in freqs) * 8000 / len(freqs)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(signal).astype("<i2").tobytes())


def _level_db(samples: np.ndarray[Any, np.dtype[np.float64]], freq: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    bins = np.fft.rfftfreq(samples.size, 1 / RATE)
    near = np.abs(bins - freq) < 40
    return float(20 * np.log10(spectrum[near].max() + 1e-9))


@needs_sox
def test_the_line_is_the_telephone_band_at_8_khz(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw.wav", tmp_path / "out.wav"
    _tones(raw, 16000, (1000.0, 3800.0, 150.0))  # a 16 kHz render, as festival's
    telephone_band(raw, out)
    with wave.open(str(out), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)
    line = ulaw_round_trip(read_wav(out))
    passed = _level_db(line, 1000.0)
    assert passed - _level_db(line, 3800.0) > 20  # above 3.4 kHz: cut
    assert passed - _level_db(line, 150.0) > 20  # below 300 Hz: cut


def test_g711_keeps_speech_level_signals_close() -> None:
    t = np.arange(RATE) / RATE
    clean = 6000 * np.sin(2 * np.pi * 440 * t)
    back = ulaw_round_trip(clean)
    error = back - np.round(clean)
    snr = 10 * np.log10(np.mean(clean**2) / np.mean(error**2))
    assert 30 < snr < 45  # u-law's ~38 dB: coded, not passed through untouched


class _ToneScript:
    """make_test_speech with its synthesizer replaced by a tone (the line is under test)."""

    def __init__(self) -> None:
        real = speech_script()
        self.FLITE_VOICES = real.FLITE_VOICES
        self.ESPEAK = real.ESPEAK
        self.UTTERANCES = real.UTTERANCES
        self.make_noise = real.make_noise
        self.add_noise = real.add_noise
        self.voice_for = real.voice_for

    def synthesize(self, text: str, voice: str, out: Path, tmp: Path) -> None:
        freq = 500.0 + 10 * len(text)
        _tones(out, RATE, (freq,), seconds=0.5 + 0.02 * len(text))


@needs_sox
def test_noise_is_added_at_the_stated_snr_before_the_codec(tmp_path: Path) -> None:
    speaker = TelephoneSpeaker(_ToneScript(), tmp_path)
    clean = speaker.clean("kal16@1.0", "my bike was stolen")
    for snr in (15, 5):
        pcm = speaker.pcm("kal16@1.0", "my bike was stolen", Channel(snr))
        noisy = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
        assert noisy.size == clean.size
        noise = noisy - clean
        measured = 10 * np.log10(np.mean(clean**2) / np.mean(noise**2))
        assert abs(measured - snr) < 1.5  # the codec's own error is well below the noise
    same = speaker.pcm("kal16@1.0", "my bike was stolen", Channel(15))
    assert same == speaker.pcm("kal16@1.0", "my bike was stolen", Channel(15))  # repeatable
    plain = speaker.pcm("kal16@1.0", "my bike was stolen", Channel(None, codec=False))
    assert np.array_equal(np.frombuffer(plain, dtype="<i2"), clean.astype("<i2"))
