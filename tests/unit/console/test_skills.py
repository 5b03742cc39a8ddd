"""Skills apart from the role: stored with the user, carried by the session's Operator,
given by ``ivr users add --skill`` and by add_person (the demo's operator has chat)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ivr.console.identity import Operator, Role, Skill, skills_of, skills_text
from ivr.console.people import add_person
from ivr.console.store import ConsoleStore
from ivr.demo import DEMO_PEOPLE, DEMO_SKILLS
from tests.unit.console.fixtures import POLICY, MovingClock, seed_users


def test_the_stored_form_round_trips_and_ignores_unknown_names() -> None:
    assert skills_text([Skill.CHAT, Skill.CHAT]) == "chat"
    assert skills_text([]) == ""
    assert skills_of("chat") == {Skill.CHAT}
    assert skills_of("") == frozenset()
    assert skills_of("chat,juggling") == {Skill.CHAT}  # a newer release's skill


def test_an_admin_holds_every_role_but_only_the_skills_given() -> None:
    admin = Operator("root", Role.ADMIN)
    assert admin.may(Role.OPERATOR) and not admin.can(Skill.CHAT)
    assert Operator("ann", Role.OPERATOR, skills=frozenset({Skill.CHAT})).can(Skill.CHAT)


def test_a_session_carries_the_users_skills(db_location: str) -> None:
    path = db_location
    seed_users(path, ("ann", Role.OPERATOR, ""), ("bob", Role.OPERATOR, ""))
    store = ConsoleStore(path, POLICY)
    try:
        store.users.set_skills("ann", [Skill.CHAT])
        clock = MovingClock()
        for name, skills in (("ann", {Skill.CHAT}), ("bob", set())):
            user = store.users.get(name)
            assert user is not None and user.skills == skills
            grant = store.sessions.start(user.operator, "", clock())
            found = store.sessions.find(grant.token, clock())
            assert found is not None and found.operator.skills == skills
    finally:
        store.close()


def test_add_person_gives_skills_and_a_re_add_replaces_them(db_location: str) -> None:
    db = db_location
    add_person(db, "ann", Role.OPERATOR, "a long enough password", by="t", skills=[Skill.CHAT])
    store = ConsoleStore(db, POLICY)
    try:
        user = store.users.get("ann")
        assert user is not None and user.skills == {Skill.CHAT}
    finally:
        store.close()
    add_person(db, "ann", Role.OPERATOR, "another long password", by="t")
    store = ConsoleStore(db, POLICY)
    try:
        user = store.users.get("ann")
        assert user is not None and user.skills == frozenset()
    finally:
        store.close()


def test_the_demos_operator_answers_chats() -> None:
    operators = [name for name, role in DEMO_PEOPLE if role is Role.OPERATOR]
    assert operators and all(Skill.CHAT in DEMO_SKILLS[name] for name in operators)


def _ivr(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    return subprocess.run(
        [sys.executable, "-m", "ivr.cli", *args, "--db", str(db)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_ivr_users_add_with_a_skill_and_list_shows_it(tmp_path: Path) -> None:
    db = tmp_path / "calls.db"
    added = _ivr(
        db,
        "users",
        "add",
        "cat",
        "--role",
        "operator",
        "--skill",
        "chat",
        stdin="long password 1\n",
    )
    assert added.returncode == 0, added.stderr
    assert "skills chat" in added.stdout
    listed = _ivr(db, "users", "list").stdout.splitlines()
    assert any(line.startswith("cat ") and " chat " in line for line in listed)
    wrong = _ivr(db, "users", "add", "dan", "--role", "operator", "--skill", "x", stdin="p" * 12)
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
