"""The console's people as stored: added once, listed by name, their password and skills
changed, disabled and enabled again (kept, never deleted: the audit names them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ivr.console.identity import Role, Skill
from ivr.console.store import ConsoleStore
from ivr.console.users import NoSuchUser, UserExists, UserStore
from tests.unit.console.fixtures import POLICY

AT = "2026-03-03T09:00:00.000+00:00"
LATER = "2026-03-04T09:00:00.000+00:00"


@pytest.fixture
def users(db_location: str) -> Iterator[UserStore]:
    store = ConsoleStore(db_location, POLICY)
    yield store.users
    store.close()


def test_a_user_is_added_once_and_listed_by_name(users: UserStore) -> None:
    users.add("bob", Role.ADMIN, "", "hash-b", AT)
    users.add("ann", Role.OPERATOR, "PJSIP/op-1", "hash-a", AT, [Skill.CHAT])
    with pytest.raises(UserExists):
        users.add("ann", Role.ADMIN, "", "hash-x", AT)
    ann = users.get("ann")
    assert ann is not None
    assert (ann.role, ann.phone, ann.password_hash, ann.disabled, ann.skills) == (
        Role.OPERATOR,
        "PJSIP/op-1",
        "hash-a",
        False,
        frozenset({Skill.CHAT}),
    )
    assert [u.name for u in users.all()] == ["ann", "bob"]
    assert users.get("nobody") is None


def test_a_password_and_skills_change_only_for_someone_who_exists(users: UserStore) -> None:
    users.add("ann", Role.OPERATOR, "", "hash-a", AT)
    users.set_password("ann", "hash-new", LATER)
    users.set_skills("ann", [Skill.CHAT])
    ann = users.get("ann")
    assert ann is not None and (ann.password_hash, ann.skills) == (
        "hash-new",
        frozenset({Skill.CHAT}),
    )
    with pytest.raises(NoSuchUser):
        users.set_password("nobody", "hash", LATER)
    with pytest.raises(NoSuchUser):
        users.set_skills("nobody", [])


def test_a_disabled_user_is_kept_and_may_be_enabled_again(users: UserStore) -> None:
    users.add("ann", Role.OPERATOR, "", "hash-a", AT)
    assert users.disable("ann", LATER) is True
    assert users.disable("ann", LATER) is False, "already disabled"
    ann = users.get("ann")
    assert ann is not None and ann.disabled
    users.enable("ann")
    ann = users.get("ann")
    assert ann is not None and not ann.disabled
    with pytest.raises(NoSuchUser):
        users.disable("nobody", LATER)
