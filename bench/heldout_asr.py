"""Held-out requests as the recognisers hear them: spoken, recognised, routed, walked.

.venv/bin/python bench/heldout_asr.py dev_c                      # every request, one voice each
.venv/bin/python bench/heldout_asr.py set_a set_b --limit 60     # a quick look (spread sample)
.venv/bin/python bench/heldout_asr.py dev_c --voices kal16@1.0,espeak:en-gb@150  # each voice
.venv/bin/python bench/heldout_asr.py set_a set_b --limit 80 --voices rotate,independent \\
    --noise clean,15                                             # issue 16's figures
.venv/bin/python bench/heldout_asr.py dev_c --failures           # dev sets only (bench/heldout.py)
.venv/bin/python bench/heldout_asr.py dev_c --whisper-prompt names --invented  # as before issue 16

Each request of a set is spoken (bench/speech_conditions.py, bench/voices.py): by
the project's own test voices (``rotate``: scripts/make_test_speech.py's flite
kal16/rms/slt/awb at three speeds, 1 in 7 espeak-ng en-gb), by voices nobody tuned
on (``independent``: festival kal/ked/slt-hts, pitch- and tempo-shifted, espeak-ng
accents and variants), or by listed voices; each request gets ONE voice of a
rotation, picked from its text's hash, so a set costs one pass per line and a
request keeps its voice when the set grows. The line: the telephone band (300-3400
Hz, 8 kHz), G.711 u-law (all but the own voices' clean line, as before), and with
``--noise 15`` pink/brown noise and babble at 15 dB SNR (make_test_speech's).

PocketSphinx and Whisper (the app's engines, ivr.speech, with the vocabulary
built from the SET's bundle, as the app builds it from the rules in force)
recognise it; each n-best is cached (bench/transcripts.py: keyed by set, voice,
line, engine and text; Whisper's folder by its prompt policy), so after a router
change the routing re-runs in seconds. A cached transcript made with another
vocabulary or Whisper prompt is decoded again unless ``--keep-stale``. Every
request is an answer to the menu, so Whisper hears it with the menu's prompt
(``--whisper-prompt``); each engine's figures say how many transcripts name a
directory surname the caller did not say (``--invented`` lists them).

The n-best then goes through the shipped engine with the set's directory, as
bench/heldout.py routes text, and the same figures print per engine, with
"text" (the typed request) and "combined" (PocketSphinx first, Whisper when it
is unsure, both n-best merged: ivr.speech.twopass, what the app runs). Then, per
engine, the first decision and the caller's whole journey (bench/first_decision.py,
bench/journey.py: confirmations, danger checks and reprompts, with the "yes",
"no" and repeated requests heard by the same engine; ``--journeys`` says for which
engines: combined by default, what the app runs; ``none`` skips it).
Whisper is ~0.5-0.6 of real time on this 2-core machine and PocketSphinx ~0.1:
a 300-request set of ~3 s requests is ~15 min per line the first time.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.first_decision import EngineRun, figures_table  # noqa: E402
from bench.heldout import failures_allowed, load_all, print_report  # noqa: E402
from bench.heldout_score import Row, Scored, breakdown_table, by_voice, describe, judge  # noqa: E402
from bench.heldout_sets import AT, Request, RequestSet, SetError  # noqa: E402
from bench.invented_names import directory_surnames as directory_surnames  # noqa: E402
from bench.invented_names import invented_surnames as invented_surnames  # noqa: E402
from bench.journey import Journey, walk  # noqa: E402
from bench.speech_conditions import Speech, conditions, parse_noise, parse_voices  # noqa: E402
from bench.spoken_caller import COMBINED, Heard, Hearing, PromptClock, SpokenCaller  # noqa: E402
from bench.transcripts import (  # noqa: E402
    CACHE,
    Decoder,
    Job,
    TranscriptCache,
    cache_slot,
    loader,
    vocabulary_digest,
    whisper_folder,
    whisper_setting,
)
from bench.voices import RenderError, TelephoneSpeaker, missing_tools, parse_voice  # noqa: E402
from bench.voices import speech_script as speech_script  # noqa: E402
from ivr.decisions import Hypothesis  # noqa: E402
from ivr.flows.emergency import DangerCheck  # noqa: E402
from ivr.routing.engine import RoutingEngine  # noqa: E402
from ivr.routing.model import RoutingInputs  # noqa: E402
from ivr.speech.model import RecognizerError, Transcript, Vocabulary  # noqa: E402
from ivr.speech.settings import SpeechSettings, WhisperPrompt  # noqa: E402

ENGINES = ("pocketsphinx", "whisper")


def spread(requests: Sequence[Request], limit: int | None) -> list[Request]:
    """``limit`` requests evenly spread over the set (its kinds are usually grouped)."""
    if limit is None or limit >= len(requests):
        return list(requests)
    return [requests[i * len(requests) // limit] for i in range(limit)]


def route_heard(engine: RoutingEngine, heard: Sequence[Heard]) -> list[Scored]:
    out = []
    for h in heard:
        decision = engine.decide(RoutingInputs(at=AT, hypotheses=h.transcript.alternatives))
        verdict = judge(decision, h.job.request.expect, h.job.request.also)
        out.append(Scored(h.job.request, decision, verdict, h.job.voice))
    return out


def _heard(transcript: Transcript) -> str:
    if not transcript.alternatives:
        return "(nothing)"
    return " | ".join(f"{h.text!r} @{h.confidence:.2f}" for h in transcript.alternatives[:5])


def decoders_for(
    requests_set: RequestSet,
    engines: Sequence[str],
    vocabulary: Vocabulary,
    speaker: TelephoneSpeaker,
    args: argparse.Namespace,
) -> dict[str, Decoder]:
    """A decoder per engine (the recogniser loaded when first needed), sharing the cache."""
    cache = TranscriptCache(args.cache, requests_set.name)
    decoders = {}
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
        except RecognizerError as exc:
            print(f"{engine}: skipped ({exc})", file=sys.stderr)
            continue
        load = functools.partial(loader, engine, vocabulary, folder, args.whisper_prompt)
        decoders[engine] = Decoder(
            engine,
            cache_slot(engine, args.whisper_prompt),
            load,
            cache,
            vocabulary_digest(vocabulary, setting),
            speaker,
            keep_stale=args.keep_stale,
            progress_every=args.progress_every,
        )
    return decoders


def hear(
    hearing: Hearing, jobs: Sequence[Job], what: str, figures: list[str]
) -> dict[str, list[Heard]]:
    """Every job as each engine hears it (an engine that cannot load is left out)."""
    heard: dict[str, list[Heard]] = {}
    for engine, decoder in list(hearing.decoders.items()):
        try:
            transcripts = decoder.many(jobs, what)
        except RecognizerError as exc:
            print(f"{engine}: skipped ({exc})", file=sys.stderr)
            del hearing.decoders[engine]
            continue
        heard[engine] = [Heard(j, t) for j, t in zip(jobs, transcripts, strict=True)]
        audio = sum(t.audio_seconds for t in transcripts)
        decode = sum(t.decode_seconds for t in transcripts)
        rtf = decode / max(audio, 1e-9)
        figures.append(
            f"{what} {engine}: {len(transcripts)} recordings, {audio:.0f} s of audio,"
            f" RTF {rtf:.3f} (as measured when decoded)"
        )
    if COMBINED in hearing.engines:
        heard[COMBINED] = [hearing.heard(COMBINED, j) for j in jobs]
        sent = sum(h.escalated for h in heard[COMBINED])
        figures.append(
            f"{what} combined: {sent}/{len(jobs)} sent on to Whisper"
            f" (PocketSphinx confidence < {hearing.below} or not actionable)"
        )
    return heard


def run_set(
    requests_set: RequestSet, engines: Sequence[str], args: argparse.Namespace
) -> tuple[list[Row], list[EngineRun], list[str], dict[tuple[str, ...], list[Heard]]]:
    """Rows per speech and engine (text first), first-decision runs, figure lines (RTF,
    escalations, invented names) and what was heard, by row label."""
    from ivr.speech.vocabulary import vocabulary_from_bundle

    script = speech_script()
    router = RoutingEngine(requests_set.bundle)
    requests = spread(requests_set.requests, args.limit)
    vocabulary = vocabulary_from_bundle(requests_set.bundle)
    rows: list[Row] = []
    runs: list[EngineRun] = []
    figures: list[str] = []
    heard_by: dict[tuple[str, ...], list[Heard]] = {}
    surnames = directory_surnames(requests_set.bundle)
    listed = args.invented and failures_allowed(requests_set, args.i_am_not_tuning)
    with tempfile.TemporaryDirectory(prefix="heldout-asr-") as tmp:
        speaker = TelephoneSpeaker(script, Path(tmp))
        decoders = decoders_for(requests_set, engines, vocabulary, speaker, args)
        hearing = Hearing(router, decoders, args.escalate_below)
        for speech in args.conditions:
            what = f"{requests_set.name} {speech.label}"
            jobs = speech.jobs(requests, script)
            text = [Heard(j, Transcript((Hypothesis(j.request.text),), "text")) for j in jobs]
            heard = {"text": text, **hear(hearing, jobs, what, figures)}
            figures += invented_figures(what, heard, surnames, listed=listed)
            for engine, items in heard.items():
                label = (requests_set.name, speech.label, engine)
                row = Row(label, requests_set, route_heard(router, items))
                rows.append(row)
                heard_by[label] = items
                if engine != "text":
                    walk_it = engine in args.journey_engines
                    walked = (
                        journeys(hearing, engine, items, speech, args.decode_rtf) if walk_it else []
                    )
                    runs.append(EngineRun(label, row.scored, walked))
        if hearing.decoders and (stale := next(iter(hearing.decoders.values())).cache.stale):
            verb = "routed as they are (--keep-stale)" if args.keep_stale else "decoded again"
            figures.append(f"{requests_set.name}: {stale} cached transcripts made with another"
                           f" vocabulary, {verb}")  # fmt: skip
    return rows, runs, figures, heard_by


@functools.cache
def prompt_clock() -> PromptClock:
    return PromptClock.shipped()


def journeys(
    hearing: Hearing,
    engine: str,
    heard: Sequence[Heard],
    speech: Speech,
    rtf: dict[str, float] | None = None,
) -> list[Journey]:
    """Each caller's journey through ``engine`` (bench/journey.py)."""
    clock = prompt_clock()
    danger = DangerCheck(hearing.router, first_digit_timeout=6.0)
    script = speech_script()
    out = []
    for h in heard:
        job_at = functools.partial(speech.job_at, h.job, script=script)
        caller = SpokenCaller(hearing, engine, h.job, job_at, danger, rtf)
        out.append(walk(caller, h.job.request.accepted, clock.clock(), clock.known))
    return out


