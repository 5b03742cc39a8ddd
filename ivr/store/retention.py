"""Retention: personal data is kept no longer than the force's policy says.

Two ages (``[store] numbers_days`` and ``records_days``):

- after ``numbers_days`` the numbers go: a call's caller number and name, the digits
  the caller keyed (a keyed digit may be a callback number) in its events and in its
  decisions (evidence, stored RoutingInputs, a reason quoting them; the row is marked
  ``KEYS_CLEARED``, and ``ivr replay`` counts such rows apart instead of deciding them
  again without their keys), event details that can quote a number (``NUMBER_EVENTS``:
  a callback dials the caller's number), and a text's recipient and provider error.
  (A callback's number goes as soon as it is finished: ``ivr.queues.book``; one still
  open that long, say its queue was removed from the config, is failed as expired.)
  What the call was about, where it went and why stay, so the routing can still be
  analysed.
- after ``records_days`` the call goes: its row, events and decisions (which hold
  what the caller said: kept until then so a rule change can be tried on past
  calls), caller-history rows, texts and survey replies, finished callbacks, and
  flags that were cleared or lapsed that long ago. Flags in force are never touched.
- chats, their transcripts and links, and a link's number: ivr.store.chat_retention.
- after ``audit_days`` (``[console] audit_days``, when the app sets it) the console's
  audit rows go: the one DELETE the append-only trail allows (``purge_audit_before``).

Other connections write to the same database while a purge runs (a callback being
accepted, a text stored while the caller waits), and SQLite's busy timeout polls
rather than queues. So each batch is a short write transaction, and after each the
purge rests as long as the batch held the lock: other writers always find gaps.
``calls.personal_cleared`` marks the calls already blanked (a partial index finds the
rest), so a daily run reads one day, and a call written late is not missed.

An event kind that can hold a number must be listed in ``NUMBER_EVENTS``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from ivr.store.chat_retention import chat_steps
from ivr.store.db import CallStore, iso, write_transaction
from ivr.store.engine import Database
from ivr.store.migrations import AUDIT_NO_DELETE
from ivr.store.retention_sql import KEYS_CLEARED as KEYS_CLEARED
from ivr.store.retention_sql import event_blanked, keyed, keys_blanked
from ivr.store.thread import StoreThread

log = logging.getLogger(__name__)

# Event kind -> the detail field that may hold (part of) a phone number.
NUMBER_EVENTS: dict[str, str] = {
    "dtmf": "digit",
    "callback-number-invalid": "reason",
    "dial": "endpoint",  # Local/<number>@ivr-callback
}
FINISHED_TEXTS = "('sent', 'failed')"
FINISHED_CALLBACKS = "('done', 'failed', 'withdrawn')"
RETRY_AFTER_FAILURE_S = 600.0

Progress = Callable[[str, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class RetentionPolicy:
    numbers_days: float
    records_days: float
    audit_days: float | None = None  # None: the audit trail is not purged

    def __post_init__(self) -> None:
        if not 0 < self.numbers_days <= self.records_days:
            raise ValueError("retention needs 0 < numbers_days <= records_days")
        if self.audit_days is not None and not self.audit_days > 0:
            raise ValueError("retention needs audit_days > 0")

    def with_audit(self, days: float) -> RetentionPolicy:
        """This policy, purging the console's audit trail after ``days`` too."""
        return RetentionPolicy(self.numbers_days, self.records_days, days)


def _delete_audit_rows(db: Database, cutoff: str, limit: int | None) -> int:
    """Inside a write transaction: lift the audit trail's DELETE guard, delete up to
    ``limit`` rows older than ``cutoff`` (None: all), put the guard back. No other
    connection ever sees the table unguarded: the transaction commits all or nothing
    (PostgreSQL's DDL is transactional too)."""
    AUDIT_NO_DELETE.drop(db)
    if limit is None:
        cur = db.execute("DELETE FROM audit WHERE at < ?", [cutoff])
    else:
        cur = db.execute(
            "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY id LIMIT ?)",
            [cutoff, limit],
        )
    AUDIT_NO_DELETE.make(db)
    return int(cur.rowcount)


def purge_audit_before(db: Database, at: datetime) -> int:
    """Delete the audit rows older than ``at``, in one transaction (the CLI, tests)."""
    with write_transaction(db):
        return _delete_audit_rows(db, iso(at), None)


