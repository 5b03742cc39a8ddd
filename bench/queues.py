"""A simulated busy 101 day with and without callbacks and deflection, same staffing.

.venv/bin/python bench/queues.py [--seed 101] [--rules routing_rules/queues.yaml] [--seeds 5]

Drives the real ``QueueEngine`` and ``WaitEstimator`` (``ivr/queues/simulation.py``)
through the day configured in ``queues.yaml``: 1,000 first calls peaking late
afternoon and early evening, staffing by hour, log-normal patience and
handling times, 22 % of abandoning callers ringing back. Prints one column per
scenario. ``--seeds N`` also prints the mean over N seeds so one lucky day does
not carry the conclusion.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ivr.queues.day_result import DayResult
from ivr.queues.model import DEFAULT_QUEUES_FILE
from ivr.queues.queues_yaml import load_queues_config
from ivr.queues.simulation import SCENARIOS, simulate_day


def _mmss(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


ROWS: list[tuple[str, Callable[[DayResult], str]]] = [
    ("calls (first + re-dials)", lambda r: f"{r.calls:,} ({r.redials} re-dials)"),
    ("deflected (not abandoned)", lambda r: f"{r.deflected}"),
    ("abandonment rate", lambda r: f"{100 * r.abandonment_rate:.1f} % ({r.abandoned + r.refused})"),
    ("average speed of answer (on the line)", lambda r: _mmss(r.asa_s)),
    ("answered within 5 min", lambda r: f"{100 * r.within_share:.1f} %"),
    ("callbacks offered / accepted", lambda r: f"{r.callbacks_offered} / {r.callbacks_accepted}"),
    (
        "callbacks completed / failed",
        lambda r: (
            f"{r.callbacks_completed} / {r.callbacks_failed} ({r.callback_attempts} attempts)"
        ),
    ),
    (
        "time to callback (mean)",
        lambda r: _mmss(r.callback_wait_s) if r.callbacks_completed else "-",
    ),
    (
        "promises kept",
        lambda r: f"{r.promises_kept}/{r.callbacks_accepted}" if r.callbacks_accepted else "-",
    ),
    ("EWT error (mean abs)", lambda r: _mmss(r.ewt_mae_s)),
    ("actual wait within announced range", lambda r: f"{100 * r.ewt_range_share:.0f} %"),
    ("Asterisk holdtime EWMA error", lambda r: _mmss(r.asterisk_mae_s)),
]


def table(results: Sequence[DayResult]) -> str:
    head = "| figure | " + " | ".join(r.scenario for r in results) + " |"
    rule = "|---|" + "---|" * len(results)
    lines = [head, rule]
    for label, cell in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--seeds", type=int, default=1, help="also average over this many seeds")
    parser.add_argument(
        "--rules", type=Path, default=DEFAULT_QUEUES_FILE, help="queues.yaml or its folder"
    )
    args = parser.parse_args(argv)
    if args.rules.is_dir():
        args.rules = args.rules / "queues.yaml"
    config = load_queues_config(args.rules)
    started = time.perf_counter()
    results = [simulate_day(config, s, args.seed) for s in SCENARIOS]
    print(f"seed {args.seed}, {config.day.calls:,} first calls, rules {args.rules}\n")
    print(table(results))
    if args.seeds > 1:
        print(f"\nmean over seeds {args.seed}..{args.seed + args.seeds - 1}:\n")
        print("| scenario | abandonment | ASA | within 5 min | EWT error | Asterisk error |")
        print("|---|---|---|---|---|---|")
        for scenario in SCENARIOS:
            runs = [simulate_day(config, scenario, args.seed + i) for i in range(args.seeds)]
            n = len(runs)
            print(
                f"| {scenario.name} | {100 * sum(r.abandonment_rate for r in runs) / n:.1f} % | "
                f"{_mmss(sum(r.asa_s for r in runs) / n)} | "
                f"{100 * sum(r.within_share for r in runs) / n:.1f} % | "
                f"{_mmss(sum(r.ewt_mae_s for r in runs) / n)} | "
                f"{_mmss(sum(r.asterisk_mae_s for r in runs) / n)} |"
            )
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
