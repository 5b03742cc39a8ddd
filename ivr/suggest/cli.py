"""``ivr rules suggest``: what operators' moves say the rules should learn.

Reads the call database read-only (a running IVR may be writing it) and prints each
suggestion with its evidence; ``--json`` for the admin pages and scripts. Exit codes
as ``ivr route``: 0 fine, 1 the rules folder is invalid, 2 the command line, the
settings or the database are.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ivr.clock import UK
from ivr.config import load_settings
from ivr.routing.bundle import BundleError, load_bundle
from ivr.routing.intents import IntentMatcher
from ivr.store.readonly import as_location
from ivr.suggest.calls import PROGRESS_EVERY, CallLogError, CallLogReader
from ivr.suggest.miner import RulesInForce, SuggestionMiner
from ivr.suggest.model import Suggestion

LOCAL = UK
_SPAN = re.compile(r"^(\d+)([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class UsageError(ValueError):
    error_id = "suggest-usage"


def add_suggest(rules_sub: Any) -> None:
    """Register ``suggest`` under ``ivr rules``."""
    suggest = rules_sub.add_parser(
        "suggest", help="aliases and examples that operators' moves suggest, with the calls"
    )
    suggest.add_argument(
        "--db", type=as_location, required=True, help="the call database, file or URL (read-only)"
    )
    suggest.add_argument("--rules", type=Path, help="rules folder (default: the configured one)")
    suggest.add_argument(
        "--since",
        help="28d, 12h, 2w or an ISO date/time, without a zone UK local time (Europe/London),"
        " as ivr replay --from (default: [suggest] days)",
    )
    suggest.add_argument("--json", action="store_true", help="print the suggestions as JSON")
    suggest.add_argument("--config", type=Path, help="TOML settings as for `ivr serve`")
    suggest.set_defaults(run=cmd_rules_suggest)


def parse_since(value: str, now: datetime) -> datetime:
    """``28d`` back from ``now``, or an ISO date/time: UK local time unless it says
    otherwise (what an operator means by "since 1 July", and what ``ivr replay`` reads)."""
    span = _SPAN.match(value.strip())
    if span:
        return now - timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--since {value!r}: expected 28d, 12h, 2w or a date like 2026-11-01"
        ) from None
    at = at if at.tzinfo else at.replace(tzinfo=LOCAL)
    if at > now:
        raise UsageError(f"--since {value!r} is in the future")
    return at


def cmd_rules_suggest(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    settings = load_settings(args.config)  # ConfigError: ivr.cli prints it, exit 2
    try:
        since = (
            parse_since(args.since, now)
            if args.since
            else now - timedelta(days=settings.suggest.days)
        )
    except UsageError as exc:
        print(f"ivr rules suggest: {exc}", file=sys.stderr)
        return 2
    folder = args.rules or settings.routing.rules_dir
    try:
        bundle = load_bundle(folder)
    except BundleError as exc:
        print(f"ivr rules suggest: the rules in {folder or 'routing_rules/'} are invalid:",
              file=sys.stderr)  # fmt: skip
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    intents = bundle.intents.intents if isinstance(bundle.intents, IntentMatcher) else ()
    miner = SuggestionMiner(RulesInForce(bundle.directory, intents), settings.suggest)
    try:
        reader = CallLogReader(args.db)
        try:
            calls = list(reader.calls(since, now, _progress))
        finally:
            reader.close()
    except CallLogError as exc:
        print(f"ivr rules suggest: {exc}", file=sys.stderr)
        return 2
    if len(calls) >= PROGRESS_EVERY:
        print(f"ivr rules suggest: mining {len(calls)} calls", file=sys.stderr, flush=True)
    suggestions = miner.suggest(calls)
    if args.json:
        print(json.dumps(_as_json(suggestions, len(calls), since, now), ensure_ascii=False))
    else:
        print(_as_text(suggestions, len(calls), since))
    return 0


def _progress(read: int) -> None:
    print(f"ivr rules suggest: {read} calls read", file=sys.stderr, flush=True)


def _as_json(
    suggestions: list[Suggestion], calls: int, since: datetime, until: datetime
) -> dict[str, Any]:
    return {
        "since": since.isoformat(timespec="seconds"),
        "until": until.isoformat(timespec="seconds"),
        "calls": calls,
        "suggestions": [s.to_json() for s in suggestions],
    }


def _as_text(suggestions: list[Suggestion], calls: int, since: datetime) -> str:
    when = since.isoformat(timespec="minutes")
    if not suggestions:
        return f"no suggestions from {calls} calls since {when}"
    lines = [f"{len(suggestions)} suggestion(s) from {calls} calls since {when}:"]
    for number, suggestion in enumerate(suggestions, 1):
        first, last = suggestion.period
        lines += [
            f"{number}. {suggestion.headline}",
            f"   why: {suggestion.why}",
            f"   moved: {first} .. {last}",
        ]
        lines += [
            f"   {c.call_id}  {c.at}  {c.source or '-'} -> {c.destination}  {c.said!r}"
            for c in suggestion.calls
        ]
    return "\n".join(lines)
