"""Dev sets' requests as intent examples: callers' words the intents learn from.

.venv/bin/python bench/dev_examples.py --check            # leave one dev set out, each in turn
.venv/bin/python bench/dev_examples.py --check --no-shipped --failures /tmp/loso.txt
.venv/bin/python bench/dev_examples.py --write dev_c ...  # add the sets' requests to intents.yaml

Why: the intents' own examples were written by the people tuning the router, and it
matched their wording better than callers' meaning (issue 15). The dev sets
(bench/heldout/dev_*) were written independently, from DOMAIN.md alone, so their
requests are anchors in other people's words. Each request whose destination is a
queue becomes an example of the intent that routes there (``emergency``, ``incident``
for the FCR, ``report_crime`` for the RC, ``online``, ``switchboard``); an update
request (first tag ``update``) becomes an ``update`` example whatever its reference
resolves to. Requests for a person or a department are the directory's business and
are not examples; nor are switchboard requests that name a person or a unit the set's
force lacks ("PC Jones", "the dog section"), which would teach a name to mean "the
operator".

``--check`` says whether that generalises: for each dev set in turn, the others'
requests are added to the intents as their authors wrote them (the blocks ``--write``
added left out) and the set left out is routed (the shipped rules, the set's directory
and cases), against those intents alone. A held-out set
(bench/heldout/set_*) is refused in both modes: a set learnt from is no longer evidence.

``--write`` appends to routing_rules/intents.yaml as text (its comments and layout
kept), each intent's new examples after its last one under a comment naming the sets;
a request already an example (same words) is skipped.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.heldout_score import Scored, Tally, describe, score  # noqa: E402
from bench.heldout_sets import AT, SETS, is_dev, load_set, own_alternatives  # noqa: E402
from ivr.decisions import Hypothesis  # noqa: E402
from ivr.routing.bundle import load_bundle  # noqa: E402
from ivr.routing.engine import RoutingEngine  # noqa: E402
from ivr.routing.model import RoutingInputs  # noqa: E402
from ivr.text import normalise  # noqa: E402

INTENTS = ROOT / "routing_rules" / "intents.yaml"
TO_INTENT = {
    "emergency": "emergency",
    "fcr": "incident",
    "rc": "report_crime",
    "online": "online",
    "switchboard": "switchboard",
}
UPDATE = "update"
MARK = "# callers' words from the dev sets"  # heads each block --write adds
# Tags the writers gave switchboard requests that name a person or a unit: not examples.
NAMED = frozenset(
    {
        *("ambiguous", "ambiguous-name", "name-clash", "same-surname", "officer", "homophone"),
        *("name-not-in-directory", "not-in-directory", "missing-unit", "unit-not-in-directory"),
        "no-directory-entry",
    }
)


# ... and, whatever the tags say, a switchboard request naming someone by rank or title
# ("Can I speak to Sergeant Morrison please?": a person the set's force lacks), which
# would teach "Sergeant <anyone>" to mean the operator.
RANKED_NAME = re.compile(
    r"\b(?:PC|DC|PS|DS|DI|DCI|PCSO|Sgt|Sergeant|Inspector|Insp|Constable|Detective|Mr|Mrs"
    r"|Ms|Miss|Dr)\.? [A-Z][a-z'-]+"
)


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    source: str  # the dev set it came from


def examples_of(folder: Path) -> list[Example]:
    """The set's requests that are examples of an intent (module docstring)."""
    if not is_dev(folder.name):
        raise SystemExit(f"{folder}: not a dev set; a held-out set is never learnt from")
    rows = yaml.safe_load((folder / "requests.yaml").read_text(encoding="utf-8"))
    found = []
    for row in rows:
        tags = [str(t) for t in row.get("tags") or ()]
        expect = str(row["expect"])
        if tags and tags[0] == UPDATE:
            intent = UPDATE
        elif expect in TO_INTENT and not (
            expect == "switchboard" and (NAMED & set(tags) or RANKED_NAME.search(str(row["text"])))
        ):
            intent = TO_INTENT[expect]
        else:
            continue
        found.append(Example(str(row["text"]), intent, folder.name))
    return found


def known_examples(data: dict[str, Any]) -> set[str]:
    return {normalise(str(e)) for i in data["intents"] for e in i.get("examples") or ()}


def new_examples(examples: Iterable[Example], data: dict[str, Any]) -> list[Example]:
    """The examples not already in the intents (by their normalised words), once each."""
    seen = known_examples(data)
    out = []
    for example in examples:
        key = normalise(example.text)
        if key and key not in seen:
            seen.add(key)
            out.append(example)
    return out


def augmented(data: dict[str, Any], examples: Sequence[Example]) -> dict[str, Any]:
    by_name = {i["name"]: i for i in data["intents"]}
    for example in examples:
        by_name[example.intent].setdefault("examples", []).append(example.text)
    return data


