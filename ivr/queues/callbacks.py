"""CallbackWorker: takes callbacks, keeps their place, places each one exactly once.

* ``accept`` (from the WaitInQueue verb): the engine keeps the caller's entry
  in place as a virtual one with a promised time; the row is committed to the
  book before the caller is thanked. A failure to store leaves the caller
  holding, with their place.
* ``place`` (from QueueService when the place reaches the front, with an
  agent reserved): commit the attempt, then ring (agent first, then caller, or
  the other way round: ``callback_first``), bridge them, and record the
  outcome. No answer or busy: back in the same place after the backoff, up to
  ``max_attempts``; out of attempts: the caller gets an SMS.
* ``start`` (at start-up): the callbacks this node claims in the book (its own,
  nobody's, a dead node's: ivr.ha.claims) take back their places (original
  ``joined_at`` and ``seq``); an attempt a crash of this origin interrupted is
  followed from where it is (``CallbackCalls.resume``: ringing, answered,
  talking) and finished like any other; one of which nothing is left, or one
  another node had under way, is finished as ``interrupted`` and never re-placed
  at once (see ``book``).
* every third of the claim (``reclaim``): this node's claims are renewed, and the
  callbacks of a node whose claim ran out (it died) are taken over as at start-up;
  one another node took from this one leaves its queue.
* ``withdraw`` (from the WaitInQueue verb): a caller who breaks out to 999
  after booking takes the callback back: its place leaves the queue, the book
  closes it (``withdrawn``), and nothing of it is placed, retried or texted.
* every ``tick_s``: due retries are dispatched, and a caller whose promised
  time has passed is told by SMS, once.

Beside it: ``callback_calls`` (the CallbackCalls it rings through),
``callback_records`` (book writes retried until written) and ``callback_news``
(the texts).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from typing import Any

from ivr.channel_ids import callback_id
from ivr.chores import Chores
from ivr.ha.claims import RENEWALS_PER_CLAIM
from ivr.notifier import Notifier
from ivr.notify.texts import Texts
from ivr.queues.book import (
    DONE,
    FAILED,
    WAITING,
    WITHDRAWN,
    BookedCallback,
    CallbackBook,
    ClaimLost,
    DoubleAttempt,
)
from ivr.queues.callback_calls import CALLER_NOT_RUNG, CALLER_REACHED, CallbackCalls
from ivr.queues.callback_news import CallbackNews
from ivr.queues.callback_records import CallbackRecorder
from ivr.queues.model import QueueEntry
from ivr.queues.outcomes import PlaceCallback
from ivr.queues.service import QueueService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Open:
    promised_by: float
    late_sms: bool


class CallbackWorker:
    """The CallbackDesk of the WaitInQueue verb and the CallbackPlacer of QueueService."""

    def __init__(
        self,
        service: QueueService,
        book: CallbackBook,
        calls: CallbackCalls,
        texts: Texts | None,
        *,
        tick_s: float = 5.0,
    ) -> None:
        self.service = service
        self.book = book
        self.calls = calls
        self.news = CallbackNews(texts, book)
        self.recorder = CallbackRecorder(book)
        self.tick_s = tick_s
        self._open: dict[str, _Open] = {}
        # Withdrawn while an attempt of theirs was under way: it ends, and is not retried.
        self._withdrawn: set[str] = set()
        # Being written to the book by ``accept``: in the queue already, not yet in _open.
        self._accepting: set[str] = set()
        # The first channels of the attempts a previous process left under way, while they
        # are followed; None until ``start`` has read the book.
        self._following: set[str] | None = None
        self._chores = Chores()
        self.placed = 0  # attempts begun by this process (for /health and tests)
        self._steps = Notifier()
        service.placer = self

    def next_step(self) -> asyncio.Future[None]:
        """Resolved once the worker next finishes a piece of work (a callback accepted or
        restored, an attempt recorded, a withdrawal closed, a tick): what the book, the
        agents and the texts are then is worth reading again, and not before."""
        return self._steps.next()

    # --- CallbackDesk ----------------------------------------------------------------

    async def accept(self, call_id: str, number: str) -> QueueEntry:
        try:
            return await self._accept(call_id, number)
        finally:
            self._steps.notify()

    async def _accept(self, call_id: str, number: str) -> QueueEntry:
        entry = self.service.accept_callback(call_id, number)
        now = self.service.clock()
        write = asyncio.ensure_future(self.book.run(lambda s: s.accept(entry, now)))
        self._accepting.add(call_id)
        try:
            await asyncio.shield(write)
        except asyncio.CancelledError:
            # The call moved on (an operator, a shutdown) before the caller was thanked:
            # no promise was made, so none may be kept in the book either.
            with contextlib.suppress(Exception):
                await write
                await self.book.run(lambda s: s.forget(call_id))
            self.service.engine.cancel_callback(call_id)
            raise
        except BaseException:
            self.service.engine.cancel_callback(call_id)  # still holding, same place
            raise
        finally:
            self._accepting.discard(call_id)
        assert entry.callback is not None
        self._open[call_id] = _Open(entry.callback.promised_by, False)
        return entry

    async def booked_queue(self, call_id: str) -> str | None:
        """The queue of the callback this call booked and that is still to be put through
        (after a restart such a caller is let go, never asked again; one whose callback
        is done, failed or withdrawn is not owed one)."""
        row = await self.book.run(lambda s: s.open_callback(call_id))
        return str(row["queue"]) if row is not None else None

    async def withdraw(self, call_id: str, reason: str) -> bool:
        """Take back a callback the caller must not be rung for (they broke out to 999
        after booking it): its place leaves the queue at once, and the book closes it
        with ``reason`` so that no restart places it either. An attempt already under
        way ends as it will and is never retried. False when none was open here.

        The book is written in the background (retried): the caller's emergency route
        must not wait for the disk.
        """
        if self._open.pop(call_id, None) is None:
            return False
        self.service.leave(call_id, where="callback-withdrawn")  # None while being placed
        self._withdrawn.add(call_id)
        now = self.service.clock()
        self._chores.spawn(self._close_withdrawn(call_id, reason, now), f"withdraw:{call_id}")
        return True

    async def _close_withdrawn(self, call_id: str, reason: str, now: float) -> None:
        try:
            await self.recorder.withdraw(call_id, reason, now)
        finally:
            self._steps.notify()

    async def made_ready(self, call_id: str, now: float) -> None:
        """An operator's "call now": the book's ready time too, so a restart keeps it."""
        await self.recorder.ready_now(call_id, now)

    # --- CallbackPlacer --------------------------------------------------------------

    def place(self, action: PlaceCallback) -> None:
        self._chores.spawn(self._place_once(action), f"callback:{action.entry.call_id}")

    async def _place_once(self, action: PlaceCallback) -> None:
        try:
            await self._place(action)
        finally:
            self._steps.notify()

    async def _place(self, action: PlaceCallback) -> None:
        entry = action.entry
        cb = entry.callback
        assert cb is not None
        attempt = cb.attempts + 1
        # Marked with the agent: after a restart, the agent on this callback stays busy.
        channel_id = callback_id(attempt, action.agent_id)
        now = self.service.clock()
        try:
            await self.book.run(
                lambda s: s.begin_attempt(entry.call_id, attempt, action.agent_id, channel_id, now)
            )
        except ClaimLost as exc:
            log.warning("%s: another node serves it; not placed here", exc)
            self._open.pop(entry.call_id, None)
            self.service.agent_done(action.agent_id, entry.queue)
            return
        except DoubleAttempt as exc:
            log.error("%s: not placed again", exc)
            self.service.agent_done(action.agent_id, entry.queue)
            return
        except Exception:
            log.exception("callback %s: cannot record the attempt; kept in place", entry.call_id)
            self.service.agent_missed(action)
            return
        self.placed += 1
        try:
            outcome = await self.calls.run(
                channel_id, self.service.endpoint(action.agent_id), cb.number, entry.queue
            )
        except Exception:
            log.exception("callback %s: attempt %d crashed", entry.call_id, attempt)
            outcome = "failed"
        await self._finish(action, attempt, outcome)

    async def _finish(self, action: PlaceCallback, attempt: int, outcome: str) -> None:
        entry = action.entry
        now = self.service.clock()
        if entry.call_id in self._withdrawn:
            # Taken back while it rang: the attempt is recorded, the callback stays closed.
            self._withdrawn.discard(entry.call_id)
            await self.recorder.finish_attempt(entry.call_id, attempt, outcome, now, WITHDRAWN)
            self.service.agent_done(action.agent_id, entry.queue)
            return
        if outcome in CALLER_NOT_RUNG:
            # The caller was never rung: the attempt is not theirs to lose (and the agent
            # who missed it, or hung up on the intro, is skipped for a while).
            await self.recorder.finish_attempt(
                entry.call_id, attempt, outcome, now, WAITING, attempts=attempt - 1
            )
            self.service.agent_missed(action)
            return
        self.service.agent_done(action.agent_id, entry.queue)
        answered = outcome == "answered"
        retry = self.service.engine.callback_attempted(entry, now, answered=answered)
        if answered:
            kept = now <= (entry.callback.promised_by if entry.callback else now)
            await self.recorder.finish_attempt(
                entry.call_id, attempt, outcome, now, DONE, detail="kept" if kept else "late"
            )
            self._open.pop(entry.call_id, None)
        elif retry is not None:
            assert retry.callback is not None
            await self.recorder.finish_attempt(
                entry.call_id, attempt, outcome, now, WAITING, ready_at=retry.callback.ready_at
            )
        else:
            await self.recorder.finish_attempt(entry.call_id, attempt, outcome, now, FAILED)
            self._open.pop(entry.call_id, None)
            await self.news.missed(entry, attempt, reached=outcome in CALLER_REACHED)

    # --- lifetime --------------------------------------------------------------------

    async def serve(self) -> None:
        """``start`` (retried until the book can be read), then the ticks, until cancelled.

        A task of its own: recovery may ask ARI about channels, and the event stream
        that called for it must not wait meanwhile.
        """
        pause = 1.0
        while True:
            try:
                await self.start()
                break
            except Exception:
                log.exception("callbacks: cannot restore from the book; retrying")
                await asyncio.sleep(pause)
                pause = min(30.0, pause * 2)
        await asyncio.gather(self.run(), self.keep_claims())

    async def start(self) -> int:
        """Claim the open callbacks this node may serve and put each back in its place;
        returns how many it holds.

        Safe to call again: callbacks already back are skipped, and one row that cannot be
        restored (its queue gone from queues.yaml) does not hold up the others.
        """
        claimed: list[BookedCallback] = await self.book.run(lambda s: s.claim())
        following = self._following if self._following is not None else set()
        await self._restore_all(claimed, following)
        if claimed:
            log.info("callbacks: %d back in their places", len(self._open))
        self._following = following
        self.release_left()
        self._steps.notify()
        return len(self._open)

    async def _restore_all(self, claimed: list[BookedCallback], following: set[str]) -> int:
        """The claimed callbacks not yet in this node's queue, restored; how many."""
        restored = 0
        for item in claimed:
            call_id = item.entry.call_id
            if call_id in self._open or call_id in self._accepting or call_id in self._withdrawn:
                continue  # here already, or closing (withdrawn, its row not yet written)
            try:
                await self._restore(item, following)
                restored += 1
            except Exception:
                log.exception("callback %s: cannot be restored", item.entry.call_id)
        return restored

    async def keep_claims(self) -> None:
        """``reclaim`` every third of the claim, until cancelled."""
        while True:
            await asyncio.sleep(self.book.claim_s / RENEWALS_PER_CLAIM)
            try:
                await self.reclaim()
            except Exception:
                log.exception("callbacks: claims not renewed; trying again")
            finally:
                self._steps.notify()

    async def reclaim(self) -> int:
        """Renew this node's claims and take over the callbacks of a node whose claim
        ran out (it died), in their places; returns how many were taken over. One that
        another node took from this one (this node's claim lapsed) leaves its queue."""
        held = set(self._open)  # read first: one accepted meanwhile is in the claim too
        claimed: list[BookedCallback] = await self.book.run(lambda s: s.claim())
        for call_id in held - {item.entry.call_id for item in claimed}:
            self._lost(call_id)
        following = self._following if self._following is not None else set()
        taken = await self._restore_all(claimed, following)
        if taken:
            log.warning("callbacks: %d taken over from a node whose claim ran out", taken)
        return taken

    def _lost(self, call_id: str) -> None:
        """Another node holds a callback this one has (or it was closed meanwhile): if it
        waits in this node's queue, it leaves it; one being placed here finds out when
        its outcome is recorded (``begin_attempt`` refuses it from then on)."""
        if call_id not in self._open or self.service.place_of(call_id) is None:
            return
        log.warning("callback %s: another node took it over; it leaves this queue", call_id)
        self._open.pop(call_id, None)
        self.service.leave(call_id, where="claimed-elsewhere")

    def release_left(self) -> None:
        """Channels left for callbacks this worker does not follow are hung up (after a
        restart or a WebSocket gap): none of them is placing in the book."""
        if self._following is not None:  # not before the book says which are followed
            self.calls.release(frozenset(self._following))

    async def _restore(self, item: BookedCallback, following: set[str]) -> None:
        cb = item.entry.callback
        assert cb is not None
        call_id = item.entry.call_id
        if item.state == WAITING:
            self.service.restore_callback(item.entry)
        elif item.held_by not in ("", self.book.origin):
            # Under way on another node (another Asterisk) that died: nothing of it can be
            # followed from here, and the caller may have been rung.
            log.warning(
                "callback %s: attempt %d of %s interrupted", call_id, cb.attempts, item.held_by
            )
            self._chores.spawn(self._taken_over(item.entry), f"callback:{call_id}")
        else:
            attempts = await self.book.run(lambda s: s.attempts(call_id))
            last = attempts[-1] if attempts else None
            if last is not None:
                following.add(str(last["channel_id"]))
            # Followed in the background: it may be a conversation of many minutes.
            self._chores.spawn(self._resume(item.entry, last, following), f"callback:{call_id}")
        self._open[call_id] = _Open(cb.promised_by, item.late_sms)

    async def _resume(
        self, entry: QueueEntry, last: dict[str, Any] | None, following: set[str]
    ) -> None:
        """An attempt under way when the last process died (``last``, its row): followed
        from where it is (still ringing, answered, ringing the other side, talking),
        never placed again at once; finished like any attempt. Nothing left of it:
        ``_interrupted``."""
        try:
            await self._follow(entry, last)
        finally:
            if last is not None:
                # From the set start() is still filling, too: one that ends meanwhile must
                # not stay followed (its held channels never let go).
                following.discard(str(last["channel_id"]))
                self.release_left()  # e.g. the leg it rang, if it was never taken over
            self._steps.notify()

    async def _follow(self, entry: QueueEntry, last: dict[str, Any] | None) -> None:
        cb = entry.callback
        assert cb is not None
        outcome: str | None = None
        if last is not None:
            agent_id, channel_id = str(last["agent_id"]), str(last["channel_id"])
            # Its agent is busy while it lasts (not offered another caller meanwhile).
            self.service.claim_agent(channel_id, "", entry.call_id)
            try:
                outcome = await self.calls.resume(
                    channel_id, self.service.endpoint(agent_id), cb.number, entry.queue
                )
            except Exception:
                log.exception("callback %s: cannot follow %s", entry.call_id, channel_id)
            before = replace(entry, callback=replace(cb, attempts=cb.attempts - 1))
            action = PlaceCallback(agent_id, before, 0.0)
            if outcome is not None:
                await self._finish(action, cb.attempts, outcome)
                return
            self.service.agent_done(agent_id, entry.queue)
        restored = await self._interrupted(entry)
        if restored is not None:
            self.service.restore_callback(restored)

    async def _taken_over(self, entry: QueueEntry) -> None:
        try:
            restored = await self._interrupted(entry)
            if restored is not None:
                self.service.restore_callback(restored)
        finally:
            self._steps.notify()

    async def _interrupted(self, entry: QueueEntry) -> QueueEntry | None:
        """Gone without a trace of a conversation: the caller may have been rung, so the
        attempt counts, and it is retried after the backoff like a no-answer."""
        cb = entry.callback
        assert cb is not None
        now = self.service.clock()
        max_attempts = self.service.config.callback.max_attempts
        if cb.attempts >= max_attempts:
            await self.recorder.finish_attempt(
                entry.call_id, cb.attempts, "interrupted", now, FAILED
            )
            self._open.pop(entry.call_id, None)
            await self.news.missed(entry, cb.attempts)
            return None
        ready = now + self.service.config.callback.backoff(max(1, cb.attempts))
        await self.recorder.finish_attempt(
            entry.call_id, cb.attempts, "interrupted", now, WAITING, ready_at=ready
        )
        return replace(entry, callback=replace(cb, ready_at=ready))

    async def run(self) -> None:
        """The tick: due retries dispatched, missed promises told by SMS."""
        while True:
            await asyncio.sleep(self.tick_s)
            try:
                self.service.dispatch()
                await self._tell_late()
            except Exception:
                log.exception("callback tick failed")
            finally:
                self._steps.notify()

    async def _tell_late(self) -> None:
        now = self.service.clock()
        for call_id, item in list(self._open.items()):
            if item.late_sms or now <= item.promised_by or not self.news.on:
                continue
            try:
                entry = self.service.engine.entry(call_id)
            except KeyError:
                continue  # being placed right now
            assert entry.callback is not None
            self._open[call_id] = _Open(item.promised_by, True)
            await self.news.late(entry, item.promised_by, now)  # not on a sensitive call

    async def close(self) -> None:
        await self._chores.cancel()
