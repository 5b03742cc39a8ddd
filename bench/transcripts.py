"""What the recognisers heard of a spoken request, decoded once and cached.

A ``Job`` is a request spoken in a voice through a channel (bench/voices.py); each
engine's n-best is cached as JSON in ~/.cache/ivr101-heldout-asr/<set>/<voice>[~line]/
<engine>/<text hash>.json. The folder names the voice and the line (``Channel.key``:
nothing for the own voices' clean band, "~ulaw" for G.711, "~snr15" for 15 dB of noise
then G.711), so a transcript is never reused for other audio. A transcript made with
another vocabulary or Whisper prompt is stale (the app would hear with another LM).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.heldout_sets import Request
from bench.voices import Channel, TelephoneSpeaker
from ivr.decisions import Expect, Hypothesis
from ivr.speech.model import Recognizer, RecognizerError, Transcript, Vocabulary
from ivr.speech.settings import WhisperPrompt

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "ivr101-heldout-asr"
RATE = 8000
# The own voices' clean line: telephone band, no codec (as the caches before issue 16).
OWN_CLEAN = Channel(None, codec=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def channel_key(channel: Channel) -> str:
    """The cache folder's suffix for a line: empty for the own clean band (older caches)."""
    if channel.snr_db is not None:
        return f"~snr{channel.snr_db}" + ("" if channel.codec else "-pcm")
    return "~ulaw" if channel.codec else ""


@dataclass(frozen=True, slots=True)
class Job:
    request: Request
    voice: str
    channel: Channel = field(default=OWN_CLEAN)
    expect: Expect | None = None  # what the question asked for (the recogniser's hint)


def vocabulary_digest(vocabulary: Vocabulary, engine_setting: str = "") -> str:
    """What the engine was told: a transcript made with another LM/prompt is stale."""
    text = "\n".join([engine_setting, *sorted(vocabulary.words), *vocabulary.phrases])
    return digest(text)[:16]


def whisper_setting(
    label: str, policy: WhisperPrompt, vocabulary: Vocabulary, count_tokens: Callable[[str], int]
) -> str:
    """Whisper's part of the cache key: its model and the very prompt the menu primes it
    with (a change to the prompt's words or to the policy is a new transcript)."""
    from ivr.speech.whisper import whisper_prompts

    prompt = whisper_prompts(vocabulary, count_tokens, policy).open
    return f"whisper:{label}:prompt={policy.value}:{prompt}"


def cache_slot(engine: str, policy: WhisperPrompt) -> str:
    """The cache folder of an engine's transcripts: Whisper's per prompt policy."""
    return f"{engine}-{policy.value}" if engine == "whisper" else engine


