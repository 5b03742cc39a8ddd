"""Sessions: stored hashed, ended by idle and absolute expiry and by disabling the user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from ivr.console.identity import Operator, Role
from ivr.console.store import ConsoleStore
from tests.unit.console.fixtures import POLICY, MovingClock, seed_users

ALICE = Operator("alice", Role.OPERATOR, "PJSIP/op-1")


@pytest.fixture
def store(db_location: str) -> Iterator[ConsoleStore]:
    seed_users(db_location, ("alice", Role.OPERATOR, "PJSIP/op-1"))
    opened = ConsoleStore(db_location, POLICY)
    yield opened
    opened.close()


def test_a_session_is_found_by_its_token_which_is_never_stored(store: ConsoleStore) -> None:
    clock = MovingClock()
    grant = store.sessions.start(ALICE, "10.0.0.1", clock())
    found = store.sessions.find(grant.token, clock())
    assert found is not None
    assert (found.operator, found.csrf_token) == (ALICE, grant.csrf_token)
    stored = [tuple(r.values()) for r in store.db.rows_where("console_sessions")]
    assert not any(grant.token in str(v) for row in stored for v in row)
    assert store.sessions.find(grant.token + "x", clock()) is None


def test_idle_expiry_is_pushed_back_by_use(store: ConsoleStore) -> None:
    clock = MovingClock()
    grant = store.sessions.start(ALICE, "", clock())
    for _ in range(3):
        clock.advance(minutes=20)
        assert store.sessions.find(grant.token, clock()) is not None
    clock.advance(minutes=31)
    assert store.sessions.find(grant.token, clock()) is None


def test_absolute_expiry_ends_even_a_busy_session(store: ConsoleStore) -> None:
    clock = MovingClock()
    grant = store.sessions.start(ALICE, "", clock())
    for _ in range(12 * 4 - 1):
        clock.advance(minutes=15)
        assert store.sessions.find(grant.token, clock()) is not None
    clock.advance(minutes=15)
    assert clock.now - grant_time(store) == POLICY.absolute
    assert store.sessions.find(grant.token, clock()) is None


def test_disabling_a_user_ends_their_sessions(store: ConsoleStore) -> None:
    clock = MovingClock()
    grant = store.sessions.start(ALICE, "", clock())
    assert store.disable_user("alice", clock()) is True
    assert store.sessions.find(grant.token, clock()) is None
    assert store.db.count("console_sessions") == 0
    assert store.disable_user("alice", clock()) is False


def test_expired_rows_are_removed_when_someone_signs_in(store: ConsoleStore) -> None:
    clock = MovingClock()
    store.sessions.start(ALICE, "", clock())
    clock.advance(hours=1)
    store.sessions.start(ALICE, "", clock())
    assert store.db.count("console_sessions") == 1


def grant_time(store: ConsoleStore) -> datetime:
    return datetime.fromisoformat(store.db.rows_where("console_sessions")[0]["created_at"])
