"""``ivr report`` and ``ivr export`` on a year of a large force's calls: seconds, peak memory.

    .venv/bin/python bench/analysis.py [--calls 1000000] [--db /tmp/bench-analysis.db]

The log is made in the stored shape by the real writer: a few template calls are
written through ``CallStore`` (call_started, add_event, add_decision, call_updated),
read back, and copied in bulk with new ids and times spread over a year (weekday
and time-of-day peaks), so the rows cannot drift from what the app writes. Each
command then runs in a child process (its own peak RSS, from getrusage).
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ivr.decisions import Decision
from ivr.store.db import CallStore, iso

YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
Ev = tuple[float, str, dict[str, Any]]


def _keyed(destination: str, digit: str) -> Decision:
    inputs = {"digits": digit, "heard": [], "attempt": 1, "question": ["main_menu"]}
    return Decision("route", destination, "keypad", f"caller pressed {digit}",
                    evidence={"digits": digit, "inputs": inputs})  # fmt: skip


def _steps(*names: str) -> list[Ev]:
    return [(i * 2.0, "step", {"step": n}) for i, n in enumerate(names)]


def _queue(queue: str, wait: float, talk: float | None) -> list[Ev]:
    events: list[Ev] = [(10, "queue-joined", {"queue": queue, "priority": 2, "position": 3})]
    events.append((11, "queue-announced", {"position": 3, "wait_s": 240}))
    if talk is None:
        return [*events, (10 + wait, "queue-abandoned", {"queue": queue, "waited_s": wait})]
    return [
        *events,
        (9 + wait, "dial", {"destination": queue, "endpoint": "PJSIP/a1", "agent": "a1"}),
        (10 + wait, "connected", {"destination": queue, "leg": "leg-1.a1", "agent": "a1"}),
        (10 + wait + talk, "agent-hung-up", {"destination": queue}),
    ]


# (outcome, destination, last step, duration, events, decisions): a 101 line's mix.
TEMPLATES: list[tuple[str, str, str, float, list[Ev], list[tuple[float, Decision]]]] = [
    ("transferred", "rc", "queue:rc", 520, _steps("answer", "play:welcome", "route:main_menu")
     + _queue("rc", 180, 330), [(6, _keyed("rc", "1"))]),
    ("transferred", "fcr", "queue:fcr", 700, _steps("answer", "play:welcome", "route:main_menu")
     + _queue("fcr", 400, 290), [(6, _keyed("fcr", "2"))]),
    ("abandoned", "rc", "queue:rc", 250, _steps("answer", "play:welcome", "route:main_menu")
     + _queue("rc", 240, None), [(6, _keyed("rc", "1"))]),
    ("abandoned", "", "play:welcome", 4, _steps("answer", "play:welcome"), []),
    ("deflected", "online", "hangup:online_sms_sent", 40,
     [*_steps("answer", "play:welcome", "route:main_menu", "offer-link"),
      (20, "link-offered", {}), (30, "deflected", {"channel": "sms-link"})],
     [(6, _keyed("online", "5"))]),
]  # fmt: skip


def templates() -> list[tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """The template calls as the writer stores them: (call row, event rows, decision rows)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = CallStore(Path(tmp) / "t.db")
        t0 = YEAR_START
        for n, (outcome, dest, last, duration, events, decisions) in enumerate(TEMPLATES):
            cid = f"T{n}"
            first = {"call_id": cid, "channel_id": cid, "caller_number": "07700900001",
                     "caller_name": "", "dialled": "101", "started_at": iso(t0),
                     "outcome": "in-progress", "last_step": "start", "destination": ""}  # fmt: skip
            store.call_started(first)
            for at, decision in decisions:
                store.add_decision(cid, iso(t0 + timedelta(seconds=at)), decision.to_json())
            for at, kind, detail in [*events, (duration, "ended", {"outcome": outcome})]:
                store.add_event(cid, iso(t0 + timedelta(seconds=at)), kind, detail)
            by = "caller" if outcome == "abandoned" else "app"
            ended = iso(t0 + timedelta(seconds=duration))
            ending = {"ended_at": ended, "duration_s": duration, "outcome": outcome,
                      "destination": dest, "last_step": last, "ended_by": by}  # fmt: skip
            store.call_updated(cid, ending)
        db = store.db
        out = []
        for n in range(len(TEMPLATES)):
            cid = f"T{n}"
            call = db.execute("SELECT * FROM calls WHERE call_id = ?", [cid]).fetchone()
            events = db.execute(
                "SELECT call_id, at, kind, detail FROM call_events WHERE call_id = ? ORDER BY id",
                [cid],
            ).fetchall()
            decisions = db.execute(
                "SELECT * FROM decisions WHERE call_id = ? ORDER BY id", [cid]
            ).fetchall()
            out.append((call, events, decisions))
        store.close()
    return out


