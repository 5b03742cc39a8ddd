"""Held-out requests as the recognisers hear them: spoken, recognised, routed.

.venv/bin/python bench/heldout_asr.py dev_c                      # every request, one voice each
.venv/bin/python bench/heldout_asr.py set_a set_b --limit 60     # a quick look (spread sample)
.venv/bin/python bench/heldout_asr.py dev_c --voices kal16@1.0,espeak:en-gb@150  # each voice
.venv/bin/python bench/heldout_asr.py dev_c --failures           # dev sets only (bench/heldout.py)
.venv/bin/python bench/heldout_asr.py dev_c --whisper-prompt names --invented  # as before issue 16

Each request of a set is rendered as telephone speech with the project's test
voices (scripts/make_test_speech.py's chain: flite kal16/rms/slt/awb at three
speeds or espeak-ng, trimmed, 300-3400 Hz, 8 kHz; "clean" in bench/asr.py's
terms). ``--voices rotate`` (the default) gives each request ONE voice, picked
from its text's hash as make_test_speech rotates them (1 in 7 espeak-ng), so the
whole set costs one pass and a request keeps its voice when the set grows.

PocketSphinx and Whisper (the app's engines, ivr.speech, with the vocabulary
built from the SET's bundle, as the app builds it from the rules in force)
recognise it; each n-best is cached as JSON in ~/.cache/ivr101-heldout-asr/
<set>/<voice>/<engine>/<text hash>.json (Whisper's folder is named by its prompt
policy, ``whisper-domain``, so the policies' runs stand side by side), so after a
router change the routing re-runs in seconds. A cached transcript made with
another vocabulary or Whisper prompt (the intents' examples or the set's
directory changed: the app would hear with another LM or prompt) is decoded
again unless ``--keep-stale``. Every request is an answer to the menu, so
Whisper hears it with the menu's prompt (``--whisper-prompt``, [speech]
whisper_prompt); each engine's figures say how many transcripts name a
directory surname the caller did not say (``--invented`` lists them).

The n-best then goes through the shipped engine with the set's directory, as
bench/heldout.py routes text, and the same figures print per engine, with
"text" (the typed request) and "combined" (PocketSphinx first, Whisper when it
is unsure, both n-best merged: ivr.speech.twopass, what the app runs).
Whisper is ~0.5-0.6 of real time on this 2-core machine and PocketSphinx ~0.1:
a 300-request set of ~3 s requests is ~15 min the first time.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.heldout import failures_allowed, load_all, print_report  # noqa: E402
from bench.heldout_score import Row, Scored, breakdown_table, by_voice, describe, judge  # noqa: E402
from bench.heldout_sets import AT, Request, RequestSet, SetError  # noqa: E402
from ivr.decisions import Decision, Hypothesis  # noqa: E402
from ivr.routing.engine import RoutingEngine  # noqa: E402
from ivr.routing.model import RoutingInputs  # noqa: E402
from ivr.speech.model import Recognizer, RecognizerError, Transcript, Vocabulary  # noqa: E402
from ivr.speech.settings import SpeechSettings, WhisperPrompt  # noqa: E402
from ivr.speech.vocabulary import spoken_words  # noqa: E402

CACHE = Path.home() / ".cache" / "ivr101-heldout-asr"
ENGINES = ("pocketsphinx", "whisper")
RATE = 8000


# --- voices ------------------------------------------------------------------------------


class _SpeechScript(Protocol):
    """What this bench takes from scripts/make_test_speech.py (the test voices' chain)."""

    FLITE_VOICES: tuple[str, ...]

    def voice_for(self, index: int) -> str: ...
    def synthesize(self, text: str, voice: str, out: Path, tmp: Path) -> None: ...


@functools.cache
def _speech_script() -> _SpeechScript:
    # Loaded from its file: scripts/ is no package, and the chain must be the very same.
    path = ROOT / "scripts" / "make_test_speech.py"
    spec = importlib.util.spec_from_file_location("make_test_speech", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return cast(_SpeechScript, module)


_VOICE = re.compile(r"^(?:(?P<flite>[a-z0-9]+)@(?P<stretch>\d+(?:\.\d+)?)|espeak:[\w-]+@\d+)$")


def parse_voices(spec: str, flite_voices: Sequence[str]) -> tuple[str, ...] | None:
    """None for "rotate"; else the listed voices, checked (ValueError says which is bad)."""
    if spec.strip() == "rotate":
        return None
    voices = tuple(v.strip() for v in spec.split(",") if v.strip())
    for voice in voices:
        match = _VOICE.match(voice)
        if match is None or (match["flite"] and match["flite"] not in flite_voices):
            raise ValueError(
                f"voice {voice!r}: want 'rotate', or FLITE@STRETCH ({', '.join(flite_voices)};"
                " e.g. kal16@1.0) or espeak:VOICE@WPM (e.g. espeak:en-gb@150), comma-separated"
            )
    if not voices:
        raise ValueError("no voice given")
    return voices


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Job:
    request: Request
    voice: str


def jobs_for(
    requests: Sequence[Request], voices: tuple[str, ...] | None, script: _SpeechScript
) -> list[Job]:
    if voices is None:  # each request one voice, stable under edits to the set
        return [Job(r, script.voice_for(int(_digest(r.text)[:8], 16))) for r in requests]
    return [Job(r, v) for r in requests for v in voices]


def spread(requests: Sequence[Request], limit: int | None) -> list[Request]:
    """``limit`` requests evenly spread over the set (its kinds are usually grouped)."""
    if limit is None or limit >= len(requests):
        return list(requests)
    return [requests[i * len(requests) // limit] for i in range(limit)]


class RenderError(RuntimeError):
    """A synthesizer failed on a request (the run stops: a skipped row would skew figures)."""


class Speaker:
    """Renders a job's text in its voice (8 kHz telephone band), once per (voice, text)."""

    def __init__(self, script: _SpeechScript, tmp: Path) -> None:
        self.script = script
        self.tmp = tmp
        self._pcm: dict[tuple[str, str], bytes] = {}

    def pcm(self, job: Job) -> bytes:
        key = (job.voice, job.request.text)
        if key not in self._pcm:
            out = self.tmp / "utterance.wav"
            try:
                self.script.synthesize(job.request.text, job.voice, out, self.tmp)
                with wave.open(str(out), "rb") as w:
                    self._pcm[key] = w.readframes(w.getnframes())
            except (OSError, subprocess.CalledProcessError, wave.Error) as exc:
                raise RenderError(
                    f"cannot speak {job.request.text!r} as {job.voice}: {exc}"
                ) from exc
        return self._pcm[key]


def missing_synthesizers(jobs: Sequence[Job]) -> list[str]:
    needed = {"sox"} | {"espeak-ng" if j.voice.startswith("espeak:") else "flite" for j in jobs}
    return sorted(tool for tool in needed if shutil.which(tool) is None)


# --- the cache ---------------------------------------------------------------------------


def vocabulary_digest(vocabulary: Vocabulary, engine_setting: str = "") -> str:
    """What the engine was told: a transcript made with another LM/prompt is stale."""
    text = "\n".join([engine_setting, *sorted(vocabulary.words), *vocabulary.phrases])
    return _digest(text)[:16]


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
    """n-best per (set, voice, engine, text hash), as JSON files (one per transcript)."""

    def __init__(self, root: Path, set_name: str) -> None:
        self.root = root / set_name
        self.stale = 0

    def path(self, voice: str, engine: str, text: str) -> Path:
        safe = re.sub(r"[^\w.@-]", "_", voice)
        return self.root / safe / engine / f"{_digest(text)[:24]}.json"

    def get(self, job: Job, engine: str, vocabulary: str, keep_stale: bool) -> Transcript | None:
        path = self.path(job.voice, engine, job.request.text)
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
        path = self.path(job.voice, slot or transcript.engine, job.request.text)
        path.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {
            "text": job.request.text,
            "voice": job.voice,
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


# --- recognising -------------------------------------------------------------------------


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


def recognise(
    engine: str,
    slot: str,
    load: Callable[[], Recognizer],
    jobs: Sequence[Job],
    cache: TranscriptCache,
    vocabulary: str,
    speaker: Speaker,
    args: argparse.Namespace,
) -> list[Transcript]:
    """Every job's n-best: from the cache (``slot``'s folder), else decoded now (and cached)."""
    found = [cache.get(job, slot, vocabulary, args.keep_stale) for job in jobs]
    todo = [i for i, t in enumerate(found) if t is None]
    print(
        f"{engine}: {len(jobs) - len(todo)}/{len(jobs)} cached, {len(todo)} to decode",
        file=sys.stderr,
    )
    if todo:
        recognizer = load()
        progress = Progress(f"{engine} {cache.root.name}", len(todo), args.progress_every)
        for i in todo:
            transcript = recognizer.recognize(speaker.pcm(jobs[i]), RATE)
            cache.put(jobs[i], transcript, vocabulary, slot=slot)
            found[i] = transcript
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


# --- routing what was heard ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heard:
    job: Job
    transcript: Transcript
    escalated: bool = False  # combined: Whisper was asked


def route_heard(engine: RoutingEngine, heard: Sequence[Heard]) -> list[Scored]:
    out = []
    for h in heard:
        decision = engine.decide(RoutingInputs(at=AT, hypotheses=h.transcript.alternatives))
        verdict = judge(decision, h.job.request.expect, h.job.request.also)
        out.append(Scored(h.job.request, decision, verdict, h.job.voice))
    return out


def combine(
    engine: RoutingEngine,
    jobs: Sequence[Job],
    fast: Sequence[Transcript],
    slow: Sequence[Transcript],
    below: float,
) -> list[Heard]:
    """PocketSphinx, escalating to Whisper as the app does (ivr.speech.twopass)."""
    from ivr.speech.twopass import actionable_by, keep_first, merge

    def decide(hypotheses: tuple[Hypothesis, ...]) -> Decision:
        return engine.decide(RoutingInputs(at=AT, hypotheses=hypotheses))

    actionable = actionable_by(decide)
    out = []
    for job, first, second in zip(jobs, fast, slow, strict=True):
        if keep_first(first, actionable, below):
            out.append(Heard(job, first))
        else:
            out.append(Heard(job, merge(first, second), escalated=True))
    return out


def _heard(transcript: Transcript) -> str:
    if not transcript.alternatives:
        return "(nothing)"
    return " | ".join(f"{h.text!r} @{h.confidence:.2f}" for h in transcript.alternatives[:5])


def run_set(
    requests_set: RequestSet, engines: Sequence[str], args: argparse.Namespace
) -> tuple[list[Row], list[str], dict[str, list[Heard]]]:
    """Rows per engine (text first), figure lines (RTF, escalations), and what was heard."""
    from ivr.speech.vocabulary import vocabulary_from_bundle

    script = _speech_script()
    router = RoutingEngine(requests_set.bundle)
    requests = spread(requests_set.requests, args.limit)
    jobs = jobs_for(requests, args.voice_list, script)
    text = [
        Heard(j, Transcript((Hypothesis(j.request.text),), "text")) for j in jobs
    ]  # the typed request, per job, so the text row covers the same (request, voice) pairs
    vocabulary = vocabulary_from_bundle(requests_set.bundle)
    cache = TranscriptCache(args.cache, requests_set.name)
    heard: dict[str, list[Heard]] = {"text": text}
    figures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="heldout-asr-") as tmp:
        speaker = Speaker(script, Path(tmp))
        for engine in engines:
            try:
                folder, setting = None, engine
                if engine == "whisper":
                    from ivr.speech.whisper import tokenizer_counter

                    folder = whisper_folder(args.whisper_model)
                    setting = whisper_setting(
                        str(args.whisper_model or "packaged"),
                        args.whisper_prompt,
                        vocabulary,
                        tokenizer_counter(folder),
                    )
                transcripts = recognise(
                    engine,
                    cache_slot(engine, args.whisper_prompt),
                    functools.partial(loader, engine, vocabulary, folder, args.whisper_prompt),
                    jobs,
                    cache,
                    vocabulary_digest(vocabulary, setting),
                    speaker,
                    args,
                )
            except RecognizerError as exc:
                print(f"{engine}: skipped ({exc})", file=sys.stderr)
                continue
            heard[engine] = [Heard(j, t) for j, t in zip(jobs, transcripts, strict=True)]
            audio = sum(t.audio_seconds for t in transcripts)
            decode = sum(t.decode_seconds for t in transcripts)
            figures.append(
                f"{requests_set.name} {engine}: {len(transcripts)} recordings, {audio:.0f} s of"
                f" audio, RTF {decode / max(audio, 1e-9):.3f} (as measured when decoded)"
            )
    if cache.stale:
        verb = "routed as they are (--keep-stale)" if args.keep_stale else "decoded again"
        figures.append(f"{requests_set.name}: {cache.stale} cached transcripts made with another"
                       f" vocabulary, {verb}")  # fmt: skip
    if "pocketsphinx" in heard and "whisper" in heard:
        combined = combine(
            router,
            jobs,
            [h.transcript for h in heard["pocketsphinx"]],
            [h.transcript for h in heard["whisper"]],
            args.escalate_below,
        )
        heard["combined"] = combined
        sent = sum(h.escalated for h in combined)
        figures.append(
            f"{requests_set.name} combined: {sent}/{len(combined)} sent on to Whisper"
            f" (PocketSphinx confidence < {args.escalate_below} or not actionable)"
        )
    listed = args.invented and failures_allowed(requests_set, args.i_am_not_tuning)
    figures += invented_figures(
        requests_set.name, heard, directory_surnames(requests_set.bundle), listed=listed
    )
    rows = [Row((requests_set.name, name), requests_set, route_heard(router, h))
            for name, h in heard.items()]  # fmt: skip
    return rows, figures, heard


# --- names nobody said ---------------------------------------------------------------------


def directory_surnames(bundle: Any) -> frozenset[str]:
    """The surnames of the directory's people, as a recogniser spells them."""
    return frozenset(
        word
        for entry in bundle.directory
        if entry.kind == "person" and entry.surname
        for word in spoken_words(entry.surname)
    )


def _sounds(word: str) -> set[str]:
    from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]  # no stubs

    return {code for code in doublemetaphone(word) if code}


def invented_surnames(said: str, heard: str, surnames: frozenset[str]) -> list[str]:
    """Directory surnames in what was ``heard`` that the caller never ``said``, nor a word
    that sounds like them (issue 16: a prompt full of names had Whisper write surnames
    into ordinary sentences; "Thomson" written "Thompson" is a spelling, not an invention)."""
    from rapidfuzz.distance import Levenshtein

    spoken = set(spoken_words(said))
    sounds = set().union(*(_sounds(w) for w in spoken))

    def sounds_said(word: str) -> bool:  # one sound apart in a longer code: TMPSN ~ TMSN
        return any(
            Levenshtein.distance(a, b) <= (1 if min(len(a), len(b)) >= 3 else 0)
            for a in _sounds(word)
            for b in sounds
        )

    heard_words = spoken_words(heard)
    return list(
        dict.fromkeys(
            w for w in heard_words if w in surnames and w not in spoken and not sounds_said(w)
        )
    )


def invented_figures(
    set_name: str, heard: dict[str, list[Heard]], surnames: frozenset[str], *, listed: bool
) -> list[str]:
    """Per engine: how many top transcripts name a surname nobody said (and which)."""
    lines = []
    for engine, items in heard.items():
        if engine == "text":
            continue
        found = [
            (h, names)
            for h in items
            if (names := invented_surnames(h.job.request.text, h.transcript.text, surnames))
        ]
        lines.append(f"{set_name} {engine}: {len(found)}/{len(items)} transcripts name a"
                     " directory surname nobody said (nor a sound-alike)")  # fmt: skip
        if listed:
            lines += [f"    {', '.join(names)}: heard {h.transcript.text!r}"
                      f" (said {h.job.request.text!r})" for h, names in found]  # fmt: skip
    return lines


def print_failures(requests_set: RequestSet, row: Row, heard: list[Heard], allowed: bool) -> None:
    wrong = [(s, h) for s, h in zip(row.scored, heard, strict=True) if not s.verdict.right]
    name = " ".join(row.label)
    if not allowed:
        print(f"\n{name}: {len(wrong)} failures not listed: a held-out set"
              " (--i-am-not-tuning lists them; never tune on them)")  # fmt: skip
        return
    print(f"\n{name}: {len(wrong)} failures")
    for s, h in sorted(wrong, key=lambda p: not p[0].verdict.emergency_miss):
        lines = describe(s)
        lines.insert(1, f"      voice {h.job.voice}; heard: {_heard(h.transcript)}")
        print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("sets", nargs="*", help="set names under bench/heldout/, or folders")
    parser.add_argument("--engines", default=",".join(ENGINES), help="pocketsphinx,whisper")
    parser.add_argument("--voices", default="rotate", help="'rotate' or a comma-separated list")
    parser.add_argument("--limit", type=int, help="at most this many requests per set (spread)")
    parser.add_argument("--escalate-below", type=float, default=0.5, help="combined strategy")
    parser.add_argument("--whisper-model", type=Path, help="default: assembled from packages")
    parser.add_argument(
        "--whisper-prompt",
        default=SpeechSettings().whisper_prompt.value,
        help="the menu's prompt: domain, names or none ([speech] whisper_prompt)",
    )
    parser.add_argument(
        "--invented", action="store_true", help="list transcripts naming a surname nobody said"
    )
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"default {CACHE}")
    parser.add_argument("--keep-stale", action="store_true",
                        help="route cached transcripts made with another vocabulary")  # fmt: skip
    parser.add_argument("--progress-every", type=int, default=20, metavar="N")
    parser.add_argument("--tuning", action="store_true",
                        help="the tuning table too (185 requests, shipped directory)")  # fmt: skip
    parser.add_argument("--failures", action="store_true", help="list failing rows (dev sets)")
    parser.add_argument("--i-am-not-tuning", action="store_true",
                        help="also list a held-out set's failures (bench/heldout.py)")  # fmt: skip
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    problems = [f"unknown engine {e!r} (choose from {', '.join(ENGINES)})"
                for e in engines if e not in ENGINES]  # fmt: skip
    if args.limit is not None and args.limit < 1:
        problems.append("--limit must be at least 1")
    try:
        args.whisper_prompt = WhisperPrompt(args.whisper_prompt)
    except ValueError:
        problems.append(f"--whisper-prompt {args.whisper_prompt!r}: choose one of"
                        f" {', '.join(p.value for p in WhisperPrompt)}")  # fmt: skip
    try:
        args.voice_list = parse_voices(args.voices, _speech_script().FLITE_VOICES)
    except ValueError as exc:
        problems.append(str(exc))
    try:
        sets = load_all(args.sets, tuning=args.tuning)
    except SetError as exc:
        problems += exc.errors
        sets = []
    if not sets and not problems:
        problems.append(f"no sets (none in {ROOT / 'bench/heldout'}; name one or a folder)")
    if not problems:
        voices = args.voice_list or ("kal16@1.0", "espeak:en-gb@150")  # rotate uses both kinds
        tools = missing_synthesizers([Job(sets[0].requests[0], v) for v in voices])
        if tools:
            problems.append(f"missing {', '.join(tools)} (apt-get install {' '.join(tools)})")
    if problems:
        print("cannot run:", *problems, sep="\n  ", file=sys.stderr)
        return 2
    rows: list[Row] = []
    figures: list[str] = []
    heard: dict[tuple[str, ...], list[Heard]] = {}
    for requests_set in sets:
        try:
            set_rows, set_figures, set_heard = run_set(requests_set, engines, args)
        except RenderError as exc:
            print(f"cannot run: {exc}", file=sys.stderr)
            return 2
        rows += set_rows
        figures += set_figures
        heard.update({(requests_set.name, name): h for name, h in set_heard.items()})
    voices = "one voice each (rotate)" if args.voice_list is None else ", ".join(args.voice_list)
    print(f"shipped engine, each set's directory and cases, {AT:%A %H:%M};"
          f" speech: {voices}, clean telephone band\n")  # fmt: skip
    print_report(sets, rows, ("set", "engine"))
    print()
    speech = [r for r in rows if r.label[1] != "text"]
    print("\n".join(breakdown_table(speech, by_voice, "voice", ("set", "engine"))))
    print()
    print("\n".join(figures))
    if args.failures:
        by_name = {s.name: s for s in sets}
        for row in rows:
            if row.label[1] == "text":
                continue
            source = by_name[row.label[0]]
            allowed = failures_allowed(source, args.i_am_not_tuning)
            print_failures(source, row, heard[row.label], allowed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
