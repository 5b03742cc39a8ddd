"""8 kHz mono 16-bit WAV in and out, the only shape telephony audio takes here.

Reading accepts what people actually drop into a sounds folder (stereo, 16/44.1/48 kHz)
and converts it, so a prompt recorded on a laptop still plays; anything that is not
16-bit PCM is refused with a WavError naming the file, instead of playing noise.
Resampling is band-limited (windowed-sinc, polyphase) so 44.1 kHz material does not
alias into the 0-4 kHz telephone band.
"""

from __future__ import annotations

import math
import os
import sys
import wave
from array import array
from collections.abc import Iterable
from operator import mul
from typing import Final

from ivr.media import MediaError

RATE: Final = 8000
_LITTLE = sys.byteorder == "little"
_MIN_RATE: Final = 1000
_MAX_RATE: Final = 384000
_ZERO_CROSSINGS: Final = 10  # per side of the sinc kernel
_MAX_PHASES: Final = 1024


class WavError(MediaError):
    """A WAV file that cannot be read as 16-bit PCM (missing, truncated, other encoding)."""

    error_id = "wav-unreadable"


def read_wav_8k(path: str | os.PathLike[str]) -> array[int]:
    """Samples of a 16-bit PCM WAV as 8 kHz mono ``array('h')``: mixed down and resampled."""
    try:
        with wave.open(os.fspath(path), "rb") as w:
            channels = w.getnchannels()
            width = w.getsampwidth()
            rate = w.getframerate()
            raw = w.readframes(w.getnframes())
    except FileNotFoundError as exc:
        raise WavError(f"{path}: no such file") from exc
    except (OSError, EOFError, wave.Error) as exc:
        raise WavError(f"{path}: not a readable PCM WAV ({exc})") from exc
    if width != 2:
        raise WavError(f"{path}: {8 * width}-bit samples; only 16-bit PCM is supported")
    if channels < 1:
        raise WavError(f"{path}: no channels")
    if not _MIN_RATE <= rate <= _MAX_RATE:
        raise WavError(f"{path}: sample rate {rate} Hz not supported")
    frame_bytes = 2 * channels
    raw = raw[: len(raw) - len(raw) % frame_bytes]  # a truncated last frame is dropped
    samples = array("h")
    samples.frombytes(raw)
    if not _LITTLE:
        samples.byteswap()
    if channels > 1:
        samples = _mix_down(samples, channels)
    if rate != RATE:
        samples = resample(samples, rate, RATE)
    return samples


def write_wav_8k(path: str | os.PathLike[str], samples: Iterable[int]) -> None:
    """Write 8 kHz mono 16-bit PCM; values outside int16 raise OverflowError from array."""
    data = array("h", samples)  # a copy: validates the range and is ours to byteswap
    if not _LITTLE:
        data.byteswap()
    with wave.open(os.fspath(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.tobytes())


def wav_duration(path: str | os.PathLike[str]) -> float:
    """Duration from the header alone (no sample data read), in seconds."""
    try:
        with wave.open(os.fspath(path), "rb") as w:
            if w.getsampwidth() != 2:
                raise WavError(f"{path}: {8 * w.getsampwidth()}-bit samples; only 16-bit PCM")
            rate = w.getframerate()
            if not _MIN_RATE <= rate <= _MAX_RATE:
                raise WavError(f"{path}: sample rate {rate} Hz not supported")
            return w.getnframes() / rate
    except FileNotFoundError as exc:
        raise WavError(f"{path}: no such file") from exc
    except (OSError, EOFError, wave.Error) as exc:
        raise WavError(f"{path}: not a readable PCM WAV ({exc})") from exc


def _mix_down(interleaved: array[int], channels: int) -> array[int]:
    # Average, truncating toward zero, so a full-scale stereo file cannot overflow.
    columns = [interleaved[c::channels] for c in range(channels)]
    if channels == 2:
        return array("h", [int((a + b) / 2) for a, b in zip(columns[0], columns[1], strict=True)])
    return array("h", [int(sum(frame) / channels) for frame in zip(*columns, strict=True)])


def _kernel_bank(src: int, dst: int, phases: int) -> tuple[list[list[float]], int]:
    """Windowed-sinc taps for each fractional phase; returns (bank, half width in taps)."""
    # Cut off a little below the lower Nyquist so the transition band stays clear of it.
    cutoff = 0.45 * min(src, dst) / src  # cycles per input sample
    half = math.ceil(_ZERO_CROSSINGS / (2 * cutoff))
    bank: list[list[float]] = []
    for p in range(phases):
        frac = p / phases
        taps: list[float] = []
        for k in range(-half + 1, half + 1):
            t = k - frac  # distance of input sample i+k from the output position i+frac
            x = 2 * cutoff * t
            sinc = 1.0 if x == 0 else math.sin(math.pi * x) / (math.pi * x)
            window = (
                0.42 + 0.5 * math.cos(math.pi * t / half) + 0.08 * math.cos(2 * math.pi * t / half)
            )  # Blackman: stopband well under the 16-bit noise floor for speech
            taps.append(2 * cutoff * sinc * max(window, 0.0))
        total = sum(taps)
        bank.append([v / total for v in taps])  # unity gain at DC for every phase
    return bank, half


def resample(samples: array[int], src: int, dst: int = RATE) -> array[int]:
    """Band-limited resampling of int16 samples from ``src`` Hz to ``dst`` Hz."""
    if src == dst or not samples:
        return array("h", samples)
    g = math.gcd(src, dst)
    up, down = dst // g, src // g
    phases = min(up, _MAX_PHASES)
    bank, half = _kernel_bank(src, dst, phases)
    padded = [0] * half + samples.tolist() + [0] * (half + 1)
    n_out = (len(samples) * dst) // src
    out = array("h", bytes(2 * n_out))
    exact = up <= _MAX_PHASES
    for n in range(n_out):
        if exact:
            i, rem = divmod(n * down, up)
            phase = rem
        else:
            pos = n * src / dst
            i = int(pos)
            phase = round((pos - i) * phases)
            if phase == phases:
                i, phase = i + 1, 0
        # input index i+k for k in (-half, half] lives at padded[i + half + k]
        start = i + 1
        v = sum(map(mul, bank[phase], padded[start : start + 2 * half]))
        out[n] = max(-32768, min(32767, round(v)))
    return out


__all__ = ["RATE", "WavError", "read_wav_8k", "resample", "wav_duration", "write_wav_8k"]
