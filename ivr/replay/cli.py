"""``ivr replay --db PATH --rules DIR``: what a draft ruleset would have done with logged calls.

The report alone goes to stdout; progress (decisions done / total, rate) goes to stderr.
Ctrl-C stops the replay between batches and still prints what it found so far. Exit
codes: 0 replayed, 2 the command line, the database or the rules folder is unusable
(rules errors are printed one per line, ``file:line: message``, as ``ivr rules check``
prints them).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ivr.clock import UK, parse_uk_time
from ivr.replay.replayer import Replayer, ReplaySink
from ivr.replay.report import FirstCalls, JsonReport, Sinks, TextReport
from ivr.replay.source import DecisionLog, LogUnreadable, Period
from ivr.routing.bundle import BundleError, load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.store.readonly import as_location, describe

LOCAL = UK
NAIVE_IS_LOCAL = "without a zone, UK local time (Europe/London), as ivr rules suggest --since"
SHOW = 20


def add_subcommands(subparsers: Any) -> None:
    replay = subparsers.add_parser(
        "replay", help="decide logged calls again under a draft rules folder; show what changes"
    )
    replay.add_argument(
        "--db", type=as_location, required=True, help="call database, file or URL (read-only)"
    )
    replay.add_argument("--rules", type=Path, required=True, help="the draft rules folder")
    replay.add_argument(
        "--from", dest="start", type=_when, help=f"ISO date or time, from; {NAIVE_IS_LOCAL}"
    )
    replay.add_argument(
        "--to",
        dest="end",
        type=_when,
        help=f"ISO date or time, up to (not included); {NAIVE_IS_LOCAL}",
    )
    replay.add_argument("--json", dest="json_file", type=Path, help="write every call here")
    replay.add_argument(
        "--show", type=_count, default=SHOW, help=f"changed calls printed (default {SHOW})"
    )
    replay.set_defaults(run=cmd_replay)


def cmd_replay(args: argparse.Namespace) -> int:
    period = Period(args.start, args.end)
    if period.start and period.end and period.start >= period.end:
        return _refuse("--from must be before --to")
    try:
        bundle = load_bundle(args.rules)
    except BundleError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return _refuse(f"{len(exc.errors)} error(s) in the rules folder {args.rules}")
    try:
        log = DecisionLog(args.db)
    except LogUnreadable as exc:
        return _refuse(str(exc))
    kept = FirstCalls(args.show)
    title = f"{describe(args.db)}, {_describe(period)}, under {args.rules} ({bundle.summary()})"
    progress = ProgressLine(sys.stderr)
    try:
        with log, _json_report(args.json_file) as written, _cancel_on_interrupt() as cancel:
            sink: ReplaySink = Sinks(kept, written) if written is not None else kept
            summary = Replayer(RoutingEngine(bundle)).run(
                log, period, sink, progress=progress, cancel=cancel
            )
            if written is not None:
                about = {"db": describe(args.db), "rules": str(args.rules), "title": title}
                written.finish(summary, about)
    except LogUnreadable as exc:
        return _refuse(str(exc), progress)
    except OSError as exc:  # the --json file: not writable, or the disk filled up
        return _refuse(f"cannot write {args.json_file}: {exc.strerror or exc}", progress)
    progress.clear()
    print(TextReport(summary, kept, title).render(), end="")
    return 0


class ProgressLine:
    """Decisions done / total and the rate, on stderr, at most once a second (on a
    terminal, one line rewritten in place)."""

    def __init__(self, stream: TextIO, every_s: float = 1.0) -> None:
        self.stream = stream
        self.every_s = every_s
        self.began = self.last = time.monotonic()
        self.live = stream.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every_s:
            return
        self.last = now
        rate = done / max(now - self.began, 1e-9)
        text = f"replayed {done:,}/{total:,} ({rate:,.0f}/s)"
        self.stream.write(f"\r{text}\033[K" if self.live else f"{text}\n")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.live and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


@contextlib.contextmanager
def _cancel_on_interrupt() -> Iterator[threading.Event]:
    """Ctrl-C sets the replay's cancel flag (it stops after the batch) instead of a traceback."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _json_report(path: Path | None) -> Iterator[JsonReport | None]:
    """The --json file's writer (None without one); OSError if it cannot be written."""
    if path is None:
        yield None
        return
    with path.open("w", encoding="utf-8") as out, tempfile.TemporaryFile("w+") as spool:
        yield JsonReport(out, spool)


def _describe(period: Period) -> str:
    start = period.start.isoformat() if period.start else "the first call"
    end = period.end.isoformat() if period.end else "the last"
    return f"from {start} to {end}"


def _refuse(message: str, progress: ProgressLine | None = None) -> int:
    if progress is not None:
        progress.clear()
    print(f"ivr replay: {message}", file=sys.stderr)
    return 2


def _when(text: str) -> datetime:
    try:
        return parse_uk_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value
