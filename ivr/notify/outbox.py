"""The SMS outbox: every message is stored before it is sent, then sent by one worker.

Why an outbox: a caller who accepted a callback, abandoned a call or was
offered the online link must get the text even if the provider is down
for an hour or the app restarts. ``SmsOutbox.enqueue()`` returns only once
the row is committed to the call database (table ``sms_outbox``, migration 4), so
whoever promised the caller a text can rely on it. ``SmsWorker`` then sends
due rows one at a time, with exponential backoff and jitter up to
``max_attempts``, and marks each ``sent`` or ``failed``.

Delivery is **at least once**, not exactly once. A row is marked
``sending`` (attempt counted) before the request; if the app dies before
the answer is stored, the row is queued again at the next start-up and
sent again. A request that timed out may also have reached the provider.
Each row carries a unique ``reference`` (``sms-<uuid>``) that is passed to
the provider in the body template (and an idempotency header if
configured), so a provider that de-duplicates on it sends one text.

Several nodes may share the outbox (ivr.ha.claims): a row is claimed for one send by
the node's origin, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, until ``claim_until``
(longer than a send can take: ``claim_lease``). A node that dies mid-send leaves the
row ``sending``; once its claim has run out another node sends it again (same
reference), and a restart of the same origin takes it back at once. Only the
claim's holder may record the outcome.

The database (SQLite, or PostgreSQL: ivr.store.engine) is reached from one worker
thread with its own connection (on SQLite, WAL lets it share the file with the call
log's writer); nothing here blocks the event loop. Messages older than ``max_age``
when their turn comes are failed as ``expired`` rather than sent: a "we will call you
back" text a day late does more harm than none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.clock import Clock, utc_now
from ivr.ha.claims import ALONE
from ivr.masking import mask_numbers
from ivr.notifier import Notifier
from ivr.notify.gateway import SendResult, SmsGateway, SmsMessage
from ivr.notify.numbers import normalise_uk_mobile
from ivr.store.db import CallStore, Row, iso, write_transaction
from ivr.store.thread import StoreThread

log = logging.getLogger(__name__)


KINDS = frozenset(
    {
        "online-link",
        "abandoned-callback-offer",
        "callback-update",
        "deflection",
        "survey",
        "case-status",
        "chat-link",
    }
)


class OutboxDown(RuntimeError):
    """The outbox is not open (start-up not done, or shut down)."""

    error_id = "sms-outbox-down"


@dataclass(frozen=True)
class Queued:
    """A committed outbox row: its id, idempotency reference and the normalised number."""

    id: int
    reference: str
    to: str


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 30.0  # seconds before the 2nd attempt; doubles each time
    max_delay: float = 3600.0
    max_age: float = 24 * 3600.0  # older unsent messages are failed as expired


# A claim outlives the send it covers: the gateway's timeout bounds the request, and this
# margin covers storing its outcome (a locked SQLite file is retried for seconds; a busy
# event loop). Too short, a slow send would be taken over and sent twice.
CLAIM_MARGIN_S = 30.0
DEFAULT_SEND_TIMEOUT_S = 10.0


def claim_lease(send_timeout: float) -> float:
    """How long a node holds a text it is sending (``[sms] timeout`` + the margin)."""
    return send_timeout + CLAIM_MARGIN_S


# A row a node may take: due and queued, or left ``sending`` by a node whose claim ran
# out (it died mid-send). Its one parameter: the time now (ISO, the app's clock).
_CLAIMABLE = (
    "((state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND claim_until < {now}))"
)


def backoff_delay(
    attempt: int, policy: RetryPolicy, rand: Callable[[], float] = random.random
) -> float:
    """Wait after failed attempt ``attempt`` (1-based): exponential, capped, "equal jitter".

    Half the delay is fixed and half random, so a provider coming back from
    an outage is not hit by every queued message in the same instant, while
    no message is retried almost at once.
    """
    delay = min(policy.max_delay, policy.base_delay * 2.0 ** max(0, attempt - 1))
    return delay / 2 + rand() * delay / 2


class OutboxStore:
    """Synchronous queries on ``sms_outbox``; used only on SmsOutbox's worker thread."""

    def __init__(self, path: str, origin: str = ALONE) -> None:
        self._calls = CallStore(path)  # opens either engine and migrates
        self.db = self._calls.db
        self.origin = origin  # the claims' holder (ivr.ha.claims)

    def close(self) -> None:
        self._calls.close()

    def insert(self, row: Row) -> int:
        """A new message, queued and due at once; its id."""
        with write_transaction(self.db):
            return self.db.insert_id(
                "sms_outbox",
                {
                    "reference": row["reference"],
                    "call_id": row["call_id"],
                    "to_number": row["to_number"],
                    "body": row["body"],
                    "kind": row["kind"],
                    "created_at": row["created_at"],
                    "state": "queued",
                    "attempts": 0,
                    "next_attempt_at": row["created_at"],
                    "last_error": "",
                    "provider_id": "",
                },
            )

    def requeue_sending(self) -> int:
        """Rows this origin left mid-send (its previous process died) go back to the
        queue at once (at-least-once); another node's are left to their claims."""
        with write_transaction(self.db):
            cur = self.db.execute(
                "UPDATE sms_outbox SET state = 'queued',"
                " last_error = 'interrupted by a restart; sent again'"
                " WHERE state = 'sending' AND claimed_by = ?",
                [self.origin],
            )
        return cur.rowcount

    def claim_next(self, now: str, expired_before: str, lease_s: float) -> Row | None:
        """Claim the next due row for one send (``sending``, the attempt counted, this
        origin's until ``lease_s`` from now), in one transaction; None when none is due.

        The row is locked as it is chosen, and rows other nodes are claiming right now
        are skipped (PostgreSQL), and the UPDATE checks again that it may be taken: two
        nodes never send one row at once. Rows too old are failed as expired first,
        those another node is claiming passed over."""
        now_db = self.db.epoch_now()
        claimable = _CLAIMABLE.format(now=now_db)
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE sms_outbox SET state = 'failed', last_error = 'expired: not sent in time'"
                " WHERE id IN (SELECT id FROM sms_outbox WHERE created_at < ? AND (state = 'queued'"
                f" OR (state = 'sending' AND claim_until < {now_db})){self.db.skip_locked()})",
                [expired_before],
            )
            row_id = self.db.scalar(
                f"SELECT id FROM sms_outbox WHERE {claimable}"
                f" ORDER BY next_attempt_at, id LIMIT 1{self.db.skip_locked()}",
                [now],
            )
            if row_id is None:
                return None
            claimed = self.db.execute(
                "UPDATE sms_outbox SET state = 'sending', attempts = attempts + 1,"
                f" last_attempt_at = ?, claimed_by = ?, claim_until = {now_db} + ?,"
                " last_error = CASE WHEN state = 'sending'"
                " THEN 'its node stopped mid-send; sent again' ELSE last_error END"
                f" WHERE id = ? AND {claimable}",
                [now, self.origin, lease_s, row_id, now],
            ).rowcount
        return self.get(int(row_id)) if claimed == 1 else None

    def _settle(self, row_id: int, fields: str, params: list[object]) -> bool:
        """The outcome of this origin's send; False (nothing written) when the claim is
        no longer its (taken over after it ran out: that node's outcome stands)."""
        with write_transaction(self.db):
            return (
                self.db.execute(
                    f"UPDATE sms_outbox SET {fields}"
                    " WHERE id = ? AND state = 'sending' AND claimed_by = ?",
                    [*params, row_id, self.origin],
                ).rowcount
                == 1
            )

    def mark_sent(self, row_id: int, provider_id: str, now: str) -> bool:
        return self._settle(
            row_id,
            "state = 'sent', provider_id = ?, sent_at = ?, last_error = ''",
            [provider_id, now],
        )

    def mark_retry(self, row_id: int, next_at: str, error: str) -> bool:
        return self._settle(
            row_id, "state = 'queued', next_attempt_at = ?, last_error = ?", [next_at, error]
        )

    def mark_failed(self, row_id: int, error: str) -> bool:
        return self._settle(row_id, "state = 'failed', last_error = ?", [error])

    def next_due(self) -> str | None:
        row = self.db.execute(
            "SELECT MIN(next_attempt_at) FROM sms_outbox WHERE state = 'queued'"
        ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def next_takeover_s(self) -> float | None:
        """Seconds until the first claim on a row being sent runs out (a node that died
        mid-send: its row is then due again here); None when nothing is being sent."""
        left = self.db.scalar(
            f"SELECT MIN(claim_until) - {self.db.epoch_now()} FROM sms_outbox"
            " WHERE state = 'sending'"
        )
        return None if left is None else float(left)

    def get(self, row_id: int) -> Row | None:
        rows = self.db.rows_where("sms_outbox", "id = ?", [row_id])
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT state, COUNT(*) FROM sms_outbox GROUP BY state").fetchall()
        return {str(state): int(n) for state, n in rows}


class SmsOutbox(StoreThread[OutboxStore]):
    """Async face of the outbox: ``open()`` at start-up, ``enqueue()`` from anywhere on the loop."""

    def __init__(self, path: str, *, clock: Clock = utc_now, origin: str = ALONE) -> None:
        """``origin``: the node's (ivr.ha.claims), which holds the texts it sends."""
        super().__init__(
            "sms-outbox",
            lambda: OutboxStore(path, origin),
            lambda: OutboxDown("the SMS outbox is not open"),
        )
        self._clock = clock
        self._work = asyncio.Event()

    async def enqueue(self, to: str, body: str, kind: str, *, call_id: str | None = None) -> Queued:
        """Store a message; returns once committed. Raises InvalidNumber for a non-mobile."""
        number = normalise_uk_mobile(to)
        if kind not in KINDS:
            raise ValueError(f"unknown SMS kind {kind!r}; known: {', '.join(sorted(KINDS))}")
        if not body.strip():
            raise ValueError("an SMS needs a body")
        reference = f"sms-{uuid.uuid4().hex}"
        row = {
            "reference": reference,
            "call_id": call_id,
            "to_number": number,
            "body": body,
            "kind": kind,
            "created_at": iso(self._clock()),
        }
        row_id = await self.run(lambda s: s.insert(row))
        self._work.set()
        return Queued(row_id, reference, number)

    async def wait_for_work(self, timeout: float) -> None:
        """Sleep until ``timeout`` passes or a message is enqueued, whichever is first.

        ``asyncio.timeout``, not ``wait_for``: on 3.11 a cancel that lands as the wait
        ends is swallowed by ``wait_for``, and the worker would never stop."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._work.wait()
        self._work.clear()

    async def counts(self) -> dict[str, int]:
        return await self.run(lambda s: s.counts())

    async def get(self, row_id: int) -> Row | None:
        return await self.run(lambda s: s.get(row_id))


class SmsWorker:
    """The one background task that sends due outbox rows (see the module docstring)."""

    def __init__(
        self,
        outbox: SmsOutbox,
        gateway: SmsGateway,
        *,
        sender: str = "",
        policy: RetryPolicy | None = None,
        enabled: bool = True,
        clock: Clock = utc_now,
        rand: Callable[[], float] = random.random,
        idle_poll: float = 60.0,
        claim_s: float = claim_lease(DEFAULT_SEND_TIMEOUT_S),
    ) -> None:
        """``claim_s``: how long a text being sent stays this node's (``claim_lease``)."""
        self._outbox = outbox
        self._gateway = gateway
        self._sender = sender
        self._policy = policy or RetryPolicy()
        self._enabled = enabled
        self._clock = clock
        self._rand = rand
        self._idle_poll = idle_poll
        self._claim_s = claim_s
        self.sent = 0
        self.failed = 0
        self.retried = 0
        self._outcomes = Notifier()
        self.started = asyncio.Event()  # see run()

    def next_outcome(self) -> asyncio.Future[None]:
        """Resolved once the next send attempt's outcome (sent, failed, retry) is stored:
        something waiting for texts to go out re-reads the outbox then, not on a timer."""
        return self._outcomes.next()

    async def run(self) -> None:
        """Send until cancelled. A database error is logged and retried, never fatal.

        ``started`` is set once start-up has queued again the texts a restart left
        ``sending``: from then the outbox shows them as this worker will send them."""
        pause = 0.5
        while True:  # a locked database at start-up must not stop the worker for good
            try:
                requeued = await self._outbox.run(lambda s: s.requeue_sending())
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sms worker: cannot requeue at start; trying again in %.1f s", pause)
                await asyncio.sleep(pause)
                pause = min(30.0, pause * 2)
        self.started.set()
        if requeued:
            log.warning("sms: %d message(s) interrupted by a restart are queued again", requeued)
        if not self._enabled:
            counts = await self._outbox.counts()
            log.warning(
                "sms: no gateway URL configured, SMS disabled; %d message(s) stay queued",
                counts.get("queued", 0),
            )
            await asyncio.Event().wait()  # until cancelled; enqueue() still stores messages
        pause = 0.5
        while True:
            try:
                await self._step()
                pause = 0.5
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sms worker: database error; trying again in %.1f s", pause)
                await asyncio.sleep(pause)
                pause = min(30.0, pause * 2)

    async def _step(self) -> None:
        now = self._clock()
        expired_before = iso(now - timedelta(seconds=self._policy.max_age))
        row = await self._outbox.run(
            lambda s: s.claim_next(iso(now), expired_before, self._claim_s)
        )
        if row is not None:
            try:
                await self._send(row)
            finally:
                self._outcomes.notify()
            return
        due = await self._outbox.run(lambda s: s.next_due())
        wait = self._idle_poll
        if due is not None:
            wait = min(wait, max(0.0, (datetime.fromisoformat(due) - now).total_seconds()))
        takeover = await self._outbox.run(lambda s: s.next_takeover_s())
        if takeover is not None:  # a send of a node that may have died: due once it runs out
            wait = min(wait, max(0.0, takeover))
        await self._outbox.wait_for_work(wait)

    async def _send(self, row: Row) -> None:
        message = SmsMessage(
            to=row["to_number"], body=row["body"], reference=row["reference"], sender=self._sender
        )
        row_id, attempts = int(row["id"]), int(row["attempts"])
        try:
            result = await self._gateway.send(message)
        except Exception as exc:  # a gateway bug must not lose the message or kill the worker
            log.exception("sms %s: gateway raised", row["reference"])
            result = SendResult("retry", error=f"gateway raised {type(exc).__name__}")
        now = self._clock()
        if result.ok:
            self.sent += 1
            kept = await self._outbox.run(
                lambda s: s.mark_sent(row_id, result.provider_id, iso(now))
            )
            log.info("sms %s (%s) sent, attempt %d", row["reference"], row["kind"], attempts)
            self._unless_taken_over(kept, row)
            return
        if result.permanent or attempts >= self._policy.max_attempts:
            self.failed += 1
            error = (
                result.error
                if result.permanent
                else (f"gave up after {attempts} attempts: {result.error}")
            )
            kept = await self._outbox.run(lambda s: s.mark_failed(row_id, error))
            # A provider's error may quote the recipient.
            log.error("sms %s (%s) failed: %s", row["reference"], row["kind"], mask_numbers(error))
            self._unless_taken_over(kept, row)
            return
        self.retried += 1
        delay = backoff_delay(attempts, self._policy, self._rand)
        if result.retry_after is not None:
            delay = max(delay, result.retry_after)
        next_at = iso(now + timedelta(seconds=delay))
        kept = await self._outbox.run(lambda s: s.mark_retry(row_id, next_at, result.error))
        log.warning(
            "sms %s attempt %d failed (%s); next in %.1f s",
            row["reference"],
            attempts,
            mask_numbers(result.error),
            delay,
        )
        self._unless_taken_over(kept, row)

    @staticmethod
    def _unless_taken_over(kept: bool, row: Row) -> None:
        if not kept:
            log.warning(
                "sms %s: its claim ran out during the send and another node took it over;"
                " that node's outcome stands (the text may go twice, same reference)",
                row["reference"],
            )