@dataclass
class PurgeReport:
    """Rows changed per step, in the order the steps ran; the longest lock held."""

    counts: dict[str, int] = field(default_factory=dict)
    longest_hold_s: float = 0.0
    transactions: int = 0

    def add(self, step: str, n: int) -> None:
        self.counts[step] = self.counts.get(step, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        done = [f"{step} {n}" for step, n in self.counts.items() if n]
        return ", ".join(done) or "nothing due"


class Retention:
    """Blank and delete what the policy says is too old, as of ``now``."""

    def __init__(
        self,
        db: Database,
        policy: RetentionPolicy,
        *,
        batch: int = 500,
        rest: float = 1.0,
        stop: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.policy = policy
        self.batch = batch
        self.rest = rest  # seconds of rest per second of lock held
        # Set from another thread to end a run between batches (shutdown); the next run
        # carries on from where this one stopped.
        self.stop = stop or threading.Event()

    def purge(self, now: datetime, progress: Progress | None = None) -> PurgeReport:
        numbers_cutoff = iso(now - timedelta(days=self.policy.numbers_days))
        records_cutoff = iso(now - timedelta(days=self.policy.records_days))
        records_epoch = (now - timedelta(days=self.policy.records_days)).timestamp()
        numbers_epoch = (now - timedelta(days=self.policy.numbers_days)).timestamp()
        report = PurgeReport()
        run = _Run(self, report, progress)

        # Delete first: no blanking of rows about to go.
        run.call_batches(
            "started_at < ?",
            [records_cutoff],
            max(1, self.batch // 10),  # a call has tens of events: ~1,000 rows at 500
            self._delete_calls,
        )
        run.repeat(
            "caller history: calls deleted",
            "DELETE FROM caller_calls WHERE call_id IN"
            " (SELECT call_id FROM caller_calls WHERE at < ? LIMIT ?)",
            [records_cutoff],
        )
        run.repeat(
            "caller history: old flags deleted",
            "DELETE FROM caller_flags WHERE id IN (SELECT id FROM caller_flags WHERE"
            " (coalesce(cleared_at, '') != '' AND cleared_at < ?)"
            " OR (coalesce(expires_at, '') != '' AND expires_at < ?) LIMIT ?)",
            [records_cutoff, records_cutoff],
        )
        run.repeat(
            "survey replies deleted",
            "DELETE FROM survey_responses WHERE id IN (SELECT r.id FROM survey_responses r"
            " JOIN sms_outbox o ON o.id = r.outbox_id WHERE o.created_at < ?"
            f" AND o.state IN {FINISHED_TEXTS} LIMIT ?)",
            [records_cutoff],
        )
        run.repeat(
            "texts deleted",
            "DELETE FROM sms_outbox WHERE id IN (SELECT id FROM sms_outbox"
            f" WHERE created_at < ? AND state IN {FINISHED_TEXTS} LIMIT ?)",
            [records_cutoff],
        )
        run.repeat(
            "callback attempts deleted",
            "DELETE FROM callback_attempts WHERE id IN (SELECT a.id FROM callback_attempts a"
            " JOIN callbacks c ON c.call_id = a.call_id WHERE c.accepted_at < ?"
            f" AND c.state IN {FINISHED_CALLBACKS} LIMIT ?)",
            [records_epoch],
        )
        run.repeat(
            "callbacks deleted",
            "DELETE FROM callbacks WHERE call_id IN (SELECT call_id FROM callbacks"
            f" WHERE accepted_at < ? AND state IN {FINISHED_CALLBACKS} LIMIT ?)",
            [records_epoch],
        )
        for step, sql, params in chat_steps(records_cutoff, numbers_cutoff):
            run.repeat(step, sql, params)
        run.call_batches(
            "personal_cleared = 0 AND started_at < ?",
            [numbers_cutoff],
            self.batch,
            self._blank_calls,
        )
        run.repeat(
            "callbacks: stale ones expired",
            "UPDATE callbacks SET state = 'failed', outcome = 'expired', number = ''"
            " WHERE call_id IN (SELECT call_id FROM callbacks WHERE accepted_at < ?"
            f" AND state NOT IN {FINISHED_CALLBACKS} LIMIT ?)",
            [numbers_epoch],
        )
        run.repeat(
            "texts: recipient blanked",
            "UPDATE sms_outbox SET to_number = '', last_error = '' WHERE id IN"
            f" (SELECT id FROM sms_outbox WHERE created_at < ? AND state IN {FINISHED_TEXTS}"
            " AND (to_number != '' OR last_error != '') LIMIT ?)",
            [numbers_cutoff],
        )
        if self.policy.audit_days is not None:
            self._purge_audit(run, iso(now - timedelta(days=self.policy.audit_days)))
        return report

    def _purge_audit(self, run: _Run, cutoff: str) -> None:
        """The audit trail's old rows, a batch a transaction (each lifts and restores
        the guard), until a batch finds fewer."""
        while not self.stop.is_set():
            deleted = run.transaction(_delete_audit_rows, self.db, cutoff, self.batch)
            run.tally("audit trail: old rows deleted", deleted)
            if deleted < self.batch:
                return

    # ---- steps on a batch of calls (inside its transaction) ---------------------------

    def _delete_calls(self, call_ids: list[str], tally: Progress) -> None:
        marks = ",".join("?" * len(call_ids))
        for table in ("call_events", "decisions"):  # children first (foreign keys)
            cur = self.db.execute(f"DELETE FROM {table} WHERE call_id IN ({marks})", call_ids)
            tally(f"{table.replace('_', ' ')} deleted", cur.rowcount)
        cur = self.db.execute(f"DELETE FROM calls WHERE call_id IN ({marks})", call_ids)
        tally("calls deleted", cur.rowcount)

    def _blank_calls(self, call_ids: list[str], tally: Progress) -> None:
        marks = ",".join("?" * len(call_ids))
        cur = self.db.execute(
            "UPDATE calls SET caller_number = '', caller_name = '', personal_cleared = 1"
            f" WHERE call_id IN ({marks})",
            call_ids,
        )
        tally("calls: number and name blanked", cur.rowcount)
        for kind, key in NUMBER_EVENTS.items():
            blanked, is_set = event_blanked(self.db, key)
            cur = self.db.execute(
                f"UPDATE call_events SET {blanked}"
                f" WHERE call_id IN ({marks}) AND kind = ? AND {is_set}",
                [*call_ids, kind],
            )
            tally("events: keyed digits and quoted numbers blanked", cur.rowcount)
        cur = self.db.execute(
            f"UPDATE decisions SET {keys_blanked(self.db)}"
            f" WHERE call_id IN ({marks}) AND {keyed(self.db)}",
            call_ids,
        )
        tally("decisions: keyed digits blanked", cur.rowcount)


class _Run:
    """One purge's transactions: each short, timed, followed by a rest."""

    def __init__(self, retention: Retention, report: PurgeReport, progress: Progress | None):
        self.r = retention
        self.report = report
        self.progress = progress

    def tally(self, step: str, n: int) -> None:
        self.report.add(step, n)
        if self.progress is not None and n:
            self.progress(step, self.report.counts[step])

    def transaction(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in one write transaction, timed, then rest."""
        began = time.perf_counter()
        with write_transaction(self.r.db):
            result = work(*args)
        held = time.perf_counter() - began
        self.report.longest_hold_s = max(self.report.longest_hold_s, held)
        self.report.transactions += 1
        if self.r.rest > 0:
            time.sleep(held * self.r.rest)
        return result

    def repeat(self, step: str, sql: str, params: list[object]) -> None:
        """Run a ``... LIMIT ?`` statement, a transaction each, until it changes fewer."""
        batch = self.r.batch
        while not self.r.stop.is_set():
            changed = self.transaction(self._changes, sql, [*params, batch])
            self.tally(step, changed)
            if changed < batch:
                return

    def _changes(self, sql: str, params: list[object]) -> int:
        return int(self.r.db.execute(sql, params).rowcount)

    def call_batches(
        self,
        where: str,
        params: list[object],
        size: int,
        step: Callable[[list[str], Progress], None],
    ) -> None:
        """``step`` on the calls matching ``where``, oldest first, ``size`` a transaction.

        Each batch changes its calls so that they no longer match (deleted, or marked
        cleared), so the same query finds the next batch.
        """
        while not self.r.stop.is_set():
            rows = self.r.db.execute(
                f"SELECT call_id FROM calls WHERE {where} ORDER BY started_at LIMIT ?",
                [*params, size],
            ).fetchall()
            if not rows:
                return
            call_ids = [row[0] for row in rows]
            self.transaction(step, call_ids, self.tally)


class RetentionWorker:
    """The app's purge: at start-up, then every ``every_s``, on its own connection."""

    def __init__(
        self,
        path: str,
        policy: RetentionPolicy,
        clock: Callable[[], datetime],
        *,
        every_s: float = 86_400.0,
    ) -> None:
        self._thread: StoreThread[CallStore] = StoreThread(
            "retention", lambda: CallStore(path), lambda: RuntimeError("retention store closed")
        )
        self._policy = policy
        self._clock = clock
        self._every_s = every_s
        self._stop = threading.Event()
        self.last: PurgeReport | None = None
        self.ran = asyncio.Event()  # set after each run, failed or not

    async def open(self) -> None:
        await self._thread.open()

    async def run(self) -> None:
        """Purge, sleep, repeat; a failed run is logged and tried again sooner."""
        while True:
            began = time.monotonic()
            wait = self._every_s
            try:
                self.last = await self._thread.run(self._purge)
            except Exception:  # a locked or full disk must not stop the calls
                wait = min(self._every_s, RETRY_AFTER_FAILURE_S)
                log.exception("retention: purge failed; trying again in %.0f s", wait)
            else:
                log.info(
                    "retention: %s (%.1f s, longest lock %.0f ms)",
                    self.last.summary(),
                    time.monotonic() - began,
                    self.last.longest_hold_s * 1000,
                )
            self.ran.set()
            await asyncio.sleep(wait)

    def _purge(self, store: CallStore) -> PurgeReport:
        return Retention(store.db, self._policy, stop=self._stop).purge(self._clock())

    async def close(self) -> None:
        """Stop a purge between batches, then close the connection."""
        self._stop.set()
        await self._thread.close()
