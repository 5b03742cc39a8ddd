"""StoreThread: work queued before close runs on the open store, in order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from ivr.store.thread import StoreThread


class Store:
    def __init__(self) -> None:
        self.closed = False
        self.seen: list[str] = []

    def close(self) -> None:
        self.closed = True


class Down(RuntimeError):
    pass


async def test_work_submitted_before_close_runs_before_the_store_closes() -> None:
    store = Store()
    thread: StoreThread[Store] = StoreThread("t", lambda: store, Down)
    await thread.open()
    busy = threading.Event()
    thread.submit(lambda s: busy.wait(5))  # the thread is busy when close is asked for

    def write(n: int) -> Callable[[Store], None]:
        return lambda s: s.seen.append(f"r{n}")

    written = [thread.submit(write(n)) for n in range(3)]
    closing = asyncio.create_task(thread.close())
    await asyncio.sleep(0)  # close has been asked for while the writes wait their turn
    busy.set()
    await closing
    assert [f.exception() for f in written] == [None, None, None]
    assert store.seen == ["r0", "r1", "r2"] and store.closed


async def test_work_submitted_after_close_is_refused_not_lost_silently() -> None:
    thread: StoreThread[Store] = StoreThread("t", Store, Down)
    await thread.open()
    await thread.close()
    refused = thread.submit(lambda s: s.seen.append("late"))
    with pytest.raises(Down):
        refused.result()
