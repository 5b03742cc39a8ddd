"""The call log the sessions write to, without blocking the event loop.

Sessions call plain methods that only enqueue; one writer task drains the
queue into the call database (SQLite or PostgreSQL) on a single worker thread
(a connection belongs to one thread). A batch that fails to commit (disk full, database locked) is
retried with backoff rather than dropped; everything queued is written on
a clean shutdown. The queue is bounded so a dead disk cannot eat memory:
past the bound new records are counted as dropped and logged.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Protocol

from ivr.decisions import Decision
from ivr.store.db import CallStore, Row, iso, write_transaction

log = logging.getLogger(__name__)

MAX_QUEUED = 100_000
RETRY_MAX_S = 30.0


class CallLog(Protocol):
    def call_started(self, row: Row) -> None: ...
    def call_updated(self, call_id: str, fields: Row) -> None: ...
    def event(self, call_id: str, at: datetime, kind: str, detail: Row) -> None: ...
    def decision(self, call_id: str, at: datetime, decision: Decision) -> None: ...


class CallLogDown(RuntimeError):
    """The writer is not running: reads and flushes would wait forever."""

    error_id = "call-log-down"


_Write = Callable[[CallStore], None]


class SqliteCallLog:
    """CallLog backed by CallStore: ``open()`` at start-up, then ``run()`` as the writer."""

    def __init__(self, path: str, *, origin: str = "", max_queued: int = MAX_QUEUED) -> None:
        self._path = path
        self.origin = origin  # the Asterisk this node answers: stamped on each call's row
        self._queue: asyncio.Queue[_Write | None] = asyncio.Queue(maxsize=max_queued)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calllog")
        self._store: CallStore | None = None
        self._flush_waiters: list[asyncio.Future[None]] = []
        self._write_waiters: list[asyncio.Future[None]] = []
        self._running = False
        self.written = 0
        self.failed = 0
        self.dropped = 0
        self.retrying = False

    @property
    def healthy(self) -> bool:
        return self._running and not self.retrying and self.dropped == 0

    # --- writes (never block, never raise) ----------------------------------------------

    def _put(self, write: _Write) -> None:
        try:
            self._queue.put_nowait(write)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error("call log queue full: %d records dropped so far", self.dropped)

    def call_started(self, row: Row) -> None:
        self._put(lambda s: s.call_started({**row, "origin": self.origin}))

    def call_updated(self, call_id: str, fields: Row) -> None:
        self._put(lambda s: s.call_updated(call_id, dict(fields)))

    def close_interrupted(self, live: Collection[str], at: datetime) -> None:
        """At start-up, once calls left in Stasis are adopted: the rest of the calls a
        dead process left open are ended (``CallStore.close_interrupted``)."""
        kept, stamp, origin = sorted(live), iso(at), self.origin
        self._put(
            lambda s: log.info(
                "%d interrupted calls closed", s.close_interrupted(kept, stamp, origin)
            )
        )

    def event(self, call_id: str, at: datetime, kind: str, detail: Row) -> None:
        stamp = iso(at)
        self._put(lambda s: s.add_event(call_id, stamp, kind, dict(detail)))

    def decision(self, call_id: str, at: datetime, decision: Decision) -> None:
        stamp = iso(at)
        row = decision.to_json()
        self._put(lambda s: s.add_decision(call_id, stamp, row))

    # --- reads and barriers ---------------------------------------------------------------

    async def query(self, fn: Callable[[CallStore], Any]) -> Any:
        """Run a read on the writer thread, after everything queued before it."""
        await self.flush()
        return await self._in_thread(fn)

    async def flush(self) -> None:
        """Wait until everything queued so far is written."""
        if not self._running:
            raise CallLogDown("the call log writer is not running")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._flush_waiters.append(done)
        await self._queue.put(None)
        await done

    def next_write(self) -> asyncio.Future[None]:
        """Resolved once the next batch of records is written (a flush alone is not one).

        Something that waits for the log to show a state takes this *before* it reads, so a
        write that lands between its read and its wait still wakes it.
        """
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not self._running:
            written.set_exception(CallLogDown("the call log writer is not running"))
        else:
            self._write_waiters.append(written)
        return written

    # --- the worker -----------------------------------------------------------------------

    async def open(self) -> None:
        """Open (and migrate) the database; raises at start-up rather than failing later."""
        self._store = await self._in_thread(lambda _: CallStore(self._path))
        self._running = True  # the writer task is started right after

    async def run(self) -> None:
        """Writer worker: apply writes in batches until cancelled, then write what is left."""
        if self._store is None:
            await self.open()
        try:
            while True:
                batch = [await self._queue.get()]
                while not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                await self._apply_with_retry(batch)
        finally:
            self._running = False
            rest: list[_Write | None] = []
            while not self._queue.empty():
                rest.append(self._queue.get_nowait())
            try:
                await self._apply(rest)
            except Exception:
                log.exception("call log: %d records could not be written at shutdown", len(rest))
            for fut in [*self._flush_waiters, *self._write_waiters]:
                if not fut.done():
                    fut.set_exception(CallLogDown("the call log writer stopped"))
            store = self._store
            if store is not None:
                await asyncio.get_running_loop().run_in_executor(self._executor, store.close)
            self._executor.shutdown(wait=True)

    async def _apply_with_retry(self, batch: list[_Write | None]) -> None:
        delay = 0.5
        while True:
            try:
                await self._apply(batch)
                self.retrying = False
                return
            except Exception:
                self.retrying = True
                log.exception("call log: batch of %d failed; retrying in %.1f s", len(batch), delay)
                await asyncio.sleep(delay)
                delay = min(RETRY_MAX_S, delay * 2)

    async def _apply(self, batch: list[_Write | None]) -> None:
        writes = [w for w in batch if w is not None]
        if writes:
            await self._in_thread(lambda s: self._apply_sync(s, writes))
            waiting, self._write_waiters = self._write_waiters, []
            for fut in waiting:
                if not fut.done():
                    fut.set_result(None)
        if any(w is None for w in batch):
            waiters, self._flush_waiters = self._flush_waiters, []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    def _apply_sync(self, store: CallStore, writes: list[_Write]) -> None:
        """One transaction; a record that is bad in itself is counted and skipped.

        PostgreSQL aborts a whole transaction at a failed statement, so a bad record
        cannot just be stepped over: the batch is rolled back and written again, each
        record in a savepoint of its own (a nested transaction), which undoes the bad
        ones alone. Only then: a savepoint per record would cost two more round trips
        each on PostgreSQL (about 2.5 times the batch's time, measured).
        """
        try:
            with write_transaction(store.db):
                for write in writes:
                    write(store)
        except Exception as exc:
            if _is_storage_failure(exc):
                raise  # the disk or database, not a record: retry the batch
            self._apply_each(store, writes)
            return
        self.written += len(writes)

    def _apply_each(self, store: CallStore, writes: list[_Write]) -> None:
        with write_transaction(store.db):
            for write in writes:
                try:
                    with store.db.transaction():
                        write(store)
                    self.written += 1
                except Exception as exc:
                    if _is_storage_failure(exc):
                        raise  # the disk or database, not the record: retry the batch
                    self.failed += 1
                    log.exception("call log write failed")

    async def _in_thread(self, fn: Callable[[Any], Any]) -> Any:
        store = self._store
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, store)


def _is_storage_failure(exc: Exception) -> bool:
    """Locked, full, read-only, I/O error, the server gone or restarting: conditions that
    pass, unlike a bad record. (psycopg's OperationalError covers a lost connection, a
    shut-down server, a full disk and a deadlock; an IntegrityError is the record's.)"""
    import psycopg  # imported when a write first fails, as ivr.store.engine does

    return isinstance(exc, sqlite3.OperationalError | psycopg.OperationalError)
