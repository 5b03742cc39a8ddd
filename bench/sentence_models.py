"""Sentence models compared: the shipped all-MiniLM-L6-v2 against a bigger one (all-mpnet-base-v2).

.venv/bin/python bench/sentence_models.py --model FOLDER [SET ...] [--cost-only | --routing-only]

FOLDER is an unpacked sentence-transformers model (config.json, model.safetensors,
tokenizer.json); the MPNet one is not shipped (see bench/README.md for where it
comes from). SETs default to the dev sets (dev_c dev_d dev_e dev_f).

Cost: each model loaded alone in a fresh process on one BLAS thread: load
seconds, resident memory it adds, and the time to encode ONE sentence (as a
decision does, cache dropped) over the sets' requests: p50 / p99.

Routing: bench/heldout.py's scoring of the tuning table and the sets, with
each model as the router's sentence model. The intent score's calibration is
the model's own: MiniLM's shipped ``MEANING_CALIBRATION``, refitted ones given
by ``--calibration`` (fitted by ``scripts/calibrate_intents.py --model FOLDER
--dev bench/heldout/dev_c``, the shipped recipe). The danger-meaning model
(ivr.routing.danger_meaning) is refitted at every bundle build, so it follows
the model by itself; the cosine cut-offs (departments' ``FLOOR``, the danger
check's ``DANGER_MEANING``) stay MiniLM's. Decision times here are with the
model run on every decision (cache dropped), on whatever threads numpy has.
Only summary figures are printed: no failing rows, whatever the set.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.heldout_score import Row, Scored, Verdict, score, summary_table  # noqa: E402
from bench.heldout_sets import (  # noqa: E402
    AT,
    TUNING,
    RequestSet,
    SetError,
    find_sets,
    load_set,
    load_tuning,
    parse_requests,
)
from ivr.decisions import EMERGENCY, Decision, Hypothesis  # noqa: E402
from ivr.embedding.encoder import EmbeddingModelError, shared_encoder  # noqa: E402
from ivr.embedding.files import PACKAGED  # noqa: E402
from ivr.routing import intents as intents_module  # noqa: E402
from ivr.routing.bundle import BundleError, load_bundle  # noqa: E402
from ivr.routing.engine import RoutingEngine  # noqa: E402
from ivr.routing.meaning import MEANING_CALIBRATION, Calibration  # noqa: E402
from ivr.routing.model import RoutingInputs  # noqa: E402
from ivr.yamlfile import YamlError, load_yaml  # noqa: E402

DEV_SETS = ("dev_c", "dev_d", "dev_e", "dev_f")
# all-mpnet-base-v2 with the shipped recipe (calibrate_intents.py --dev dev_c) on this branch.
MPNET_CALIBRATION = "-3.12,0.37,4.49,1.69,4.87"


@dataclasses.dataclass(frozen=True)
class Model:
    label: str
    where: str  # "packaged" or a model folder
    calibration: Calibration


@dataclasses.dataclass(frozen=True)
class Cost:
    load_s: float
    rss_mb: float
    peak_mb: float
    p50_ms: float
    p99_ms: float
    sentences: int


def parse_calibration(text: str) -> Calibration:
    """ "bias,semantic,fuzzy,keywords,margin" as calibrate_intents.py prints them."""
    try:
        values = [float(v) for v in text.split(",")]
        bias, semantic, fuzzy, keywords, margin = values
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: five numbers, comma-separated") from exc
    return Calibration(bias, semantic, fuzzy, keywords, margin)


@contextlib.contextmanager
def calibrated(calibration: Calibration) -> Iterator[None]:
    """The intent score's calibration for one model, for this bench only: the shipped
    constant is MiniLM's, and which to ship for another model is what this measures."""
    # ivr.routing.intents reads the constant it imported at each score.
    with mock.patch.object(intents_module, "MEANING_CALIBRATION", calibration):
        yield


# --- cost (a fresh process per model) --------------------------------------------------


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_cost(where: str, sentences: list[str]) -> Cost:
    before = _rss_mb()
    t0 = time.perf_counter()
    encoder = shared_encoder(where)
    load = time.perf_counter() - t0
    for text in sentences[:5]:  # warm up: first calls allocate
        encoder.encode([text])
    times = []
    for text in sentences:
        encoder.forget()
        t0 = time.perf_counter()
        encoder.encode([text])
        times.append(time.perf_counter() - t0)
    q = statistics.quantiles(times, n=100)
    return Cost(load, _rss_mb() - before, _peak_mb(), q[49] * 1e3, q[98] * 1e3, len(times))


