"""Emergency screening: 999 recall and false alarms on every labelled set, and its cost.

.venv/bin/python bench/emergencies.py [--rounds 3]

For each set, the rows labelled emergency that the engine neither sends to
``emergency`` nor asks the danger check (misses: must be none), the other rows
it sends there (false alarms), the rows asked the danger check (an emergency
then says yes; anyone else no: one question), with the rule and context of
every cue the screen moved to the FCR or released; and how many emergencies, said out
of the menu (in a queue, at a confirmation), would not break out (``breakout``: the
cues only, never the sentence model). Sets: the intents table and
its fixtures, the decisions table, the speech labels' texts, and the dev sets
bench/heldout/dev_c and dev_d (never a held-out set). Cost: the screen alone
(release + check) per utterance, cold (its memo cleared).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.decisions import Hypothesis
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import CallerContext, RoutingInputs
from ivr.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests/unit/routing/fixtures"
DEV_SETS = ("dev_c", "dev_d")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def labelled_sets() -> dict[str, list[tuple[str, bool]]]:
    """Set name -> (text, is an emergency) rows."""
    sets: dict[str, list[tuple[str, bool]]] = {}
    for name in ("intents_table.yaml", "intents_heldout.yaml", "intents_heldout2.yaml"):
        sets[name] = [(r["text"], r["intent"] == "emergency") for r in load_yaml(FIXTURES / name)]
    sets["decisions.yaml"] = [
        (r["text"], r["expect"].get("destination") == "emergency")
        for r in load_yaml(FIXTURES / "decisions.yaml")
        if "text" in r
    ]
    with (ROOT / "tests/speech/labels.csv").open(encoding="utf-8") as f:
        labels = {r["text"]: r["destination"] == "emergency" for r in csv.DictReader(f)}
    sets["speech labels.csv"] = list(labels.items())
    for name in DEV_SETS:
        rows = load_yaml(ROOT / "bench/heldout" / name / "requests.yaml")
        sets[name] = [(r["text"], r["expect"] == "emergency") for r in rows]
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (default 3)")
    args = parser.parse_args()
    engine = RoutingEngine(load_bundle(FIXTURES / "bundle"))
    screen = engine.screen
    texts: list[str] = []
    for name, rows in labelled_sets().items():
        missed, false, moved = [], [], []
        asked = [0, 0]  # danger checks: [of emergencies, of the others]
        unbroken = 0  # emergencies that said out of the menu (a queue) would not break out
        for text, emergency in rows:
            texts.append(text)
            if emergency and engine.breakout((Hypothesis(text),), None) is None:
                unbroken += 1
            d = engine.decide(
                RoutingInputs(at=AT, hypotheses=(Hypothesis(text),), caller=CallerContext("0"))
            )
            if d.is_danger_check:
                asked[0 if emergency else 1] += 1
            elif emergency and d.destination != "emergency":
                missed.append(f"{text!r} -> {d.destination} ({d.rule})")
            elif not emergency and d.destination == "emergency":
                false.append(f"{text!r} ({d.rule})")
            elif (d.rule and d.rule.endswith("-emergency-cue")) or "discounted_cue" in d.evidence:
                moved.append(f"{text!r} -> {d.destination} ({d.rule})")
        count = sum(e for _, e in rows)
        print(
            f"{name}: {len(rows)} rows, {count} emergencies, {len(missed)} missed,"
            f" {len(false)} false alarms, danger checks {asked[0]} emergencies /"
            f" {asked[1]} others, {len(moved)} cues moved off 999;"
            f" out of the menu {unbroken} emergencies would not break out"
        )
        for line in missed:
            print(f"  MISSED  {line}")
        for line in false:
            print(f"  FALSE   {line}")
        for line in moved:
            print(f"  moved   {line}")
    times: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            screen._memo.clear()
            screen._readings.clear()
            start = time.perf_counter()
            heard, _ = screen.outvoted_cues((Hypothesis(text),))
            screen.check(heard, None)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[int(len(times) * 0.99)]
    print(
        f"screen cost, cold, {len(times)} runs: p50 {statistics.median(times):.3f} ms,"
        f" p99 {p99:.3f} ms, max {times[-1]:.3f} ms"
    )


if __name__ == "__main__":
    main()
