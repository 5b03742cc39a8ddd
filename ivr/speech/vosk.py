"""Vosk (Kaldi) with the search restricted to the force's vocabulary where the model allows.

Why: Vosk's small models decode 8 kHz telephone audio directly (the
recogniser runs at the input rate) and, when the model ships a dynamic graph
(``graph/HCLr.fst`` + ``Gr.fst``), accept a runtime grammar, so the search can
be limited to the directory's phrases plus ``[unk]`` like PocketSphinx's LM.
No English model is on PyPI: production downloads one (e.g.
vosk-model-small-en-us-0.15) and points the settings at it. Words the model
cannot say are reported in ``unknown_words`` and logged at start-up, because
a surname missing from the model's lexicon can never be recognised.

Confidence: with ``SetMaxAlternatives`` Vosk returns each alternative's total
lattice score (a log-likelihood, higher is better). These are turned into
posteriors over the n-best list by a softmax, so they are in [0, 1] and sum
to at most 1; ``[unk]`` is removed from texts and an all-``[unk]`` result is
an empty alternative list.

Thread safety: ``vosk.Model`` is shared read-only; each call makes its own
KaldiRecognizer (cheap next to decoding), so ``recognize`` is thread-safe.
"""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import Any

from ivr.decisions import Expect, Hypothesis
from ivr.speech.model import RecognizerError, Transcript, Vocabulary
from ivr.speech.vocabulary import spoken_words

__all__ = ["VoskRecognizer"]

log = logging.getLogger(__name__)

_CHUNK_BYTES = 8000  # 0.5 s at 8 kHz: AcceptWaveform in pieces, as Vosk expects


def _vosk() -> Any:
    try:
        import vosk  # type: ignore[import-untyped]  # cffi wrapper ships no stubs
    except ImportError as exc:
        raise RecognizerError(f"the vosk package is not installed: {exc}") from exc
    vosk.SetLogLevel(-1)
    return vosk


class VoskRecognizer:
    """Vosk over a model folder; see the module docstring for grammar and confidences."""

    name = "vosk"
    releases_gil = False  # measured: no gain from threads; SpeechPool uses processes

    def __init__(self, model_dir: Path, vocabulary: Vocabulary, *, n_best: int = 5) -> None:
        if n_best < 1:
            raise ValueError("n_best must be >= 1")
        self.n_best = n_best
        self.model_dir = Path(model_dir)
        vosk = _vosk()
        self._vosk = vosk
        if not (self.model_dir / "am" / "final.mdl").is_file():
            raise RecognizerError(
                f"{self.model_dir} is not a Vosk model folder (no am/final.mdl); download a"
                " model from https://alphacephei.com/vosk/models and point the setting at it"
            )
        started = time.perf_counter()
        try:
            self._model = vosk.Model(str(self.model_dir))
        except Exception as exc:
            raise RecognizerError(f"Vosk cannot load the model in {self.model_dir}: {exc}") from exc
        self.load_seconds = time.perf_counter() - started
        self.dynamic_graph = (self.model_dir / "graph" / "HCLr.fst").is_file()
        self.vocabulary = vocabulary
        words = sorted({w for word in vocabulary.words for w in spoken_words(word)})
        self.unknown_words: frozenset[str] = frozenset(
            w for w in words if self._model.vosk_model_find_word(w) < 0
        )
        self._grammar: str | None = None
        if self.dynamic_graph:
            phrases = [" ".join(spoken_words(p)) for p in vocabulary.phrases]
            known = [
                p
                for p in dict.fromkeys([*phrases, *words])
                if p and not any(w in self.unknown_words for w in p.split())
            ]
            unk = ["[unk]"] if self._model.vosk_model_find_word("[unk]") >= 0 else []
            if known:
                self._grammar = json.dumps([*known, *unk], ensure_ascii=False)
            else:  # a grammar of nothing would recognise nothing: use the model's own graph
                log.warning("vosk: no vocabulary word is known to %s; grammar off", model_dir)
        log.info(
            "vosk: model %s loaded in %.2f s (%s graph); %d of %d vocabulary words unknown%s",
            self.model_dir,
            self.load_seconds,
            "dynamic" if self.dynamic_graph else "static",
            len(self.unknown_words),
            len(words),
            (": " + ", ".join(sorted(self.unknown_words)[:50])) if self.unknown_words else "",
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as (model folder, vocabulary): a worker process loads its own model."""
        return (_rebuild, (self.model_dir, self.vocabulary, self.n_best))

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        """Decode one utterance at its own rate; n-best with confidences in [0, 1].

        ``expect`` is not used yet: no Vosk model is installed here to measure a
        digits grammar on (PocketSphinx and Whisper use it)."""
        started = time.perf_counter()
        if sample_rate <= 0 or len(pcm) % 2:
            raise RecognizerError(f"bad audio: {len(pcm)} bytes at {sample_rate} Hz")
        try:
            if self._grammar is not None:
                recognizer = self._vosk.KaldiRecognizer(
                    self._model, float(sample_rate), self._grammar
                )
            else:
                recognizer = self._vosk.KaldiRecognizer(self._model, float(sample_rate))
            recognizer.SetMaxAlternatives(self.n_best)
            chunk = _CHUNK_BYTES * max(1, sample_rate // 8000)
            for offset in range(0, len(pcm), chunk):
                recognizer.AcceptWaveform(pcm[offset : offset + chunk])
            result = json.loads(recognizer.FinalResult())
        except Exception as exc:
            raise RecognizerError(f"Vosk failed: {exc}") from exc
        return Transcript(
            alternatives=alternatives_from_result(result),
            engine=self.name,
            audio_seconds=len(pcm) / 2 / sample_rate,
            decode_seconds=time.perf_counter() - started,
        )


def _rebuild(model_dir: Path, vocabulary: Vocabulary, n_best: int) -> VoskRecognizer:
    return VoskRecognizer(model_dir, vocabulary, n_best=n_best)


def alternatives_from_result(result: dict[str, Any]) -> tuple[Hypothesis, ...]:
    """Vosk's JSON (with or without alternatives) as n-best Hypotheses, softmaxed scores."""
    raw = result.get("alternatives")
    if raw is None:
        raw = [{"text": result.get("text", ""), "confidence": 0.0}]
    texts: list[str] = []
    scores: list[float] = []
    for alt in raw:
        text = " ".join(w for w in str(alt.get("text", "")).split() if w != "[unk]")
        if text and text not in texts:
            texts.append(text)
            scores.append(float(alt.get("confidence", 0.0)))
    if not texts:
        return ()
    peak = max(scores)
    weights = [math.exp(s - peak) for s in scores]
    total = sum(weights)
    ordered = sorted(zip(texts, (w / total for w in weights), strict=True), key=lambda p: -p[1])
    return tuple(Hypothesis(t, round(min(1.0, max(0.0, c)), 4)) for t, c in ordered)
