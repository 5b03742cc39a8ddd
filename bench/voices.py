"""Test voices for the speech benches: the project's own, and independent ones.

The own voices are scripts/make_test_speech.py's (flite kal16/rms/slt/awb at three
speeds, espeak-ng en-gb at 150 wpm): the engines and the vocabulary were tuned while
listening to them. The INDEPENDENT voices are ones nobody tuned on (issue 16): Debian's
festival diphone voices kal and ked, the HTS voice slt, each also pitch- or
tempo-shifted by sox (other speakers), and espeak-ng accents and variants other than
the own en-gb (Scottish, RP, West Midlands, Lancaster, Caribbean, US; +f/+m variants,
other speeds and pitches). scripts/install_bench.sh installs them.

A voice is named by a stable spec, part of the transcript cache's key:

* ``kal16@1.0``: flite voice at a duration stretch (own);
* ``espeak:en-gb-scotland+f3@140`` or ``espeak:en-us+m3@160@p70``: espeak-ng voice
  (+variant) at words per minute, optionally at pitch 0-99 (``-p``);
* ``festival:kal``, ``festival:slt-hts@pitch-300``, ``festival:ked@pitch+200@tempo0.9``:
  a festival voice, optionally shifted by sox ``pitch`` (cents) and ``tempo`` (factor).

Every voice then goes through the telephone channel (``Channel``): 300-3400 Hz, 8 kHz
(sox, as make_test_speech), at a noise level (make_test_speech's pink/brown noise and
babble at an exact SNR), and G.711 u-law encoded and decoded (ivr.media.codecs).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, cast

import numpy as np

from ivr.media.codecs import ulaw_decode, ulaw_encode

ROOT = Path(__file__).resolve().parents[1]
RATE = 8000
PAD_S = 0.25  # silence either side of the words, as make_test_speech
BAND = "300-3400"
Samples = np.ndarray[Any, np.dtype[np.float64]]


class Synth(StrEnum):
    FLITE = "flite"
    ESPEAK = "espeak"
    FESTIVAL = "festival"


# Short names (the spec's) for festival's voice functions: (voice_<name>).
FESTIVAL_VOICES = {
    "kal": "kal_diphone",  # festvox-kallpc16k
    "ked": "ked_diphone",  # festvox-kdlpc16k
    "slt-hts": "cmu_us_slt_arctic_hts",  # festvox-us-slt-hts
}
TOOLS = {Synth.FLITE: "flite", Synth.ESPEAK: "espeak-ng", Synth.FESTIVAL: "text2wave"}

_FLITE = re.compile(r"^(?P<voice>[a-z0-9]+)@(?P<speed>\d+(?:\.\d+)?)$")
_ESPEAK = re.compile(
    r"^espeak:(?P<voice>[a-z0-9-]+(?:\+[a-z]+\d*)?)@(?P<speed>\d+)(?:@p(?P<p>\d+))?$"
)
_FESTIVAL = re.compile(
    r"^festival:(?P<voice>[a-z-]+)(?:@pitch(?P<pitch>[+-]\d+))?(?:@tempo(?P<tempo>\d+(?:\.\d+)?))?$"
)

# Independent voices, in a fixed order: a request's voice is picked from its text's hash,
# so it keeps its voice when the set grows. 8 of the 13 are festival's (closer to people).
INDEPENDENT = (
    "festival:kal",
    "festival:ked",
    "festival:slt-hts",
    "festival:kal@pitch-250",
    "festival:slt-hts@pitch-300",
    "festival:ked@pitch+200@tempo0.9",
    "festival:slt-hts@tempo1.15",
    "festival:kal@pitch+150@tempo1.1",
    "espeak:en-gb-scotland+f3@140",
    "espeak:en-us+m3@160",
    "espeak:en-gb-x-rp+f2@150@p60",
    "espeak:en-029+m1@145",
    "espeak:en-gb-x-gbcwmd+f4@155@p40",
)


class Voicing(StrEnum):
    """Which voices a request meets when none are listed: one each, by its text's hash."""

    OWN = "rotate"
    INDEPENDENT = "independent"


