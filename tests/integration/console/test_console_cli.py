"""``ivr users`` and ``ivr audit`` as an admin runs them: the password never in argv."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.console.cli import printable, read_password
from ivr.console.identity import Role
from ivr.console.passwords import BadInput, Check, Passwords
from ivr.console.store import ConsoleStore
from tests.unit.console.fixtures import POLICY

IVR = [sys.executable, "-m", "ivr.cli"]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
PASSWORD = "a long enough password"


def _ivr(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IVR, *args, "--db", str(db)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )


def test_users_add_list_passwd_disable_and_the_audit(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    added = _ivr(
        db,
        "users",
        "add",
        "alice",
        "--role",
        "operator",
        "--phone",
        "PJSIP/op-1",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert PASSWORD not in added.stdout + added.stderr
    listed = _ivr(db, "users", "list")
    assert "alice" in listed.stdout and "operator" in listed.stdout and "active" in listed.stdout
    store = ConsoleStore(db, POLICY)
    user = store.users.get("alice")
    store.close()
    assert user is not None and user.role is Role.OPERATOR and user.phone == "PJSIP/op-1"
    assert Passwords().check(user.password_hash, PASSWORD) is Check.RIGHT

    changed = _ivr(db, "users", "passwd", "alice", stdin="another long password\n")
    assert changed.returncode == 0, changed.stderr
    disabled = _ivr(db, "users", "disable", "alice")
    assert disabled.returncode == 0 and "disabled alice" in disabled.stdout
    assert "disabled" in _ivr(db, "users", "list").stdout

    audit = _ivr(db, "audit", "--since", "30m", "--json")
    actions = [json.loads(line)["action"] for line in audit.stdout.splitlines()]
    assert actions == ["user-added", "password-changed", "user-disabled"]
    table = _ivr(db, "audit", "--since", "1d", "--action", "user-added")
    assert "user-added" in table.stdout and "user=alice" in table.stdout
    assert "password-changed" not in table.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "complaint"),
    [
        (["users", "add", "Bad Name", "--role", "admin"], PASSWORD, "user name"),
        (["users", "add", "bob", "--role", "admin"], "short\n", "10 to 1024"),
        (["users", "add", "bob", "--role", "admin", "--phone", "x y"], PASSWORD, "endpoint"),
        (["users", "disable", "nobody"], "", "no user"),
        (["users", "passwd", "nobody"], PASSWORD, "no user"),
    ],
)
def test_refusals_say_why_and_exit_2(
    tmp_path: Path, args: list[str], stdin: str, complaint: str
) -> None:
    result = _ivr(tmp_path / "calls.db", *args, stdin=stdin)
    assert result.returncode == 2
    assert complaint in result.stderr


def test_a_password_cannot_be_given_as_an_argument(tmp_path: Path) -> None:
    result = _ivr(
        tmp_path / "calls.db", "users", "add", "bob", "--role", "admin", "--password", PASSWORD
    )
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_at_a_terminal_the_password_is_asked_twice_without_echo() -> None:
    answers = iter([PASSWORD, PASSWORD])
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    assert read_password(_Terminal(), ask) == PASSWORD
    assert asked == ["Password: ", "Again: "]
    differing = iter([PASSWORD, PASSWORD + "x"])
    with pytest.raises(BadInput, match="differ"):
        read_password(_Terminal(), lambda _: next(differing))


def test_passwd_ends_the_users_sessions(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    assert _ivr(db, "users", "add", "alice", "--role", "operator", stdin=PASSWORD).returncode == 0
    store = ConsoleStore(db, POLICY)
    user = store.users.get("alice")
    assert user is not None
    grant = store.sessions.start(user.operator, "10.0.0.1", datetime.now(UTC))
    store.close()
    changed = _ivr(db, "users", "passwd", "alice", stdin="another long password\n")
    assert changed.returncode == 0, changed.stderr
    store = ConsoleStore(db, POLICY)
    try:
        assert store.sessions.find(grant.token, datetime.now(UTC)) is None
    finally:
        store.close()


def test_audit_escapes_what_an_attacker_could_have_typed(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    store = ConsoleStore(db, POLICY)
    evil = "\x1b[2J\x1b]0;pwned\x07mallory\r\n"
    store.audit.append(datetime.now(UTC), evil, "sign-in-failed", {"why": evil}, evil)
    store.close()
    for args in ((), ("--json",)):
        shown = _ivr(db, "audit", *args)
        assert shown.returncode == 0, shown.stderr
        body = shown.stdout.rstrip("\n")
        assert not any(c in body for c in "\x1b\x07\r"), body
        assert "mallory" in body and body.count("\n") == (1 if not args else 0)


def test_printable_escapes_only_what_a_terminal_would_act_on() -> None:
    assert printable("Zoë O'Brien") == "Zoë O'Brien"
    assert printable("a\x1b[2Jb\n\u202e") == "a\\x1b[2Jb\\n\\u202e"


def test_audit_shows_each_rows_client_and_session(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    store = ConsoleStore(db, POLICY)
    now = datetime.now(UTC)
    store.audit.append(now, "alice", "call.route", {"call_id": "c1"}, "10.1.2.3", "ab12cd34")
    store.audit.append(now, "api-token", "calls.view", {"calls": 0}, "10.9.9.9")
    store.close()
    table = _ivr(db, "audit", "--since", "1d")
    assert table.returncode == 0, table.stderr
    header, alice, machine = table.stdout.splitlines()
    assert "client" in header and "session" in header
    assert "10.1.2.3" in alice and "ab12cd34" in alice
    assert "10.9.9.9" in machine
    rows = [json.loads(line) for line in _ivr(db, "audit", "--json").stdout.splitlines()]
    assert [(r["client"], r["session"]) for r in rows] == [
        ("10.1.2.3", "ab12cd34"),
        ("10.9.9.9", ""),
    ]
