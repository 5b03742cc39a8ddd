"""``ivr store purge``: apply the retention policy now (the server also does it daily).

Safe beside a running server: the purge works in small write transactions, and
the server's writers wait their turn on the busy timeout.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.config import load_settings
from ivr.store.db import CallStore
from ivr.store.engine import is_postgres, redact
from ivr.store.retention import Retention


def add_subcommands(subparsers: Any) -> None:
    store = subparsers.add_parser("store", help="the call database: retention")
    actions = store.add_subparsers(dest="store_command", required=True)
    purge = actions.add_parser(
        "purge", help="blank numbers and delete calls older than the retention policy allows"
    )
    purge.add_argument("--config", type=Path, help="TOML settings file (env IVR_* wins)")
    purge.add_argument(
        "--db", help="call database: a file or a postgresql:// URL (default: [store] db)"
    )
    purge.set_defaults(run=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    path = args.db or settings.store.db_path
    if not is_postgres(path) and not Path(path).exists():  # never create one to purge
        print(f"ivr store purge: no database at {path}", file=sys.stderr)
        return 2
    policy = settings.store.retention.with_audit(settings.console.audit_days)
    print(
        f"{redact(path)}: numbers kept {policy.numbers_days:g} days, records"
        f" {policy.records_days:g} days, the console's audit {policy.audit_days:g} days",
        file=sys.stderr,
    )
    live = sys.stderr.isatty()

    def progress(step: str, n: int) -> None:
        if live:
            print(f"\r  {step}: {n}\033[K", end="", file=sys.stderr, flush=True)

    began = time.monotonic()
    store = CallStore(path)
    try:
        report = Retention(store.db, policy).purge(datetime.now(UTC), progress)
    finally:
        store.close()
    if live:
        print("\r\033[K", end="", file=sys.stderr)
    for step, n in report.counts.items():
        if n:
            print(f"{step}: {n}")
    print(
        f"done in {time.monotonic() - began:.1f} s: {report.total} rows changed,"
        f" longest lock {report.longest_hold_s * 1000:.0f} ms"
    )
    return 0
