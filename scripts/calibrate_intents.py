"""Fit the intent score's calibration (ivr.routing.meaning) on labelled requests.

.venv/bin/python scripts/calibrate_intents.py [--dev FOLDER ...] [--model FOLDER]

Rows: 25 examples of each intent, each matched against the intents WITHOUT it
(leave-one-out: paraphrases the matcher has not seen), the tuning table
(tests/unit/routing/fixtures/intents_table.yaml), and any dev set folders given
(requests.yaml rows whose ``expect`` is a queue, not a directory entry). Never
give it a held-out set (bench/heldout/set_*): a set fitted on is no longer
evidence.

For every request and every non-emergency intent: the evidence
(ivr.routing.intents.Evidence: meaning, wording, keywords, margin) and whether
that intent's destination is the right one; a logistic regression with a little
L2 (Newton's method) gives P(right). Prints the coefficients to paste into
MEANING_CALIBRATION / WORDS_CALIBRATION, and top-1 accuracy.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ivr.decisions import Hypothesis  # noqa: E402
from ivr.embedding.encoder import shared_encoder  # noqa: E402
from ivr.routing.intents import IntentMatcher  # noqa: E402
from ivr.routing.logistic import fit_logistic  # noqa: E402
from ivr.yamlfile import load_yaml  # noqa: E402

FIXTURES = ROOT / "tests/unit/routing/fixtures"


def labelled(dev: list[Path], matcher: IntentMatcher) -> list[tuple[str, str]]:
    to_destination = {i.name: i.destination for i in matcher.intents}
    rows: list[tuple[str, str]] = []
    for row in load_yaml(FIXTURES / "intents_table.yaml"):
        if isinstance(row, dict) and row.get("intent") != "emergency":
            rows.append((str(row["text"]), to_destination[str(row["intent"])]))
    for folder in dev:
        if "heldout/set_" in str(folder):
            raise SystemExit(f"{folder}: a held-out set is never fitted on")
        for row in load_yaml(folder / "requests.yaml"):
            expect = str(row["expect"])
            if expect in {"rc", "fcr", "online", "switchboard"}:
                rows.append((str(row["text"]), expect))
    return rows


def left_out(matcher: IntentMatcher, per_intent: int) -> list[tuple[IntentMatcher, str, str]]:
    """(matcher without the example, the example, its destination), seeded."""
    rng = random.Random(1)
    found: list[tuple[IntentMatcher, str, str]] = []
    encoder = matcher.meaning.encoder if matcher.meaning else None
    for k, intent in enumerate(matcher.intents):
        if intent.emergency:
            continue
        examples = list(intent.examples)
        for j in rng.sample(range(len(examples)), min(per_intent, len(examples))):
            intents = list(matcher.intents)
            kept = tuple(e for n, e in enumerate(examples) if n != j)
            intents[k] = dataclasses.replace(intent, examples=kept)
            found.append((IntentMatcher(intents, encoder), examples[j], intent.destination))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, action="append", default=[])
    parser.add_argument("--per-intent", type=int, default=25, help="examples left out per intent")
    parser.add_argument("--model", default="packaged", help="a sentence model folder to fit for")
    args = parser.parse_args()
    matcher = IntentMatcher.load(ROOT / "routing_rules/intents.yaml", shared_encoder(args.model))
    cases = [(matcher, text, expect) for text, expect in labelled(args.dev, matcher)]
    cases += left_out(matcher, args.per_intent)
    keep = [i for i, intent in enumerate(matcher.intents) if not intent.emergency]
    meaning, words, truth, groups = [], [], [], []
    for n, (used, text, expect) in enumerate(cases):
        if n % 50 == 0:
            print(f"  {n}/{len(cases)} requests", file=sys.stderr)
        found = used.evidence([Hypothesis(text)])
        if not found:
            continue
        _, evidence = found[0]
        for i in keep:
            ev = evidence[i]
            meaning.append([1.0, ev.semantic or 0.0, ev.fuzzy, ev.keyword, ev.margin])
            words.append([1.0, ev.fuzzy, ev.keyword])
            truth.append(float(used.intents[i].destination == expect))
            groups.append(n)
    y = np.array(truth)
    for label, x in (("meaning", np.array(meaning)), ("words", np.array(words))):
        w = fit_logistic(x, y, l2=0.1)
        scores = x @ w
        right = total = 0
        for n in sorted(set(groups)):
            idx = [k for k, g in enumerate(groups) if g == n]
            total += 1
            right += int(y[idx[int(np.argmax(scores[idx]))]] == 1.0)
        print(f"{label}: weights {np.round(w, 2).tolist()}  top-1 {right}/{total}")
    print(f"{len(cases)} labelled requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
