"""Caller history lookups against a large history: is the per-call lookup cheap enough?

.venv/bin/python bench/callers.py [--rows 100000] [--callers 20000] [--lookups 5000]

Builds a temporary SQLite database with ``--rows`` calls over 90 days from
``--callers`` pseudonyms (a long tail, a few heavy callers and one nuisance
caller with thousands of calls) plus flags, then times:

* writes: recording calls, one transaction each (as the app does);
* CallerHistory.profile() on its thread: random callers, the heaviest caller,
  unknown callers (p50 / p95 / p99 / max);
* CallerService.profile() awaited on the event loop (thread hop included),
  one at a time and 200 at once (a burst of calls arriving together);
* the query plans, to show both tables are read through their indexes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.callers.history import CallerHistory
from ivr.callers.model import CallerPolicy, CallRecord
from ivr.callers.pseudonym import Pseudonymiser
from ivr.callers.service import CallerService
from ivr.store.db import CallStore, iso
from ivr.store.engine import SqliteDatabase

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
POLICY = CallerPolicy()
KEY = "bench-key"


def number(n: int) -> str:
    return f"07700{n:06d}"


def build(path: Path, rows: int, callers: int, seed: int = 5) -> tuple[list[str], float]:
    """Fill the history; returns the numbers used and the seconds per recorded call."""
    rng = random.Random(seed)
    keyed = Pseudonymiser(KEY)
    store = CallStore(path)
    db = store.db
    assert isinstance(db, SqliteDatabase)  # a temporary SQLite file: its bulk insert
    history = CallerHistory(db)
    numbers = [number(n) for n in range(callers)]
    pseudonyms = [keyed.pseudonym(n) or "" for n in numbers]
    heavy = pseudonyms[:20]  # 20 frequent callers share 10% of the calls, one has 5%
    outcomes = ["transferred"] * 6 + ["abandoned"] * 2 + ["completed", "deflected"]
    batch = []
    for i in range(rows):
        if i % 20 == 0:
            p = pseudonyms[0]  # the nuisance caller
        elif i % 20 == 1:
            p = rng.choice(heavy)
        else:
            p = pseudonyms[int(rng.paretovariate(1.2)) % callers]
        start = NOW - timedelta(seconds=rng.uniform(0, 90 * 86400))
        outcome = rng.choice(outcomes)
        batch.append(
            (
                f"call-{i}",
                p,
                iso(start),
                outcome,
                "rc",
                iso(start + timedelta(minutes=4)),
                int(outcome == "abandoned"),
                None,
            )
        )
    with db.transaction():
        db.conn.executemany("INSERT INTO caller_calls VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)
        for i, p in enumerate(rng.sample(pseudonyms, min(2000, callers))):
            history.set_flag(
                p,
                ["vulnerable", "repeat-victim", "hate-incident", "nuisance"][i % 4],
                set_by="bench",
                reason="bench",
                at=NOW - timedelta(days=10),
                expires_at=NOW + timedelta(days=80),
            )
    writes = 500
    t0 = time.perf_counter()
    for i in range(writes):
        with db.transaction():
            history.record_call(
                pseudonyms[i % callers],
                CallRecord("", f"live-{i}", NOW, "transferred", "rc", ended_at=NOW),
            )
    per_write = (time.perf_counter() - t0) / writes
    db.execute("ANALYZE")
    store.close()
    return numbers, per_write


def timed(fn: Callable[[], object], times: int) -> list[float]:
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    q = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
    print(
        f"  {label:<38} n={len(ms):>5}  p50 {q[49]:.3f}  p95 {q[94]:.3f}"
        f"  p99 {q[98]:.3f}  max {ms[-1]:.3f} ms"
    )


async def through_service(path: Path, numbers: list[str], lookups: int) -> None:
    service = CallerService(str(path), Pseudonymiser(KEY), POLICY)
    await service.open()
    rng = random.Random(9)
    one = []
    for i in range(lookups):
        t0 = time.perf_counter()
        await service.profile(rng.choice(numbers), f"bench-{i}", NOW)
        one.append((time.perf_counter() - t0) * 1000)
    summary("service.profile (awaited, one at a time)", one)
    burst = []
    for _ in range(5):
        t0 = time.perf_counter()
        await asyncio.gather(
            *(service.profile(rng.choice(numbers), f"burst-{i}", NOW) for i in range(200))
        )
        burst.append((time.perf_counter() - t0) * 1000)
    print(f"  200 lookups at once: {statistics.median(burst):.1f} ms for the batch (median of 5)")
    await service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--callers", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "callers.db"
        t0 = time.perf_counter()
        numbers, per_write = build(path, args.rows, args.callers)
        print(
            f"history: {args.rows:,} calls from {args.callers:,} callers, 2,000 flags;"
            f" built in {time.perf_counter() - t0:.1f} s;"
            f" database {path.stat().st_size / 1e6:.1f} MB"
        )
        print(f"  record one call (own transaction, WAL): {per_write * 1000:.3f} ms")
        store = CallStore(path)
        history = CallerHistory(store.db)
        keyed = Pseudonymiser(KEY)
        rng = random.Random(3)
        known = [keyed.pseudonym(n) or "" for n in rng.sample(numbers, min(len(numbers), 2000))]
        heaviest = keyed.pseudonym(numbers[0]) or ""
        count = store.db.execute(
            "SELECT count(*) FROM caller_calls WHERE pseudonym = ?", [heaviest]
        ).fetchone()[0]
        stranger = hashlib.sha256(b"nobody").hexdigest()
        profile = history.profile(heaviest, "x", NOW, POLICY)
        print(
            f"  heaviest caller: {count:,} calls; flags now {sorted(profile.flags)},"
            f" {profile.recent_calls} in 7 days, {profile.calls_today} in 24 h"
        )
        print("lookups (CallerHistory.profile, on its thread):")
        summary(
            "random callers",
            timed(lambda: history.profile(rng.choice(known), "x", NOW, POLICY), args.lookups),
        )
        summary(
            f"heaviest caller ({count:,} calls)",
            timed(lambda: history.profile(heaviest, "x", NOW, POLICY), 500),
        )
        summary("unknown caller", timed(lambda: history.profile(stranger, "x", NOW, POLICY), 2000))
        summary("pseudonymise (HMAC-SHA256)", timed(lambda: keyed.pseudonym("07700900123"), 5000))
        print("query plans:")
        for sql in (
            "SELECT count(*) FROM caller_calls"
            " WHERE pseudonym = ? AND at >= ? AND at <= ? AND call_id != ?",
            "SELECT call_id FROM caller_calls WHERE pseudonym = ? AND at <= ?"
            " ORDER BY at DESC LIMIT 1",
            "SELECT flag FROM caller_flags WHERE pseudonym = ? AND cleared_at IS NULL",
        ):
            plan = store.db.execute(
                f"EXPLAIN QUERY PLAN {sql}", ["p", "a", "b", "c"][: sql.count("?")]
            ).fetchall()
            print(f"  {sql.split(' WHERE')[0][:40]:<40} {' / '.join(r[3] for r in plan)}")
        store.close()
        asyncio.run(through_service(path, numbers, min(args.lookups, 2000)))


if __name__ == "__main__":
    main()