@dataclass(frozen=True, slots=True)
class VoiceSpec:
    synth: Synth
    voice: str  # flite voice, espeak-ng voice[+variant], or festival's short name
    speed: str = ""  # flite's duration stretch or espeak-ng's words per minute, as written
    pitch: int | None = None  # espeak-ng -p (0-99), or sox pitch in cents (festival)
    tempo: str = ""  # sox tempo factor (festival), as written

    @property
    def name(self) -> str:
        """The stable spec (``parse_voice(spec.name) == spec``)."""
        if self.synth is Synth.FLITE:
            return f"{self.voice}@{self.speed}"
        if self.synth is Synth.ESPEAK:
            pitch = f"@p{self.pitch}" if self.pitch is not None else ""
            return f"espeak:{self.voice}@{self.speed}{pitch}"
        pitch = f"@pitch{self.pitch:+d}" if self.pitch is not None else ""
        tempo = f"@tempo{self.tempo}" if self.tempo else ""
        return f"festival:{self.voice}{pitch}{tempo}"

    @property
    def tool(self) -> str:
        return TOOLS[self.synth]


def parse_voice(spec: str, flite_voices: Sequence[str]) -> VoiceSpec:
    """A voice spec (module docstring); ValueError says what is wrong with it."""
    spec = spec.strip()
    if match := _FLITE.match(spec):
        if match["voice"] not in flite_voices:
            raise ValueError(f"voice {spec!r}: no flite voice {match['voice']!r}"
                             f" (choose from {', '.join(flite_voices)})")  # fmt: skip
        return VoiceSpec(Synth.FLITE, match["voice"], match["speed"])
    if match := _ESPEAK.match(spec):
        pitch = int(match["p"]) if match["p"] is not None else None
        if pitch is not None and pitch > 99:
            raise ValueError(f"voice {spec!r}: espeak-ng pitch is 0-99")
        return VoiceSpec(Synth.ESPEAK, match["voice"], match["speed"], pitch)
    if match := _FESTIVAL.match(spec):
        if match["voice"] not in FESTIVAL_VOICES:
            raise ValueError(f"voice {spec!r}: no festival voice {match['voice']!r}"
                             f" (choose from {', '.join(FESTIVAL_VOICES)})")  # fmt: skip
        pitch = int(match["pitch"]) if match["pitch"] is not None else None
        if pitch is not None and not -1200 <= pitch <= 1200:
            raise ValueError(f"voice {spec!r}: pitch is in cents, -1200 to +1200")
        tempo = match["tempo"] or ""
        if tempo and not 0.5 <= float(tempo) <= 2.0:
            raise ValueError(f"voice {spec!r}: tempo is a factor from 0.5 to 2")
        return VoiceSpec(Synth.FESTIVAL, match["voice"], pitch=pitch, tempo=tempo)
    raise ValueError(
        f"voice {spec!r}: want FLITE@STRETCH (e.g. kal16@1.0), espeak:VOICE[+VARIANT]@WPM[@pN]"
        " (e.g. espeak:en-gb-scotland+f3@140) or festival:VOICE[@pitch+-CENTS][@tempoF]"
        f" (voices {', '.join(FESTIVAL_VOICES)}; e.g. festival:slt-hts@pitch-300)"
    )


def independent_voice(index: int) -> str:
    return INDEPENDENT[index % len(INDEPENDENT)]


def text_index(text: str) -> int:
    """A request's place in a rotation: from its text, so it is stable as a set grows."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)


def missing_tools(specs: Sequence[VoiceSpec]) -> list[str]:
    needed = {"sox"} | {spec.tool for spec in specs}
    return sorted(tool for tool in needed if shutil.which(tool) is None)


# --- rendering ---------------------------------------------------------------------------


class SpeechScript(Protocol):
    """What the benches take from scripts/make_test_speech.py (the own voices' chain)."""

    FLITE_VOICES: tuple[str, ...]
    ESPEAK: tuple[str, int]  # its espeak-ng voice and words per minute
    UTTERANCES: tuple[Any, ...]

    def voice_for(self, index: int) -> str: ...
    def synthesize(self, text: str, voice: str, out: Path, tmp: Path) -> None: ...
    def make_noise(
        self, seconds: float, seed: int, babble_from: list[Samples], tmp: Path
    ) -> Samples: ...
    def add_noise(self, speech: Samples, noise: Samples, snr_db: float) -> Samples: ...


@functools.cache
def speech_script() -> SpeechScript:
    # Loaded from its file: scripts/ is no package, and the chain must be the very same.
    path = ROOT / "scripts" / "make_test_speech.py"
    spec = importlib.util.spec_from_file_location("make_test_speech", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return cast(SpeechScript, module)


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def read_wav(path: Path) -> Samples:
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: not 8 kHz mono 16-bit")
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float64)


def telephone_band(raw: Path, out: Path, shift: Sequence[str] = ()) -> None:
    """``raw`` (any rate) as make_test_speech's chain makes telephone speech: ``shift``
    (sox pitch/tempo) first, silence trimmed, 300-3400 Hz, 8 kHz 16-bit, padded."""
    trim = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]
    band = ["sinc", BAND, "gain", "-n", "-6", "pad", str(PAD_S), str(PAD_S)]
    dest = ["-r", str(RATE), "-b", "16", "-c", "1", str(out)]
    # Repeatable (-R): SoX's dither is otherwise new noise on every render.
    _run(["sox", "-R", str(raw), *dest, *shift, *trim, *band])


