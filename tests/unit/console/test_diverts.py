"""Diverts: checked, stored, applied by routing as overrides, ended by time or by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from ivr.console.destinations import KnownDestinations
from ivr.console.diverts import DivertStore
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.routing.model import RoutingInputs
from tests.unit.console.support import ANN, START, HandClock, ListAudit, OneEntryDirectory
from tests.unit.console.support import shipped_routing as routing


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def audit() -> ListAudit:
    return ListAudit()


@pytest.fixture
async def store(db_location: str, clock: HandClock, audit: ListAudit) -> AsyncIterator[DivertStore]:
    diverts = DivertStore(db_location, KnownDestinations(OneEntryDirectory()), audit, clock)
    await diverts.open()
    try:
        yield diverts
    finally:
        await diverts.close()


def later(**delta: float) -> str:
    return (START + timedelta(**delta)).isoformat()


async def test_a_divert_changes_the_decision_names_itself_and_expires(
    store: DivertStore, clock: HandClock, audit: ListAudit
) -> None:
    service = routing()
    service.use_overrides(store)
    divert = await store.add("rc", "switchboard", "RC closed tonight", later(hours=2), ANN)
    decision = service.decide(RoutingInputs(at=clock(), digits="1"))
    assert (decision.destination, decision.rule) == ("switchboard", "operator-override")
    assert f"divert {divert.id} by ann: RC closed tonight" in decision.reason
    assert audit.actions() == ["divert.add"]
    clock.advance(hours=2)
    assert service.decide(RoutingInputs(at=clock(), digits="1")).destination == "rc"
    assert store.listed() == []


async def test_a_cancelled_divert_stops_at_once_and_stays_cancelled_after_a_restart(
    db_location: str, store: DivertStore, clock: HandClock, audit: ListAudit
) -> None:
    kept = await store.add("fcr", "rc", "FCR training", later(hours=1), ANN)
    gone = await store.add("rc", "directory:priya-patel", "cover", later(hours=1), ANN)
    cancelled = await store.cancel(gone.id, ANN)
    assert cancelled.cancelled_by == "ann" and cancelled.cancelled_at is not None
    assert [d.id for d in store.listed()] == [kept.id]
    with pytest.raises(NotFound):
        await store.cancel(gone.id, ANN)
    again = DivertStore(db_location, KnownDestinations(OneEntryDirectory()), audit, clock)
    await again.open()
    try:
        assert [(d.id, d.source, d.target) for d in again.listed()] == [(kept.id, "fcr", "rc")]
    finally:
        await again.close()


@pytest.mark.parametrize(
    ("source", "target", "reason", "until", "message"),
    [
        ("rc", "rc", "x", later(hours=1), "somewhere else"),
        ("rc", "nowhere", "x", later(hours=1), "unknown"),
        ("rc", "directory:nobody", "x", later(hours=1), "no directory entry"),
        ("emergency", "rc", "x", later(hours=1), "never diverted"),
        ("rc", "switchboard", "x", later(hours=-1), "in the past"),
        ("rc", "switchboard", "x", later(days=8), "more than 7 days"),
        ("rc", "switchboard", "x", "tonight", "not an ISO 8601"),
        ("rc", "switchboard", "x", "2026-11-24T12:00:00", "time zone"),
        ("rc", "switchboard", "", later(hours=1), "reason is required"),
        ("rc", "switchboard", "x" * 201, later(hours=1), "too long"),
        (None, "switchboard", "x", later(hours=1), "source is required"),
        ("rc", 7, "x", later(hours=1), "target is required"),
    ],
)
async def test_a_bad_divert_is_refused_with_what_is_wrong(
    store: DivertStore, source: object, target: object, reason: str, until: str, message: str
) -> None:
    with pytest.raises(BadRequest, match=message):
        await store.add(source, target, reason, until, ANN)
    assert store.listed() == []


async def test_a_destination_diverted_already_must_be_cancelled_first(store: DivertStore) -> None:
    await store.add("rc", "switchboard", "x", later(hours=1), ANN)
    with pytest.raises(Conflict, match="cancel it first"):
        await store.add("rc", "fcr", "x", later(hours=1), ANN)


async def test_a_divert_set_and_cancelled_on_another_node_applies_here_after_a_refresh(
    db_location: str, store: DivertStore, clock: HandClock, audit: ListAudit
) -> None:
    """Two nodes on one database: each keeps the diverts in memory; refresh reads the other's."""
    other = DivertStore(db_location, KnownDestinations(OneEntryDirectory()), audit, clock)
    await other.open()
    try:
        divert = await other.add("rc", "switchboard", "RC evacuated", later(hours=1), ANN)
        assert store.listed() == []  # memory only: not seen until read again
        await store.refresh()
        assert [d.id for d in store.listed()] == [divert.id]
        await other.cancel(divert.id, ANN)
        await store.refresh()
        assert store.listed() == []
    finally:
        await other.close()
