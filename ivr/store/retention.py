"""Retention: personal data is kept no longer than the force's policy says.

Two ages (``[store] numbers_days`` and ``records_days``):

- after ``numbers_days`` the numbers go: a call's caller number and name, the digits
  the caller keyed (a keyed digit may be a callback number), reasons that quote a
  number, a sent text's recipient. (A callback's number goes as soon as it is finished:
  ``ivr.queues.book``.) What the call was about, where it went and why stay, so the
  routing can still be analysed.
- after ``records_days`` the call goes: its row, events, decisions (which hold what
  the caller said: kept until then so a rule change can be tried on past calls),
  caller-history rows, texts and survey replies, finished callbacks, and flags that
  were cleared or lapsed that long ago. Flags in force are never touched.

Work is done in small write transactions (``batch`` calls or rows each) so the call
log's writer never waits long behind a purge. Blanking walks calls by start time
from a watermark stored in ``retention_state``, so a daily run reads only the day
it has not seen; deleting needs no watermark (what it deletes is gone).

An event kind that can hold a number must be listed in ``NUMBER_EVENTS``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlite_utils

from ivr.store.db import CallStore, write_transaction
from ivr.store.thread import StoreThread

log = logging.getLogger(__name__)

# Event kind -> the detail field that may hold (part of) a phone number.
NUMBER_EVENTS: dict[str, str] = {"dtmf": "digit", "callback-number-invalid": "reason"}
WATERMARK = "numbers_blanked_before"
FINISHED_TEXTS = "('sent', 'failed')"
FINISHED_CALLBACKS = "('done', 'failed')"

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class RetentionPolicy:
    numbers_days: float
    records_days: float

    def __post_init__(self) -> None:
        if not 0 < self.numbers_days <= self.records_days:
            raise ValueError("retention needs 0 < numbers_days <= records_days")


@dataclass
class PurgeReport:
    """Rows changed per step, in the order the steps ran."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, step: str, n: int) -> None:
        self.counts[step] = self.counts.get(step, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        done = [f"{step} {n}" for step, n in self.counts.items() if n]
        return ", ".join(done) or "nothing due"


def iso(at: datetime) -> str:
    """Stamps in the database are UTC ISO strings with milliseconds: they sort as text."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


class Retention:
    """Blank and delete what the policy says is too old, as of ``now``."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        policy: RetentionPolicy,
        *,
        batch: int = 500,
        stop: threading.Event | None = None,
    ) -> None:
        self.db = db
        self.policy = policy
        self.batch = batch
        # Set from another thread to end a run between batches (shutdown); the next run
        # carries on from where this one stopped.
        self.stop = stop or threading.Event()

    def purge(
        self, now: datetime, progress: Progress | None = None, *, full: bool = False
    ) -> PurgeReport:
        """Run every step; ``full`` re-walks numbers from the start, ignoring the watermark."""
        numbers_cutoff = iso(now - timedelta(days=self.policy.numbers_days))
        records_cutoff = iso(now - timedelta(days=self.policy.records_days))
        records_epoch = (now - timedelta(days=self.policy.records_days)).timestamp()
        report = PurgeReport()

        def tally(step: str, n: int) -> None:
            report.add(step, n)
            if progress is not None and n:
                progress(step, report.counts[step])

        self._delete_calls(records_cutoff, tally)
        self._repeat(
            "caller history: calls deleted",
            "DELETE FROM caller_calls WHERE call_id IN"
            " (SELECT call_id FROM caller_calls WHERE at < ? LIMIT ?)",
            [records_cutoff],
            tally,
        )
        self._repeat(
            "caller history: old flags deleted",
            "DELETE FROM caller_flags WHERE id IN (SELECT id FROM caller_flags WHERE"
            " (coalesce(cleared_at, '') != '' AND cleared_at < ?1)"
            " OR (coalesce(expires_at, '') != '' AND expires_at < ?1) LIMIT ?2)",
            [records_cutoff],
            tally,
        )
        self._repeat(
            "survey replies deleted",
            "DELETE FROM survey_responses WHERE id IN (SELECT r.id FROM survey_responses r"
            " JOIN sms_outbox o ON o.id = r.outbox_id WHERE o.created_at < ?"
            f" AND o.state IN {FINISHED_TEXTS} LIMIT ?)",
            [records_cutoff],
            tally,
        )
        self._repeat(
            "texts deleted",
            "DELETE FROM sms_outbox WHERE id IN (SELECT id FROM sms_outbox"
            f" WHERE created_at < ? AND state IN {FINISHED_TEXTS} LIMIT ?)",
            [records_cutoff],
            tally,
        )
        self._repeat(
            "callback attempts deleted",
            "DELETE FROM callback_attempts WHERE id IN (SELECT a.id FROM callback_attempts a"
            " JOIN callbacks c ON c.call_id = a.call_id WHERE c.accepted_at < ?"
            f" AND c.state IN {FINISHED_CALLBACKS} LIMIT ?)",
            [records_epoch],
            tally,
        )
        self._repeat(
            "callbacks deleted",
            "DELETE FROM callbacks WHERE call_id IN (SELECT call_id FROM callbacks"
            f" WHERE accepted_at < ? AND state IN {FINISHED_CALLBACKS} LIMIT ?)",
            [records_epoch],
            tally,
        )
        # Blank after deleting: no work on rows about to go.
        self._blank_calls(numbers_cutoff, tally, full)
        self._repeat(
            "texts: recipient blanked",
            "UPDATE sms_outbox SET to_number = '' WHERE id IN (SELECT id FROM sms_outbox"
            f" WHERE created_at < ? AND state IN {FINISHED_TEXTS} AND to_number != '' LIMIT ?)",
            [numbers_cutoff],
            tally,
        )
        return report

    # ---- steps -------------------------------------------------------------------

    def _blank_calls(self, cutoff: str, tally: Callable[[str, int], None], full: bool) -> None:
        """Calls started in [watermark, cutoff): number, name and number-bearing events."""
        start = "" if full else self._watermark()
        for call_ids, last in self._call_batches(start, cutoff):
            marks = ",".join("?" * len(call_ids))
            with write_transaction(self.db):
                cur = self.db.execute(
                    f"UPDATE calls SET caller_number = '', caller_name = '' WHERE call_id IN"
                    f" ({marks}) AND (coalesce(caller_number, '') != ''"
                    " OR coalesce(caller_name, '') != '')",
                    call_ids,
                )
                tally("calls: number and name blanked", cur.rowcount)
                for kind, key in NUMBER_EVENTS.items():
                    cur = self.db.execute(
                        f"UPDATE call_events SET detail = json_set(detail, '$.{key}', '')"
                        f" WHERE call_id IN ({marks}) AND kind = ?"
                        f" AND coalesce(json_extract(detail, '$.{key}'), '') != ''",
                        [*call_ids, kind],
                    )
                    tally("events: keyed digits and quoted numbers blanked", cur.rowcount)
                self._set_watermark(last)
        if not self.stop.is_set() and cutoff > self._watermark():
            with write_transaction(self.db):
                self._set_watermark(cutoff)

    def _delete_calls(self, cutoff: str, tally: Callable[[str, int], None]) -> None:
        """Calls started before the cutoff, children first (foreign keys)."""
        for call_ids, _ in self._call_batches("", cutoff):
            marks = ",".join("?" * len(call_ids))
            with write_transaction(self.db):
                for table in ("call_events", "decisions"):
                    cur = self.db.execute(
                        f"DELETE FROM {table} WHERE call_id IN ({marks})", call_ids
                    )
                    tally(f"{table.replace('_', ' ')} deleted", cur.rowcount)
                cur = self.db.execute(f"DELETE FROM calls WHERE call_id IN ({marks})", call_ids)
                tally("calls deleted", cur.rowcount)

    def _call_batches(self, start: str, cutoff: str) -> Iterator[tuple[list[str], str]]:
        """Call ids with start <= started_at < cutoff, oldest first, ``batch`` at a time.

        Keyset paging on (started_at, call_id), read fresh after each batch is written.
        """
        after_at, after_id = start, ""
        while not self.stop.is_set():
            rows = self.db.execute(
                "SELECT call_id, started_at FROM calls WHERE started_at < ?"
                " AND (started_at > ? OR (started_at = ? AND call_id > ?))"
                " ORDER BY started_at, call_id LIMIT ?",
                [cutoff, after_at, after_at, after_id, self.batch],
            ).fetchall()
            if not rows:
                return
            after_at, after_id = rows[-1][1], rows[-1][0]
            yield [r[0] for r in rows], after_at

    def _repeat(
        self, step: str, sql: str, params: list[object], tally: Callable[[str, int], None]
    ) -> None:
        """Run a ``... LIMIT ?`` statement in its own transactions until it changes nothing."""
        while not self.stop.is_set():
            with write_transaction(self.db):
                n = self.db.execute(sql, [*params, self.batch]).rowcount
            tally(step, n)
            if n < self.batch:
                return

    def _watermark(self) -> str:
        row = self.db.execute(
            "SELECT value FROM retention_state WHERE key = ?", [WATERMARK]
        ).fetchone()
        return str(row[0]) if row else ""

    def _set_watermark(self, value: str) -> None:
        self.db.execute(
            "INSERT INTO retention_state (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [WATERMARK, value],
        )


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
        """Purge, sleep, repeat; a failed run is logged and tried again next time."""
        while True:
            began = time.monotonic()
            try:
                self.last = await self._thread.run(self._purge)
            except Exception:  # a locked or full disk must not stop the calls
                log.exception("retention: purge failed; trying again in %.0f s", self._every_s)
            else:
                log.info("retention: %s (%.1f s)", self.last.summary(), time.monotonic() - began)
            self.ran.set()
            await asyncio.sleep(self._every_s)

    def _purge(self, store: CallStore) -> PurgeReport:
        return Retention(store.db, self._policy, stop=self._stop).purge(self._clock())

    async def close(self) -> None:
        """Stop a purge between batches, then close the connection."""
        self._stop.set()
        await self._thread.close()
