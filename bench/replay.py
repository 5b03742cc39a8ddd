"""``ivr replay`` over a force-sized log: calls/s and peak memory.

.venv/bin/python bench/replay.py [--calls 100000] [--db PATH|URL] [--no-trace]

Builds (in a process of its own, so its memory is not counted) a call database of
``--calls`` calls over a week, written the way the live app writes them: the shipped
engine decides each call and the row goes through RouteCall's stored shape
(``ivr.replay.record.decision_record``, the codec) and the writer's own
``CallStore.add_decision``. The calls vary: keys, utterances (n-best, confidences), times
of day and week, caller flags and recent calls, queue waits, a divert in force now and
then, second attempts, and 3 % moved by an operator afterwards. ``--db`` keeps the
database for the next run: a file, or a ``postgresql://`` URL (built when it holds no
decisions; the replay then reads it through a read-only server-side cursor).

Then replays the whole log (``Replayer``, as ``ivr replay`` runs it) under the shipped
rules and under a modified copy (key 5 to the Resolution Centre, a lower directory
threshold), printing for each: calls/s, changed calls, and the process's RSS high-water
(``resource.getrusage``); and for the modified copy a second, traced run: the tracemalloc
peak of the replay itself (tracing slows it, so its rate is not the one quoted).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import shutil
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.decisions import Hypothesis
from ivr.replay.model import Judgement, ReplaySummary
from ivr.replay.record import decision_record
from ivr.replay.replayer import Replayer
from ivr.replay.report import FirstCalls
from ivr.replay.source import OPERATOR_MOVE, DecisionLog, Period
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import CallerContext, Override, RoutingInputs
from ivr.shipped import ROUTING_RULES
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.engine import is_postgres
from ivr.store.readonly import Location, as_location, describe, missing

LONDON = ZoneInfo("Europe/London")
WEEK = datetime(2026, 3, 2, 0, 0, tzinfo=LONDON)  # a Monday
SAID = (
    "i want to report a crime",
    "my car has been stolen",
    "sarah johnson",
    "pc sarah johnson please",
    "david johnson",
    "can i speak to someone",
    "any news on my case",
    "lost property",
    "firearms licence",
    "can i do this online",
    "there's a suspicious man hanging around outside",
    "crime reference 4218734 24",
    "er",
    "control room",
    "someone is breaking in right now",
)
KEYS = ("1", "2", "3", "4", "5", "0", "7")
FLAGS = (("vulnerable", 0.05), ("repeat", 0.04), ("nuisance", 0.01), ("hate-incident", 0.01))
MOVED_TO = ("rc", "fcr", "switchboard", "directory:sarah-johnson")


def _inputs(rng: random.Random) -> RoutingInputs:
    at = WEEK + timedelta(seconds=rng.randrange(7 * 86_400))
    heard: tuple[Hypothesis, ...] = ()
    digits = None
    if rng.random() < 0.4:
        digits = rng.choice(KEYS)
    else:
        first = rng.choice(SAID)
        heard = (Hypothesis(first, round(rng.uniform(0.45, 0.97), 3)),)
        if rng.random() < 0.3:
            heard += (Hypothesis(rng.choice(SAID), round(rng.uniform(0.2, 0.5), 3)),)
    flags = frozenset(flag for flag, share in FLAGS if rng.random() < share)
    waits = {"rc": rng.uniform(0, 1500), "fcr": rng.uniform(0, 1200)}
    diverts = (Override("rc", "fcr", "office flooded"),) if rng.random() < 0.01 else ()
    return RoutingInputs(
        at=at,
        hypotheses=heard,
        digits=digits,
        caller=CallerContext("", flags, rng.randrange(0, 6)),
        queue_waits=waits,
        overrides=diverts,
        attempt=2 if rng.random() < 0.1 else 1,
    )


def build(path: Location, calls: int, seed: int = 13) -> None:
    """``calls`` calls in the stored shape, written in transactions of 2,000 rows."""
    rng = random.Random(seed)
    engine = RoutingEngine(load_bundle(None))
    store = CallStore(path)
    began = time.perf_counter()
    for start in range(0, calls, 2000):
        with write_transaction(store.db):
            for n in range(start, min(calls, start + 2000)):
                _one_call(store, engine, rng, f"call-{n:06d}")
    store.close()
    print(f"built {calls:,} calls in {time.perf_counter() - began:.1f} s: {describe(path)}")


def _one_call(store: CallStore, engine: RoutingEngine, rng: random.Random, call_id: str) -> None:
    inputs = _inputs(rng)
    stamp = iso(inputs.at)
    store.call_started({"call_id": call_id, "channel_id": call_id, "started_at": stamp})
    decision = engine.decide(inputs)
    stored, evidence = decision_record(decision, inputs, engine="bench", question=["main_menu"])
    # What CallSession.record_decision adds before the writer's add_decision.
    store.add_decision(call_id, stamp, stored.with_evidence(inputs=evidence).to_json())
    if decision.action == "route" and rng.random() < 0.03:
        target = rng.choice([d for d in MOVED_TO if d != decision.destination])
        moved = iso(inputs.at + timedelta(seconds=40))
        store.add_decision(
            call_id,
            moved,
            {
                "action": "route",
                "destination": target,
                "rule": OPERATOR_MOVE,
                "reason": "moved by bench: misrouted",
                "evidence": {"by": "bench", "from": decision.destination},
            },
        )


def modified_rules(folder: Path) -> Path:
    shutil.copytree(ROUTING_RULES, folder)
    rules = folder / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    for old, new in (('  "5": online\n', '  "5": rc\n'), ("  high: 0.85", "  high: 0.80")):
        assert old in text, old
        text = text.replace(old, new)
    rules.write_text(text, encoding="utf-8")
    return folder


def unbuilt(db: Location) -> bool:
    """No log there yet: no file, or a PostgreSQL database without decisions."""
    if missing(db):
        return True
    if not is_postgres(str(db)):
        return False
    store = CallStore(db)
    try:
        return store.db.count("decisions") == 0
    finally:
        store.close()


def replay(db: Location, rules: Path | None, *, traced: bool = False) -> tuple[ReplaySummary, int]:
    engine = RoutingEngine(load_bundle(rules))
    if traced:
        tracemalloc.start()
    with DecisionLog(db) as log:
        summary = Replayer(engine).run(log, Period(), FirstCalls(20))
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return summary, peak


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument(
        "--db", type=as_location, help="keep the database here, file or URL (built if empty)"
    )
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "calls.db"
        if unbuilt(db):
            child = multiprocessing.get_context("spawn").Process(
                target=build, args=(db, args.calls)
            )
            child.start()
            child.join()
            if child.exitcode != 0:
                raise SystemExit(f"building the log failed ({child.exitcode})")
        print(f"RSS high-water before any replay: {_rss_mb():.0f} MB")
        draft = modified_rules(Path(tmp) / "draft")
        for name, rules in (("shipped rules", None), ("modified copy", draft)):
            summary, _ = replay(db, rules)
            rate = summary.done / summary.elapsed_s
            changed = sum(summary.changed.values())
            moved = sum(summary.judgements.values())
            print(
                f"{name}: {summary.done:,} decisions in {summary.elapsed_s:.1f} s"
                f" = {rate:,.0f} calls/s; changed {changed:,}; operator moves judged {moved:,}"
                f" (now right {summary.judged(Judgement.NOW_RIGHT):,});"
                f" RSS high-water {_rss_mb():.0f} MB"
            )
        if not args.no_trace:
            summary, peak = replay(db, draft, traced=True)
            print(
                f"modified copy, traced: tracemalloc peak of the replay {peak / 2**20:.1f} MB"
                f" ({summary.done:,} decisions, {summary.elapsed_s:.1f} s under tracing)"
            )


if __name__ == "__main__":
    main()
