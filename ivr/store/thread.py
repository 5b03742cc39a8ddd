"""One SQLite connection on one thread: the async face of a synchronous store.

sqlite3 connections belong to the thread that made them, and a query must
never block the event loop; so each store (callback book, SMS outbox, caller history,
retention) lives on
a single worker thread and the loop hands it functions to run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class Closable(Protocol):
    def close(self) -> None: ...


S = TypeVar("S", bound=Closable)


class StoreThread(Generic[S]):
    def __init__(
        self, name: str, opener: Callable[[], S], not_open: Callable[[], Exception]
    ) -> None:
        """``opener`` makes the store on the thread; ``not_open()`` is raised before/after."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._opener = opener
        self._not_open = not_open
        self._store: S | None = None

    @property
    def is_open(self) -> bool:
        return self._store is not None

    async def open(self) -> None:
        """Open (and migrate) the database; raises at start-up rather than at first use."""
        self._store = await asyncio.get_running_loop().run_in_executor(self._executor, self._opener)

    async def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, store.close)
        self._executor.shutdown(wait=True)

    async def run(self, fn: Callable[[S], T]) -> T:
        """``fn(store)`` on the store's thread."""
        store = self._store
        if store is None:
            raise self._not_open()
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, store)

    def submit(self, fn: Callable[[S], T]) -> Future[T]:
        """``fn(store)`` queued on the store's thread from code that cannot wait (a call's
        end); the Future says how it went. Run in order with everything else: queued
        before ``close``, it runs before the store is closed."""
        store = self._store
        if store is None:
            refused: Future[T] = Future()
            refused.set_exception(self._not_open())
            return refused
        return self._executor.submit(fn, store)

    async def flush(self) -> None:
        """Wait until everything queued so far has run."""
        await asyncio.get_running_loop().run_in_executor(self._executor, lambda: None)