def route_left_out(folder: Path, examples: Sequence[Example]) -> list[Scored]:
    """The set's requests routed with ``examples`` added to the shipped intents."""
    requests_set = load_set(folder)
    with tempfile.TemporaryDirectory(prefix="dev-examples-") as tmp_name:
        tmp = Path(tmp_name)
        for part in ("directory.yaml", "cases.csv"):
            shutil.copyfile(folder / part, tmp / part)
        own_alternatives(folder / "directory.yaml", tmp / "rules.yaml")
        data = yaml.safe_load(without_dev_examples(INTENTS.read_text(encoding="utf-8")))
        added = augmented(data, new_examples(examples, data))
        (tmp / "intents.yaml").write_text(yaml.safe_dump(added, sort_keys=False), "utf-8")
        engine = RoutingEngine(load_bundle(tmp))
    return score(
        requests_set.requests,
        lambda r: engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(r.text),))),
    )


def without_dev_examples(text: str) -> str:
    """intents.yaml as the intents' authors wrote it: every block ``--write`` added left
    out, so ``--check`` never routes a set with its own requests as examples."""
    kept: list[str] = []
    skipping = False
    for line in text.split("\n"):
        if line.strip().startswith(MARK):
            skipping = True
            continue
        if skipping and line.startswith("      - "):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept)


def check(folders: Sequence[Path], shipped: bool = True, failures: Path | None = None) -> None:
    """Each set routed with the others' requests as examples (and, ``shipped``, with the
    intents as their authors wrote them); ``failures``: that file gets each left-out
    set's failing rows and emergency misses, the ones a change must fix without having
    learnt from them."""
    print(
        "| left out | requests | right, intents as shipped | right, others' requests added"
        " | silent misroutes | false emergencies | emergency misses"
        " | danger checks (emergency / others) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    totals, before_total = Tally(), 0
    listed: list[str] = []
    for i, folder in enumerate(folders):
        others = [e for f in folders if f != folder for e in examples_of(f)]
        before = sum(s.verdict.right for s in route_left_out(folder, [])) if shipped else 0
        scored = route_left_out(folder, others)
        tally = Tally.of(scored)
        for row in scored:
            totals.add(row)
        before_total += before
        print(_check_row(folder.name, tally, before if shipped else None), flush=True)
        # ... and every emergency not sent to 999 handling, even where the writer accepted
        # the control room too: recall is what these sets guard first.
        wrong = [s for s in scored if not s.verdict.right or s.verdict.emergency_miss]
        listed += [f"\n{folder.name}: {len(wrong)} failures or emergency misses (left out)"]
        listed += [line for s in wrong for line in describe(s)]
        print(f"  ({i + 1}/{len(folders)} sets)", file=sys.stderr, flush=True)
    print(_check_row("all", totals, before_total if shipped else None))
    if failures is not None:
        failures.write_text("\n".join(listed) + "\n", encoding="utf-8")


def _check_row(name: str, tally: Tally, before: int | None) -> str:
    n = tally.n
    shipped = f"{before} ({100 * before / n:.1f} %)" if before is not None else "-"
    return (
        f"| {name} | {n} | {shipped} | {tally.right} ({100 * tally.right / n:.1f} %) |"
        f" {tally.misroutes} | {tally.false_emergencies} |"
        f" {tally.emergency_misses}/{tally.emergencies}"
        f" | {tally.checked_emergencies} / {tally.checked_others} |"
    )


def write(folders: Sequence[Path], intents: Path = INTENTS) -> int:
    """Append each intent's new examples after its last example; the count written."""
    text = intents.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    examples = new_examples([e for f in folders for e in examples_of(f)], data)
    lines = text.split("\n")
    for intent in data["intents"]:
        mine = [e for e in examples if e.intent == intent["name"]]
        if not mine:
            continue
        at = _after_last_example(lines, intent["name"])
        sources = ", ".join(sorted({e.source for e in mine}))
        block = [f"      {MARK} ({sources}): bench/dev_examples.py"]
        block += [f"      - {json.dumps(e.text, ensure_ascii=False)}" for e in mine]
        lines[at:at] = block
    written = "\n".join(lines)
    if len(known_examples(yaml.safe_load(written))) != len(known_examples(data)) + len(examples):
        raise SystemExit(f"{intents}: the examples did not land where expected; nothing written")
    intents.write_text(written, encoding="utf-8")
    return len(examples)


def _after_last_example(lines: list[str], name: str) -> int:
    """The line index after ``name``'s last example (its ``examples:`` list item lines)."""
    start = lines.index(f"  - name: {name}")
    at = next(i for i in range(start, len(lines)) if lines[i].strip() == "examples:")
    last = at
    for i in range(at + 1, len(lines)):
        stripped = lines[i].strip()
        if lines[i].startswith(("      - ", "      #")):
            last = i
        elif stripped:
            break
    return last + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="leave one dev set out in turn")
    mode.add_argument("--write", action="store_true", help="append the sets to intents.yaml")
    parser.add_argument("sets", nargs="*", help="dev sets under bench/heldout (default: all)")
    parser.add_argument(
        "--failures", type=Path, help="--check: write each left-out set's failing rows here"
    )
    parser.add_argument(
        "--no-shipped", action="store_true", help="--check: skip the intents-as-shipped column"
    )
    args = parser.parse_args(argv)
    names = args.sets or sorted(p.name for p in SETS.iterdir() if is_dev(p.name))
    folders = [SETS / n if not Path(n).is_dir() else Path(n) for n in names]
    for folder in folders:
        examples_of(folder)  # refuses a held-out set before any work
    if args.check:
        check(folders, shipped=not args.no_shipped, failures=args.failures)
    else:
        print(f"{write(folders)} examples added to {INTENTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
