"""WaitInQueue: hold in the app's queue with music, hear the truth about the wait, get an agent.

The caller joins the queue (``QueueService``) in their priority class and
hears their position and an honest wait range at once and then every
``announce_every`` seconds. When the wait passes the threshold (the rules'
``offer: callback`` or the queue's ``callback_offer_above_s``) they are
offered a callback that keeps their place: the number is confirmed on the
keypad (or by saying yes / no), stored in SQLite, and only then thanked.

While they hold, the caller can still say or key an emergency (9, or the
engine's danger cues heard over the music or an announcement): they leave
the queue at once for the emergency route (ivr.session.emergency).

When the engine gives them an agent, the agent is dialled from this call and
bridged, exactly as a Transfer does. An agent who does not answer is skipped
and the caller keeps their place. A full queue refuses everyone but an
emergency transfer; the caller is then sent on to ``on_full`` (the
switchboard), never left with nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ivr.chores import being_cancelled
from ivr.queues.model import NO_TEXTS, QueueEntry, priority_for
from ivr.queues.outcomes import Connect
from ivr.queues.service import QueueService, Ticket
from ivr.session.emergency import EmergencyBreakOut
from ivr.session.events import CallEvent, DigitPressed, ListeningFailed, SpeechEnded
from ivr.session.model import CallerGone, Outcome
from ivr.session.notes import Note, QueuePlace
from ivr.session.outcomes import CallOutcome, Status
from ivr.session.session import CallSession
from ivr.session.steps import PassOn
from ivr.verbs.announce import wait_media
from ivr.verbs.ask import listening_failed, open_listening, recognize
from ivr.verbs.basic import Hangup, Play, VerbBase
from ivr.verbs.bridge import Dial, ring_and_bridge
from ivr.verbs.callback_offer import CallbackDesk, book_callback, wants_callback

CALLBACK_KEY = "1"
MAX_CALLBACK_OFFERS = 2


class Abandonment(Protocol):
    """Told when a caller hangs up while waiting (ivr.notify.abandoned: a text, maybe)."""

    def queue_abandoned(
        self,
        call_id: str,
        number: str,
        waited_s: float,
        categories: Iterable[str],
        heard: Iterable[str],
    ) -> None: ...


class Quiet(Protocol):
    """Whether a call must bring no text to the caller's phone (ivr.notify.texts.Texts)."""

    def is_quiet(self, categories: Iterable[str], heard: Iterable[str] = ()) -> bool: ...


@dataclass(frozen=True)
class QueueDial:
    ring_timeout: int
    caller_id: str
    first_digit_timeout: float = 6.0


