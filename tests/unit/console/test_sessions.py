"""Sessions: stored hashed, ended by idle and absolute expiry and by disabling the user."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ivr.console.identity import Operator, Role
from ivr.console.store import ConsoleStore
from tests.unit.console.fixtures import POLICY, MovingClock, seed_users

ALICE = Operator("alice", Role.OPERATOR, "PJSIP/op-1")


def _store(tmp_path: Path) -> ConsoleStore:
    path = tmp_path / "calls.db"
    seed_users(path, ("alice", Role.OPERATOR, "PJSIP/op-1"))
    return ConsoleStore(path, POLICY)


def test_a_session_is_found_by_its_token_which_is_never_stored(tmp_path: Path) -> None:
    store, clock = _store(tmp_path), MovingClock()
    grant = store.sessions.start(ALICE, "10.0.0.1", clock())
    found = store.sessions.find(grant.token, clock())
    assert found is not None
    assert (found.operator, found.csrf_token) == (ALICE, grant.csrf_token)
    stored = [tuple(r.values()) for r in store.db["console_sessions"].rows]
    assert not any(grant.token in str(v) for row in stored for v in row)
    assert store.sessions.find(grant.token + "x", clock()) is None
    store.close()


def test_idle_expiry_is_pushed_back_by_use(tmp_path: Path) -> None:
    store, clock = _store(tmp_path), MovingClock()
    grant = store.sessions.start(ALICE, "", clock())
    for _ in range(3):
        clock.advance(minutes=20)
        assert store.sessions.find(grant.token, clock()) is not None
    clock.advance(minutes=31)
    assert store.sessions.find(grant.token, clock()) is None
    store.close()


def test_absolute_expiry_ends_even_a_busy_session(tmp_path: Path) -> None:
    store, clock = _store(tmp_path), MovingClock()
    grant = store.sessions.start(ALICE, "", clock())
    for _ in range(12 * 4 - 1):
        clock.advance(minutes=15)
        assert store.sessions.find(grant.token, clock()) is not None
    clock.advance(minutes=15)
    assert clock.now - grant_time(store) == POLICY.absolute
    assert store.sessions.find(grant.token, clock()) is None
    store.close()


def test_disabling_a_user_ends_their_sessions(tmp_path: Path) -> None:
    store, clock = _store(tmp_path), MovingClock()
    grant = store.sessions.start(ALICE, "", clock())
    assert store.disable_user("alice", clock()) is True
    assert store.sessions.find(grant.token, clock()) is None
    assert store.db["console_sessions"].count == 0
    assert store.disable_user("alice", clock()) is False
    store.close()


def test_expired_rows_are_removed_when_someone_signs_in(tmp_path: Path) -> None:
    store, clock = _store(tmp_path), MovingClock()
    store.sessions.start(ALICE, "", clock())
    clock.advance(hours=1)
    store.sessions.start(ALICE, "", clock())
    assert store.db["console_sessions"].count == 1
    store.close()


def grant_time(store: ConsoleStore) -> datetime:
    return datetime.fromisoformat(next(iter(store.db["console_sessions"].rows))["created_at"])
