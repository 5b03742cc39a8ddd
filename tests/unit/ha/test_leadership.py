"""Leadership: a standby waits for the lease, the active renews it, a node taken over is
fenced, and a database it cannot reach does not fence it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ivr.ha.leadership import Leadership, LeaseBook, Role
from ivr.ha.settings import HaSettings

NAME = "ari:http://127.0.0.1:8088:ivr101"


class Ticks:
    """The leadership's sleep, in the test's hands: a sleep ends when the test lets
    the time pass (``tick``), so each round of the loop runs when the test says."""

    def __init__(self) -> None:
        self._passed = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        await self._passed.wait()
        self._passed.clear()

    def tick(self) -> None:
        self._passed.set()


async def round_handled(node: Leadership, loop: asyncio.Task[Any]) -> None:
    """Wait until ``node``'s ``loop`` (its acquire or keep) has handled its next round;
    the loop must still be running then."""
    handled: asyncio.Future[Any] = node.next_round()
    await asyncio.wait({handled, loop}, return_when=asyncio.FIRST_COMPLETED)
    assert not loop.done(), "the loop ended instead"


@pytest.fixture
async def book(db_location: str) -> AsyncIterator[LeaseBook]:
    book = LeaseBook(db_location)
    await book.open()
    yield book
    await book.close()


def leader(book: LeaseBook, node: str, ticks: Ticks, fenced: list[str]) -> Leadership:
    return Leadership(
        book, NAME, HaSettings(enabled=True, node=node), on_fenced=fenced.append, sleep=ticks
    )


async def test_the_first_node_becomes_active_at_once(book: LeaseBook) -> None:
    a = leader(book, "node-a", Ticks(), [])
    held = await a.acquire()
    assert a.role is Role.ACTIVE and a.active.is_set() and held.holder == "node-a"
    assert a.report() == {"ha": {"role": "active", "node": "node-a", "holder": "node-a"}}


async def test_a_standby_waits_while_the_active_holds_and_takes_over_when_it_releases(
    book: LeaseBook,
) -> None:
    a = leader(book, "node-a", Ticks(), [])
    await a.acquire()
    ticks = Ticks()
    b = leader(book, "node-b", ticks, [])
    waiting = asyncio.create_task(b.acquire())
    await round_handled(b, waiting)  # b has read the lease: node-a holds it
    for _ in range(2):  # and it reads it again, round after round
        ticks.tick()
        await round_handled(b, waiting)
    assert b.role is Role.STANDBY and b.holder == "node-a" and not waiting.done()
    await a.release()
    ticks.tick()
    held = await waiting
    assert held.generation == 2 and a.role is Role.STANDBY
    assert b.role is Role.ACTIVE  # type: ignore[comparison-overlap]


async def test_an_active_node_taken_over_is_fenced_naming_who_took_it(book: LeaseBook) -> None:
    fenced: list[str] = []
    ticks = Ticks()
    a = leader(book, "node-a", ticks, fenced)
    await a.acquire()
    # node-a stalls past its lease (its lease has run out) and node-b takes over.
    await book.run(lambda s: s.db.execute("UPDATE node_leases SET expires_at = 0"))
    b = leader(book, "node-b", Ticks(), [])
    await b.acquire()
    keeper = asyncio.create_task(a.keep())
    served_on = a.next_round()
    ticks.tick()
    await asyncio.wait({keeper, served_on}, return_when=asyncio.FIRST_COMPLETED)
    assert keeper.done()  # at its first renewal, which found the lease gone
    assert a.role is Role.FENCED and not a.active.is_set()
    assert len(fenced) == 1 and "node-b" in fenced[0]


async def test_an_active_node_keeps_serving_while_the_database_cannot_be_reached(
    db_location: str,
) -> None:
    book = LeaseBook(db_location)
    await book.open()
    fenced: list[str] = []
    ticks = Ticks()
    a = leader(book, "node-a", ticks, fenced)
    await a.acquire()
    await book.close()  # every renewal now fails
    keeper = asyncio.create_task(a.keep())
    for _ in range(6):  # two leases' worth of renewals, a third of a lease apart
        ticks.tick()
        await round_handled(a, keeper)
    keeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await keeper
    assert fenced == [] and a.role is Role.ACTIVE


async def test_a_node_told_asterisk_gave_the_app_away_is_fenced_once(book: LeaseBook) -> None:
    fenced: list[str] = []
    a = leader(book, "node-a", Ticks(), fenced)
    await a.acquire()
    a.fence("Asterisk gave the ARI application to another node")
    a.fence("again")
    assert fenced == ["Asterisk gave the ARI application to another node"]
    await a.release()  # a fenced node releases nothing: the lease is not its any more
    row = await book.run(lambda s: s.current(NAME))
    assert row is not None and row.holder == "node-a" and row.expires_in_s > 0
