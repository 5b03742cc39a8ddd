"""The callback book's claims: one node's origin holds each callback until its claim runs
out; only the holder places it or records its outcome (ivr.ha.claims), on each engine."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from ivr.queues.book import (
    PLACING,
    WAITING,
    BookStore,
    CallbackBook,
    ClaimLost,
    DoubleAttempt,
)

from .test_book import booked

A, B = "ari:http://asterisk-a:8088:ivr101", "ari:http://asterisk-b:8088:ivr101"
CLAIM_S = 30.0


@contextlib.contextmanager
def nodes(db_location: str) -> Iterator[tuple[BookStore, BookStore]]:
    """Two nodes' books (origins A and B) on one call database."""
    a = BookStore(db_location, A, CLAIM_S)
    b = BookStore(db_location, B, CLAIM_S)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def run_out(store: BookStore, origin: str) -> None:
    """``origin``'s node died: its claims were not renewed and have run out."""
    store.db.execute("UPDATE callbacks SET claim_until = 0 WHERE claimed_by = ?", [origin])


def claim_left_s(store: BookStore, call_id: str) -> float:
    return float(
        store.db.scalar(
            f"SELECT claim_until - {store.db.epoch_now()} FROM callbacks WHERE call_id = ?",
            [call_id],
        )
    )


def test_accepting_claims_the_callback_for_the_accepting_node(db_location: str) -> None:
    with nodes(db_location) as (a, _):
        a.accept(booked(), now=160.0)
        row = a.get("c1")
        assert row is not None and row["claimed_by"] == A
        assert 0 < claim_left_s(a, "c1") <= CLAIM_S


def test_another_nodes_live_claim_is_neither_claimed_nor_placed(db_location: str) -> None:
    with nodes(db_location) as (a, b):
        a.accept(booked(), now=160.0)
        assert b.claim() == []
        with pytest.raises(ClaimLost):
            b.begin_attempt("c1", 1, "agent-b", "cb-b-1", now=200.0)
        row = a.get("c1")
        assert row is not None and (row["state"], row["attempts"], row["claimed_by"]) == (
            WAITING,
            0,
            A,
        )


def test_claiming_renews_the_nodes_own_claims(db_location: str) -> None:
    with nodes(db_location) as (a, _):
        a.accept(booked(), now=160.0)
        a.db.execute("UPDATE callbacks SET claim_until = claim_until - 20")
        (mine,) = a.claim()
        assert (mine.entry.call_id, mine.held_by) == ("c1", A)
        assert claim_left_s(a, "c1") > CLAIM_S - 5


def test_a_dead_nodes_callbacks_are_claimed_in_queue_order_naming_their_old_holder(
    db_location: str,
) -> None:
    with nodes(db_location) as (a, b):
        a.accept(booked("late", joined_at=300.0, seq=2), now=400.0)
        a.accept(booked("early", joined_at=200.0, seq=1), now=400.0)
        a.begin_attempt("late", 1, "agent-a", "cb-a-1", now=410.0)
        run_out(b, A)
        claimed = b.claim()
        assert [(c.entry.call_id, c.state, c.held_by) for c in claimed] == [
            ("early", WAITING, A),
            ("late", PLACING, A),
        ]
        assert {r.entry.call_id for r in a.claim()} == set()  # A, were it back: not its own
        assert all(row["claimed_by"] == B for row in b.db.rows_where("callbacks"))


def test_a_node_whose_claim_ran_out_cannot_place_until_it_claims_again(
    db_location: str,
) -> None:
    with nodes(db_location) as (a, _):
        a.accept(booked(), now=160.0)
        run_out(a, A)  # stalled past its claim, and nobody took the callback meanwhile
        with pytest.raises(ClaimLost):
            a.begin_attempt("c1", 1, "agent-a", "cb-a-1", now=200.0)
        assert [c.entry.call_id for c in a.claim()] == ["c1"]
        a.begin_attempt("c1", 1, "agent-a", "cb-a-1", now=200.0)
        row = a.get("c1")
        assert row is not None and (row["state"], row["attempts"]) == (PLACING, 1)


