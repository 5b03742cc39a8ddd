"""Whisper (base, int8 via faster-whisper/CTranslate2): the accurate, noise-tolerant engine.

The model files come from ivr.speech.whisper_model (packaged, hash-checked).

Confidence: Whisper gives one hypothesis with ``avg_logprob`` (mean log
probability of its tokens) and ``no_speech_prob``. We map them to [0, 1] as

    confidence = exp(avg_logprob / 2) * (1 - no_speech_prob ** 2)

The square root of the geometric-mean token probability (``exp(avg/2)``)
keeps a typical clean utterance (avg_logprob -0.1 .. -0.4) at 0.82 .. 0.95,
so the routing engine's intent score (which multiplies by confidence) is not
crushed, while a guess (avg_logprob below -1.2) falls under 0.55 and the
engine confirms or reprompts. ``no_speech_prob`` is squared so only a
confident "this is not speech" (above ~0.6) pulls the figure down. A
hypothesis with a runaway repetition (compression ratio > 2.4, Whisper's own
hallucination test) is halved. The figures on the labelled set are in
bench/README.md.

Prompts: Whisper is primed per question (``WhisperPrompts``): a question that
asked for a name with the force's names (``whisper_prompt``), the menu and any
other question as ``[speech] whisper_prompt`` says (default none; "domain" is
the preamble and ranks: a menu primed with names had Whisper write surnames
and ranks into ordinary sentences, issue 16; names said at the menu are found
by the directory's phonetic matcher in what Whisper wrote).

Threads: a CTranslate2 model is safe to call from several threads at once;
``num_workers`` is how many of those calls run in parallel (each with
``cpu_threads`` threads), the rest queue inside CTranslate2. On 2 cores,
``cpu_threads=2, num_workers=1`` gives the lowest latency per utterance and
``cpu_threads=1, num_workers=2`` slightly more throughput (bench/asr.py).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]  # no stubs
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ivr.decisions import Ask, Expect, Hint, Hypothesis
from ivr.speech.model import RecognizerError, Transcript, Vocabulary
from ivr.speech.settings import DEFAULT_WHISPER_PROMPT, WhisperPrompt
from ivr.speech.whisper_model import DEFAULT_CACHE_DIR, assemble_whisper_base

WHISPER_RATE = 16000
PROMPT_TOKENS = 150  # Whisper keeps at most 223 prompt tokens; fewer also decodes faster
PROMPT_PREAMBLE = "UK police 101 call."
# When the question asked for a crime reference: numbers, not the force's names (which
# Whisper would otherwise pull digits towards), in the shape callers say them.
REFERENCE_PROMPT = "Crime reference forty two stroke one two three four five stroke twenty six."
# When the question wants a yes or a no (a confirmation, an offer, the danger check):
# unprimed, Whisper wrote "Hello." for a short "no" in five of thirteen unfamiliar voices
# (bench/README.md, "A yes or a no"), and the danger check takes anything but a no as danger.
YES_NO_PROMPT = "Is that right? Say yes or no."
# The questions whose answer has a shape of its own, and the prompt that primes it.
SHAPED: dict[Expect, str] = {Ask.REFERENCE: REFERENCE_PROMPT, Hint.YES_NO: YES_NO_PROMPT}
# Spoken ranks Whisper should spell as words ("Sergeant", not "Sargent"), in prompt order.
RANK_WORDS = (
    "Constable",
    "Sergeant",
    "Inspector",
    "Detective",
    "Superintendent",
    "Chief",
)  # not "PCSO": primed with it, Whisper hears "PC Sarah" as "PCSO"


# --- audio -------------------------------------------------------------------------------


def _lowpass(taps: int, cutoff: float) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Windowed-sinc low-pass FIR; ``cutoff`` as a fraction of the sample rate (< 0.5)."""
    n = np.arange(taps, dtype=np.float64) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(taps)
    out: np.ndarray[Any, np.dtype[np.float32]] = (h / h.sum()).astype(np.float32)
    return out


