"""``ivr callers flag|unflag|show NUMBER``: operators' view of caller history.

The number is pseudonymised with IVR_CALLER_KEY exactly as the server does,
so the key must be the server's: without it a flag would be set against a
pseudonym no call will ever have, so the commands refuse to run.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ivr.callers.history import CallerHistory
from ivr.callers.model import FLAG_PATTERN, KNOWN_FLAGS
from ivr.callers.pseudonym import Pseudonymiser, normalise_number
from ivr.config import Settings, load_settings
from ivr.store.db import CallStore, write_transaction
from ivr.store.engine import make_room

DEFAULT_DAYS = 90  # flags lapse unless renewed: a flag is personal data, kept no longer than needed


def add_subcommands(subparsers: Any) -> None:
    callers = subparsers.add_parser(
        "callers", help="caller history: flag, unflag and show callers (by pseudonymised number)"
    )
    actions = callers.add_subparsers(dest="callers_command", required=True)

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("number", help="the caller's number, any usual form (07..., +44...)")
        parser.add_argument("--config", type=Path, help="TOML settings file (env IVR_* wins)")
        parser.add_argument(
            "--db",
            help="call database, a file or a postgresql:// URL (default: the settings' [store] db)",
        )

    flag = actions.add_parser("flag", help="set a flag (vulnerable, repeat-victim, ...)")
    common(flag)
    flag.add_argument("--flag", required=True, type=_flag_name, help=_flags_help())
    flag.add_argument("--reason", required=True, help="why (kept with the flag, for audit)")
    flag.add_argument(
        "--days", type=_days, default=DEFAULT_DAYS, help=f"lapses after (default {DEFAULT_DAYS})"
    )
    flag.add_argument("--by", default=_user(), help="who sets it (default: the login name)")
    flag.set_defaults(run=cmd_flag)

    unflag = actions.add_parser("unflag", help="clear a flag (kept in the audit trail)")
    common(unflag)
    unflag.add_argument("--flag", required=True, type=_flag_name, help=_flags_help())
    unflag.add_argument("--by", default=_user(), help="who clears it (default: the login name)")
    unflag.set_defaults(run=cmd_unflag)

    show = actions.add_parser("show", help="flags in force and recent calls")
    common(show)
    show.add_argument("--calls", type=int, default=10, help="how many recent calls to list")
    show.set_defaults(run=cmd_show)


def cmd_flag(args: argparse.Namespace) -> int:
    opened = _open(args)
    if opened is None:
        return 2
    history, pseudonym, _ = opened
    now = datetime.now(UTC)
    with write_transaction(history.db):
        history.set_flag(
            pseudonym,
            args.flag,
            set_by=args.by,
            reason=args.reason,
            at=now,
            expires_at=now + timedelta(days=args.days),
        )
    print(f"{args.flag} set for {_short(pseudonym)} until {_day(now + timedelta(days=args.days))}")
    history.db.close()
    return 0


def cmd_unflag(args: argparse.Namespace) -> int:
    opened = _open(args)
    if opened is None:
        return 2
    history, pseudonym, _ = opened
    with write_transaction(history.db):
        cleared = history.clear_flag(pseudonym, args.flag, cleared_by=args.by, at=datetime.now(UTC))
    history.db.close()
    if not cleared:
        print(f"{_short(pseudonym)} has no {args.flag} flag in force", file=sys.stderr)
        return 1
    print(f"{args.flag} cleared for {_short(pseudonym)}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    opened = _open(args)
    if opened is None:
        return 2
    history, pseudonym, settings = opened
    now = datetime.now(UTC)
    policy = settings.callers.policy
    # "show" asks as a new call would now: counts include that call, as the rules see them.
    profile = history.profile(pseudonym, "", now, policy)
    flags = history.flags(pseudonym, now)
    calls = history.calls(pseudonym, args.calls)
    history.db.close()
    print(f"caller {_short(pseudonym)}")
    print(f"  flags now: {', '.join(sorted(profile.flags)) or 'none'}")
    print(
        f"  calls in {settings.callers.repeat_days:g} days: {profile.recent_calls - 1};"
        f" in 24 hours: {profile.calls_today - 1}"
    )
    for row in flags:
        until = _day(datetime.fromisoformat(row["expires_at"])) if row["expires_at"] else "never"
        print(
            f"  flag {row['flag']}: set by {row['set_by']} on {_day(row['set_at'])}"
            f" until {until}: {row['reason']}"
        )
    for row in calls:
        link = f" (re-dial of {row['linked_call_id']})" if row["linked_call_id"] else ""
        print(f"  call {row['at'][:16]} {row['outcome']} {row['destination'] or '-'}{link}")
    if not calls:
        print("  no calls in history")
    return 0


def _open(args: argparse.Namespace) -> tuple[CallerHistory, str, Settings] | None:
    settings = load_settings(args.config)
    if not settings.callers.key:
        print(
            "ivr callers: set IVR_CALLER_KEY to the server's key (without it no pseudonym matches)",
            file=sys.stderr,
        )
        return None
    if normalise_number(args.number) is None:
        print(f"ivr callers: {args.number!r} is not a caller's number", file=sys.stderr)
        return None
    pseudonym = Pseudonymiser(settings.callers.key).pseudonym(args.number)
    assert pseudonym is not None  # normalise_number said it is a number
    path = args.db or settings.store.db_path
    make_room(path)
    return CallerHistory(CallStore(path).db), pseudonym, settings


def _flag_name(text: str) -> str:
    if not re.match(FLAG_PATTERN, text):
        raise argparse.ArgumentTypeError(f"not a flag name: {text!r} (lower case, digits, -)")
    return text


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"--days must be a whole number >= 1, not {text!r}")
    return days


def _flags_help() -> str:
    return f"one of {', '.join(sorted(KNOWN_FLAGS))}, or another the rules name"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "cli"


def _short(pseudonym: str) -> str:
    """Enough of the pseudonym to tell callers apart on screen; never the number."""
    return pseudonym[:12]


def _day(at: datetime | str) -> str:
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
