"""Endpointing: when did the caller start and stop talking, and what did they say.

Driven by audio time only (the count of samples fed), never the wall clock, so the
same audio always gives the same events; the receiver fills lost packets with silence
so audio time keeps pace with the call.

Each 20 ms frame is classified by webrtcvad (GMM-based, cheap, fine on telephone band
audio) AND a fixed energy gate. webrtcvad models the spectrum, not the loudness, and
adapts its noise model as it goes: it can call low-level noise speech before it has
adapted, and after real speech it keeps calling line noise speech for a while, which
stretched the trailing silence by ~0.1 s in our tests (white/pink noise and mains hum
at -45..-50 dBFS). Asterisk hands ExternalMedia the caller at half amplitude (-6 dB),
so speech at the nominal telephone level (-26 dBov active speech) arrives around -32
dBFS and quiet talkers near -38; the default gate of -42 dBFS keeps those and rejects a
noise floor of -45 dBFS and below. A fixed gate rather than an adaptive noise floor
keeps the result deterministic from the first frame (no learning period in which an
early "hello" is missed); ``energy_gate_dbfs=None`` turns it off.

One utterance per Endpointer: after SpeechDone or NoInput further audio is ignored
until ``reset()``.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

import webrtcvad  # type: ignore[import-untyped]

FRAME_S: Final = 0.02
_CANDIDATE_GAP_S: Final = 0.1  # a pause this long before min_speech_s drops a false start
_FULL_SCALE_SQ: Final = 32768.0**2


@dataclass(frozen=True)
class EndpointerConfig:
    """Timings in seconds of audio. ``tail_s``: trailing silence kept after the last
    speech frame (recognisers like a little, not 0.8 s). ``energy_gate_dbfs``: frames
    quieter than this (RMS, dB re full scale) are never speech; None disables the gate.
    """

    trailing_silence_s: float = 0.8
    # After this much silence the utterance as it would end is handed out early
    # (SpeechPausing), so recognition can start before trailing_silence_s confirms the
    # end; speech that resumes makes it moot. None: never. Between tail_s and
    # trailing_silence_s.
    early_s: float | None = 0.4
    no_input_s: float = 5.0
    max_speech_s: float = 12.0
    min_speech_s: float = 0.25
    vad_mode: int = 2
    pre_roll_s: float = 0.3
    tail_s: float = 0.2
    energy_gate_dbfs: float | None = -42.0

    def __post_init__(self) -> None:
        if self.vad_mode not in (0, 1, 2, 3):
            raise ValueError(f"vad_mode must be 0..3, got {self.vad_mode}")
        for name in ("trailing_silence_s", "no_input_s", "max_speech_s", "min_speech_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        if self.pre_roll_s < 0 or self.tail_s < 0:
            raise ValueError("pre_roll_s and tail_s must be >= 0")
        if self.early_s is not None and not self.tail_s <= self.early_s < self.trailing_silence_s:
            raise ValueError("early_s must be from tail_s up to (not including) trailing_silence_s")


@dataclass(frozen=True)
class SpeechBegan:
    """Speech confirmed (it lasted min_speech_s); ``at_s`` is when it started."""

    at_s: float


@dataclass(frozen=True)
class SpeechDone:
    """The utterance is over; ``at_s`` is when that was decided (the end of the trailing
    silence, or start + max_speech_s). ``audio``: pre-roll + speech + ``tail_s``."""

    at_s: float
    audio: bytes
    reason: Literal["silence", "max-speech"]


@dataclass(frozen=True)
class SpeechPausing:
    """Silence for ``early_s``: ``audio`` is exactly what SpeechDone will carry if the
    caller says no more (speech that resumes makes it moot); ``at_s`` is now."""

    at_s: float
    audio: bytes


@dataclass(frozen=True)
class NoInput:
    """No speech began within no_input_s (``at_s``: when that was decided)."""

    at_s: float


EndpointEvent: TypeAlias = SpeechBegan | SpeechPausing | SpeechDone | NoInput

_IDLE, _CANDIDATE, _SPEAKING, _DONE = range(4)


class Endpointer:
    """Feeds of 16-bit native-endian mono PCM in, endpoint events out (see module doc)."""

    def __init__(self, config: EndpointerConfig | None = None, sample_rate: int = 8000) -> None:
        self.config = config or EndpointerConfig()
        if sample_rate not in (8000, 16000, 32000, 48000):
            raise ValueError(f"webrtcvad needs 8/16/32/48 kHz, not {sample_rate}")
        self.sample_rate = sample_rate
        self._frame_samples = int(sample_rate * FRAME_S)
        self._frame_bytes = 2 * self._frame_samples
        self._vad: Any = webrtcvad.Vad(self.config.vad_mode)
        gate = self.config.energy_gate_dbfs
        # compare sums of squares, not dB: no log per frame
        self._gate_sumsq = (
            0.0 if gate is None else _FULL_SCALE_SQ * self._frame_samples * 10.0 ** (gate / 10.0)
        )
        c = self.config
        self._pre_frames = round(c.pre_roll_s / FRAME_S)
        self._tail_frames = round(c.tail_s / FRAME_S)
        self._min_frames = max(1, round(c.min_speech_s / FRAME_S))
        self._trail_frames = max(1, round(c.trailing_silence_s / FRAME_S))
        self._early_frames = None if c.early_s is None else max(1, round(c.early_s / FRAME_S))
        self._gap_frames = max(1, round(_CANDIDATE_GAP_S / FRAME_S))
        self._max_frames = max(1, round(c.max_speech_s / FRAME_S))
        self._no_input_frames = max(1, round(c.no_input_s / FRAME_S))
        self.reset()

    def reset(self) -> None:
        """Start a new utterance; audio time restarts at 0."""
        self._state = _IDLE
        self._pending = bytearray()
        self._frame = 0  # index of the next frame
        self._pre: deque[bytes] = deque(maxlen=max(1, self._pre_frames))
        self._utt: list[bytes] = []  # frames from _utt_first on
        self._utt_first = 0
        self._start = 0  # first speech frame of the (candidate) utterance
        self._voiced = 0  # speech frames in the candidate
        self._last_speech = 0  # index of the latest speech frame

    @property
    def time_s(self) -> float:
        """Audio time fed so far, in whole frames."""
        return self._frame * FRAME_S

    def feed(self, pcm: bytes) -> list[EndpointEvent]:
        """Any amount of audio; returns the events it caused, in order."""
        if self._state == _DONE:
            return []
        events: list[EndpointEvent] = []
        pending = self._pending
        pending += pcm
        size = self._frame_bytes
        used = 0
        while len(pending) - used >= size and self._state != _DONE:
            self._step(bytes(pending[used : used + size]), events)
            used += size
        if self._state == _DONE:
            pending.clear()
        else:
            del pending[:used]
        return events

    # --- internals -------------------------------------------------------------

    def _is_speech(self, frame: bytes) -> bool:
        if not self._vad.is_speech(frame, self.sample_rate):
            return False
        if not self._gate_sumsq:
            return True
        samples = array("h", frame)
        return sum(map(int.__mul__, samples, samples)) >= self._gate_sumsq

    def _step(self, frame: bytes, events: list[EndpointEvent]) -> None:
        i = self._frame
        self._frame = i + 1
        speech = self._is_speech(frame)
        state = self._state
        if state == _IDLE:
            if speech:
                self._state = _CANDIDATE
                self._utt = list(self._pre) if self._pre_frames else []
                self._utt_first = i - len(self._utt)
                self._utt.append(frame)
                self._start = self._last_speech = i
                self._voiced = 1
                self._confirm(events)
            else:
                if self._pre_frames:
                    self._pre.append(frame)
                if i + 1 >= self._no_input_frames:
                    self._finish_no_input(events)
            return
        self._utt.append(frame)
        if state == _CANDIDATE:
            if speech:
                self._voiced += 1
                self._last_speech = i
                self._confirm(events)
            elif i - self._last_speech >= self._gap_frames:  # a false start
                self._state = _IDLE
                self._pre.clear()
                self._pre.extend(self._utt[-self._pre_frames :] if self._pre_frames else ())
                self._utt = []
                if i + 1 >= self._no_input_frames:
                    self._finish_no_input(events)
            return
        # speaking
        if speech:
            self._last_speech = i
        if i + 1 - self._start >= self._max_frames:
            self._finish(events, i + 1, "max-speech")
        elif i - self._last_speech >= self._trail_frames:
            self._finish(events, i + 1, "silence")
        elif i - self._last_speech == self._early_frames:
            events.append(SpeechPausing(at_s=self._frame * FRAME_S, audio=self._audio_to_tail()))

    def _confirm(self, events: list[EndpointEvent]) -> None:
        if self._voiced >= self._min_frames:
            self._state = _SPEAKING
            events.append(SpeechBegan(at_s=self._start * FRAME_S))

    def _audio_to_tail(self) -> bytes:
        """Pre-roll + speech + ``tail_s``: the utterance as it ends on silence."""
        return b"".join(self._utt[: self._last_speech + 1 + self._tail_frames - self._utt_first])

    def _finish_no_input(self, events: list[EndpointEvent]) -> None:
        self._state = _DONE
        self._utt = []
        self._pre.clear()
        events.append(NoInput(at_s=self._frame * FRAME_S))

    def _finish(
        self, events: list[EndpointEvent], end: int, reason: Literal["silence", "max-speech"]
    ) -> None:
        if reason == "silence":
            audio = self._audio_to_tail()
        else:
            audio = b"".join(self._utt[: end - self._utt_first])
        self._state = _DONE
        self._utt = []
        self._pre.clear()
        events.append(SpeechDone(at_s=self._frame * FRAME_S, audio=audio, reason=reason))


__all__ = [
    "EndpointEvent",
    "Endpointer",
    "EndpointerConfig",
    "NoInput",
    "SpeechBegan",
    "SpeechDone",
    "SpeechPausing",
]