def invented_figures(
    what: str, heard: dict[str, list[Heard]], surnames: frozenset[str], *, listed: bool
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
        lines.append(f"{what} {engine}: {len(found)}/{len(items)} transcripts name a"
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


def parse_rtf(spec: str | None) -> dict[str, float] | None:
    """``pocketsphinx=0.12,whisper=0.27`` (both engines), or None (times as measured)."""
    if spec is None:
        return None
    rtf: dict[str, float] = {}
    for item in spec.split(","):
        engine, _, value = item.partition("=")
        try:
            rtf[engine.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--decode-rtf {item!r}: want ENGINE=FACTOR") from None
    if set(rtf) != set(ENGINES) or not all(0 < v < 10 for v in rtf.values()):
        raise ValueError(f"--decode-rtf {spec!r}: want pocketsphinx=R,whisper=R (0 < R < 10)")
    return rtf


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("sets", nargs="*", help="set names under bench/heldout/, or folders")
    parser.add_argument("--engines", default=",".join(ENGINES), help="pocketsphinx,whisper")
    parser.add_argument("--voices", default="rotate",
                        help="'rotate' (own voices), 'independent' and/or voice specs,"
                             " comma-separated (bench/voices.py)")  # fmt: skip
    parser.add_argument("--noise", default="clean", help="'clean' and/or SNRs in dB: clean,15")
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
    parser.add_argument(
        "--journeys",
        default=COMBINED,
        help="engines whose callers are walked to the end (bench/journey.py; default combined,"
        " what the app runs; 'none': first decisions only; each costs decodes of yes/no)",
    )
    parser.add_argument(
        "--decode-rtf",
        metavar="pocketsphinx=R,whisper=R",
        help="journeys: decode time as audio x these real-time factors (default: as measured"
        " when decoded, which on a loaded machine measures the load)",
    )
    parser.add_argument(
        "--breakdowns",
        action="store_true",
        help="per tag, expect and voice tables even with several speech conditions",
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
    return parser


def check_arguments(args: argparse.Namespace) -> tuple[list[RequestSet], list[str]]:
    """The sets, and every problem with the arguments (each said, never a traceback)."""
    script = speech_script()
    args.engine_list = [e.strip() for e in args.engines.split(",") if e.strip()]
    problems = [f"unknown engine {e!r} (choose from {', '.join(ENGINES)})"
                for e in args.engine_list if e not in ENGINES]  # fmt: skip
    walked = [e.strip() for e in args.journeys.split(",") if e.strip() not in ("", "none")]
    args.journey_engines = frozenset(walked)
    choices = ", ".join((*ENGINES, COMBINED, "none"))
    problems += [
        f"--journeys: unknown engine {e!r} (choose from {choices})"
        for e in walked
        if e not in (*ENGINES, COMBINED)
    ]
    if args.limit is not None and args.limit < 1:
        problems.append("--limit must be at least 1")
    try:
        args.decode_rtf = parse_rtf(args.decode_rtf)
    except ValueError as exc:
        problems.append(str(exc))
    try:
        args.whisper_prompt = WhisperPrompt(args.whisper_prompt)
    except ValueError:
        problems.append(f"--whisper-prompt {args.whisper_prompt!r}: choose one of"
                        f" {', '.join(p.value for p in WhisperPrompt)}")  # fmt: skip
    try:
        voices = parse_voices(args.voices, script.FLITE_VOICES)
        args.conditions = conditions(voices, parse_noise(args.noise))
    except ValueError as exc:
        problems.append(str(exc))
        args.conditions = []
    sets: list[RequestSet] = []
    try:
        sets = load_all(args.sets, tuning=args.tuning)
    except SetError as exc:
        problems += exc.errors
    if not sets and not problems:
        problems.append(f"no sets (none in {ROOT / 'bench/heldout'}; name one or a folder)")
    specs = {v for speech in args.conditions for v in speech.samples(script)}
    tools = missing_tools([parse_voice(v, script.FLITE_VOICES) for v in sorted(specs)])
    if tools:
        problems.append(f"missing {', '.join(tools)} (scripts/install_bench.sh installs them)")
    return sets, problems


def main(argv: list[str] | None = None) -> int:
    args = arguments().parse_args(argv)
    sets, problems = check_arguments(args)
    if problems:
        print("cannot run:", *problems, sep="\n  ", file=sys.stderr)
        return 2
    rows: list[Row] = []
    runs: list[EngineRun] = []
    figures: list[str] = []
    heard: dict[tuple[str, ...], list[Heard]] = {}
    for requests_set in sets:
        try:
            set_rows, set_runs, set_figures, set_heard = run_set(
                requests_set, args.engine_list, args
            )
        except RenderError as exc:
            print(f"cannot run: {exc}", file=sys.stderr)
            return 2
        rows += set_rows
        runs += set_runs
        figures += set_figures
        heard.update(set_heard)
    speeches = ", ".join(s.label for s in args.conditions)
    print(f"shipped engine, each set's directory and cases, {AT:%A %H:%M}; speech: {speeches}\n")
    label = ("set", "speech", "engine")
    if len(args.conditions) == 1 or args.breakdowns:
        print_report(sets, rows, label)
        print()
        speech_rows = [r for r in rows if r.label[-1] != "text"]
        print("\n".join(breakdown_table(speech_rows, by_voice, "voice", label)))
    else:
        print_report_summary(sets, rows, label)
    print("\nfirst decision and journey (bench/journey.py)\n")
    print("\n".join(figures_table(runs, label)))
    print()
    print("\n".join(figures))
    if args.failures:
        by_name = {s.name: s for s in sets}
        for row in rows:
            if row.label[-1] == "text":
                continue
            source = by_name[row.label[0]]
            allowed = failures_allowed(source, args.i_am_not_tuning)
            print_failures(source, row, heard[row.label], allowed)
    return 0


def print_report_summary(sets: list[RequestSet], rows: list[Row], label: tuple[str, ...]) -> None:
    from bench.heldout_score import summary_table

    print("\n".join(summary_table(rows, label)))
    for s in sets:
        for note in s.notes:
            print(f"\nnote ({s.name}): {note}")


if __name__ == "__main__":
    sys.exit(main())