_UPSAMPLE_FILTERS: dict[int, np.ndarray[Any, np.dtype[np.float32]]] = {}


def to_whisper_audio(pcm: bytes, sample_rate: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """16-bit PCM at ``sample_rate`` as float32 in [-1, 1) at 16 kHz (what Whisper expects).

    Integer ratios (8 kHz -> 16 kHz, the telephone case) are zero-stuffed and
    low-passed at the old Nyquist with a 63-tap FIR, so no imaging sits above
    4 kHz; other rates fall back to linear interpolation.
    """
    if sample_rate <= 0:
        raise RecognizerError(f"bad sample rate {sample_rate}")
    if len(pcm) % 2:
        pcm = pcm[:-1]
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    if sample_rate == WHISPER_RATE or samples.size == 0:
        return samples
    if WHISPER_RATE % sample_rate == 0:
        factor = WHISPER_RATE // sample_rate
        h = _UPSAMPLE_FILTERS.get(factor)
        if h is None:
            h = _UPSAMPLE_FILTERS.setdefault(factor, _lowpass(63, 0.5 / factor) * factor)
        stuffed = np.zeros(samples.size * factor, dtype=np.float32)
        stuffed[::factor] = samples
        return np.convolve(stuffed, h, mode="same").astype(np.float32)
    duration = samples.size / sample_rate
    n_out = round(duration * WHISPER_RATE)
    t_out = np.arange(n_out, dtype=np.float64) / WHISPER_RATE
    t_in = np.arange(samples.size, dtype=np.float64) / sample_rate
    out: np.ndarray[Any, np.dtype[np.float32]] = np.interp(t_out, t_in, samples).astype(np.float32)
    return out


# --- the prompt --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WhisperPrompts:
    """Which prompt primes which question (``[speech] whisper_prompt`` chooses ``open``).

    Names are primed only where a name was asked for: elsewhere the directory matcher
    finds them (phonetically) in what Whisper wrote. A menu primed with them had
    Whisper hear strings of surnames and ranks in ordinary sentences (issue 16).
    """

    open: str  # the menu, and any question with no hint
    name: str  # a question that asked for a name (Ask.NAME)

    def for_question(self, expect: Expect | None) -> str:
        return self.name if expect is Ask.NAME else self.open


def _ranks(vocabulary: Vocabulary) -> list[str]:
    return [r for r in RANK_WORDS if r.lower() in vocabulary.words] or list(RANK_WORDS[:4])


def domain_prompt(vocabulary: Vocabulary) -> str:
    """The preamble and the ranks: spells "Sergeant" right and names nobody."""
    return f"{PROMPT_PREAMBLE} {', '.join(_ranks(vocabulary))}."


def whisper_prompts(
    vocabulary: Vocabulary, count_tokens: Callable[[str], int], policy: WhisperPrompt
) -> WhisperPrompts:
    """The prompts for ``policy`` (the menu's); a name question always gets the names."""
    names = whisper_prompt(vocabulary, count_tokens)
    opened = {
        WhisperPrompt.NAMES: names,
        WhisperPrompt.DOMAIN: domain_prompt(vocabulary),
        WhisperPrompt.NONE: "",
    }[policy]
    return WhisperPrompts(open=opened, name=names)


def tokenizer_counter(model_dir: Path) -> Callable[[str], int]:
    """Whisper's BPE token count, from the model folder's tokenizer alone (no model load):
    what bench/heldout_asr.py needs to key its cache by the prompt."""
    from tokenizers import Tokenizer  # faster-whisper's own dependency

    try:
        tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    except Exception as exc:  # the Rust tokenizer raises its own Exception type
        raise RecognizerError(f"cannot read Whisper's tokenizer in {model_dir}: {exc}") from exc
    return _counter(tokenizer)


def _counter(tokenizer: Any) -> Callable[[str], int]:
    def count_tokens(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    return count_tokens


def whisper_prompt(
    vocabulary: Vocabulary,
    count_tokens: Callable[[str], int],
    *,
    budget: int = PROMPT_TOKENS,
) -> str:
    """The names prompt: the ranks, then the force's most useful words to spell.

    Whisper's own tokenizer says which words need help: one it spells in a
    single BPE piece, lower-case or capitalised ("smith", "Clark", "stolen"),
    it produces unprompted, so those are left out to save the ~224-token
    budget. People's names come first (the intents' examples bring hundreds of
    ordinary words, and a misheard name is a call put through to the wrong
    officer); within each, near-homophones of such an easy word of the force
    come first (same first two letters, and two letters apart with the same
    double metaphone, Clarke/Clark, Smyth/Smith, or one letter and one sound
    apart, Johnston/Johnson): Whisper drifts to the easy spelling, which
    routes to the wrong officer, so both spellings are named side by side
    (the rare one alone pulls the easy one over). Then the cheapest (fewest
    pieces), so more names fit; ties alphabetically (a deterministic prompt).
    """
    ranks = _ranks(vocabulary)
    rank_words = {r.lower() for r in RANK_WORDS}
    pieces: dict[str, int] = {}
    for word in vocabulary.words:
        if word.isalpha() and len(word) >= 3 and word not in rank_words | {"pcso"}:
            pieces[word] = min(count_tokens(" " + word), count_tokens(" " + word.capitalize()))
    easy = [w for w, n in pieces.items() if n == 1]
    scored: list[tuple[int, int, int, str]] = []
    partners: dict[str, list[str]] = {}
    for word, n in pieces.items():
        if n < 2:
            continue
        key = doublemetaphone(word)[0]
        near = process.extract(word, easy, scorer=Levenshtein.distance, score_cutoff=2, limit=None)
        partners[word] = sorted(
            other
            for other, letters, _ in near
            if other[:2] == word[:2]
            and Levenshtein.distance(key, doublemetaphone(other)[0]) <= (1 if letters == 1 else 0)
        )
        name = 0 if word in vocabulary.names else 1
        scored.append((name, 0 if partners[word] else 1, n, word))
    scored.sort()
    parts = [PROMPT_PREAMBLE, " " + ", ".join(ranks) + "."]
    used = count_tokens("".join(parts))
    chosen: list[str] = []
    for _, _, _, word in scored:
        # A rare spelling alone would pull "Johnson" to "Johnston": name both, side by side.
        group = [w.capitalize() for w in [*partners.get(word, []), word]]
        group = [w for w in group if w not in chosen]
        text = (", " if chosen else " ") + ", ".join(group)
        cost = count_tokens(text)
        if not group or used + cost + 1 > budget:
            continue
        chosen.extend(group)
        used += cost
    if chosen:
        parts.append(" " + ", ".join(chosen) + ".")
    return "".join(parts)


# --- the engine --------------------------------------------------------------------------


def confidence_of(avg_logprob: float, no_speech_prob: float, compression_ratio: float) -> float:
    """Whisper's scores as a confidence in [0, 1] (the mapping is in the module docstring)."""
    if not math.isfinite(avg_logprob):
        return 0.0
    conf = math.exp(min(0.0, avg_logprob) / 2) * (1.0 - min(1.0, max(0.0, no_speech_prob)) ** 2)
    if compression_ratio > 2.4:
        conf *= 0.5
    return min(1.0, max(0.0, conf))


class WhisperRecognizer:
    """faster-whisper over a local model folder; loaded once, shared by the pool's threads."""

    name = "whisper"

    def __init__(
        self,
        model_dir: Path,
        vocabulary: Vocabulary,
        *,
        compute_type: str = "int8",
        beam_size: int = 5,
        cpu_threads: int | None = None,
        num_workers: int = 1,
        prompt: str | None = None,
        policy: WhisperPrompt = DEFAULT_WHISPER_PROMPT,
    ) -> None:
        """``prompt``: one prompt for every question (tests, benches); else ``policy``'s."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never the hub, whatever the caller passes
        model_dir = Path(model_dir)
        if not (model_dir / "model.bin").is_file():
            raise RecognizerError(f"no Whisper model in {model_dir} (see assemble_whisper_base)")
        try:
            # faster-whisper ships no py.typed marker: untyped, used through Any here.
            from faster_whisper import WhisperModel  # type: ignore[import-untyped]
        except ImportError as exc:
            raise RecognizerError("faster-whisper is not installed") from exc
        threads = cpu_threads if cpu_threads is not None else (os.cpu_count() or 1)
        try:
            self._model: Any = WhisperModel(
                str(model_dir),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads,
                num_workers=num_workers,
                local_files_only=True,
            )
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError on bad files
            raise RecognizerError(f"cannot load Whisper from {model_dir}: {exc}") from exc
        self.beam_size = beam_size
        self.prompts = (
            WhisperPrompts(prompt, prompt)
            if prompt is not None
            else whisper_prompts(vocabulary, _counter(self._model.hf_tokenizer), policy)
        )

    def prompt_for(self, expect: Expect | None) -> str | None:
        """What primes an answer to the question (None: nothing)."""
        shaped = SHAPED.get(expect) if expect is not None else None
        return shaped or self.prompts.for_question(expect) or None

    def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        """One endpointed utterance -> one hypothesis (Whisper has no cheap n-best),
        primed with the prompt for what the question asked (``WhisperPrompts``); a crime
        reference or a yes or no ``expect``ed is decoded with its own prompt (``SHAPED``)."""
        started = time.perf_counter()
        audio = to_whisper_audio(pcm, sample_rate)
        seconds = audio.size / WHISPER_RATE
        if audio.size < WHISPER_RATE // 10:  # under 0.1 s: nothing to hear
            return Transcript((), self.name, seconds, time.perf_counter() - started)
        try:
            segments, _info = self._model.transcribe(
                audio,
                language="en",
                task="transcribe",
                beam_size=self.beam_size,
                initial_prompt=self.prompt_for(expect),
                vad_filter=False,  # the endpointer already cut the utterance
                condition_on_previous_text=False,
                without_timestamps=True,
                temperature=0.0,  # no fallback re-decodes: latency matters more
            )
            pieces = list(segments)
        except Exception as exc:  # decoding errors become the documented error type
            raise RecognizerError(f"Whisper failed: {exc}") from exc
        text = " ".join(s.text.strip() for s in pieces if s.text.strip())
        if not text:
            return Transcript((), self.name, seconds, time.perf_counter() - started)
        weights = [max(1, len(s.tokens)) for s in pieces]
        total = sum(weights)
        avg = sum(s.avg_logprob * w for s, w in zip(pieces, weights, strict=True)) / total
        no_speech = max(s.no_speech_prob for s in pieces)
        ratio = max(s.compression_ratio for s in pieces)
        hypothesis = Hypothesis(text, round(confidence_of(avg, no_speech, ratio), 4))
        return Transcript((hypothesis,), self.name, seconds, time.perf_counter() - started)


def load_whisper(
    vocabulary: Vocabulary, model: Path | None = None, **options: Any
) -> WhisperRecognizer:
    """The engine from ``model`` (a model folder) or else the packaged model, assembled."""
    if model is not None and (model / "model.bin").is_file():
        return WhisperRecognizer(model, vocabulary, **options)
    folder = assemble_whisper_base(model or DEFAULT_CACHE_DIR)
    return WhisperRecognizer(folder, vocabulary, **options)


__all__ = [
    "REFERENCE_PROMPT",
    "SHAPED",
    "YES_NO_PROMPT",
    "WhisperPrompts",
    "WhisperRecognizer",
    "confidence_of",
    "domain_prompt",
    "load_whisper",
    "to_whisper_audio",
    "tokenizer_counter",
    "whisper_prompt",
    "whisper_prompts",
]
