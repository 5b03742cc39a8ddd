"""``ivr report`` (one self-contained HTML file), ``ivr export`` (CSV per interval) and
``ivr analysis-copy`` (the database without personal data, for Datasette).

Both read the call database read-only and stream it; progress (calls read / total, rate)
goes to stderr. Exit codes: 0 written, 2 the command line, the settings, the database or
the output file is unusable (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TextIO

from ivr.analysis.export import write_csv
from ivr.analysis.intervals import BadInterval, Grid, IntervalCollector, parse_interval
from ivr.analysis.journey import CallJourney
from ivr.analysis.kpis import LOCAL, KpiCollector
from ivr.analysis.origins import origin_figures
from ivr.analysis.reader import CallLogSource, LogUnreadable, Period
from ivr.analysis.report import ReportInput, render
from ivr.analysis.safe_copy import AnalysisCopy, CopyRefused
from ivr.analysis.settings import AnalysisSettings
from ivr.analysis.stored import callback_figures, chat_figures, text_figures
from ivr.clock import parse_uk_time
from ivr.config import ConfigError, load_settings
from ivr.store.readonly import as_location, name_of


def add_subcommands(subparsers: Any) -> None:
    report = subparsers.add_parser("report", help="the force's figures as one HTML file")
    _common(report)
    report.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    report.set_defaults(run=cmd_report)
    export = subparsers.add_parser(
        "export", help="CSV per interval and queue for workforce planning (Erlang C)"
    )
    _common(export)
    export.add_argument("--interval", default="15m", help="15m (default), 30m, 1h ...")
    export.add_argument("--out", type=Path, help="the CSV file (default: stdout)")
    export.set_defaults(run=cmd_export)
    copy = subparsers.add_parser(
        "analysis-copy",
        help="a copy of the call database without personal data (for Datasette)",
    )
    copy.add_argument(
        "--db", type=as_location, required=True, help="call database, file or URL (read-only)"
    )
    copy.add_argument("--out", type=Path, required=True, help="the copy (a new file)")
    copy.set_defaults(run=cmd_analysis_copy)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=as_location, required=True, help="call database, file or URL (read-only)"
    )
    parser.add_argument("--from", dest="start", type=_when, help="date or ISO time (UK local)")
    parser.add_argument("--to", dest="end", type=_when, help="date or ISO time, not included")
    parser.add_argument("--config", type=Path, help="TOML settings ([analysis] answer target)")
    parser.add_argument(
        "--target", type=float, help="answer target in seconds (default [analysis])"
    )


def cmd_report(args: argparse.Namespace) -> int:
    return _run("report", args, _report)


def cmd_export(args: argparse.Namespace) -> int:
    return _run("export", args, _export)


def cmd_analysis_copy(args: argparse.Namespace) -> int:
    try:
        done = AnalysisCopy(args.db, args.out).write()
    except CopyRefused as exc:
        return _refuse("analysis-copy", str(exc))
    except OSError as exc:
        return _refuse("analysis-copy", f"cannot write {args.out}: {exc.strerror or exc}")
    left_out = ", ".join(done.dropped) or "none"
    print(f"ivr analysis-copy: {done.calls:,} calls → {args.out} (tables left out: {left_out})")
    return 0


def _run(name: str, args: argparse.Namespace, work: Any) -> int:
    period = Period(args.start, args.end)
    if period.start and period.end and period.start >= period.end:
        return _refuse(name, "--from must be before --to")
    try:
        settings = load_settings(args.config).analysis
        if args.target is not None:
            if not args.target > 0:
                return _refuse(name, "--target must be a positive number of seconds")
            settings = AnalysisSettings(args.target, settings.service_level_goal)
        with CallLogSource(args.db) as log:
            code = int(work(args, log, period, settings))
            if log.damage.total:
                print(
                    f"ivr {name}: skipped {log.damage.calls:,} unreadable calls and"
                    f" {log.damage.events:,} unreadable events (a damaged database?)",
                    file=sys.stderr,
                )
            return code
    except (ConfigError, LogUnreadable, BadInterval) as exc:
        return _refuse(name, str(exc))
    except OSError as exc:
        where = args.out or "the output"
        return _refuse(name, f"cannot write {where}: {exc.strerror or exc}")


def _report(
    args: argparse.Namespace, log: CallLogSource, period: Period, settings: AnalysisSettings
) -> int:
    collector = KpiCollector(target_s=settings.answer_target_s)
    for journey in _with_progress(log, period, sys.stderr):
        collector.add(journey)
    kpis = collector.figures()
    data = ReportInput(
        title=f"ivr101: calls in {name_of(args.db)}",
        period=_describe(period),
        kpis=kpis,
        callbacks=callback_figures(log, period),
        texts=text_figures(log, period),
        goal=settings.service_level_goal,
        chat=chat_figures(log, period, kpis.chat),
        origins=origin_figures(log, period),
    )
    args.out.write_text(render(data), encoding="utf-8")
    print(f"ivr report: {data.kpis.calls:,} calls → {args.out}", file=sys.stderr)
    return 0


def _export(
    args: argparse.Namespace, log: CallLogSource, period: Period, settings: AnalysisSettings
) -> int:
    collector = IntervalCollector(
        _grid(log, period, parse_interval(args.interval)), settings.answer_target_s
    )
    for journey in _with_progress(log, period, sys.stderr):
        collector.add(journey)
    if collector.outside:
        print(
            f"ivr export: {collector.outside:,} queue places outside the period's"
            " intervals left out (a call going on past --to, or a damaged time)",
            file=sys.stderr,
        )
    if args.out is None:
        write_csv(collector.rows(), sys.stdout)
        return 0
    with args.out.open("w", encoding="utf-8", newline="") as out:
        rows = write_csv(collector.rows(), out)
    print(f"ivr export: {rows:,} rows → {args.out}", file=sys.stderr)
    return 0


OPEN_DAYS = 31  # without --from and --to, the longest span of calls exported


def _grid(log: CallLogSource, period: Period, minutes: int) -> Grid:
    """The period's intervals; an open side is the local midnight of the calls' first
    (or after their last) day, so a stray time cannot stretch the rows."""
    if period.start is not None and period.end is not None:
        return Grid(period.start, period.end, minutes)
    calls = log.started_range(period)
    if calls is None:  # no calls: no rows
        at = period.start or period.end or datetime.now(LOCAL)
        return Grid(at, at, minutes)
    refusal = f"give --from and --to (up to {OPEN_DAYS} days of calls are exported without)"
    try:
        start = period.start or _midnight(calls[0])
        end = period.end or _midnight(calls[1]) + timedelta(days=1)
    except OverflowError:  # a stray time at the end of the calendar
        raise BadInterval(f"the calls reach year {calls[1].year}: {refusal}") from None
    if end - start > timedelta(days=OPEN_DAYS):
        raise BadInterval(f"the calls span {(end - start).days} days: {refusal}")
    return Grid(start, end, minutes)


def _midnight(when: datetime) -> datetime:
    return datetime.combine(when.astimezone(LOCAL).date(), clock_time(), tzinfo=LOCAL)


def _with_progress(log: CallLogSource, period: Period, stream: TextIO) -> Iterator[CallJourney]:
    """The journeys, with "read N/total (rate/s)" on stderr at most every 2 s."""
    total = log.count(period)
    began = last = time.monotonic()
    live = stream.isatty()
    for done, journey in enumerate(log.journeys(period), start=1):
        yield journey
        if done % 1000 == 0 and (now := time.monotonic()) - last >= 2.0:
            last = now
            text = f"read {done:,}/{total:,} calls ({done / (now - began):,.0f}/s)"
            stream.write(f"\r{text}\033[K" if live else f"{text}\n")
            stream.flush()
    if live:
        stream.write("\r\033[K")


def _describe(period: Period) -> str:
    start = period.start.isoformat() if period.start else "the first call"
    end = period.end.isoformat() if period.end else "the last"
    return f"Calls from {start} to {end} (hours and days in UK time)."


def _refuse(name: str, message: str) -> int:
    print(f"ivr {name}: {message}", file=sys.stderr)
    return 2


def _when(text: str) -> datetime:
    try:
        return parse_uk_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
