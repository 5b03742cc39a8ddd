"""The audit trail is append-only: the database refuses UPDATE and DELETE (on either
engine); only retention purges."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from ivr.console.audit import AuditAction, AuditLog
from ivr.console.identity import Audit
from ivr.console.store import ConsoleDatabase, ConsoleStore
from tests.engine_errors import GUARDED
from tests.unit.console.fixtures import POLICY, MovingClock


@pytest.fixture
def store(db_location: str) -> Iterator[ConsoleStore]:
    opened = ConsoleStore(db_location, POLICY)
    yield opened
    opened.close()


def test_rows_cannot_be_updated_or_deleted(store: ConsoleStore) -> None:
    clock = MovingClock()
    store.audit.append(clock(), "alice", AuditAction.SIGN_IN, {"role": "operator"}, "10.0.0.1")
    with pytest.raises(GUARDED, match="append-only"):
        store.db.execute("UPDATE audit SET who = 'mallory'")
    with pytest.raises(GUARDED, match="append-only"):
        store.db.execute("DELETE FROM audit")
    [entry] = store.audit.since(clock() - timedelta(minutes=1))
    assert (entry.who, entry.action, entry.detail, entry.client) == (
        "alice",
        "sign-in",
        {"role": "operator"},
        "10.0.0.1",
    )


def test_retention_purges_by_age_and_the_guard_comes_back(store: ConsoleStore) -> None:
    clock = MovingClock()
    store.audit.append(clock(), "old", AuditAction.SIGN_IN, {})
    clock.advance(days=400)
    store.audit.append(clock(), "new", AuditAction.SIGN_IN, {})
    assert store.audit.purge_before(clock() - timedelta(days=1)) == 1
    assert [e.who for e in store.audit.since(clock() - timedelta(days=1000))] == ["new"]
    with pytest.raises(GUARDED, match="append-only"):
        store.db.execute("DELETE FROM audit")


def test_since_filters_by_who_and_action(store: ConsoleStore) -> None:
    clock = MovingClock()
    store.audit.append(clock() - timedelta(days=2), "alice", AuditAction.SIGN_IN, {})
    store.audit.append(clock(), "alice", AuditAction.SIGN_OUT, {})
    store.audit.append(clock(), "bob", AuditAction.SIGN_IN, {})
    day_ago = clock() - timedelta(days=1)
    assert [e.who for e in store.audit.since(day_ago)] == ["alice", "bob"]
    assert [e.action for e in store.audit.since(day_ago, who="alice")] == ["sign-out"]
    assert [e.who for e in store.audit.since(day_ago, action="sign-in")] == ["bob"]


async def test_the_log_queues_from_the_loop_and_never_raises(db_location: str) -> None:
    clock = MovingClock()
    db = ConsoleDatabase(db_location, POLICY)
    log: Audit = AuditLog(db, clock)  # the identity contract other modules code against
    assert isinstance(log, AuditLog)
    log.record("alice", "call-rerouted", {"call_id": "c1"}, client="10.0.0.9")
    assert log.failed == 1  # not open yet: counted and logged, not raised
    await db.open()
    log.record("alice", "call-rerouted", {"call_id": "c1"}, client="10.0.0.9")
    await db.flush()
    entries = await db.run(lambda s: s.audit.since(clock() - timedelta(minutes=1)))
    assert [(e.action, e.detail, e.client) for e in entries] == [
        ("call-rerouted", {"call_id": "c1"}, "10.0.0.9")
    ]
    await db.close()