class WaitInQueue(VerbBase):
    name = "queue"

    def __init__(
        self,
        queue: str,
        service: QueueService,
        desk: CallbackDesk | None,
        dial: QueueDial,
        *,
        on_full: PassOn,
        announce_every: float = 60.0,
        emergency: bool = False,
        offer_callback: bool = False,
        offer_rule: str = "",
        intent: str = "",
        on_abandoned: Abandonment | None = None,
        give_up_after: float | None = None,
        quiet: Quiet | None = None,
        joined_at: float | None = None,
    ) -> None:
        """``offer_callback``: the rules offered one (their ``wait_above`` already held);
        ``offer_rule`` names the rule, for the record.

        ``on_full``: where a full queue sends the caller (the flow plans it), and
        ``give_up_after`` seconds of waiting too (an emergency never waits for long for
        one team). ``quiet``: whether the call must bring no text to the caller's phone
        (its callback is rung, never texted).
        ``joined_at``: the place a restart took the caller from (else they join now).
        """
        self.queue = queue
        self.service = service
        self.desk = desk
        self.dial = dial
        self.on_full = on_full
        self.announce_every = announce_every
        self.emergency = emergency
        self.rules_offer = offer_callback
        self.offer_rule = offer_rule
        self._listening = False
        self.intent = intent
        self.on_abandoned = on_abandoned
        self.give_up_after = give_up_after
        self.quiet = quiet
        self.joined_at = joined_at
        self._offers = 0

    def describe(self) -> str:
        return f"queue:{self.queue}"

    async def run(self, session: CallSession) -> Outcome:
        session.keys.clear()  # keys typed under earlier prompts ask nothing of the queue
        if session.breaks_out:
            # Heard over the music: an emergency said on hold must not wait its turn.
            self._listening = await open_listening(session) is not None
        else:
            await session.control.stop_listening()  # nobody to talk to the app while on hold
        flags = set(session.caller.flags)
        if self.quiet is not None and self.quiet.is_quiet(session.categories, session.heard):
            flags.add(NO_TEXTS)
        entry = QueueEntry(
            call_id=session.call_id,
            queue=self.queue,
            priority=priority_for(flags, emergency=self.emergency),
            joined_at=self.service.clock() if self.joined_at is None else self.joined_at,
            flags=frozenset(flags),
            intent=self.intent,
        )
        joined, ticket = self.service.join(entry)
        if ticket is None:
            session.record("queue-full", queue=self.queue, reason=joined.reason)
            return Outcome(Status.QUEUE_FULL, step=self.on_full)
        session.record(
            "queue-joined",
            queue=self.queue,
            priority=int(joined.entry.priority),
            position=joined.position,
            joined_at=joined.entry.joined_at,  # the place: a restart must give back this one
        )
        place = QueuePlace(
            self.queue, joined.entry.joined_at, self.emergency, quiet=NO_TEXTS in flags
        )
        try:
            # On the channel, for a restart to put them back here (ivr.verbs.resume).
            await session.control.remember(Note.QUEUE_PLACE, place.encode())
            return await self._hold(session, ticket)
        except CallerGone:
            if session.outcome == CallOutcome.CALLBACK:
                raise  # hung up during "thank you": the callback holds their place now
            gone = self.service.leave(session.call_id)
            if gone is not None:
                self._abandoned(session, gone.queue, gone.position, gone.waited_s)
            raise
        except EmergencyBreakOut:
            if session.outcome != CallOutcome.CALLBACK:  # a booked callback is withdrawn whole
                self.service.leave(session.call_id, where="moved-on")
            # A restart during the emergency route must not put them back here.
            await session.control.remember(Note.QUEUE_PLACE, "")
            raise
        except BaseException:
            # A failure, an operator's override or a shutdown moves the call on: its place
            # must not linger as a ghost ahead of real callers (a callback keeps its own).
            if session.outcome != CallOutcome.CALLBACK:
                self.service.leave(session.call_id, where="moved-on")
            raise
        finally:
            self.service.served(session.call_id)

    async def _hold(self, session: CallSession, ticket: Ticket) -> Outcome:
        loop = asyncio.get_running_loop()
        next_announcement = loop.time()  # at once, then every announce_every
        give_up = math.inf
        if self.give_up_after is not None:
            # A place restored after a restart has used part of its waiting limit already.
            joined = self.service.clock() if self.joined_at is None else self.joined_at
            give_up = loop.time() + self.give_up_after - max(0.0, self.service.clock() - joined)
        while True:
            if not ticket.offers.empty():
                outcome = await self._answer(session, ticket.offers.get_nowait())
                if outcome is not None:
                    return outcome
                continue
            if loop.time() >= give_up:
                self.service.leave(session.call_id, where="gave-up")
                session.record("queue-gave-up", queue=self.queue, after_s=self.give_up_after)
                await session.control.remember(Note.QUEUE_PLACE, "")  # moved on for good
                return Outcome(Status.GAVE_UP, step=self.on_full)
            if loop.time() >= next_announcement:
                outcome = await self._announce(session, ticket)
                if outcome is not None:
                    return outcome
                next_announcement = loop.time() + self.announce_every
                continue
            if session.keys:  # keyed over an announcement
                outcome = await self._key(session, session.keys.pop())
                if outcome is not None:
                    return outcome
                continue
            await session.control.hold_music(True)
            wake = min(next_announcement, give_up)
            event = await self._next(session, ticket, wake - loop.time())
            if isinstance(event, DigitPressed):
                session.record("dtmf", digit=event.digit, during=self.describe())
                outcome = await self._key(session, event.digit)
                if outcome is not None:
                    return outcome
            elif isinstance(event, SpeechEnded) and self._listening:
                # Any epoch: whatever the caller says while waiting counts, even words
                # that began under the last question.
                # Only an emergency's words are kept (in its decision): what else is said
                # on hold (to someone in the room, say) is not ours to store.
                transcript = await recognize(session, event, keep_words=False)
                if transcript is None:
                    self._listening = False
                else:
                    await session.said_emergency(transcript.alternatives)
            elif isinstance(event, ListeningFailed) and self._listening:
                await listening_failed(session, event)
                self._listening = False

    async def _key(self, session: CallSession, digit: str) -> Outcome | None:
        """A key on hold: the emergency key breaks out; the callback key asks for one."""
        session.keyed_emergency(digit)
        if digit == CALLBACK_KEY and self._may_offer(session):
            return await self._callback(session)
        return None

    async def _next(self, session: CallSession, ticket: Ticket, timeout: float) -> CallEvent | None:
        """The next call event, or None when the timeout passes or an agent is offered."""
        event_task = asyncio.ensure_future(session.wait(max(0.0, timeout)))
        offer_task = asyncio.ensure_future(_offered(ticket))
        try:
            await asyncio.wait({event_task, offer_task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            offer_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await offer_task
            event_task.cancel()  # no-op when done; an unread event stays in the call's inbox
            try:
                event = await event_task  # CallerGone propagates from here
            except asyncio.CancelledError:
                if being_cancelled():
                    raise
                event = None
        return event

    def _may_offer(self, session: CallSession) -> bool:
        return self.desk is not None and not self.emergency

    async def _announce(self, session: CallSession, ticket: Ticket) -> Outcome | None:
        """Position and wait; then, if the wait is long, the callback offer.

        An agent may be offered while this plays: the caller is then out of the queue
        and the hold loop puts them through (no offer, no position any more).
        """
        estimate = self.service.estimate(session.call_id)
        position = self.service.position(session.call_id)
        session.record(
            "queue-announced",
            position=position,
            wait_s=None if not estimate.known else round(estimate.seconds),
            range_s=None if not estimate.known else [round(estimate.low), round(estimate.high)],
        )
        uri = session.prompts.media_uri
        media = [uri("queue_position"), f"number:{position}", *wait_media(estimate, uri)]
        await session.control.hold_music(False)
        played = await Play((), media=media, speech_barge_in=self._listening).run(session)
        if not ticket.offers.empty() or played.value == "speech":
            return None  # an agent is here; or the caller spoke over it: hear them out first
        if not self._may_offer(session) or self._offers >= MAX_CALLBACK_OFFERS:
            return None
        offer = self.service.offer_callback(session.call_id)
        if not (offer.offer or self.rules_offer):
            return None
        self._offers += 1
        if self.rules_offer:
            rule = self.offer_rule or "rules"
            session.record("callback-offered", rule=rule, reason=f"rule {rule}; {offer.reason}")
        else:
            session.record("callback-offered", rule="queue-threshold", reason=offer.reason)
        wanted, how = await wants_callback(session, self.dial.first_digit_timeout)
        if not ticket.offers.empty():
            return None  # an agent came free meanwhile: better than any callback
        if not wanted:
            session.record("callback-declined", answer=how)
            return None
        return await self._callback(session)

    async def _callback(self, session: CallSession) -> Outcome | None:
        assert self.desk is not None
        await session.control.hold_music(False)
        booked = await book_callback(
            session,
            self.desk,
            self.service.clock,
            self.service.config.callback.max_attempts,
            self.dial.first_digit_timeout,
        )
        if booked is None:
            return None
        session.settle(CallOutcome.CALLBACK, self.queue)
        uri = session.prompts.media_uri
        await Play(
            (),
            media=[uri("callback_thank_you"), f"number:{booked}", uri("minutes")],
            barge_in=False,
        ).run(session)
        return Outcome(
            Status.CALLBACK,
            value=self.queue,
            next_flow=[Hangup("goodbye", outcome=CallOutcome.CALLBACK)],
        )

    async def _answer(self, session: CallSession, action: Connect) -> Outcome | None:
        """Ring the agent the engine chose; on answer bridge them, else keep the place.

        Whatever happens, the agent is released exactly once: wrap-up after a
        conversation, or skipped for a while (``agent_missed``) when they never
        answered; a caller who left while they rang frees them at once.
        """
        endpoint = self.service.endpoint(action.agent_id)
        session.record(
            "dial",
            destination=self.queue,
            endpoint=endpoint,
            agent=action.agent_id,
            waited_s=round(action.waited_s, 1),
        )
        dial = Dial(endpoint, self.dial.ring_timeout, self.dial.caller_id, action.agent_id)
        answered = False

        def served() -> None:
            nonlocal answered
            answered = True
            self.service.served(session.call_id)

        try:
            talked = await ring_and_bridge(
                session, dial, self.queue, answered=served, agent=action.agent_id
            )
        except BaseException as exc:
            if not answered and isinstance(exc, CallerGone | EmergencyBreakOut):
                # Nobody to requeue: the agent is free at once (their missing nothing).
                self.service.served(session.call_id)
                self.service.agent_missed(action)
                if isinstance(exc, CallerGone):
                    self._abandoned(session, self.queue, 1, action.waited_s)
            elif not answered:
                # ARI refused the dial (or the call is being moved on): the agent is skipped
                # a while; run() takes the caller out of the queue.
                self.service.agent_missed(action)
            raise
        finally:
            if answered:
                self.service.agent_done(action.agent_id, self.queue)
        if not talked:
            self.service.agent_missed(action)
            return None
        return Outcome(Status.TRANSFERRED, value=self.queue, next_flow=())

    def _abandoned(self, session: CallSession, queue: str, position: int, waited_s: float) -> None:
        session.record(
            "queue-abandoned", queue=queue, position=position, waited_s=round(waited_s, 1)
        )
        if self.on_abandoned is not None:
            self.on_abandoned.queue_abandoned(
                session.call_id,
                session.info.caller_number,
                waited_s,
                session.categories,
                session.heard,
            )


async def _offered(ticket: Ticket) -> None:
    """Wait until an agent is offered (leaves it in the queue for the hold loop)."""
    action = await ticket.offers.get()
    ticket.offers.put_nowait(action)