def cost_in_child(where: str, sets: list[str], count: int) -> Cost:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    env["MKL_NUM_THREADS"] = "1"
    command = [sys.executable, __file__, "--cost-of", where, "--sentences", str(count), *sets]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"cost of {where}: {done.stderr.strip()}")
    return Cost(**json.loads(done.stdout.strip().splitlines()[-1]))


def request_texts(folders: list[Path], count: int) -> list[str]:
    """The sets' requests, read without building a bundle (that would load MiniLM)."""
    texts: dict[str, None] = {}
    for folder in folders:
        path = folder / "requests.yaml"
        try:
            requests = parse_requests(load_yaml(path), str(path))
        except (OSError, YamlError) as exc:
            raise SetError([f"{path}:0: {exc}"]) from exc
        texts.update(dict.fromkeys(r.text for r in requests))
    return list(texts)[:count]


# --- routing ---------------------------------------------------------------------------


def rebundled(requests_set: RequestSet, folder: Path | None, where: str) -> RequestSet:
    """The set with its bundle built around the model at ``where`` (as bench.heldout_sets
    builds it with the shipped model: the set's directory and cases, shipped rules);
    ``folder`` None: the tuning table, with the shipped directory."""
    if folder is None:
        return dataclasses.replace(requests_set, bundle=load_bundle(None, meaning=where))
    with tempfile.TemporaryDirectory(prefix="sentence-models-") as tmp_name:
        tmp = Path(tmp_name)
        for part in ("directory.yaml", "cases.csv"):
            shutil.copyfile(folder / part, tmp / part)
        bundle = load_bundle(tmp, meaning=where)
    return dataclasses.replace(requests_set, bundle=bundle)


@dataclasses.dataclass(frozen=True)
class Routed:
    """One model's decisions on one set, in request order, and how long each took."""

    requests_set: RequestSet
    decisions: list[Decision]
    times: list[float]
    asked: int = 0  # decisions the second model was run for (second_opinion)

    def scored(self) -> list[Scored]:
        answers = iter(self.decisions)
        return score(self.requests_set.requests, lambda _request: next(answers))


def sets_only(found: list[Routed]) -> list[Routed]:
    return [r for r in found if r.requests_set.name != TUNING]


def verdicts(routed: Routed) -> list[Verdict]:
    return [scored.verdict for scored in routed.scored()]


def decide_all(requests_set: RequestSet, model: Model) -> Routed:
    encoder = shared_encoder(model.where)
    engine = RoutingEngine(requests_set.bundle)
    decisions: list[Decision] = []
    times: list[float] = []
    with calibrated(model.calibration):
        for request in requests_set.requests[:5]:  # warm up: a new engine's first calls
            engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(request.text),)))
        for request in requests_set.requests:
            encoder.forget()  # the model runs on every decision, as for a new caller
            t0 = time.perf_counter()
            inputs = RoutingInputs(at=AT, hypotheses=(Hypothesis(request.text),))
            decisions.append(engine.decide(inputs))
            times.append(time.perf_counter() - t0)
    return Routed(requests_set, decisions, times)


def unsure(decision: Decision) -> bool:
    """The router asks (confirm, which of two, say again) about an ordinary destination;
    a danger check or an emergency is never second-guessed."""
    return decision.action != "route" and decision.destination != EMERGENCY


def second_opinion(first: Routed, second: Routed) -> Routed:
    """``first``'s decision, or ``second``'s when ``first`` is unsure and ``second`` routes:
    the bigger model run only for the callers the small one would have asked again."""
    decisions: list[Decision] = []
    times: list[float] = []
    asked = 0
    for a, b, ta, tb in zip(
        first.decisions, second.decisions, first.times, second.times, strict=True
    ):
        if unsure(a):
            asked += 1
            decisions.append(b if b.action == "route" else a)
            times.append(ta + tb)
        else:
            decisions.append(a)
            times.append(ta)
    return Routed(first.requests_set, decisions, times, asked)


