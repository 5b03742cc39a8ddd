"""What every speech engine takes and gives back.

Engines are blocking (they run in a worker pool, never on the event loop)
and take whole utterances as endpointed by ivr.media: 16-bit little-endian
mono PCM at the given rate (8 kHz from the telephone).

``expect`` is what the question asked for (ivr.decisions.Expect: an Ask, or
Hint.YES_NO at a confirmation, an offer or the danger check; None: anything, the
menu): a hint an engine may use to favour it (a digits grammar, a numeric prompt
for a crime reference, a yes-or-no prompt) and may ignore.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ivr.decisions import Expect, Hypothesis


class RecognizerError(RuntimeError):
    """The engine could not run (model missing, bad audio, crash); the call falls back to keys."""

    error_id = "speech-recognizer-failed"


@dataclass(frozen=True, slots=True)
class Transcript:
    alternatives: tuple[Hypothesis, ...]  # n-best, best first; confidence in [0, 1]
    engine: str
    audio_seconds: float = 0.0
    decode_seconds: float = 0.0

    @property
    def text(self) -> str:
        return self.alternatives[0].text if self.alternatives else ""

    @property
    def confidence(self) -> float:
        return self.alternatives[0].confidence if self.alternatives else 0.0


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The force's words, for language models and biasing: built from the routing bundle."""

    words: frozenset[str] = frozenset()  # names, ranks' spoken forms, aliases, teams, keywords
    phrases: tuple[str, ...] = field(default=())  # whole example requests ("can I speak to ...")
    names: frozenset[str] = frozenset()  # people's first names and surnames (of ``words``)

    @classmethod
    def from_texts(
        cls, words: Iterable[str], phrases: Iterable[str], names: Iterable[str] = ()
    ) -> Vocabulary:
        return cls(
            frozenset(w.lower() for w in words if w),
            tuple(phrases),
            frozenset(n.lower() for n in names if n),
        )


class Recognizer(Protocol):
    """One engine, loaded once; ``recognize`` may be called from several threads."""

    @property
    def name(self) -> str: ...

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript: ...


class SpeechService(Protocol):
    """Speech to text off the event loop, as a call uses it (ivr.speech.pool.SpeechPool)."""

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript: ...
