"""RoutingEngine costs and accuracy: decide() on a 10,000-entry directory, and the labelled sets.

.venv/bin/python bench/routing.py [--people 10000] [--rounds 3]

Memory: resident memory the sentence model adds (loaded before anything else).
Latency: every utterance of the project's labelled sets plus keypad and
reference inputs, decided ``--rounds`` times on one core with the shipped
rules, intents and schedules and a generated directory (the shipped people
and departments first, so the labels still hold). Accuracy: the same
labelled sets against the shipped bundle:

* intents_table.yaml (intents part): the engine routes where the labelled
  intent goes (emergency rows: to emergency);
* directory utterances.yaml (directory part): top/route/ambiguous/none as labelled;
* decisions.yaml (this part): action, destination, rule and the rest as labelled.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ivr.decisions import SERVICE_DESTINATIONS, Decision, Hypothesis
from ivr.directory import Directory, DirectoryMatcher
from ivr.directory.sample import sample_directory
from ivr.embedding.encoder import MeaningEncoder, shared_encoder
from ivr.routing.bundle import RoutingBundle, load_bundle
from ivr.routing.departments import DepartmentMeaning
from ivr.routing.engine import RoutingEngine
from ivr.routing.intents import IntentMatcher
from ivr.routing.model import RoutingInputs
from ivr.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[1]
INTENTS_TABLE = ROOT / "tests/unit/routing/fixtures/intents_table.yaml"
UTTERANCES = ROOT / "tests/unit/directory/fixtures/utterances.yaml"
DECISIONS = ROOT / "tests/unit/routing/fixtures/decisions.yaml"
CASES = ROOT / "tests/unit/routing/fixtures/bundle"
AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def _hypotheses(row: dict[str, Any]) -> tuple[Hypothesis, ...]:
    if "nbest" in row:
        return tuple(Hypothesis(h["text"], float(h.get("confidence", 1.0))) for h in row["nbest"])
    return (Hypothesis(str(row.get("say") or row.get("text"))),)


def _utterance_rows() -> list[dict[str, Any]]:
    data = load_yaml(UTTERANCES)
    rows = data["cases"] if isinstance(data, dict) else data
    return list(rows)


def workload() -> list[RoutingInputs]:
    said = [_hypotheses(r) for r in load_yaml(INTENTS_TABLE)]
    said += [_hypotheses(r) for r in _utterance_rows()]
    said += [_hypotheses(r) for r in load_yaml(DECISIONS) if "text" in r]
    inputs = [RoutingInputs(at=AT, hypotheses=h, queue_waits={"rc": 900}) for h in said]
    keys = ["1", "2", "3", "4", "5", "0", "7", "9", "4218734#24"]
    inputs += [RoutingInputs(at=AT, digits=k, queue_waits={"rc": 900}) for k in keys]
    return inputs


def big_bundle(people: int) -> RoutingBundle:
    shipped = load_bundle(CASES)
    generated = sample_directory(people=people, seed=7)
    ids = {e.id for e in shipped.directory.entries}
    extra = [e for e in generated.entries if e.id not in ids]
    directory = Directory([*shipped.directory.entries, *extra][: max(people, len(ids))])
    return RoutingBundle(
        directory=directory,
        matcher=DirectoryMatcher(directory),
        intents=shipped.intents,
        cases=shipped.cases,
        rules=shipped.rules,
        schedules=shipped.schedules,
        source="bench",
        departments=(
            DepartmentMeaning(shipped.intents.meaning.encoder, directory)
            if isinstance(shipped.intents, IntentMatcher) and shipped.intents.meaning
            else None
        ),
    )


def latency(engine: RoutingEngine, inputs: list[RoutingInputs], rounds: int) -> None:
    for item in inputs[:50]:  # warm caches
        engine.decide(item)
    times: list[float] = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    matcher = engine.bundle.intents
    encoder = (
        matcher.meaning.encoder if isinstance(matcher, IntentMatcher) and matcher.meaning else None
    )
    for _ in range(rounds):
        for item in inputs:
            if isinstance(encoder, MeaningEncoder):
                encoder.forget()  # the model on every decision, not a cache hit
            t0 = time.perf_counter()
            engine.decide(item)
            times.append(time.perf_counter() - t0)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    times.sort()
    q = statistics.quantiles(times, n=100)
    print(f"decisions: {len(times)} ({len(inputs)} inputs x {rounds})")
    print(f"throughput: {len(times) / wall:,.0f} decisions/s (CPU {cpu / wall:.0%} of one core)")
    print(
        f"latency: p50 {q[49] * 1e3:.2f} ms, p90 {q[89] * 1e3:.2f} ms,"
        f" p99 {q[98] * 1e3:.2f} ms, max {times[-1] * 1e3:.2f} ms"
    )


def _score(
    name: str, rows: Iterable[dict[str, Any]], check: Callable[[dict[str, Any]], str | None]
) -> None:
    total, misses = 0, []
    for row in rows:
        total += 1
        problem = check(row)
        if problem:
            misses.append(problem)
    print(f"{name}: {total - len(misses)}/{total} ({(total - len(misses)) / max(total, 1):.1%})")
    for problem in misses[:8]:
        print(f"    miss: {problem}")
    if len(misses) > 8:
        print(f"    ... and {len(misses) - 8} more")


def accuracy(engine: RoutingEngine) -> None:
    destinations = {i.name: i.destination for i in engine.bundle.intents.intents}

    def decide(row: dict[str, Any]) -> Decision:
        return engine.decide(RoutingInputs(at=AT, hypotheses=_hypotheses(row)))

    def intent_row(row: dict[str, Any]) -> str | None:
        d = decide(row)
        want = destinations[row["intent"]]
        if d.is_danger_check and d.otherwise is not None:
            # Asked first: an emergency says yes; anyone else says no and goes on.
            d = d.answered(want == "emergency", "as the table says")
        ok = d.destination == want and d.action == "route"
        # an update request that names its crime reference goes to the officer in charge
        ok = ok or (row["intent"] == "update" and d.evidence.get("source") == "reference")
        return None if ok else f"{row['text']!r}: want {want}, got {d.action} {d.destination}"

    def directory_row(row: dict[str, Any]) -> str | None:
        d = decide(row)
        said = row.get("say") or row["nbest"][0]["text"]
        if "ambiguous" in row:
            # a list, or (people who share the name said) a person who asks which
            ok = d.action == "disambiguate" or d.rule == "directory-shared-name"
        elif "top" in row:
            # a team mapped to a queue: the queue itself ("rc"), else an entry's id
            top = row["top"]
            want = top if top in SERVICE_DESTINATIONS else f"directory:{top}"
            ok = d.destination == want and (d.action == "route" if row.get("route") else True)
        else:
            ok = not (d.destination or "").startswith("directory:")
        return None if ok else f"{said!r}: got {d.action} {d.destination} ({d.rule})"

    def decision_row(row: dict[str, Any]) -> str | None:
        sys.path.insert(0, str(ROOT))
        from tests.unit.routing.test_decisions import inputs_of

        d = engine.decide(inputs_of(row)).to_json()
        expect = {k: v for k, v in row["expect"].items() if k != "reason_has"}
        wrong = {k: d[k] for k, v in expect.items() if d[k] != v}
        return f"{row.get('text') or row.get('digits')!r}: {wrong}" if wrong else None

    _score("intents_table.yaml (route to the intent's destination)", load_yaml(INTENTS_TABLE),
           intent_row)  # fmt: skip
    _score("directory utterances.yaml (top / route / ambiguous / none)", _utterance_rows(),
           directory_row)  # fmt: skip
    _score("decisions.yaml (action, destination, rule, ...)", load_yaml(DECISIONS), decision_row)


def _rss_mb() -> float:
    """This process's resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    before = _rss_mb()
    t0 = time.perf_counter()
    shared_encoder()
    print(
        f"sentence model: loaded in {time.perf_counter() - t0:.1f} s,"
        f" resident memory +{_rss_mb() - before:.0f} MB"
    )
    t0 = time.perf_counter()
    bundle = big_bundle(args.people)
    print(f"bundle: {bundle.summary()} (built in {time.perf_counter() - t0:.1f} s)")
    latency(RoutingEngine(bundle), workload(), args.rounds)
    print("accuracy, shipped bundle:")
    accuracy(RoutingEngine(load_bundle(CASES)))


if __name__ == "__main__":
    main()