def _offset(at: str) -> float:
    return (datetime.fromisoformat(at) - YEAR_START).total_seconds()


def generate(path: Path, calls: int, seed: int = 14) -> None:
    rng = random.Random(seed)
    CallStore(path).close()  # the schema, migrated
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    shapes = templates()
    weights = [30, 25, 15, 10, 20]
    spacing = 365 * 86400 / calls
    began = time.monotonic()
    batch_calls: list[Any] = []
    batch_events: list[Any] = []
    batch_decisions: list[Any] = []
    for n in range(calls):
        call, events, decisions = rng.choices(shapes, weights)[0]
        second = n * spacing
        hour_shift = rng.gauss(0, 3600 * 3)  # bunch around the day's middle
        start = YEAR_START + timedelta(seconds=second + hour_shift)
        cid = f"b{n}"

        def at(text: str, start: datetime = start) -> str:
            return iso(start + timedelta(seconds=_offset(text)))

        row = list(call)
        row[0] = row[1] = cid
        for i in (5, 6, 7):  # started_at, answered_at, ended_at
            row[i] = at(row[i]) if row[i] else row[i]
        batch_calls.append(row)
        batch_events.extend((cid, at(e[1]), e[2], e[3]) for e in events)
        batch_decisions.extend((None, cid, at(d[2]), *d[3:]) for d in decisions)
        if len(batch_calls) >= 20_000 or n == calls - 1:
            _flush(db, batch_calls, batch_events, batch_decisions)
            batch_calls, batch_events, batch_decisions = [], [], []
            print(f"generated {n + 1:,} calls ({time.monotonic() - began:.0f} s)", file=sys.stderr)
    db.close()


def _flush(
    db: sqlite3.Connection, calls: list[Any], events: list[Any], decisions: list[Any]
) -> None:
    with db:
        db.executemany(f"INSERT INTO calls VALUES ({','.join('?' * len(calls[0]))})", calls)
        db.executemany(
            "INSERT INTO call_events (call_id, at, kind, detail) VALUES (?,?,?,?)", events
        )
        if decisions:
            marks = ",".join("?" * len(decisions[0]))
            db.executemany(f"INSERT INTO decisions VALUES ({marks})", decisions)


def timed(argv: list[str]) -> tuple[float, float]:
    """Seconds and the child's peak RSS (MB) of ``ivr ARGV``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "ivr.cli", *argv], check=True)
    seconds = time.monotonic() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-analysis.db"))
    parser.add_argument("--keep", action="store_true", help="reuse --db if it exists")
    args = parser.parse_args()
    if not (args.keep and args.db.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        began = time.monotonic()
        generate(args.db, args.calls)
        print(f"generated in {time.monotonic() - began:.0f} s", file=sys.stderr)
    size = args.db.stat().st_size / 2**20
    out = args.db.with_suffix(".html")
    report = timed(["report", "--db", str(args.db), "--out", str(out)])
    # The export asks for a period past 31 days: the generated year, UK days.
    year = ["--from", "2026-01-01", "--to", "2027-01-02"]
    export = timed(["export", "--db", str(args.db), "--interval", "15m", *year,
                    "--out", str(args.db.with_suffix(".csv"))])  # fmt: skip
    print(f"{args.calls:,} calls, database {size:,.0f} MB")
    print(f"ivr report: {report[0]:.1f} s, peak RSS {report[1]:.0f} MB")
    print(f"ivr export: {export[0]:.1f} s, peak RSS {export[1]:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
