"""``ivr route`` and ``ivr rules check``: try the routing brain from a shell.

Admins test a rules change before publishing it: ``ivr rules check DIR``
validates every file of the folder together, and ``ivr route --rules DIR``
shows what a caller's words (or keys) would do at a given time, with the
rule and the reason, exactly as the live engine would decide.

Both read the settings ``ivr serve`` reads (``--config``, then ``IVR_*``): a rule's
``message`` is checked against the force's ``[prompts] catalogue``, and without a folder
the configured ``rules_dir`` is the one checked, so the tools never pass rules that
``ivr serve`` refuses, nor refuse rules it plays. Exit codes: 0 fine, 1 the rules (or the
catalogue) are invalid, 2 the command line or the settings are.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ivr.config import Settings, load_settings
from ivr.decisions import Decision, Hypothesis
from ivr.prompts import CatalogueError, PromptCatalogue
from ivr.routing.bundle import BundleError, RoutingBundle, load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import CallerContext, Override, RoutingInputs
from ivr.rulesets.cli import add_rules_subcommands
from ivr.suggest.cli import add_suggest

LONDON = "Europe/London"


class UsageError(ValueError):
    error_id = "route-usage"


def add_subcommands(subparsers: Any) -> None:
    """Register ``route`` and ``rules check`` on the ``ivr`` parser (sets ``run``)."""
    route = subparsers.add_parser(
        "route", help="show the routing decision for an utterance or keys (stdin: one per line)"
    )
    route.add_argument("--text", help="what the caller said (omit to read lines from stdin)")
    route.add_argument("--digits", help="keys pressed, e.g. 1 or 4218734#24")
    route.add_argument("--caller", default="", help="caller's number")
    route.add_argument(
        "--flag", action="append", default=[], help="caller flag: repeat, vulnerable, nuisance"
    )
    route.add_argument("--recent-calls", type=int, default=0)
    route.add_argument("--at", help="ISO time, e.g. 2026-12-25T10:00 (local UK time); default now")
    route.add_argument("--rules", type=Path, help="rules folder (missing files: shipped ones)")
    route.add_argument(
        "--wait", action="append", default=[], metavar="DEST=MIN", help="queue wait, minutes"
    )
    route.add_argument(
        "--override", action="append", default=[], metavar="FROM=TO", help="operator divert"
    )
    route.add_argument("--attempt", type=int, default=1)
    route.add_argument("--dialled", default="101")
    route.add_argument("--json", action="store_true", help="print the Decision as JSON")
    _add_config(route)
    route.set_defaults(run=cmd_route)

    rules = subparsers.add_parser("rules", help="routing rules tools")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_sub.add_parser("check", help="validate a rules folder; errors as file:line")
    check.add_argument(
        "folder", nargs="?", type=Path, help="default: the configured one, else the shipped one"
    )
    _add_config(check)
    check.set_defaults(run=cmd_rules_check)
    add_rules_subcommands(rules_sub)  # history, diff, publish, rollback (ivr.rulesets)
    add_suggest(rules_sub)


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        help="TOML settings as for `ivr serve` (env IVR_* wins): its prompt catalogue and rules",
    )


def cmd_rules_check(args: argparse.Namespace) -> int:
    """Everything a publish would refuse: every file's errors, and messages with no prompt."""
    from ivr.queues.model import DEFAULT_QUEUES_FILE, QueuesConfigError
    from ivr.queues.queues_yaml import load_queues_config

    settings = load_settings(args.config)  # ConfigError: ivr.cli prints it, exit 2
    folder: Path | None = args.folder or settings.routing.rules_dir
    queues_file = folder / "queues.yaml" if folder and (folder / "queues.yaml").exists() else None
    try:
        bundle = load_bundle(folder, _catalogue_ids(settings))
        queues = load_queues_config(queues_file or DEFAULT_QUEUES_FILE)
    except (BundleError, CatalogueError, QueuesConfigError) as exc:
        return _print_errors(exc.errors)
    print(f"OK: {bundle.summary()}, {len(queues.queues)} queues ({folder or bundle.source})")
    return 0


def _catalogue_ids(settings: Settings) -> tuple[str, ...]:
    """The prompt ids a rule's ``message`` may name: the catalogue ``ivr serve`` plays from."""
    return PromptCatalogue.load(settings.prompts.catalogue).ids


def _print_errors(errors: list[str]) -> int:
    for error in errors:
        print(error)
    print(f"{len(errors)} error(s)", file=sys.stderr)
    return 1


def cmd_route(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    try:
        at = _parse_at(args.at)
        waits = _pairs(args.wait, "--wait", number=True)
        overrides = tuple(
            Override(src, str(dst), "ivr route --override")
            for src, dst in _pairs(args.override, "--override").items()
        )
        if args.attempt < 1 or args.recent_calls < 0:
            raise UsageError("--attempt must be >= 1 and --recent-calls >= 0")
    except UsageError as exc:
        print(f"ivr route: {exc}", file=sys.stderr)
        return 2
    settings = load_settings(args.config)  # ConfigError: ivr.cli prints it, exit 2
    rules: Path | None = args.rules or settings.routing.rules_dir
    try:
        bundle = load_bundle(rules, _catalogue_ids(settings))
    except (BundleError, CatalogueError) as exc:  # as `ivr rules check`: the rules, exit 1
        print(f"ivr route: the rules in {rules or 'routing_rules/'} are invalid:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    engine = RoutingEngine(bundle)
    caller = CallerContext(args.caller, frozenset(args.flag), args.recent_calls)

    def inputs(text: str | None, digits: str | None) -> RoutingInputs:
        return RoutingInputs(
            at=at,
            hypotheses=(Hypothesis(text),) if text else (),
            digits=digits,
            caller=caller,
            queue_waits={k: float(v) * 60 for k, v in waits.items()},
            overrides=overrides,
            attempt=args.attempt,
            dialled=args.dialled,
        )

    if args.text is not None or args.digits is not None:
        decision = engine.decide(inputs(args.text, args.digits))
        print(
            json.dumps(decision.to_json(), ensure_ascii=False)
            if args.json
            else _summary(decision, bundle)
        )
        return 0
    for line in stdin or sys.stdin:
        text = line.strip()
        if not text:
            continue
        decision = engine.decide(inputs(text, None))
        print(json.dumps({"text": text, **decision.to_json()}, ensure_ascii=False), flush=True)
    return 0


def _parse_at(value: str | None) -> datetime:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(LONDON)
    if value is None:
        return datetime.now(zone)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--at {value!r} is not an ISO time like 2026-12-25T10:00") from None
    return at.replace(tzinfo=zone) if at.tzinfo is None else at


def _pairs(items: list[str], option: str, number: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise UsageError(f"{option} {item!r}: expected NAME=VALUE")
        if number:
            try:
                result[key] = float(value)
            except ValueError:
                raise UsageError(f"{option} {item!r}: {value!r} is not a number") from None
        else:
            result[key] = value
    return result


def _summary(decision: Decision, bundle: RoutingBundle) -> str:
    where = decision.destination or "-"
    lines = [f"{decision.action} → {where}   (rule {decision.rule})", f"  why: {decision.reason}"]
    if decision.intent:
        lines.append(f"  intent: {decision.intent}")
    if decision.message:
        lines.append(f"  message: {decision.message}")
    if decision.offers:
        lines.append(f"  offers: {', '.join(decision.offers)}")
    for c in decision.candidates:
        lines.append(f"  candidate {c.score:.2f} {c.name} ({c.destination}) {c.evidence}".rstrip())
    return "\n".join(lines)
