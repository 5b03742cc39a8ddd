"""PocketSphinx with a language model built from the force's own vocabulary.

Why this shape: PocketSphinx's stock US-English LM knows 130k words and
almost none of a force's surnames, so with it the engine transcribes "DS
Harpreet Kaur" as ordinary English. Restricting the search to a small
trigram LM over the directory names, services and request phrasings (built
at start-up and again whenever rules are published) turns it into a fast,
accurate name picker: ~98% of clean and telephone-band requests land on the
right entry at well under a tenth of real time. The bundled acoustic model
is 16 kHz, so telephone audio is upsampled first (ivr.speech.resample);
fed 8 kHz directly it is far worse.

The LM and its dictionary (pronunciations, guessed words) are built by
ivr.speech.sphinx_model.

Confidence: the best hypothesis scores the geometric mean of its words'
lattice posteriors (PocketSphinx's ``seg().prob``, already in [0, 1]);
out-of-vocabulary speech makes the LM force in words the audio barely
supports, whose posteriors are near 0, so it scores low even though an
LM-constrained engine always emits *some* in-vocabulary words. Lower n-best
entries get the top score times their path-score ratio to the best,
sharpened (``alternative_confidences``). Noise mostly decodes to nothing.

A question that asks for a crime reference (``expect=Ask.REFERENCE``) is
decoded twice: by the LM as ever, and by a JSGF grammar of digits, number
words and "stroke" (``REFERENCE_GRAMMAR``) in decoders of its own (switching
one decoder between the LM and a grammar re-initialises the LM search: ~2 s
a call, measured). The grammar's reading comes first when its path scores
better than the LM's best (the audio fits digits better than the force's
words), and is dropped otherwise: a caller who answers "I want to report a
burglary" is heard by the LM alone, not as a string of digits the router
would take for a reference. (Its word posteriors, without a lattice best
path, are near 1 whatever was said, so they cannot rank it.)

Thread safety: a Decoder is not thread-safe and costs ~0.2 s to build, so
the recogniser keeps a pool of idle decoders; each call borrows one (making
one if none is idle) and returns it. ``rebuild`` bumps a generation so
decoders built from the old vocabulary are dropped as they come back.
"""

from __future__ import annotations

import logging
import queue
import re
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pocketsphinx  # type: ignore[import-untyped]  # Cython extension ships no stubs

from ivr.decisions import Ask, Expect, Hypothesis
from ivr.speech.model import RecognizerError, Transcript, Vocabulary
from ivr.speech.resample import resample_pcm16
from ivr.speech.sphinx_model import SphinxModel, build_sphinx_model, pronunciations

__all__ = ["PocketSphinxRecognizer"]

log = logging.getLogger(__name__)

_MODEL_RATE = 16000
# Only near rivals are alternatives: the LM holds the emergency phrasings, and a far-off
# path ("can knife speak to ...") in the n-best would trip the router's any-alternative
# emergency cue. 0.93 of the best path's score keeps ~2-3 rivals on clean speech.
_RIVAL_RATIO = 0.93
_SILENCE_RMS = 30.0  # about -60 dBFS: below this there is nothing to decode
_SHARPEN = 10.0  # exponent on n-best path-score ratios (see alternative_confidences)

# A crime reference as callers say it: digits one by one or in pairs ("forty two"),
# "double"/"oh", groups joined by "stroke" (or "slash", "dash"), and "no"/"sorry" to put
# a group right (ivr.routing.spoken_refs reads all of these).
REFERENCE_GRAMMAR = """#JSGF V1.0;
grammar reference;
<digit> = zero | oh | nought | one | two | three | four | five | six | seven | eight | nine;
<teen> = ten | eleven | twelve | thirteen | fourteen | fifteen | sixteen | seventeen
       | eighteen | nineteen;
<tens> = twenty | thirty | forty | fifty | sixty | seventy | eighty | ninety;
<number> = <digit> | double <digit> | triple <digit> | <teen> | <tens> [<digit>];
<join> = stroke | slash | dash | no | sorry;
public <reference> = [my [crime] reference [number] is] <number>+ (<join> <number>+)*;
"""
# The grammar's words (not its <rules>): the digits decoders' dictionary.
REFERENCE_WORDS = frozenset(
    re.findall(r"(?<![<\w])[a-z]+(?![>\w])", REFERENCE_GRAMMAR.partition(";\ngrammar")[2])
) - {"public"}


