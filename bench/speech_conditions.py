"""How a speech bench run speaks its requests: which voices, through which line.

``--voices`` takes ``rotate`` (the own test voices, one per request),
``independent`` (voices nobody tuned on, one per request: bench/voices.py) and
listed voice specs (each request in each), comma-separated; ``--noise`` takes
``clean`` and SNRs in dB. Each rotation and the listed voices, at each noise level,
is a ``Speech``: its rows print apart ("own clean", "independent 15 dB").

A rotation picks a request's voice from its text's hash, so a request keeps its voice
when the set grows; a caller asked again says it in the rotation's NEXT voice (the
listed voices: the next listed). The own voices' clean line is the band alone (as
make_test_speech's clean set and the transcripts cached before issue 16); every
other line ends in G.711 u-law, as a call reaches the IVR.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.heldout_sets import Request
from bench.transcripts import Job
from bench.voices import (
    INDEPENDENT,
    Channel,
    SpeechScript,
    Synth,
    Voicing,
    independent_voice,
    parse_voice,
    text_index,
)
from ivr.decisions import SWITCHBOARD

MAX_SNR_DB = 60


def parse_voices(spec: str, flite_voices: Sequence[str]) -> tuple[str, ...]:
    """Rotations and checked voice specs, in order, once each (ValueError: which is bad)."""
    items = [v.strip() for v in spec.split(",") if v.strip()]
    if not items:
        raise ValueError("no voice given")
    rotations = {v.value for v in Voicing}
    out = [item if item in rotations else parse_voice(item, flite_voices).name for item in items]
    return tuple(dict.fromkeys(out))


def parse_noise(spec: str) -> tuple[int | None, ...]:
    """``clean`` (None) and whole SNRs in dB, e.g. "clean,15" (ValueError: which is bad)."""
    out: list[int | None] = []
    for item in (v.strip() for v in spec.split(",")):
        if item == "clean":
            out.append(None)
        elif item.isdigit() and int(item) <= MAX_SNR_DB:
            out.append(int(item))
        else:
            raise ValueError(f"noise {item!r}: want 'clean' or an SNR in dB (0-{MAX_SNR_DB})")
    return tuple(dict.fromkeys(out))


def is_own(voice: str, script: SpeechScript) -> bool:
    """One of make_test_speech's voices: flite, or its one espeak-ng voice."""
    spec = parse_voice(voice, script.FLITE_VOICES)
    return spec.synth is Synth.FLITE or voice == f"espeak:{script.ESPEAK[0]}@{script.ESPEAK[1]}"


@dataclass(frozen=True, slots=True)
class Speech:
    """A rotation (``voicing``) or the ``listed`` voices, at ``snr_db`` (None: clean)."""

    voicing: Voicing | None
    listed: tuple[str, ...] = ()
    snr_db: int | None = None

    @property
    def label(self) -> str:
        who = {Voicing.OWN: "own", Voicing.INDEPENDENT: "independent", None: "listed"}
        line = "clean" if self.snr_db is None else f"{self.snr_db} dB"
        return f"{who[self.voicing]} {line}"

    def voice_at(self, request: Request, first: str, k: int, script: SpeechScript) -> str:
        """The voice of the ``k``-th asking after the first (0: the first, ``first``)."""
        if self.voicing is None:
            return self.listed[(self.listed.index(first) + k) % len(self.listed)]
        index = text_index(request.text) + k
        if self.voicing is Voicing.OWN:
            return script.voice_for(index)
        return independent_voice(index)

    def channel(self, voice: str, script: SpeechScript) -> Channel:
        codec = self.snr_db is not None or not is_own(voice, script)
        return Channel(self.snr_db, codec=codec)

    def job_at(self, first: Job, text: str, k: int, script: SpeechScript) -> Job:
        """``text`` said at the ``k``-th asking of ``first``'s caller (1: the first)."""
        voice = self.voice_at(first.request, first.voice, k - 1, script)
        return Job(Request(text, SWITCHBOARD), voice, self.channel(voice, script))

    def jobs(self, requests: Sequence[Request], script: SpeechScript) -> list[Job]:
        if self.voicing is None:
            voices = [(r, v) for r in requests for v in self.listed]
        else:
            voices = [(r, self.voice_at(r, "", 0, script)) for r in requests]
        return [Job(r, v, self.channel(v, script)) for r, v in voices]

    def samples(self, script: SpeechScript) -> list[str]:
        """Voices enough to check the tools this speech needs."""
        if self.voicing is None:
            return list(self.listed)
        if self.voicing is Voicing.OWN:
            return [script.voice_for(i) for i in range(7)]
        return list(INDEPENDENT)


def conditions(voices: Sequence[str], noise: Sequence[int | None]) -> list[Speech]:
    """Each rotation, then the listed voices together, each at every noise level."""
    rotations = [Voicing(v) for v in voices if v in {x.value for x in Voicing}]
    listed = tuple(v for v in voices if v not in {x.value for x in Voicing})
    kinds: list[tuple[Voicing | None, tuple[str, ...]]] = [(r, ()) for r in rotations]
    if listed:
        kinds.append((None, listed))
    return [Speech(kind, voices_, snr) for kind, voices_ in kinds for snr in noise]
