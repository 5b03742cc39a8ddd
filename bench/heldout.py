"""Routing on requests nobody tuning the router has read: the held-out text bench.

.venv/bin/python bench/heldout.py                      # every set in bench/heldout/ + tuning
.venv/bin/python bench/heldout.py dev_c --failures     # a dev set, with its failing rows
.venv/bin/python bench/heldout.py /tmp/myset --no-tuning

Every request of each set goes through the SHIPPED engine (RoutingEngine with
routing_rules/ rules, intents and schedules) with the SET's directory and
cases, at a weekday morning with every schedule open, as typed text. Scoring
(right, silent misroute, emergency miss, false emergency, reprompt) is
bench/heldout_score.py's. The tuning table (intents_table.yaml with the shipped
directory) prints as the "tuning" row, so the two figures sit side by side:
the gap between them is how much of the tuning score is memorised wording.

``--failures`` lists the failing rows of dev sets (``dev_*``) and the tuning
table only. A held-out set's failures are not shown unless ``--i-am-not-tuning``
is given: whoever reads them and then edits intents.yaml, the rules or the
engine has tuned on the held-out set, and its figure stops measuring how the
router does on callers it has never heard. Read them only to diagnose a bug,
never to add examples or adjust thresholds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.heldout_score import (  # noqa: E402
    Row,
    Scored,
    breakdown_table,
    by_expect,
    by_tag,
    describe,
    score,
    summary_table,
)
from bench.heldout_sets import (  # noqa: E402
    AT,
    Request,
    RequestSet,
    SetError,
    find_sets,
    load_set,
    load_tuning,
)
from ivr.decisions import Decision, Hypothesis  # noqa: E402
from ivr.routing.engine import RoutingEngine  # noqa: E402
from ivr.routing.model import RoutingInputs  # noqa: E402


def route_text(requests_set: RequestSet) -> list[Scored]:
    engine = RoutingEngine(requests_set.bundle)

    def decide(request: Request) -> Decision:
        return engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(request.text),)))

    return score(requests_set.requests, decide)


def load_all(names: list[str], tuning: bool) -> list[RequestSet]:
    """The chosen sets (SetError for the first that cannot load), tuning first."""
    sets = [load_tuning()] if tuning else []
    return sets + [load_set(folder) for folder in find_sets(names)]


def failures_allowed(requests_set: RequestSet, not_tuning: bool) -> bool:
    return not requests_set.held_out or not_tuning


def print_report(sets: list[RequestSet], rows: list[Row], label: tuple[str, ...]) -> None:
    """Summary, then per-tag and per-expect breakdowns, as markdown for bench/README.md."""
    print("\n".join(summary_table(rows, label)))
    print()
    print("\n".join(breakdown_table(rows, by_tag, "tag", label)))
    print()
    print("\n".join(breakdown_table(rows, by_expect, "expect", label)))
    for s in sets:
        for note in s.notes:
            print(f"\nnote ({s.name}): {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("sets", nargs="*", help="set names under bench/heldout/, or folders")
    parser.add_argument("--no-tuning", action="store_true", help="leave out the tuning row")
    parser.add_argument("--failures", action="store_true", help="list failing rows (dev sets)")
    parser.add_argument(
        "--i-am-not-tuning",
        action="store_true",
        help="also list a held-out set's failures (to diagnose a bug, never to tune on)",
    )
    args = parser.parse_args(argv)
    try:
        sets = load_all(args.sets, tuning=not args.no_tuning)
    except SetError as exc:
        print("cannot load a set:", *exc.errors, sep="\n  ", file=sys.stderr)
        return 2
    if not sets:
        print(f"no sets (none in {ROOT / 'bench/heldout'})", file=sys.stderr)
        return 2
    rows = [Row((s.name,), s, route_text(s)) for s in sets]
    print(f"shipped engine, each set's directory and cases, {AT:%A %H:%M} (typed text)\n")
    print_report(sets, rows, ("set",))
    if args.failures:
        for s, row in zip(sets, rows, strict=True):
            print_failures(s, row.scored, args.i_am_not_tuning)
    return 0


def print_failures(requests_set: RequestSet, scored: list[Scored], not_tuning: bool) -> None:
    wrong = [s for s in scored if not s.verdict.right or s.verdict.emergency_miss]
    if not failures_allowed(requests_set, not_tuning):
        print(
            f"\n{requests_set.name}: {len(wrong)} failures not listed: a held-out set"
            " (--i-am-not-tuning lists them; never tune on them)"
        )
        return
    print(f"\n{requests_set.name}: {len(wrong)} failures")
    wrong.sort(key=lambda s: (not s.verdict.emergency_miss, s.verdict.outcome.value))
    for s in wrong:
        print("\n".join(describe(s)))


if __name__ == "__main__":
    sys.exit(main())