def render_independent(spec: VoiceSpec, text: str, out: Path, tmp: Path) -> None:
    """An espeak-ng or festival voice into the telephone band at 8 kHz (no codec yet)."""
    raw = tmp / "raw.wav"
    shift: list[str] = []
    if spec.synth is Synth.ESPEAK:
        pitch = ["-p", str(spec.pitch)] if spec.pitch is not None else []
        _run(["espeak-ng", "-v", spec.voice, "-s", spec.speed, *pitch, "-w", str(raw), text])
    elif spec.synth is Synth.FESTIVAL:
        script = tmp / "text.txt"
        script.write_text(text, encoding="utf-8")
        voice = f"(voice_{FESTIVAL_VOICES[spec.voice]})"
        _run(["text2wave", "-eval", voice, "-o", str(raw), str(script)])
        shift += ["pitch", str(spec.pitch)] if spec.pitch is not None else []
        shift += ["tempo", "-s", spec.tempo] if spec.tempo else []
    else:
        raise ValueError(f"{spec.name}: an own voice (make_test_speech renders it)")
    telephone_band(raw, out, shift)


def ulaw_round_trip(samples: Samples) -> Samples:
    """Through G.711 u-law and back, as the IVR receives a call (ivr.media.codecs)."""
    pcm = np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()
    back = ulaw_decode(ulaw_encode(pcm))
    return np.frombuffer(back, dtype="<i2").astype(np.float64)


def seed_of(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:4], "big")


@dataclass(frozen=True, slots=True)
class Channel:
    """The line between the caller and the IVR: noise at ``snr_db`` (None: none) at the
    caller's end, then G.711 (``codec``). The own voices' clean channel has no codec, as
    make_test_speech's clean set (and the transcripts cached before issue 16)."""

    snr_db: int | None
    codec: bool = True

    @property
    def label(self) -> str:
        return "clean" if self.snr_db is None else f"{self.snr_db} dB"


class RenderError(RuntimeError):
    """A synthesizer failed on a request (the run stops: a skipped row would skew figures)."""


class TelephoneSpeaker:
    """Renders text in a voice through a channel, as 8 kHz 16-bit PCM; each once."""

    BABBLE = 12  # babble is made from this many of make_test_speech's utterances (fixed)

    def __init__(self, script: SpeechScript, tmp: Path) -> None:
        self.script = script
        self.tmp = tmp
        self._clean: dict[tuple[str, str], Samples] = {}
        self._babble: list[Samples] | None = None

    def clean(self, voice: str, text: str) -> Samples:
        """The voice in the telephone band at 8 kHz, before the line (no noise, no codec)."""
        key = (voice, text)
        if key not in self._clean:
            out = self.tmp / "utterance.wav"
            try:
                spec = parse_voice(voice, self.script.FLITE_VOICES)
                if spec.synth is Synth.FLITE:
                    self.script.synthesize(text, voice, out, self.tmp)  # the own chain
                else:
                    render_independent(spec, text, out, self.tmp)
                self._clean[key] = read_wav(out)
            except (OSError, ValueError, subprocess.SubprocessError, wave.Error) as exc:
                raise RenderError(f"cannot speak {text!r} as {voice}: {exc}") from exc
        return self._clean[key]

    def babble(self) -> list[Samples]:
        """Speech to make babble from: fixed utterances in a fixed voice, so the noise a
        request gets does not depend on which other requests are in the run."""
        if self._babble is None:
            texts = [u.text for u in self.script.UTTERANCES[: self.BABBLE]]
            self._babble = [self.clean("kal16@1.0", text) for text in texts]
        return self._babble

    def pcm(self, voice: str, text: str, channel: Channel) -> bytes:
        speech = self.clean(voice, text)
        if channel.snr_db is not None:
            seed = seed_of(voice, text)
            noise = self.script.make_noise(speech.size / RATE, seed, self.babble(), self.tmp)
            speech = self.script.add_noise(speech, noise, channel.snr_db)
        if channel.codec:
            speech = ulaw_round_trip(speech)
        return np.clip(np.round(speech), -32768, 32767).astype("<i2").tobytes()
