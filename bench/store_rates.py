"""Decisions and callbacks per second on SQLite and on PostgreSQL, on this machine.

.venv/bin/python bench/store_rates.py [--decisions 20000] [--callbacks 2000] [--db both]

Both engines as a deployment runs them: SQLite as shipped (WAL, synchronous=NORMAL: a
power cut may lose the last commits, never the file) in a temporary folder; PostgreSQL 15
from the installed binaries with its own defaults (fsync and synchronous commit on: every
commit is on disk), on a Unix socket.

- decisions/s, batched: through SqliteCallLog, the app's writer (its queue drained into
  one transaction per batch): N decisions over N/5 calls enqueued at once, then flushed.
- decisions/s, one by one: N/10 decisions, each flushed before the next (a quiet line:
  every decision its own transaction).
  Both (``decisions``) start their calls before the clock starts: only decisions are timed.
- callbacks/s: a whole callback through the book (ivr.queues.book.BookStore): accepted,
  its attempt begun, finished as answered; each step its own transaction, as the worker
  does them.
Progress on stderr; figures on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ivr.decisions import Decision
from ivr.queues.book import DONE, BookStore
from ivr.queues.model import Callback, Priority, QueueEntry
from ivr.store.log import SqliteCallLog
from tests.postgres import running_postgres

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
DECISION = Decision(
    "route",
    "rc",
    "intent-route",
    "report a crime that has happened",
    intent="crime_report",
    evidence={"said": "someone broke into my shed last night", "score": 0.91},
)
CALL_DECISIONS = 5  # decisions per call


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def decisions(location: str, count: int, *, flush_each: bool) -> float:
    """Decisions per second through SqliteCallLog, the app's writer: ``count`` decisions
    over calls of ``CALL_DECISIONS`` (the calls started before the clock starts), all
    enqueued at once then flushed (``flush_each`` false: one transaction per drained
    batch), or each flushed before the next (true: every decision its own transaction)."""
    log = SqliteCallLog(location, origin="bench")
    await log.open()
    writer = asyncio.create_task(log.run())
    try:
        run = "each" if flush_each else "batched"  # both runs write to one database
        calls = [f"{run}-{n // CALL_DECISIONS}" for n in range(count)]
        for call_id in dict.fromkeys(calls):
            log.call_started({"call_id": call_id, "channel_id": call_id, "started_at": "x"})
        await log.flush()
        started = time.perf_counter()
        for n, call_id in enumerate(calls):
            log.decision(call_id, START + timedelta(seconds=n), DECISION)
            if flush_each:
                await log.flush()
        await log.flush()
        return count / (time.perf_counter() - started)
    finally:
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer


def callbacks(location: str, count: int) -> float:
    book = BookStore(location)
    started = time.perf_counter()
    for n in range(count):
        call_id = f"cb{n}"
        entry = QueueEntry(
            call_id=call_id,
            queue="rc",
            priority=Priority.NORMAL,
            joined_at=float(n),
            callback=Callback(number="07700900123", accepted_at=float(n), promised_by=n + 3600.0),
        )
        book.accept(entry, float(n))
        book.begin_attempt(call_id, 1, "rc-1", f"chan-{n}", float(n))
        book.finish_attempt(call_id, 1, "answered", float(n), state=DONE)
    elapsed = time.perf_counter() - started
    book.close()
    return count / elapsed


@contextlib.contextmanager
def engines(which: str) -> Iterator[list[tuple[str, str]]]:
    """(name, location) of each engine asked for, in a temporary place."""
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        found = []
        if which in ("sqlite", "both"):
            found.append(("sqlite", str(Path(folder) / "bench.db")))
        if which in ("postgresql", "both"):
            progress("starting PostgreSQL 15 (durable: fsync and synchronous commit on)...")
            server = stack.enter_context(running_postgres(durable=True))
            found.append(("postgresql", server.url()))
        yield found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=20000)
    parser.add_argument("--callbacks", type=int, default=2000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    one_by_one = max(1, args.decisions // 10)
    print(f"{'engine':<11} {'decisions/s batched':>20} {'one by one':>11} {'callbacks/s':>12}")
    with engines(args.db) as found:
        for name, location in found:
            progress(f"{name}: {args.decisions} decisions batched...")
            batched = asyncio.run(decisions(location, args.decisions, flush_each=False))
            progress(f"{name}: {one_by_one} decisions one by one...")
            single = asyncio.run(decisions(location, one_by_one, flush_each=True))
            progress(f"{name}: {args.callbacks} callbacks...")
            rate = callbacks(location, args.callbacks)
            print(f"{name:<11} {batched:>20.0f} {single:>11.0f} {rate:>12.0f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