class _Generation:
    """One built model and the idle decoders made from it."""

    def __init__(self, model: SphinxModel, number: int) -> None:
        self.model = model
        self.number = number
        self.idle: queue.SimpleQueue[pocketsphinx.Decoder] = queue.SimpleQueue()
        self.idle_digits: queue.SimpleQueue[pocketsphinx.Decoder] = queue.SimpleQueue()
        self.initial_cmn = ""

    def new_decoder(self) -> pocketsphinx.Decoder:
        """A decoder for this model (it reads the LM and dictionary files while it is built)."""
        with tempfile.TemporaryDirectory(prefix="ivr-sphinx-") as name:
            lm_path, dict_path = Path(name) / "vocabulary.lm", Path(name) / "vocabulary.dict"
            lm_path.write_text(self.model.arpa, encoding="utf-8")
            dict_path.write_text(self.model.dictionary, encoding="utf-8")
            config = pocketsphinx.Config(
                hmm=str(Path(pocketsphinx.get_model_path()) / "en-us" / "en-us"),
                lm=str(lm_path),
                dict=str(dict_path),
                samprate=_MODEL_RATE,
                loglevel="FATAL",
            )
            return pocketsphinx.Decoder(config)

    def new_digits_decoder(self) -> pocketsphinx.Decoder:
        """A decoder over the digits grammar alone (for a question asking for a reference)."""
        lines = [f"{w} {pronunciations(w)[0][0]}" for w in sorted(REFERENCE_WORDS)]
        with tempfile.TemporaryDirectory(prefix="ivr-sphinx-") as name:
            grammar_path, dict_path = Path(name) / "reference.gram", Path(name) / "digits.dict"
            grammar_path.write_text(REFERENCE_GRAMMAR, encoding="utf-8")
            dict_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            config = pocketsphinx.Config(
                hmm=str(Path(pocketsphinx.get_model_path()) / "en-us" / "en-us"),
                jsgf=str(grammar_path),
                bestpath=False,  # a lattice best path over the grammar takes ~2 s
                dict=str(dict_path),
                samprate=_MODEL_RATE,
                loglevel="FATAL",
            )
            return pocketsphinx.Decoder(config)


class PocketSphinxRecognizer:
    """PocketSphinx over a vocabulary LM; see the module docstring for confidences/threads."""

    name = "pocketsphinx"
    releases_gil = False  # SpeechPool runs it in processes (see ivr.speech.pool)

    def __init__(self, vocabulary: Vocabulary, *, n_best: int = 5) -> None:
        if n_best < 1:
            raise ValueError("n_best must be >= 1")
        self.n_best = n_best
        self.vocabulary = vocabulary
        self._lock = threading.Lock()
        self._generation: _Generation | None = None
        self.rebuild(vocabulary)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its vocabulary: a worker process rebuilds its own decoders."""
        return (_rebuild, (self.vocabulary, self.n_best))

    @property
    def model(self) -> SphinxModel:
        assert self._generation is not None
        return self._generation.model

    @property
    def guessed_words(self) -> frozenset[str]:
        return self.model.guessed_words

    def rebuild(self, vocabulary: Vocabulary) -> None:
        """A new LM for a new vocabulary (rules published); calls in flight finish on the old."""
        started = time.perf_counter()
        try:
            model = build_sphinx_model(vocabulary)
        except RecognizerError:
            raise
        except Exception as exc:
            raise RecognizerError(f"cannot build the PocketSphinx language model: {exc}") from exc
        self.vocabulary = vocabulary
        number = self._generation.number + 1 if self._generation else 1
        generation = _Generation(model, number)
        try:
            decoder = generation.new_decoder()  # fail now, not on the first call
        except Exception as exc:
            raise RecognizerError(f"PocketSphinx cannot load its model: {exc}") from exc
        generation.initial_cmn = decoder.get_cmn()
        generation.idle.put(decoder)
        with self._lock:
            self._generation = generation
        if model.guessed_words:
            log.info(
                "pocketsphinx: %d words without a dictionary pronunciation (guessed): %s",
                len(model.guessed_words),
                ", ".join(sorted(model.guessed_words)),
            )
        log.info(
            "pocketsphinx: language model of %d words built in %.2f s",
            len(model.words),
            time.perf_counter() - started,
        )

    def _borrow(self) -> tuple[_Generation, pocketsphinx.Decoder]:
        with self._lock:
            generation = self._generation
        assert generation is not None
        try:
            return generation, generation.idle.get_nowait()
        except queue.Empty:
            return generation, generation.new_decoder()

    def _give_back(self, generation: _Generation, decoder: pocketsphinx.Decoder) -> None:
        with self._lock:
            current = self._generation
        if current is generation:
            generation.idle.put(decoder)

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        """Decode one utterance; n-best with confidences in [0, 1], best first (with the
        digits grammar's reading among them when a reference is ``expect``ed)."""
        started = time.perf_counter()
        if sample_rate <= 0 or len(pcm) % 2:
            raise RecognizerError(f"bad audio: {len(pcm)} bytes at {sample_rate} Hz")
        audio_seconds = len(pcm) / 2 / sample_rate
        if _rms(pcm) < _SILENCE_RMS:  # the LM would force a word onto silence
            return Transcript((), self.name, audio_seconds, time.perf_counter() - started)
        audio = resample_pcm16(pcm, sample_rate, _MODEL_RATE)
        generation, decoder = self._borrow()
        try:
            _decode(decoder, generation.initial_cmn, audio)
            alternatives = self._alternatives(decoder)
            if expect is Ask.REFERENCE:
                best = decoder.hyp()
                digits = self._digits(generation, audio)
                lm_score = float(best.score) if best is not None and alternatives else 0.0
                if digits is not None and digits[1] >= lm_score:
                    alternatives = (digits[0], *alternatives)
        except Exception as exc:
            raise RecognizerError(f"PocketSphinx failed: {exc}") from exc
        else:
            self._give_back(generation, decoder)
        return Transcript(
            alternatives=alternatives,
            engine=self.name,
            audio_seconds=audio_seconds,
            decode_seconds=time.perf_counter() - started,
        )

    @staticmethod
    def _digits(generation: _Generation, audio: bytes) -> tuple[Hypothesis, float] | None:
        """The digits grammar's reading of the utterance and its path score."""
        try:
            decoder = generation.idle_digits.get_nowait()
        except queue.Empty:
            decoder = generation.new_digits_decoder()
        _decode(decoder, generation.initial_cmn, audio)
        best = decoder.hyp()
        segments = [(seg.word, float(seg.prob)) for seg in decoder.seg() or ()]
        generation.idle_digits.put(decoder)
        if best is None or not best.hypstr.strip():
            return None
        confidence = word_posterior_confidence(segments)
        return Hypothesis(best.hypstr.strip(), round(confidence, 4)), float(best.score)

    def _alternatives(self, decoder: pocketsphinx.Decoder) -> tuple[Hypothesis, ...]:
        best = decoder.hyp()
        if best is None or not best.hypstr.strip():
            return ()
        top = word_posterior_confidence(
            [(seg.word, float(seg.prob)) for seg in decoder.seg() or ()]
        )
        texts = [best.hypstr.strip()]
        scores = [float(best.score)]
        floor = float(best.score) * _RIVAL_RATIO
        for hyp in _take(decoder.nbest(), self.n_best * 4):
            text = hyp.hypstr.strip()
            if text and text not in texts and float(hyp.score) >= floor:
                texts.append(text)
                scores.append(float(hyp.score))
            if len(texts) >= self.n_best:
                break
        return tuple(
            Hypothesis(text, round(conf, 4))
            for text, conf in zip(texts, alternative_confidences(top, scores), strict=True)
        )


def _decode(decoder: pocketsphinx.Decoder, initial_cmn: str, audio: bytes) -> None:
    decoder.set_cmn(initial_cmn)  # same result whichever decoder runs it
    decoder.start_utt()
    decoder.process_raw(audio, no_search=False, full_utt=True)
    decoder.end_utt()


def _rms(pcm: bytes) -> float:
    if len(pcm) < 2:
        return 0.0
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples * samples)))


