"""The call log the sessions write to, without blocking the event loop.

Sessions call plain methods that only enqueue; one writer task drains the
queue into SQLite on a single worker thread (sqlite connections belong to
one thread) and flushes everything on shutdown, so no record is lost when
the app stops cleanly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from ivr.store.db import CallStore, Row

log = logging.getLogger(__name__)


class CallLog(Protocol):
    def call_started(self, row: Row) -> None: ...
    def call_updated(self, call_id: str, fields: Row) -> None: ...
    def event(self, call_id: str, at: datetime, kind: str, detail: Row) -> None: ...
    def decision(self, call_id: str, at: datetime, decision: Row) -> None: ...


_Write = Callable[[CallStore], None]


class SqliteCallLog:
    """CallLog backed by CallStore; ``run()`` is the writer worker."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._queue: asyncio.Queue[_Write | None] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calllog")
        self._store: CallStore | None = None
        self._flush_waiters: list[asyncio.Future[None]] = []
        self.written = 0
        self.failed = 0

    def call_started(self, row: Row) -> None:
        self._queue.put_nowait(lambda s: s.call_started(dict(row)))

    def call_updated(self, call_id: str, fields: Row) -> None:
        self._queue.put_nowait(lambda s: s.call_updated(call_id, dict(fields)))

    def event(self, call_id: str, at: datetime, kind: str, detail: Row) -> None:
        stamp = at.isoformat(timespec="milliseconds")
        self._queue.put_nowait(lambda s: s.add_event(call_id, stamp, kind, dict(detail)))

    def decision(self, call_id: str, at: datetime, decision: Row) -> None:
        stamp = at.isoformat(timespec="milliseconds")
        self._queue.put_nowait(lambda s: s.add_decision(call_id, stamp, dict(decision)))

    async def query(self, fn: Callable[[CallStore], Any]) -> Any:
        """Run a read on the writer thread, after everything queued before it."""
        await self.flush()
        return await self._in_thread(fn)

    async def flush(self) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._flush_waiters.append(done)
        self._queue.put_nowait(None)
        await done

    async def run(self) -> None:
        """Writer worker: open the store, apply writes in batches until cancelled."""
        self._store = await self._in_thread(lambda _: CallStore(self._path))
        try:
            while True:
                first = await self._queue.get()
                batch = [first]
                while not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                await self._apply(batch)
        finally:
            rest: list[_Write | None] = []
            while not self._queue.empty():
                rest.append(self._queue.get_nowait())
            await self._apply(rest)
            store = self._store
            await asyncio.get_running_loop().run_in_executor(self._executor, store.close)
            self._executor.shutdown(wait=True)

    async def _apply(self, batch: list[_Write | None]) -> None:
        writes = [w for w in batch if w is not None]
        if writes:
            await self._in_thread(lambda s: self._apply_sync(s, writes))
        if any(w is None for w in batch):
            waiters, self._flush_waiters = self._flush_waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    def _apply_sync(self, store: CallStore, writes: list[_Write]) -> None:
        with store.db.conn:
            for write in writes:
                try:
                    write(store)
                    self.written += 1
                except Exception:
                    self.failed += 1
                    log.exception("call log write failed")

    async def _in_thread(self, fn: Callable[[Any], Any]) -> Any:
        store = self._store
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, store)
