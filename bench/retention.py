"""Retention on a force-sized call database: how long a purge takes, how long it blocks.

.venv/bin/python bench/retention.py [--calls-per-day 1500] [--days 430] [--events 20]

Builds a temporary database of ``--days`` days of calls (``--events`` events and
one decision each, a third with a sent text, caller history for every call),
then times with the default policy (numbers 30 days, records 400 days):

* the first purge, with the whole backlog due (a force switching retention on);
* the next day's purge (what the server does daily);
* the longest single write transaction of each, and what another connection
  writing every 20 ms meanwhile waited (the call log's writer, a callback being
  accepted or a text stored while the caller waits: those awaits are in the call);
* the database size before and after.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.store.db import CallStore, iso
from ivr.store.engine import SqliteDatabase
from ivr.store.retention import PurgeReport, Retention, RetentionPolicy

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
POLICY = RetentionPolicy(numbers_days=30, records_days=400)
KINDS = ("prompt", "dtmf", "speech", "barge-in", "dial", "connected")


def build(path: Path, per_day: int, days: int, events: int, seed: int = 3) -> int:
    rng = random.Random(seed)
    store = CallStore(path)
    assert isinstance(store.db, SqliteDatabase)  # a file: this bench measures SQLite's lock
    conn = store.db.conn
    total = 0
    for day in range(days, 0, -1):
        calls, evs, decisions, texts, history = [], [], [], [], []
        for i in range(per_day):
            at = NOW - timedelta(days=day, seconds=rng.randrange(86_400))
            stamp = iso(at)
            call_id = f"{day}-{i}"
            number = f"07700{rng.randrange(10**6):06d}"
            calls.append((call_id, call_id, number, "Caller Name", "101", stamp, "transferred"))
            for k in range(events):
                kind = KINDS[k % len(KINDS)]
                detail = {"digit": str(k % 10), "during": "menu"} if kind == "dtmf" else {"k": k}
                evs.append((call_id, stamp, kind, json.dumps(detail)))
            evidence = {"transcript": "someone has stolen my bike from outside the shop"}
            decisions.append((call_id, stamp, "transfer", "rc", json.dumps(evidence)))
            if i % 3 == 0:
                texts.append((f"r{call_id}", call_id, "+44" + number[1:], "survey", stamp))
            history.append((call_id, f"{rng.randrange(10**6):064d}", stamp, "transferred"))
        with store.db.transaction():  # one transaction a day (the connection autocommits)
            conn.executemany(
                "INSERT INTO calls (call_id, channel_id, caller_number, caller_name, dialled,"
                " started_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                calls,
            )
            conn.executemany(
                "INSERT INTO call_events (call_id, at, kind, detail) VALUES (?, ?, ?, ?)", evs
            )
            conn.executemany(
                "INSERT INTO decisions (call_id, at, action, destination, rule, reason,"
                " candidates, evidence, message, offers)"
                " VALUES (?, ?, ?, ?, 'r', '', '[]', ?, '', '[]')",
                decisions,
            )
            conn.executemany(
                "INSERT INTO sms_outbox (reference, call_id, to_number, body, kind, created_at,"
                " state, attempts) VALUES (?, ?, ?, 'How did we do?', ?, ?, 'sent', 1)",
                texts,
            )
            conn.executemany(
                "INSERT INTO caller_calls (call_id, pseudonym, at, outcome) VALUES (?, ?, ?, ?)",
                history,
            )
        total += per_day
        if day % max(1, days // 10) == 0:
            print(f"  built {days - day + 1}/{days} days", flush=True)
    store.close()
    return total


class Writer(threading.Thread):
    """Another connection writing every 20 ms, as the call log and the outbox do."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.waits: list[float] = []
        self.failures = 0
        self.done = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_writes (at REAL)")
        while not self.done.is_set():
            began = time.perf_counter()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO bench_writes VALUES (?)", [began])
                conn.execute("COMMIT")
                self.waits.append(time.perf_counter() - began)
            except sqlite3.OperationalError:
                self.failures += 1
            time.sleep(0.02)
        conn.close()


def timed_purge(path: Path, now: datetime) -> tuple[float, PurgeReport, Writer]:
    """Seconds for the whole purge, its report, and what a concurrent writer saw."""
    writer = Writer(path)
    writer.start()
    store = CallStore(path)
    began = time.perf_counter()
    report = Retention(store.db, POLICY).purge(now)
    elapsed = time.perf_counter() - began
    store.close()
    writer.done.set()
    writer.join()
    return elapsed, report, writer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls-per-day", type=int, default=1500)
    parser.add_argument("--days", type=int, default=430)
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "calls.db"
        began = time.perf_counter()
        print(f"building {args.days} days x {args.calls_per_day} calls ...", flush=True)
        calls = build(path, args.calls_per_day, args.days, args.events)
        size_before = path.stat().st_size / 1e6
        print(f"built {calls:,} calls in {time.perf_counter() - began:.0f} s, {size_before:.0f} MB")
        for label, now in (("first purge (backlog)", NOW), ("next day", NOW + timedelta(days=1))):
            elapsed, report, writer = timed_purge(path, now)
            waits = sorted(writer.waits) or [0.0]
            print(
                f"{label}: {elapsed:.2f} s, {report.total:,} rows changed in"
                f" {report.transactions:,} transactions,"
                f" longest lock {report.longest_hold_s * 1000:.0f} ms"
            )
            print(
                f"    another writer every 20 ms: {len(writer.waits):,} writes, wait p50"
                f" {waits[len(waits) // 2] * 1000:.1f} ms, p99"
                f" {waits[int(len(waits) * 0.99)] * 1000:.1f} ms, max {waits[-1] * 1000:.0f} ms,"
                f" {writer.failures} failed (database is locked)"
            )
            for step, n in report.counts.items():
                if n:
                    print(f"    {step}: {n:,}")
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"database {size_before:.0f} MB before; {path.stat().st_size / 1e6:.0f} MB after")
        print("(deleted pages are reused by new calls; VACUUM would return them to the disk)")


if __name__ == "__main__":
    main()