def _rebuild(vocabulary: Vocabulary, n_best: int) -> PocketSphinxRecognizer:
    return PocketSphinxRecognizer(vocabulary, n_best=n_best)


def _take(hyps: Iterable[pocketsphinx.Hypothesis] | None, limit: int) -> list[Any]:
    """Up to ``limit`` n-best entries (the iterator may yield None when the search is empty)."""
    taken: list[Any] = []
    for hyp in hyps or ():
        if hyp is None:
            break
        taken.append(hyp)
        if len(taken) >= limit:
            break
    return taken


def word_posterior_confidence(segments: Iterable[tuple[str, float]]) -> float:
    """Mean lattice posterior of the real words (not silences, fillers), weighted by length.

    Long words (names, services) carry the routing and the most acoustic
    evidence; short function words ("from", "a") have noisy posteriors that
    would otherwise drag a correct request below the routing thresholds.
    """
    total = weight = 0.0
    for word, prob in segments:
        if word.startswith(("<", "[", "+", "(NULL)")):
            continue
        letters = len(re.sub(r"\(\d+\)$", "", word))
        total += letters * min(1.0, max(0.0, prob))
        weight += letters
    return total / weight if weight else 0.0


def alternative_confidences(top: float, scores: list[float]) -> list[float]:
    """Best first: ``top``, then ``top`` times each path's score relative to the best, sharpened.

    PocketSphinx gives n-best path scores as exp'd log-math values that differ by a
    few per cent between rival paths, so the ratio is raised to a power to spread them;
    the result is kept non-increasing so the order never contradicts the list.
    """
    if not scores:
        return []
    best = scores[0] if scores[0] > 0 else 1.0
    result = [top]
    for score in scores[1:]:
        ratio = min(1.0, max(0.0, score / best))
        result.append(min(result[-1], top * ratio**_SHARPEN))
    return [min(1.0, max(0.0, c)) for c in result]