def routing_table(models: list[Model], sets: list[tuple[Path | None, RequestSet]]) -> None:
    routed: dict[str, list[Routed]] = {m.label: [] for m in models}
    hybrid = f"{models[0].label} + {models[-1].label} when unsure"
    for folder, s in sets:
        for model in models:
            routed[model.label].append(decide_all(rebundled(s, folder, model.where), model))
        routed.setdefault(hybrid, []).append(
            second_opinion(routed[models[0].label][-1], routed[models[-1].label][-1])
        )
    rows: list[Row] = []
    timing: list[str] = []
    changes: list[str] = []
    first = [v.right for r in sets_only(routed[models[0].label]) for v in verdicts(r)]
    for label, found in routed.items():
        if label != models[0].label:
            other = [v.right for r in sets_only(found) for v in verdicts(r)]
            gained = sum(b and not a for a, b in zip(first, other, strict=True))
            lost = sum(a and not b for a, b in zip(first, other, strict=True))
            changes.append(f"| {label} | {gained} | {lost} |")
        mine = [Row((label, r.requests_set.name), r.requests_set, r.scored()) for r in found]
        dev = [row for row in mine if row.source.name != TUNING]
        if len(dev) > 1:
            pooled = [scored for row in dev for scored in row.scored]
            mine.append(Row((label, "dev (all)"), dev[0].source, pooled))
        rows += mine
        times = [t for r in found for t in r.times]
        q = statistics.quantiles(times, n=100)
        asked = sum(r.asked for r in found)
        timing.append(
            f"| {label} | {len(times)} | {asked or '-'} | {q[49] * 1e3:.1f} | {q[98] * 1e3:.1f} |"
        )
    print(f"routing: shipped rules, each set's directory and cases, {AT:%A %H:%M}, typed text\n")
    print("\n".join(summary_table(rows, ("model", "set"))))
    print("\ndecision time, the model run every time (numpy's own threads)")
    print("| model | decisions | second model run | p50 ms | p99 ms |\n|---|---|---|---|---|")
    print("\n".join(timing))
    print(f"\nthe sets' requests (not the tuning table) against {models[0].label}: how many")
    print("it got wrong and this one right (gained), and the other way round (lost)")
    print("| model | gained | lost |\n|---|---|---|")
    print("\n".join(changes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("sets", nargs="*", help=f"set names or folders (default {DEV_SETS})")
    parser.add_argument("--model", required=False, help="the other model's folder")
    parser.add_argument(
        "--calibration",
        type=parse_calibration,
        default=parse_calibration(MPNET_CALIBRATION),
        help="the other model's intent calibration: bias,semantic,fuzzy,keywords,margin",
    )
    parser.add_argument(
        "--minilm-calibration",
        type=parse_calibration,
        default=None,
        help="also route MiniLM with this calibration (a refit on today's intents)",
    )
    parser.add_argument("--sentences", type=int, default=200, help="sentences timed per model")
    parser.add_argument("--cost-only", action="store_true")
    parser.add_argument("--routing-only", action="store_true")
    parser.add_argument("--cost-of", help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args(argv)
    names = args.sets or list(DEV_SETS)
    try:
        folders = find_sets(names)
        if args.cost_of:
            cost = measure_cost(args.cost_of, request_texts(folders, args.sentences))
            print(json.dumps(dataclasses.asdict(cost)))
            return 0
        sets = [load_set(folder) for folder in folders]
        if not args.model:
            parser.error("--model FOLDER is required (the model to compare with MiniLM)")
        shared_encoder(args.model)  # a model that will not load is said here, once
    except SetError as exc:
        print("cannot load a set:", *exc.errors, sep="\n  ", file=sys.stderr)
        return 2
    except (EmbeddingModelError, BundleError) as exc:
        print(f"cannot load the model: {exc}", file=sys.stderr)
        return 2
    models = [Model("minilm", PACKAGED, MEANING_CALIBRATION)]
    if args.minilm_calibration:
        models.append(Model("minilm refit", PACKAGED, args.minilm_calibration))
    models.append(Model(Path(args.model).name, args.model, args.calibration))
    if not args.routing_only:
        print(
            f"cost: one sentence per encode, cache dropped, 1 BLAS thread ({os.cpu_count()} cores)"
        )
        print("| model | load s | resident MB added | peak MB | encode p50 ms | p99 ms | n |")
        print("|---|---|---|---|---|---|---|")
        for where in dict.fromkeys(m.where for m in models):
            c = cost_in_child(where, names, args.sentences)
            label = "minilm" if where == PACKAGED else Path(where).name
            print(
                f"| {label} | {c.load_s:.1f} | {c.rss_mb:.0f} | {c.peak_mb:.0f} |"
                f" {c.p50_ms:.1f} | {c.p99_ms:.1f} | {c.sentences} |"
            )
        print()
    if args.cost_only:
        return 0
    every: list[tuple[Path | None, RequestSet]] = [(None, load_tuning())]
    every += list(zip(folders, sets, strict=True))
    routing_table(models, every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
