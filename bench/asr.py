"""Speech engines on the labelled test speech: right destination, speed, concurrency.

.venv/bin/python bench/asr.py                       # full set (rendered on demand), all engines
.venv/bin/python bench/asr.py --set committed --limit 20 --engines whisper   # quick look
.venv/bin/python bench/asr.py --noise clean,15 --vosk-model /path/to/vosk-model-small-en-us
.venv/bin/python bench/asr.py --noise clean --limit 40 --whisper-prompt names   # the old prompt

What matters on a 101 line is where the call goes, not the word error rate:
every utterance of tests/speech/ is recognised, the n-best goes through the
shipped routing engine (RoutingEngine.decide at a weekday morning), and it
counts as correct when the Decision routes to the labelled destination, or
confirms/disambiguates with the labelled destination as first candidate
(the caller then says "yes"). Emergencies are reported on their own: they
must all be caught.

Figures per engine and noise condition (clean = telephone band; ulaw = the
same through G.711; 25/20/15 = dB SNR of pink/brown noise and babble, after
u-law): correct-destination rate, real-time factor (decode seconds / audio
seconds), and the time from end of speech to Decision (decode + decide,
measured per utterance, p50/p95). Then how many recognitions the machine
holds in real time: K streams in a thread pool, each working through the
same utterances (from a different start); K holds when the wall time is
below one stream's audio time (total RTF < 1).

"combined" is a strategy, not an engine (``--engines combined`` runs both):
PocketSphinx first; when its confidence is below --escalate-below, or its
Decision is a reprompt or a confirm/disambiguate, or an emergency that only a
lower alternative carries, the same audio goes to Whisper and the Decision is
made on both engines' n-best, Whisper's first (ivr.speech.twopass, what the
app does: keep_first, actionable_by, merge). Its latency is PocketSphinx's
plus, when escalated, Whisper's (both measured on that utterance).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import time
import wave
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.heldout_asr import directory_surnames, invented_surnames  # noqa: E402
from ivr.decisions import Decision, Hypothesis  # noqa: E402
from ivr.media.endpointing import EndpointerConfig  # noqa: E402
from ivr.routing.bundle import load_bundle  # noqa: E402
from ivr.routing.engine import RoutingEngine  # noqa: E402
from ivr.routing.model import RoutingInputs  # noqa: E402
from ivr.speech.model import Recognizer, RecognizerError, Transcript  # noqa: E402
from ivr.speech.settings import SpeechSettings, WhisperPrompt  # noqa: E402

SPEECH = ROOT / "tests" / "speech"
AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # as the labels
CONDITIONS = ("clean", "ulaw", "25", "20", "15")


@dataclass(frozen=True)
class Sample:
    file: Path
    text: str
    destination: str
    condition: str
    pcm: bytes
    voice: str = ""  # as labels.csv: "kal16@0.9" (flite) or "espeak:en-gb@150"

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / 8000

    @property
    def emergency(self) -> bool:
        return self.destination == "emergency"

    @property
    def synthesizer(self) -> str:
        """flite or espeak-ng: the engines hear them very differently (bench/README.md)."""
        return "espeak-ng" if self.voice.startswith("espeak") else "flite"

    @property
    def category(self) -> str:
        if self.emergency:
            return "emergency"
        return "directory" if self.destination.startswith("directory:") else "intent"


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    transcript: Transcript
    decision: Decision
    latency: float  # end of speech -> Decision: decode + decide
    first: Transcript | None = None  # combined, escalated: what PocketSphinx heard first
    decide_seconds: float = 0.0  # the routing part of ``latency``

    @property
    def correct(self) -> bool:
        return is_correct(self.decision, self.sample.destination)


def is_correct(decision: Decision, destination: str) -> bool:
    if decision.action == "route":
        return decision.destination == destination
    if decision.action in ("confirm", "disambiguate") and decision.candidates:
        return decision.candidates[0].destination == destination
    return False


# --- the set -----------------------------------------------------------------------------


def load_set(which: str) -> list[Sample]:
    """The committed set (clean + 15 dB), or the full one (rendered now if missing)."""
    folder = SPEECH / "full" if which == "full" else SPEECH / "audio"
    labels = folder / "labels.csv" if which == "full" else SPEECH / "labels.csv"
    if which == "full" and not labels.exists():
        print("rendering the full set (scripts/make_test_speech.py --full) ...", file=sys.stderr)
        script = ROOT / "scripts" / "make_test_speech.py"
        subprocess.run([sys.executable, str(script), "--full"], check=True, cwd=ROOT)
    samples = []
    with labels.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            path = folder / row["file"]
            with wave.open(str(path), "rb") as w:
                pcm = w.readframes(w.getnframes())
            if row["noise_db"]:
                condition = row["noise_db"]
            else:
                condition = "ulaw" if row["file"].endswith("_ulaw.wav") else "clean"
            samples.append(
                Sample(path, row["text"], row["destination"], condition, pcm, row["voice"])
            )
    return samples


def pick(samples: list[Sample], conditions: Sequence[str], limit: int | None) -> list[Sample]:
    """The chosen conditions; ``limit`` utterances (every kind represented, emergencies kept)."""
    chosen = [s for s in samples if s.condition in conditions]
    if limit is None:
        return chosen
    texts = list(dict.fromkeys(s.text for s in chosen))
    urgent = [t for t in texts if any(s.emergency and s.text == t for s in chosen)]
    others = [t for t in texts if t not in urgent]
    n_urgent = min(len(urgent), max(1, limit // 6))
    n_other = max(0, limit - n_urgent)
    keep = set(urgent[:n_urgent])
    if n_other and others:
        step = len(others) / n_other
        keep |= {others[int(i * step)] for i in range(min(n_other, len(others)))}
    return [s for s in chosen if s.text in keep]


# --- running -----------------------------------------------------------------------------


def run_engine(
    recognizer: Recognizer, engine: RoutingEngine, samples: Iterable[Sample]
) -> list[Outcome]:
    outcomes = []
    for sample in samples:
        started = time.perf_counter()
        transcript = recognizer.recognize(sample.pcm, 8000)
        heard = time.perf_counter()
        decision = engine.decide(RoutingInputs(at=AT, hypotheses=transcript.alternatives))
        done = time.perf_counter()
        outcomes.append(
            Outcome(sample, transcript, decision, done - started, decide_seconds=done - heard)
        )
    return outcomes


def combine(
    fast: list[Outcome], slow: list[Outcome], threshold: float, router: RoutingEngine
) -> tuple[list[Outcome], list[bool]]:
    """PocketSphinx, escalating to Whisper as described in the module docstring.

    Escalated, the router decides on both engines' n-best merged as
    ivr.speech.twopass.merge does (Whisper's first); the latency is both
    decodes plus that decision.
    """
    from ivr.speech.twopass import actionable_by, keep_first, merge

    def decide(hypotheses: tuple[Hypothesis, ...]) -> Decision:
        return router.decide(RoutingInputs(at=AT, hypotheses=hypotheses))

    actionable = actionable_by(decide)
    out: list[Outcome] = []
    escalated: list[bool] = []
    for f, s in zip(fast, slow, strict=True):
        if keep_first(f.transcript, actionable, threshold):
            out.append(f)
            escalated.append(False)
            continue
        started = time.perf_counter()
        both = merge(f.transcript, s.transcript)
        decision = router.decide(RoutingInputs(at=AT, hypotheses=both.alternatives))
        latency = f.latency + s.latency - s.decide_seconds + time.perf_counter() - started
        out.append(Outcome(f.sample, both, decision, latency, f.transcript))
        escalated.append(True)
    return out, escalated


def concurrency(
    recognizer: Recognizer, samples: list[Sample], max_streams: int
) -> list[tuple[int, float]]:
    """(K, wall / audio per stream) for K = 1.. until it reaches 1 (or ``max_streams``)."""
    results = []
    for k in range(1, max_streams + 1):
        audio = sum(s.seconds for s in samples)

        def stream(offset: int) -> None:
            for i in range(len(samples)):
                recognizer.recognize(samples[(i + offset) % len(samples)].pcm, 8000)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=k) as pool:
            list(pool.map(stream, range(k)))
        wall = time.perf_counter() - started
        results.append((k, wall / audio))  # each stream had ``audio`` s to do
        if results[-1][1] >= 1.0:
            break
    return results


# --- reporting ---------------------------------------------------------------------------


def _head_start() -> float:
    """How long before the endpointer calls the end the utterance is handed out."""
    config = EndpointerConfig()
    return 0.0 if config.early_s is None else config.trailing_silence_s - config.early_s


def _after_endpoint(outcome: Outcome, head: float) -> float:
    """The wait after the end of speech when decoding began ``head`` seconds before it.

    The caller's silence runs on in real time while the decode runs, so the decode's
    first ``head`` seconds cost the caller nothing; routing starts after the words.
    """
    decode = outcome.latency - outcome.decide_seconds
    return max(0.0, decode - head) + outcome.decide_seconds


def _ms(values: Sequence[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return f"{ordered[index] * 1000:.0f}"


def _rate(good: int, total: int) -> str:
    return f"{good}/{total} ({100 * good / total:.1f} %)" if total else "-"


def table(name: str, outcomes: list[Outcome], conditions: Sequence[str]) -> list[str]:
    lines = []
    for condition in [*conditions, "all"]:
        rows = [o for o in outcomes if condition in ("all", o.sample.condition)]
        if not rows:
            continue
        plain = [o for o in rows if not o.sample.emergency]
        urgent = [o for o in rows if o.sample.emergency]
        decode = sum(o.transcript.decode_seconds for o in rows)
        audio = sum(o.sample.seconds for o in rows)
        latencies = [o.latency for o in rows]
        lines.append(
            f"| {name} | {condition} | {_rate(sum(o.correct for o in rows), len(rows))}"
            f" | {_rate(sum(o.correct for o in plain), len(plain))}"
            f" | {_rate(sum(o.correct for o in urgent), len(urgent))}"
            f" | {decode / audio:.3f} | {_ms(latencies, 0.5)} / {_ms(latencies, 0.95)} |"
        )
    return lines


def breakdown(name: str, outcomes: list[Outcome], conditions: Sequence[str]) -> list[str]:
    """Correct per synthesizer and per category, and what the misses were, per condition."""
    lines = []
    for condition in [*conditions, "all"]:
        rows = [o for o in outcomes if condition in ("all", o.sample.condition)]
        if not rows:
            continue
        cells = []
        for key, values in (
            ("synthesizer", ("flite", "espeak-ng")),
            ("category", ("directory", "intent", "emergency")),
        ):
            for value in values:
                group = [o for o in rows if getattr(o.sample, key) == value]
                cells.append(_rate(sum(o.correct for o in group), len(group)))
        kinds = {kind: 0 for kind in MISS_KINDS}
        for o in rows:
            if not o.correct:
                kinds[miss_kind(o)] += 1
        lines.append(
            f"| {name} | {condition} | {' | '.join(cells)} | "
            + ", ".join(f"{n} {kind}" for kind, n in kinds.items() if n)
            + " |"
        )
    return lines


MISS_KINDS = ("false emergency", "reprompt", "wrong place", "unheard")


def miss_kind(outcome: Outcome) -> str:
    """What a miss did to the caller: a 999 script, a second question, the wrong place."""
    decision = outcome.decision
    if not outcome.transcript.alternatives:
        return "unheard"
    if decision.destination == "emergency" and not outcome.sample.emergency:
        return "false emergency"
    if decision.action == "reprompt":
        return "reprompt"
    return "wrong place"


def _heard(transcript: Transcript) -> str:
    if not transcript.alternatives:
        return "(nothing)"
    return " | ".join(f"{h.text!r} @{h.confidence:.2f}" for h in transcript.alternatives)


def _decided(decision: Decision) -> str:
    shown = ", ".join(f"{c.destination} {c.score:.2f}" for c in decision.candidates[:3])
    where = decision.destination or "-"
    return f"{decision.action} {where} [{decision.rule}]" + (f" cands: {shown}" if shown else "")


def misses(name: str, outcomes: list[Outcome], show: int | None) -> list[str]:
    """Each miss (emergencies first): label, what was heard (n-best), the Decision."""
    wrong = [o for o in outcomes if not o.correct]
    wrong.sort(key=lambda o: (not o.sample.emergency, o.sample.condition, o.sample.file.name))
    lines = []
    for o in wrong if show is None else wrong[:show]:
        lines.append(
            f"  {name} [{o.sample.condition}] {o.sample.file.name}: {o.sample.text!r}"
            f" (wanted {o.sample.destination}; {miss_kind(o)})"
        )
        if o.first is not None:
            lines.append(f"      first pass: {_heard(o.first)}")
        lines.append(f"      heard: {_heard(o.transcript)}")
        lines.append(f"      decision: {_decided(o.decision)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--set", choices=("full", "committed"), default="full")
    parser.add_argument("--engines", default="pocketsphinx,whisper", help="comma-separated")
    parser.add_argument("--vosk-model", type=Path, help="a Vosk model folder: adds vosk")
    parser.add_argument("--whisper-model", type=Path, help="default: assembled from packages")
    parser.add_argument(
        "--whisper-prompt",
        choices=[p.value for p in WhisperPrompt],
        default=SpeechSettings().whisper_prompt.value,
        help="what primes Whisper at the menu ([speech] whisper_prompt)",
    )
    parser.add_argument("--noise", default=",".join(CONDITIONS), help="clean,ulaw,25,20,15")
    parser.add_argument("--limit", type=int, help="at most this many utterances (texts)")
    parser.add_argument("--escalate-below", type=float, default=0.5, help="combined strategy")
    parser.add_argument("--streams", type=int, default=6, help="max K for concurrency")
    parser.add_argument("--stream-utterances", type=int, default=8)
    parser.add_argument("--no-concurrency", action="store_true")
    parser.add_argument(
        "--misses",
        type=int,
        nargs="?",
        const=-1,
        default=15,
        help="misses listed per engine (label, n-best heard, decision); alone: every miss",
    )
    args = parser.parse_args(argv)

    from ivr.speech.factory import build_recognizer
    from ivr.speech.vocabulary import vocabulary_from_bundle

    bundle = load_bundle(None)
    router = RoutingEngine(bundle)
    vocabulary = vocabulary_from_bundle(bundle)
    conditions = [c.strip() for c in args.noise.split(",") if c.strip()]
    samples = pick(load_set(args.set), conditions, args.limit)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if "combined" in engines:  # a strategy over both engines' results
        at = engines.index("combined")
        engines[at : at + 1] = [e for e in ("pocketsphinx", "whisper") if e not in engines]
    if args.vosk_model and "vosk" not in engines:
        engines.append("vosk")
    print(
        f"{len(samples)} recordings ({len({s.text for s in samples})} utterances,"
        f" {sum(s.seconds for s in samples):.0f} s of audio), conditions {conditions}"
    )

    results: dict[str, list[Outcome]] = {}
    recognizers: dict[str, Recognizer] = {}
    for name in engines:
        model = {"vosk": args.vosk_model, "whisper": args.whisper_model}.get(name)
        try:
            started = time.perf_counter()
            recognizers[name] = build_recognizer(
                name,
                model=model,
                vocabulary=vocabulary,
                whisper_prompt=WhisperPrompt(args.whisper_prompt),
            )
            print(f"{name}: loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        except RecognizerError as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        started = time.perf_counter()
        results[name] = run_engine(recognizers[name], router, samples)
        print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)

    report: list[str] = [
        "| engine | condition | correct destination | non-emergency | emergencies"
        " | RTF | end of speech → Decision p50 / p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, outcomes in results.items():
        report += table(name, outcomes, conditions)
    extra: list[str] = []
    if "pocketsphinx" in results and "whisper" in results:
        combined, escalated = combine(
            results["pocketsphinx"], results["whisper"], args.escalate_below, router
        )
        report += table("combined", combined, conditions)
        kept = [o.latency for o, e in zip(combined, escalated, strict=True) if not e]
        sent = [o.latency for o, e in zip(combined, escalated, strict=True) if e]
        head = _head_start()
        kept_early = [
            _after_endpoint(o, head) for o, e in zip(combined, escalated, strict=True) if not e
        ]
        sent_early = [
            _after_endpoint(o, head) for o, e in zip(combined, escalated, strict=True) if e
        ]
        extra.append(
            f"combined with early decoding (recognition starts {head:.2f} s before the end of"
            f" speech is called, ivr.speech.early): p50/p95 after the endpoint, kept"
            f" {_ms(kept_early, 0.5)}/{_ms(kept_early, 0.95)} ms, escalated"
            f" {_ms(sent_early, 0.5)}/{_ms(sent_early, 0.95)} ms"
        )
        extra.append(
            f"combined: {sum(escalated)}/{len(escalated)} escalated to Whisper"
            f" (confidence < {args.escalate_below}, not a plain route, or an emergency"
            f" only a lower alternative carries);"
            f" p50/p95 kept {_ms(kept, 0.5)}/{_ms(kept, 0.95)} ms,"
            f" escalated {_ms(sent, 0.5)}/{_ms(sent, 0.95)} ms"
        )
        results["combined"] = combined
    print("\n".join(report))
    print()
    print("| engine | condition | flite | espeak-ng | directory | intent | emergency | misses |")
    print("|---|---|---|---|---|---|---|---|")
    for name, outcomes in results.items():
        print("\n".join(breakdown(name, outcomes, conditions)))
    print()
    for line in extra:
        print(line)
    surnames = directory_surnames(bundle)
    for name, outcomes in results.items():
        invented = [
            o for o in outcomes if invented_surnames(o.sample.text, o.transcript.text, surnames)
        ]
        print(
            f"{name}: {len(invented)}/{len(outcomes)} transcripts name a directory surname"
            " nobody said (nor a sound-alike)"
            + "".join(f"\n    {o.transcript.text!r} (said {o.sample.text!r})" for o in invented)
        )
    for name, outcomes in results.items():
        confident = [o.latency for o in outcomes if o.transcript.confidence >= args.escalate_below]
        good = [o.transcript.confidence for o in outcomes if o.correct]
        bad = [o.transcript.confidence for o in outcomes if not o.correct]
        print(
            f"{name}: confidence mean right {statistics.fmean(good) if good else 0:.2f},"
            f" wrong {statistics.fmean(bad) if bad else 0:.2f};"
            f" p95 when confidence >= {args.escalate_below}: {_ms(confident, 0.95)} ms"
        )
    if not args.no_concurrency:
        clean = [s for s in samples if s.condition in ("clean", conditions[0])]
        clean = clean[: args.stream_utterances]
        for name, recognizer in recognizers.items():
            figures = concurrency(recognizer, clean, args.streams)
            held = max((k for k, rtf in figures if rtf < 1.0), default=0)
            shown = ", ".join(f"K={k}: {rtf:.2f}" for k, rtf in figures)
            print(
                f"{name}: concurrent streams in real time: {held} (wall/audio per stream: {shown})"
            )
    show = None if args.misses < 0 else args.misses
    for name, outcomes in results.items():
        lines = misses(name, outcomes, show)
        if lines:
            print(f"{name} misses ({'all' if show is None else f'first {show}'}):")
            print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
