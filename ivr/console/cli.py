"""``ivr users`` (the console's people) and ``ivr audit`` (its audit trail).

A password is never an argument (argv is visible to every user of the machine, and
kept in shell history): it is read from stdin when stdin is not a terminal (one line),
else asked twice without echo.
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from ivr.config import load_settings
from ivr.console.audit import AuditAction, AuditEntry
from ivr.console.identity import Role, Skill, skills_text
from ivr.console.passwords import BadInput, Passwords, check_name, check_password, check_phone
from ivr.console.people import reset_password
from ivr.console.sessions import SessionPolicy
from ivr.console.store import ConsoleStore
from ivr.console.users import NoSuchUser, UserExists
from ivr.store.db import iso
from ivr.store.engine import make_room

_SINCE = re.compile(r"(\d+)([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def add_subcommands(subparsers: Any) -> None:
    users = subparsers.add_parser("users", help="the switchboard console's operators and admins")
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="add a user (password from stdin, or asked twice)")
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--phone", default="", help="the endpoint calls are taken to: PJSIP/op-1")
    add.add_argument(
        "--skill",
        action="append",
        default=[],
        choices=[s.value for s in Skill],
        help="a skill apart from the role (repeat for more): chat answers live chats",
    )
    add.set_defaults(run=cmd_add)
    listing = actions.add_parser("list", help="every user, with role, phone and state")
    listing.set_defaults(run=cmd_list)
    disable = actions.add_parser("disable", help="stop a user signing in; ends their sessions")
    disable.add_argument("name")
    disable.set_defaults(run=cmd_disable)
    passwd = actions.add_parser("passwd", help="set a user's password (stdin, or asked twice)")
    passwd.add_argument("name")
    passwd.set_defaults(run=cmd_passwd)
    for command in (add, listing, disable, passwd):
        _database_options(command)

    audit = subparsers.add_parser("audit", help="the console's audit trail")
    audit.add_argument(
        "--since", type=since, default=timedelta(days=1), help="1d, 12h or 30m (default 1d)"
    )
    audit.add_argument("--who", default="", help="only this user")
    audit.add_argument("--action", default="", help="only this action (sign-in, ...)")
    audit.add_argument("--json", action="store_true", help="one JSON object per line")
    _database_options(audit)
    audit.set_defaults(run=cmd_audit)


def _database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML settings file (env IVR_* wins)")
    parser.add_argument("--db", help="call database (default: the settings' [store] db)")


def since(text: str) -> timedelta:
    found = _SINCE.fullmatch(text.strip())
    if not found or int(found[1]) < 1:
        raise argparse.ArgumentTypeError(f"--since is like 1d, 12h or 30m, not {text!r}")
    return timedelta(**{_UNITS[found[2]]: int(found[1])})


def _open(args: argparse.Namespace) -> ConsoleStore:
    settings = load_settings(args.config)
    path = args.db or settings.store.db_path
    make_room(path)
    console = settings.console
    return ConsoleStore(path, SessionPolicy(console.idle, console.absolute))


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def _fail(command: str, message: str) -> int:
    print(f"ivr users {command}: {message}", file=sys.stderr)
    return 2


def read_password(stdin: TextIO | None = None, ask: Callable[[str], str] = getpass.getpass) -> str:
    """One line of stdin when it is not a terminal; else asked twice, not echoed."""
    stream = stdin or sys.stdin
    if not stream.isatty():
        return check_password(stream.readline().rstrip("\r\n"))
    first = check_password(ask("Password: "))
    if ask("Again: ") != first:
        raise BadInput("the two passwords differ")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    try:
        name, phone = check_name(args.name), check_phone(args.phone)
        hashed = Passwords().hash(read_password())
    except BadInput as exc:
        return _fail("add", str(exc))
    store = _open(args)
    try:
        now = datetime.now(UTC)
        skills = frozenset(Skill(s) for s in args.skill)
        store.users.add(name, Role(args.role), phone, hashed, iso(now), skills)
        detail = {"user": name, "role": args.role, "phone": phone}
        if skills:
            detail["skills"] = skills_text(skills)
        store.audit.append(now, _who(), AuditAction.USER_ADDED, detail)
    except UserExists as exc:
        return _fail("add", str(exc))
    finally:
        store.close()
    given = f"; skills {skills_text(Skill(s) for s in args.skill)}" if args.skill else ""
    print(f"added {name} ({args.role}{given})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        users = store.users.all()
    finally:
        store.close()
    print(f"{'name':<20} {'role':<9} {'phone':<24} {'skills':<12} state")
    for user in users:
        state = "disabled" if user.disabled else "active"
        skills = skills_text(user.skills) or "-"
        print(f"{user.name:<20} {user.role.value:<9} {user.phone or '-':<24} {skills:<12} {state}")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        now = datetime.now(UTC)
        changed = store.disable_user(args.name, now)
        if changed:
            store.audit.append(now, _who(), AuditAction.USER_DISABLED, {"user": args.name})
    except NoSuchUser as exc:
        return _fail("disable", str(exc))
    finally:
        store.close()
    print(f"disabled {args.name}" if changed else f"{args.name} was already disabled")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        if store.users.get(args.name) is None:
            return _fail("passwd", f"no user {args.name!r}")
        try:
            hashed = Passwords().hash(read_password())
        except BadInput as exc:
            return _fail("passwd", str(exc))
        now = datetime.now(UTC)
        reset_password(store, args.name, hashed, now)  # and ends their sessions
        store.audit.append(now, _who(), AuditAction.PASSWORD_CHANGED, {"user": args.name})
    finally:
        store.close()
    print(f"password changed for {args.name}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        entries = store.audit.since(datetime.now(UTC) - args.since, args.who, args.action)
    finally:
        store.close()
    if args.json:
        for entry in entries:  # json.dumps escapes control characters (and non-ASCII)
            print(json.dumps(entry.as_json(), sort_keys=True))
        return 0
    print(f"{'at (UTC)':<19}  {'who':<20} {'action':<18} {'client':<15} {'session':<8} detail")
    for entry in entries:
        print(_line(entry))
    return 0


def _line(entry: AuditEntry) -> str:
    at = printable(entry.at[:19].replace("T", " "))
    detail = printable(" ".join(f"{k}={v}" for k, v in sorted(entry.detail.items())))
    who, action, client = printable(entry.who), printable(entry.action), printable(entry.client)
    session = printable(entry.session)
    return f"{at:<19}  {who:<20} {action:<18} {client or '-':<15} {session or '-':<8} {detail}"


def printable(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\x1b``): a row's words
    can come from an attacker (a name typed at sign-in, a caller's text), and escape
    sequences printed raw would rewrite the admin's terminal."""
    return "".join(c if c.isprintable() else _escaped(c) for c in text)


def _escaped(char: str) -> str:
    return char.encode("unicode_escape").decode("ascii")