class TranscriptCache:
    """n-best per (set, voice, line, engine, text hash), as JSON files (one per transcript)."""

    def __init__(self, root: Path, set_name: str) -> None:
        self.root = root / set_name
        self.stale = 0

    def path(self, job: Job, engine: str) -> Path:
        """A hinted question's transcript is kept apart from the same words at the menu."""
        safe = re.sub(r"[^\w.@-]", "_", job.voice) + channel_key(job.channel)
        said = job.request.text if job.expect is None else f"{job.expect}\n{job.request.text}"
        return self.root / safe / engine / f"{digest(said)[:24]}.json"

    def get(self, job: Job, engine: str, vocabulary: str, keep_stale: bool) -> Transcript | None:
        path = self.path(job, engine)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["text"] != job.request.text:  # a hash collision: decode again
                return None
            if data["vocabulary"] != vocabulary:
                self.stale += 1
                if not keep_stale:
                    return None
            return Transcript(
                tuple(Hypothesis(str(h["text"]), float(h["confidence"])) for h in data["nbest"]),
                str(data["engine"]),
                float(data["audio_seconds"]),
                float(data["decode_seconds"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: decode again

    def put(
        self, job: Job, transcript: Transcript, vocabulary: str, *, slot: str | None = None
    ) -> None:
        """``slot``: the engine's folder (default its name; ``cache_slot``)."""
        path = self.path(job, slot or transcript.engine)
        path.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {
            "text": job.request.text,
            "voice": job.voice,
            "line": job.channel.label + (" g711" if job.channel.codec else ""),
            "expect": job.expect,
            "engine": transcript.engine,
            "vocabulary": vocabulary,
            "audio_seconds": transcript.audio_seconds,
            "decode_seconds": transcript.decode_seconds,
            "nbest": [
                {"text": h.text, "confidence": h.confidence} for h in transcript.alternatives
            ],
        }
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(partial, path)  # a reader never sees half a file


class Progress:
    """One line every ``every`` items, with the rate so far and the time left."""

    def __init__(self, what: str, total: int, every: int) -> None:
        self.what, self.total, self.every = what, total, max(1, every)
        self.started = time.perf_counter()
        self.done = 0

    def step(self) -> None:
        self.done += 1
        if self.done % self.every and self.done != self.total:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done)
        print(
            f"{self.what}: {self.done}/{self.total} ({self.done / self.total:.0%}),"
            f" {elapsed:.0f} s, ETA {left:.0f} s",
            file=sys.stderr,
            flush=True,
        )


class Decoder:
    """One engine's transcripts of jobs: from the cache, else decoded now (and cached).
    The recogniser is loaded the first time one is needed, once."""

    def __init__(
        self,
        engine: str,
        slot: str,
        load: Callable[[], Recognizer],
        cache: TranscriptCache,
        vocabulary: str,
        speaker: TelephoneSpeaker,
        *,
        keep_stale: bool = False,
        progress_every: int = 20,
    ) -> None:
        self.engine, self.slot, self.load = engine, slot, load
        self.cache, self.vocabulary, self.speaker = cache, vocabulary, speaker
        self.keep_stale, self.progress_every = keep_stale, progress_every
        self._recognizer: Recognizer | None = None
        self.decoded = 0

    def _decode(self, job: Job) -> Transcript:
        if self._recognizer is None:
            self._recognizer = self.load()
        pcm = self.speaker.pcm(job.voice, job.request.text, job.channel)
        transcript = self._recognizer.recognize(pcm, RATE, expect=job.expect)
        self.cache.put(job, transcript, self.vocabulary, slot=self.slot)
        self.decoded += 1
        return transcript

    def one(self, job: Job) -> Transcript:
        found = self.cache.get(job, self.slot, self.vocabulary, self.keep_stale)
        return found if found is not None else self._decode(job)

    def many(self, jobs: Sequence[Job], what: str) -> list[Transcript]:
        found = [self.cache.get(j, self.slot, self.vocabulary, self.keep_stale) for j in jobs]
        todo = [i for i, t in enumerate(found) if t is None]
        print(f"{what} {self.engine}: {len(jobs) - len(todo)}/{len(jobs)} cached,"
              f" {len(todo)} to decode", file=sys.stderr)  # fmt: skip
        progress = Progress(f"{what} {self.engine}", len(todo), self.progress_every)
        for i in todo:
            found[i] = self._decode(jobs[i])
            progress.step()
        return [t for t in found if t is not None]


def whisper_folder(whisper_model: Path | None) -> Path:
    """The Whisper model folder: the one given, or the packaged model assembled."""
    if whisper_model is not None:
        return whisper_model
    from ivr.speech.factory import DEFAULT_WHISPER_CACHE
    from ivr.speech.whisper_model import assemble_whisper_base

    try:
        return assemble_whisper_base(ROOT / DEFAULT_WHISPER_CACHE)
    except (OSError, ValueError) as exc:
        raise RecognizerError(f"cannot assemble the whisper base model: {exc}") from exc


def loader(
    engine: str, vocabulary: Vocabulary, whisper_model: Path | None, policy: WhisperPrompt
) -> Recognizer:
    from ivr.speech.factory import build_recognizer

    started = time.perf_counter()
    recognizer = build_recognizer(
        engine, model=whisper_model, vocabulary=vocabulary, whisper_prompt=policy
    )
    print(f"{engine}: loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return recognizer
