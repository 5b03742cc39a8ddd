"""The lease table on both engines: one holder at a time, takeover only once it ran out."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ivr.ha.lease import LeaseStore

NAME = "ari:http://127.0.0.1:8088:ivr101"
LONG = 60.0
RUN_OUT = -1.0  # a lease taken already run out: the next node may take it at once


@pytest.fixture
def leases(db_location: str) -> Iterator[LeaseStore]:
    store = LeaseStore(db_location)
    yield store
    store.close()


def test_a_free_lease_is_taken_by_the_first_node(leases: LeaseStore) -> None:
    held = leases.try_acquire(NAME, "node-a", LONG)
    assert held is not None and held.holder == "node-a" and held.generation == 1
    row = leases.current(NAME)
    assert row is not None and row.holder == "node-a" and row.expires_in_s > LONG - 5


def test_a_held_lease_is_refused_to_another_node(leases: LeaseStore) -> None:
    assert leases.try_acquire(NAME, "node-a", LONG) is not None
    assert leases.try_acquire(NAME, "node-b", LONG) is None
    row = leases.current(NAME)
    assert row is not None and row.holder == "node-a"


def test_a_lease_that_ran_out_is_taken_over_with_a_new_generation(leases: LeaseStore) -> None:
    first = leases.try_acquire(NAME, "node-a", RUN_OUT)
    second = leases.try_acquire(NAME, "node-b", LONG)
    assert first is not None and second is not None
    assert second.generation == first.generation + 1
    assert leases.current(NAME).holder == "node-b"  # type: ignore[union-attr]


def test_the_node_taken_over_cannot_renew_or_release_it(leases: LeaseStore) -> None:
    first = leases.try_acquire(NAME, "node-a", RUN_OUT)
    assert first is not None
    assert leases.try_acquire(NAME, "node-b", LONG) is not None
    assert not leases.renew(NAME, first, LONG)
    assert not leases.release(NAME, first)
    assert leases.current(NAME).holder == "node-b"  # type: ignore[union-attr]


def test_renewing_keeps_the_lease_from_a_standby(leases: LeaseStore) -> None:
    held = leases.try_acquire(NAME, "node-a", RUN_OUT)
    assert held is not None
    assert leases.renew(NAME, held, LONG)  # renewed before anyone tried: still ours
    assert leases.try_acquire(NAME, "node-b", LONG) is None


def test_a_released_lease_is_taken_by_a_standby_at_once(leases: LeaseStore) -> None:
    held = leases.try_acquire(NAME, "node-a", LONG)
    assert held is not None and leases.release(NAME, held)
    taken = leases.try_acquire(NAME, "node-b", LONG)
    assert taken is not None and taken.generation == held.generation + 1


def test_leases_of_different_names_are_independent(leases: LeaseStore) -> None:
    assert leases.try_acquire(NAME, "node-a", LONG) is not None
    assert leases.try_acquire(NAME + "-other", "node-b", LONG) is not None


def test_of_nodes_racing_for_a_free_lease_exactly_one_wins(db_location: str) -> None:
    """Each node on its own connection, all released at once: the row decides."""
    nodes = [f"node-{i}" for i in range(6)]
    stores = [LeaseStore(db_location) for _ in nodes]
    start = threading.Barrier(len(nodes))
    won: list[str] = []

    def race(store: LeaseStore, node: str) -> None:
        start.wait()
        if store.try_acquire(NAME, node, LONG) is not None:
            won.append(node)

    threads = [threading.Thread(target=race, args=pair) for pair in zip(stores, nodes, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    holder = stores[0].current(NAME)
    for store in stores:
        store.close()
    assert len(won) == 1 and holder is not None and holder.holder == won[0]
