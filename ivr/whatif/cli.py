"""``ivr whatif --db PATH``: the force's own log, fitted, simulated under changed settings.

Prints the log's figures, the log's own settings simulated (the check that the model
reproduces the log, within the stated tolerance), and the scenario, side by side per
queue. The log's figures are ``ivr report``'s (ivr.whatif.logged), against the same
answer target: ``--target``, else ``[analysis] answer_target_s`` of ``--config``. Progress
goes to stderr. Exit codes: 0 done (a validation miss is printed, not an error: the
reader judges the scenario by it), 2 the command line, the settings, the database or the
rules folder is unusable.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.analysis import reader as analysis_reader
from ivr.clock import parse_uk_time
from ivr.config import ConfigError, load_settings
from ivr.replay.cli import LOCAL, ProgressLine
from ivr.replay.source import LogUnreadable, Period
from ivr.routing.bundle import BundleError
from ivr.store.readonly import as_location, describe
from ivr.whatif.figures import QueuedCall
from ivr.whatif.fit import Demand
from ivr.whatif.logged import logged_figures
from ivr.whatif.report import Column, Tolerance, fitted, table
from ivr.whatif.rerouting import moves_for, replay_routes
from ivr.whatif.runs import ALL, Progress, simulate_runs
from ivr.whatif.simulate import Scenario
from ivr.whatif.source import LogUnusable, read_queue_log

RUNS = 8
SEED = 101


def add_subcommands(subparsers: Any) -> None:
    whatif = subparsers.add_parser(
        "whatif",
        help="simulate the logged demand with other staffing, callbacks, deflection or rules",
    )
    whatif.add_argument(
        "--db", type=as_location, required=True, help="call database, file or URL (read-only)"
    )
    whatif.add_argument(
        "--from", dest="start", type=_when, help="ISO time, from (UK local without a zone)"
    )
    whatif.add_argument("--to", dest="end", type=_when, help="ISO time, up to (not included)")
    whatif.add_argument(
        "--agents",
        type=_agents,
        action="append",
        default=[],
        metavar="QUEUE=N",
        help="agents on a queue all day (default: those the log shows answering it)",
    )
    whatif.add_argument(
        "--callbacks",
        choices=("on", "off"),
        help="offer callbacks (default: as the log, on if it offered any)",
    )
    whatif.add_argument(
        "--callback-above",
        type=_seconds,
        default=120.0,
        metavar="S",
        help="offer a callback to a caller told a wait above S seconds (default 120)",
    )
    whatif.add_argument(
        "--callback-acceptance",
        type=_share,
        metavar="SHARE",
        help="share of callers offered a callback who take it (default: the log's, else 0.5)",
    )
    whatif.add_argument(
        "--deflection",
        type=_share,
        default=0.0,
        metavar="SHARE",
        help="share of callers who take the online link instead of queueing (e.g. 0.2)",
    )
    whatif.add_argument("--rules", type=Path, help="a draft rules folder: re-route the calls")
    whatif.add_argument("--config", type=Path, help="TOML settings ([analysis] answer target)")
    whatif.add_argument(
        "--target",
        type=_seconds,
        metavar="S",
        help="answer target in seconds (default [analysis] answer_target_s)",
    )
    whatif.add_argument("--seed", type=int, default=SEED, help=f"first run's seed ({SEED})")
    whatif.add_argument(
        "--runs", type=_runs, default=RUNS, help=f"runs per scenario, averaged ({RUNS})"
    )
    whatif.set_defaults(run=cmd_whatif)


MAX_SPAN_DAYS = 366


def cmd_whatif(args: argparse.Namespace) -> int:
    period = Period(args.start, args.end)
    if period.start and period.end and period.start >= period.end:
        return _refuse("--from must be before --to")
    try:
        target = args.target or load_settings(args.config).analysis.answer_target_s
    except ConfigError as exc:
        return _refuse(str(exc))
    args.target = target
    try:
        log = read_queue_log(args.db, period)
        span_days = ((log.last or 0.0) - (log.first or 0.0)) / 86_400
        if span_days > MAX_SPAN_DAYS:
            # A stray time (a clock at 1970 or 9999) would have the fit walk every day.
            return _refuse(
                f"the log's queue joins span {span_days:,.0f} days; give --from and --to "
                f"(at most {MAX_SPAN_DAYS} days)"
            )
        demand = Demand.fit(log)
    except LogUnusable as exc:
        return _refuse(str(exc))
    except ValueError as exc:
        return _refuse(f"{describe(args.db)}: {exc}")
    agents = dict(args.agents)
    unknown = sorted(set(agents) - set(demand.queues))
    if unknown:
        known = ", ".join(sorted(demand.queues))
        return _refuse(f"--agents names no queue of the log: {', '.join(unknown)} (it has {known})")
    logged_callbacks = log.callback_offers > 0
    own = Scenario(callbacks=logged_callbacks, callback_above_s=args.callback_above)
    moves: dict[str, dict[str, float]] = {}
    if args.rules is not None:
        progress = ProgressLine(sys.stderr)
        try:
            routes, _ = replay_routes(args.db, args.rules, period, progress=progress)
        except BundleError as exc:
            for error in exc.errors:
                print(error, file=sys.stderr)
            return _refuse(f"{len(exc.errors)} error(s) in the rules folder {args.rules}")
        except LogUnreadable as exc:
            return _refuse(str(exc))
        progress.clear()
        moves = moves_for(log.calls, routes, set(demand.queues))
    scenario = Scenario(
        agents=agents,
        callbacks=logged_callbacks if args.callbacks is None else args.callbacks == "on",
        callback_above_s=args.callback_above,
        callback_acceptance=args.callback_acceptance,
        deflection=args.deflection,
        moves=moves,
    )
    changed = scenario != own
    baseline = simulate_runs(
        demand,
        own,
        runs=args.runs,
        seed=args.seed,
        target_s=args.target,
        progress=_progress("the log's settings"),
    )
    try:
        logged = logged_figures(
            args.db,
            analysis_reader.Period(period.start, period.end),
            sorted(demand.queues),
            args.target,
            ALL,
        )
    except analysis_reader.LogUnreadable as exc:
        return _refuse(str(exc))
    columns = [Column("log", logged), Column("simulated", baseline.figures)]
    if changed:
        result = simulate_runs(
            demand,
            scenario,
            runs=args.runs,
            seed=args.seed,
            target_s=args.target,
            progress=_progress("the scenario"),
        )
        columns.append(Column("scenario", result.figures))
    queues = [*sorted(demand.queues), ALL]
    print(_title(args, log.calls, demand, scenario, changed))
    print(table(columns, queues))
    if changed:
        print(_scenario_notes(result.deflected, result.rerouted_out, moves))
    print("fitted from the log:")
    print(fitted(demand))
    tolerance = Tolerance()
    misses = [
        miss
        for q in queues
        for miss in tolerance.misses(q, columns[0].figures[q], columns[1].figures[q])
    ]
    verdict = "reproduced" if not misses else "NOT reproduced"
    print(f"validation: the log's own settings simulated: {verdict} ({tolerance.describe()})")
    for miss in misses:
        print(f"  {miss}")
    return 0


def _title(
    args: argparse.Namespace,
    calls: list[QueuedCall],
    demand: Demand,
    scenario: Scenario,
    changed: bool,
) -> str:
    first = datetime.fromtimestamp(demand.first, LOCAL).strftime("%Y-%m-%d %H:%M")
    last = datetime.fromtimestamp(demand.last, LOCAL).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"ivr whatif: {describe(args.db)}, {len(calls):,} queued calls from {first} to {last};"
        f" {args.runs} runs from seed {args.seed}; target {args.target:g} s",
    ]
    if changed:
        parts = [f"{q}={n} agents" for q, n in sorted(scenario.agents.items())]
        parts.append(f"callbacks {'on' if scenario.callbacks else 'off'}")
        if scenario.deflection:
            parts.append(f"deflection {scenario.deflection:.0%}")
        if args.rules is not None:
            parts.append(f"rules {args.rules}")
        lines.append(f"scenario: {', '.join(parts)}")
    return "\n".join(lines) + "\n"


def _scenario_notes(deflected: float, rerouted: float, moves: dict[str, dict[str, float]]) -> str:
    lines = []
    if deflected:
        lines.append(f"deflected (not offered to a queue): {deflected:,.0f} per run")
    for queue, targets in moves.items():
        for target, share in targets.items():
            lines.append(f"the rules move {share:.1%} of {queue} to {target or 'no queue'}")
    if rerouted:
        lines.append(f"routed out of the queues: {rerouted:,.0f} per run")
    return "\n".join(lines) + "\n" if lines else ""


def _progress(what: str) -> Progress:
    def show(done: int, total: int) -> None:
        print(f"simulating {what}: run {done}/{total}", file=sys.stderr, flush=True)

    return show


def _refuse(message: str) -> int:
    print(f"ivr whatif: {message}", file=sys.stderr)
    return 2


def _when(text: str) -> datetime:
    try:
        return parse_uk_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _agents(text: str) -> tuple[str, int]:
    queue, sep, count = text.partition("=")
    try:
        n = int(count)
    except ValueError:
        n = -1
    if not sep or not queue.strip() or n < 0:
        raise argparse.ArgumentTypeError(f"not QUEUE=N (N a whole number >= 0): {text!r}")
    return queue.strip(), n


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"a share from 0 up to 1 (e.g. 0.2): {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"a positive number of seconds: {text!r}")
    return value


def _runs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"a whole number of runs from 1 to 1000: {text!r}")
    return value
