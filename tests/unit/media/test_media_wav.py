"""WAV reading: 8 kHz pass-through, stereo mix-down, band-limited resampling, clear errors."""

from __future__ import annotations

import math
import struct
import wave
from array import array
from pathlib import Path

import pytest

from ivr.media.wav import WavError, read_wav_8k, resample, wav_duration, write_wav_8k


def tone(freq: float, rate: int, seconds: float, amp: int = 10000) -> array[int]:
    return array(
        "h",
        (round(amp * math.sin(2 * math.pi * freq * n / rate)) for n in range(int(rate * seconds))),
    )


def write_wav(
    path: Path, frames: bytes, *, rate: int = 8000, channels: int = 1, width: int = 2
) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


def test_write_then_read_8k_is_exact(tmp_path: Path) -> None:
    samples = array("h", [0, 1, -1, 32767, -32768, 1234])
    path = tmp_path / "a.wav"
    write_wav_8k(path, samples)
    assert read_wav_8k(path) == samples
    assert read_wav_8k(str(path)) == samples
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 8000)
    write_wav_8k(tmp_path / "b.wav", [5, -5])
    assert read_wav_8k(tmp_path / "b.wav").tolist() == [5, -5]
    assert wav_duration(path) == pytest.approx(6 / 8000)


def test_stereo_is_mixed_down(tmp_path: Path) -> None:
    left = [100, 32767, -32768, 3]
    right = [300, 32767, -32768, -4]
    frames = array("h", [v for pair in zip(left, right, strict=True) for v in pair]).tobytes()
    path = write_wav(tmp_path / "s.wav", frames, channels=2)
    assert read_wav_8k(path).tolist() == [200, 32767, -32768, 0]


@pytest.mark.parametrize("rate", [16000, 44100, 48000, 11025])
def test_resampled_tone_keeps_frequency_and_level(tmp_path: Path, rate: int) -> None:
    path = write_wav(tmp_path / f"t{rate}.wav", tone(1000, rate, 0.5).tobytes(), rate=rate)
    out = read_wav_8k(path)
    assert len(out) == int(rate * 0.5) * 8000 // rate  # whole output samples only
    expected = tone(1000, 8000, 0.5)
    middle = range(200, 3800)  # away from the edges, where the filter sees zero padding
    assert max(abs(out[i] - expected[i]) for i in middle) <= 4
    assert wav_duration(path) == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
def test_resampling_removes_content_above_4k(rate: int) -> None:
    # 6 kHz would alias to 2 kHz with naive decimation; the low-pass must remove it
    out = resample(tone(6000, rate, 0.25), rate)
    assert max(abs(v) for v in out[100:-100]) < 50


def test_upsampling_and_odd_rates() -> None:
    out = resample(tone(500, 6000, 0.5), 6000)
    assert len(out) == 4000
    expected = tone(500, 8000, 0.5)
    assert max(abs(out[i] - expected[i]) for i in range(200, 3800)) <= 4
    assert len(resample(tone(500, 44101, 0.1), 44101)) == 4410 * 8000 // 44101
    assert resample(array("h"), 16000) == array("h")


def test_truncated_last_frame_is_dropped(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "ok.wav", array("h", [1, 2, 3]).tobytes())
    data = bytearray(path.read_bytes())
    # claim one more byte of data than a whole number of frames, then cut the file there
    struct.pack_into("<I", data, 40, 7)
    path.write_bytes(bytes(data[: 44 + 7]))
    assert read_wav_8k(path).tolist() == [1, 2, 3]


def test_errors_are_wav_unreadable(tmp_path: Path) -> None:
    cases = {
        "missing.wav": None,
        "garbage.wav": b"this is not a wav file at all",
        "empty.wav": b"",
        "truncated.wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    }
    for name, content in cases.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
    write_wav(tmp_path / "8bit.wav", bytes(16), width=1)
    write_wav(tmp_path / "24bit.wav", bytes(24), width=3)
    ok = write_wav(tmp_path / "float.wav", bytes(16))
    data = bytearray(ok.read_bytes())
    struct.pack_into("<H", data, 20, 3)  # WAVE_FORMAT_IEEE_FLOAT
    ok.write_bytes(bytes(data))
    for name in [*cases, "8bit.wav", "24bit.wav", "float.wav"]:
        with pytest.raises(WavError) as err:
            read_wav_8k(tmp_path / name)
        assert err.value.error_id == "wav-unreadable"
        assert name in str(err.value)
        with pytest.raises(WavError):
            wav_duration(tmp_path / name)


def test_write_rejects_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(OverflowError):
        write_wav_8k(tmp_path / "x.wav", [40000])
