"""CallerService: caller history for live calls, without blocking the event loop.

Database work runs on one worker thread with its own connection (sqlite
connections belong to one thread; WAL lets it read while the call log
writes; PostgreSQL's is used the same way). Lookups are awaited by the call;
records of finished calls are queued and forgotten by it. Neither may stop a
call: the session turns a failed lookup into an empty profile, and a failed
record is logged here.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time
from concurrent.futures import Future
from datetime import datetime
from typing import TypeVar

from ivr.callers.history import CallerHistory
from ivr.callers.model import EMPTY_PROFILE, CallerPolicy, CallerProfile, CallRecord
from ivr.callers.pseudonym import Pseudonymiser
from ivr.callers.settings import CallerSettings
from ivr.store.db import CallStore, write_transaction
from ivr.store.thread import StoreThread

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
        self.pseudonyms = pseudonyms
        self.policy = policy
        self._thread: StoreThread[_HistoryStore] = StoreThread(
            "callers",
            lambda: _HistoryStore(CallStore(path)),
            lambda: CallerHistoryDown("caller history is not open"),
        )
        self._count = threading.Lock()  # the done callback runs on the worker thread
        self.pending = 0
        self.recorded = 0
        self.failed = 0
        self.dropped = 0

    async def open(self) -> None:
        """Open (and migrate) the database; the call log opens it first at start-up."""
        await self._thread.open()

    async def close(self) -> None:
        """Write what is queued, then close: records of calls that just ended are kept."""
        await self._thread.close()

    async def profile(self, number: str, call_id: str, at: datetime) -> CallerProfile:
        """The caller's flags, recent calls and re-dial link; withheld numbers: empty."""
        pseudonym = self.pseudonyms.pseudonym(number)
        if pseudonym is None:
            return EMPTY_PROFILE
        return await self._thread.run(
            lambda s: s.history.profile(pseudonym, call_id, at, self.policy)
        )

    async def flush(self) -> None:
        """Wait until the calls queued by ``record`` so far are written (one thread, in
        order): a reader after a call's end sees it without waiting on a timer."""
        await self._thread.flush()

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
            future = self._thread.submit(lambda s: self._write(s.history, pseudonym, call))
            future.add_done_callback(self._recorded)
        except Exception:
            self.failed += 1
            log.exception("caller history: call %s not recorded", call.call_id)

    def _write(self, history: CallerHistory, pseudonym: str, call: CallRecord) -> None:
        """One record; a locked database (a backup, the CLI, a long call-log batch) or a
        lost PostgreSQL connection is retried for a while on this worker thread rather
        than losing the call."""
        for attempt in range(WRITE_TRIES):
            try:
                with write_transaction(history.db):
                    history.record_call(pseudonym, call)
                return
            except Exception as exc:
                if attempt == WRITE_TRIES - 1 or not _transient(exc):
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


def _transient(exc: Exception) -> bool:
    """A write worth trying again: SQLite's "database is locked", or a PostgreSQL
    connection lost (a server restart, a failover), which the engine opens again on the
    next try. psycopg is looked up, not imported: a SQLite-only process never loads it."""
    if isinstance(exc, sqlite3.OperationalError):
        return True
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.OperationalError)


class _HistoryStore:
    """The call database as caller history uses it, on its own thread's connection."""

    def __init__(self, store: CallStore) -> None:
        self.store = store
        self.history = CallerHistory(store.db)

    def close(self) -> None:
        self.store.close()


def build_caller_service(settings: CallerSettings, db_path: str) -> CallerService:
    """The app's CallerService from settings ``[callers]`` and IVR_CALLER_KEY."""
    return CallerService(db_path, Pseudonymiser.from_setting(settings.key), settings.policy)
