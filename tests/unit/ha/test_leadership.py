"""Leadership: a standby waits for the lease, the active renews it, a node taken over is
fenced, and a database it cannot reach does not fence it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from ivr.ha.leadership import Leadership, LeaseBook, Role
from ivr.ha.settings import HaSettings

NAME = "ari:http://127.0.0.1:8088:ivr101"


class Ticks:
    """The leadership's sleep: each call is a tick the test sees, run at once."""

    def __init__(self) -> None:
        self.count = 0
        self.on_tick: Callable[[int], None] = lambda n: None

    async def __call__(self, seconds: float) -> None:
        self.count += 1
        self.on_tick(self.count)
        await asyncio.sleep(0)


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
    released = asyncio.Event()
    ticks.on_tick = lambda n: released.set() if n == 3 else None
    waiting = asyncio.create_task(b.acquire())
    await released.wait()
    assert b.role is Role.STANDBY and b.holder == "node-a" and not waiting.done()
    await a.release()
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
    await a.keep()  # returns once it found the lease gone
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
    tried = asyncio.Event()
    ticks.on_tick = lambda n: tried.set() if n == 6 else None
    keeper = asyncio.create_task(a.keep())
    await tried.wait()
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
