"""CallerService: caller history for live calls, without blocking the event loop.

SQLite work runs on one worker thread with its own connection (sqlite
connections belong to one thread; WAL lets it read while the call log
writes). Lookups are awaited by the call; records of finished calls are
queued and forgotten by it. Neither may stop a call: the session turns a
failed lookup into an empty profile, and a failed record is logged here.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from ivr.callers.history import CallerHistory
from ivr.callers.model import EMPTY_PROFILE, CallerPolicy, CallerProfile, CallRecord
from ivr.callers.pseudonym import Pseudonymiser
from ivr.callers.settings import CallerSettings
from ivr.store.db import CallStore, write_transaction

log = logging.getLogger(__name__)

WRITE_TRIES = 6  # about 15 s of retrying a locked database

MAX_PENDING = 10_000  # records queued for the thread; past this a dead disk would eat memory
T = TypeVar("T")


class CallerHistoryDown(RuntimeError):
    """The history database is not open (start-up failed, or after close)."""

    error_id = "caller-history-down"


class CallerService:
    """CallerLookup over the call database: ``await open()``, then ``profile``/``record``."""

    def __init__(self, path: str, pseudonyms: Pseudonymiser, policy: CallerPolicy) -> None:
        self._path = path
        self.pseudonyms = pseudonyms
        self.policy = policy
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callers")
        self._store: CallStore | None = None
        self._history: CallerHistory | None = None
        self._count = threading.Lock()  # the done callback runs on the worker thread
        self.pending = 0
        self.recorded = 0
        self.failed = 0
        self.dropped = 0

    async def open(self) -> None:
        """Open (and migrate) the database; the call log opens it first at start-up."""

        def connect() -> None:
            self._store = CallStore(self._path)
            self._history = CallerHistory(self._store.db)

        await asyncio.get_running_loop().run_in_executor(self._executor, connect)

    async def close(self) -> None:
        """Write what is queued, then close: records of calls that just ended are kept."""

        def shut() -> None:
            if self._store is not None:
                self._store.close()
            self._store = self._history = None

        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, shut)
        await asyncio.to_thread(self._executor.shutdown, wait=True)

    async def profile(self, number: str, call_id: str, at: datetime) -> CallerProfile:
        """The caller's flags, recent calls and re-dial link; withheld numbers: empty."""
        pseudonym = self.pseudonyms.pseudonym(number)
        if pseudonym is None:
            return EMPTY_PROFILE
        return await asyncio.get_running_loop().run_in_executor(
            self._executor,
            self._with_history,
            lambda h: h.profile(pseudonym, call_id, at, self.policy),
        )

    async def flush(self) -> None:
        """Wait until the calls queued by ``record`` so far are written (one thread, in
        order): a reader after a call's end sees it without waiting on a timer."""
        await asyncio.get_running_loop().run_in_executor(self._executor, lambda: None)

    def record(self, call: CallRecord) -> None:
        """Queue a finished call for history; never blocks, never raises."""
        try:
            pseudonym = self.pseudonyms.pseudonym(call.number)
            if pseudonym is None:
                return  # nobody to remember it against
            if self.pending >= MAX_PENDING:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    log.error("caller history queue full: %d calls dropped", self.dropped)
                return
            with self._count:
                self.pending += 1
            future: Future[None] = self._executor.submit(
                self._with_history, lambda h: self._write(h, pseudonym, call)
            )
            future.add_done_callback(self._recorded)
        except Exception:
            self.failed += 1
            log.exception("caller history: call %s not recorded", call.call_id)

    def _write(self, history: CallerHistory, pseudonym: str, call: CallRecord) -> None:
        """One record; a locked database (a backup, the CLI, a long call-log batch) is
        retried for a while on this worker thread rather than losing the call."""
        for attempt in range(WRITE_TRIES):
            try:
                with write_transaction(history.db):
                    history.record_call(pseudonym, call)
                return
            except sqlite3.OperationalError:
                if attempt == WRITE_TRIES - 1:
                    raise
                time.sleep(min(5.0, 0.25 * 2**attempt))

    def _recorded(self, future: Future[None]) -> None:
        exc = future.exception() if not future.cancelled() else None
        with self._count:
            self.pending -= 1
            if exc is None and not future.cancelled():
                self.recorded += 1
                return
            self.failed += 1
        log.error("caller history: a call was not recorded: %r", exc)

    def _with_history(self, fn: Callable[[CallerHistory], T]) -> T:
        if self._history is None:
            raise CallerHistoryDown("caller history is not open")
        return fn(self._history)


def build_caller_service(settings: CallerSettings, db_path: str) -> CallerService:
    """The app's CallerService from settings ``[callers]`` and IVR_CALLER_KEY."""
    return CallerService(db_path, Pseudonymiser.from_setting(settings.key), settings.policy)
