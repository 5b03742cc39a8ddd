"""``ivr rules history | diff | publish | rollback``: the ruleset versions from a shell.

They read the settings ``ivr serve`` reads (``--config``, then ``IVR_*``): its rules
folder, prompt catalogue and call database. Publish and rollback are audited in the
console's audit trail (``--as NAME``, default the OS user) and tell how a running app
picks the change up: it reloads on SIGHUP and finds the version by its files' digest.
Exit codes: 0 done, 1 the rules are invalid (every error listed), 2 the command line,
the settings or the request are wrong.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ivr.config import Settings, load_settings
from ivr.console.audit import AuditStore
from ivr.console.cli import printable
from ivr.prompts import CatalogueError, PromptCatalogue
from ivr.rulesets.admin import Refused, RulesetAction, RulesetAdmin, parse_ref
from ivr.rulesets.folder import UnsafePath
from ivr.rulesets.restart import restart_hint
from ivr.rulesets.store import NoSuchVersion, RulesetStore
from ivr.store.db import CallStore
from ivr.store.engine import make_room

RELOAD_HINT = (
    "a running `ivr serve` uses it once told to reload: `systemctl reload ivr101`"
    " (its ExecReload) or `kill -HUP <pid>`"
)


def add_rules_subcommands(rules_sub: Any) -> None:
    """Under ``ivr rules`` (ivr.routing.cli makes the parser)."""
    history = rules_sub.add_parser("history", help="the published versions, newest first")
    history.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    history.set_defaults(run=cmd_history)
    diff = rules_sub.add_parser("diff", help="unified diff of two versions (or `live`)")
    diff.add_argument("a", help="a version number, or live (the rules folder now)")
    diff.add_argument("b", help="a version number, or live")
    diff.set_defaults(run=cmd_diff)
    publish = rules_sub.add_parser("publish", help="check the rules folder and store it")
    publish.add_argument("--comment", default="", help="why (shown in history)")
    publish.set_defaults(run=cmd_publish)
    rollback = rules_sub.add_parser("rollback", help="write version N back into the folder")
    rollback.add_argument("version", type=int)
    rollback.add_argument("--comment", default="", help="why (shown in history)")
    rollback.set_defaults(run=cmd_rollback)
    for command in (publish, rollback):
        command.add_argument("--as", dest="who", default="", help="who (default: the OS user)")
    for command in (history, diff, publish, rollback):
        command.add_argument("--config", type=Path, help="TOML settings as for `ivr serve`")
        command.add_argument("--db", help="call database (default: the settings' [store] db)")


def _who(given: str) -> str:
    if given.strip():
        return given.strip()[:80]
    try:
        return getpass.getuser()
    except Exception:
        return "cli"


class _Opened:
    """The settings' database and folder, for one command."""

    def __init__(self, args: argparse.Namespace, prompts: bool = False) -> None:
        settings: Settings = load_settings(args.config)  # ConfigError: ivr.cli, exit 2
        path = args.db or settings.store.db_path
        make_room(path)
        ids = PromptCatalogue.load(settings.prompts.catalogue).ids if prompts else None
        self.calls = CallStore(path)
        self.admin = RulesetAdmin(
            RulesetStore(self.calls.db),
            settings.routing.rules_dir,
            ids,
            lambda: datetime.now(UTC),
        )
        self.audit = AuditStore(self.calls.db)

    def close(self) -> None:
        self.calls.close()


def _fail(command: str, exc: Exception) -> int:
    print(f"ivr rules {command}: {exc}", file=sys.stderr)
    errors = getattr(exc, "errors", None) or []
    for error in errors:
        print(error)
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)
    return 1 if errors else 2


def cmd_history(args: argparse.Namespace) -> int:
    if args.limit < 1:
        return _fail("history", ValueError("--limit must be at least 1"))
    opened = _Opened(args)
    try:
        versions = opened.admin.store.history(args.limit)
    finally:
        opened.close()
    print(f"{'version':>7}  {'at (UTC)':<19}  {'author':<20} {'kind':<8} comment")
    for v in versions:
        at = v.at[:19].replace("T", " ")
        print(
            f"{v.version:>7}  {at:<19}  {printable(v.author):<20} {v.kind.value:<8}"
            f" {printable(v.comment)}"
        )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    opened = _Opened(args)
    try:
        diffs = opened.admin.diff(parse_ref(args.a), parse_ref(args.b))
    except (Refused, NoSuchVersion, OSError) as exc:
        return _fail("diff", exc)
    finally:
        opened.close()
    for diff in diffs:
        print(printable_lines(diff.text()))
    if not diffs:
        print(f"{args.a} and {args.b} hold the same files", file=sys.stderr)
    return 0


def printable_lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.split("\n"))


def cmd_publish(args: argparse.Namespace) -> int:
    who = _who(args.who)
    try:
        opened = _Opened(args, prompts=True)
    except CatalogueError as exc:
        return _fail("publish", exc)
    try:
        published = opened.admin.publish(who, args.comment)
        if not published.unchanged:
            opened.audit.append(
                datetime.now(UTC),
                who,
                RulesetAction.PUBLISHED,
                {"version": published.version.version, "comment": args.comment, "via": "cli"},
            )
    except (Refused, OSError) as exc:
        return _fail("publish", exc)
    finally:
        opened.close()
    v = published.version
    if published.unchanged:
        print(f"unchanged: the folder is version {v.version} already")
    else:
        print(f"published version {v.version} ({v.digest[:12]})")
    print(RELOAD_HINT)
    if published.restart:
        print(restart_hint(published.restart))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    who = _who(args.who)
    try:
        opened = _Opened(args, prompts=True)
    except CatalogueError as exc:
        return _fail("rollback", exc)
    try:
        rolled = opened.admin.rollback(args.version, who, args.comment)
        added = rolled.version
        opened.audit.append(
            datetime.now(UTC),
            who,
            RulesetAction.ROLLED_BACK,
            {"to": args.version, "version": added.version, "comment": args.comment, "via": "cli"},
        )
    except (Refused, NoSuchVersion, UnsafePath, OSError) as exc:
        return _fail("rollback", exc)
    finally:
        opened.close()
    print(f"rolled back to {args.version}: the folder now holds version {added.version}")
    print(RELOAD_HINT)
    if rolled.restart:
        print(restart_hint(rolled.restart))
    return 0