def test_a_node_that_lost_the_callback_cannot_record_an_outcome_over_the_new_holder(
    db_location: str,
) -> None:
    with nodes(db_location) as (a, b):
        a.accept(booked(), now=160.0)
        a.begin_attempt("c1", 1, "agent-a", "cb-a-1", now=200.0)
        run_out(b, A)
        b.claim()
        b.finish_attempt("c1", 1, "interrupted", 230.0, state=WAITING, ready_at=530.0)
        b.db.execute("UPDATE callbacks SET ready_at = 0")
        b.begin_attempt("c1", 2, "agent-b", "cb-b-2", now=600.0)
        # A was only stalled: its attempt 1 ends, and its outcome changes nothing.
        a.finish_attempt("c1", 1, "no-answer", 610.0, state=WAITING, ready_at=900.0, attempts=0)
        row = b.get("c1")
        assert row is not None
        assert (row["state"], row["attempts"], row["claimed_by"]) == (PLACING, 2, B)
        assert [(t["attempt"], t["outcome"]) for t in b.attempts("c1")] == [
            (1, "interrupted"),
            (2, "placing"),
        ]


@contextlib.asynccontextmanager
async def booked_on(db_location: str, *origins: str) -> AsyncIterator[list[CallbackBook]]:
    """A book per origin (each its own connection and thread), "c1" accepted by the first."""
    books = [CallbackBook(db_location, origin=origin) for origin in origins]
    for book in books:
        await book.open()
    try:
        entry = booked()
        await books[0].run(lambda s: s.accept(entry, 160.0))
        yield books
    finally:
        for book in books:
            await book.close()


async def race_for_the_first_attempt(books: list[CallbackBook]) -> list[object]:
    """Every book begins attempt 1 of "c1" at once; what each got (None: placed)."""

    def begin(n: int) -> Callable[[BookStore], None]:
        return lambda store: store.begin_attempt("c1", 1, f"agent-{n}", f"cb-{n}-1", 200.0)

    return await asyncio.gather(
        *(book.run(begin(n)) for n, book in enumerate(books)), return_exceptions=True
    )


async def test_two_processes_of_one_origin_racing_for_an_attempt_place_it_once(
    db_location: str,
) -> None:
    """The active node and its standby hold the same claims: the compare-and-set on the
    attempt number decides."""
    async with booked_on(db_location, A, A) as books:
        results = await race_for_the_first_attempt(books)
        assert sorted(type(r).__name__ for r in results) == ["DoubleAttempt", "NoneType"]
        assert len(await books[0].run(lambda s: s.attempts("c1"))) == 1


async def test_two_nodes_racing_for_an_attempt_place_it_once_by_the_holder(
    db_location: str,
) -> None:
    async with booked_on(db_location, A, B) as books:
        results = await race_for_the_first_attempt(books)
        assert results[0] is None and isinstance(results[1], ClaimLost)
        assert isinstance(results[1], DoubleAttempt)  # handled as one by the worker
        (placed,) = await books[0].run(lambda s: s.attempts("c1"))
        assert placed["channel_id"] == "cb-0-1"


def test_two_nodes_claiming_at_once_never_share_a_callback(pg_url: str) -> None:
    """PostgreSQL: rows another node is claiming this moment are skipped, not waited
    for (FOR UPDATE SKIP LOCKED), and not claimed twice. (SQLite lets one writer in at
    a time: BEGIN IMMEDIATE; the other waits its turn.)"""
    with nodes(pg_url) as (a, b):
        for n in range(6):
            a.accept(booked(f"c{n}", joined_at=100.0 + n, seq=n), now=200.0)
        run_out(a, A)
        with ThreadPoolExecutor(max_workers=1) as other, a.db.transaction():
            taken_by_a = a.claim()  # locked by A's open transaction
            taken_by_b = other.submit(b.claim).result(timeout=10)  # not blocked by it
        assert len(taken_by_a) == 6 and taken_by_b == []
        assert {row["claimed_by"] for row in a.db.rows_where("callbacks")} == {A}
