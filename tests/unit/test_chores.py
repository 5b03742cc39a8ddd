"""Chores: background work is held until done, settled or cancelled on request."""

from __future__ import annotations

import asyncio

from ivr.chores import Chores


async def test_settle_waits_for_the_work_and_forgets_it_when_done() -> None:
    chores, done, go = Chores(), [], asyncio.Event()

    async def work() -> None:
        await go.wait()
        done.append(1)

    chores.spawn(work())
    assert len(chores) == 1
    go.set()  # the work is held until now: settle waits for it, however long
    await chores.settle(timeout=1)
    assert done == [1] and len(chores) == 0


async def test_cancel_stops_work_that_would_never_end() -> None:
    chores = Chores()
    chores.spawn(asyncio.sleep(3600))
    await asyncio.wait_for(chores.cancel(), 1)
    assert len(chores) == 0
