"""CallSession: one call, one task, a list of verbs run in order.

Whatever happens (the caller hangs up mid-prompt, ARI refuses a request, an
operator replaces the flow), the session ends through one ``finally`` that
releases everything the call created and records where the caller left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn, Protocol

from ivr.ari.errors import AriError
from ivr.callers.model import EMPTY_PROFILE, CallerLookup, CallerProfile, CallRecord
from ivr.routing.model import EMERGENCY, Decision, Hypothesis
from ivr.session.control import CallControl, is_gone
from ivr.session.emergency import BreakOut, DangerAnswer, EmergencyBreakOut
from ivr.session.events import CallerHungUp, CallEvent
from ivr.session.notes import Note
from ivr.speech.model import Transcript
from ivr.store.db import iso
from ivr.store.log import CallLog

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# How long a decision waits for the caller's history: a slow database costs the caller
# their flags for that decision, never a delay in being routed.
CALLER_LOOKUP_WAIT_S = 1.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class Prompts(Protocol):
    """The prompt catalogue as verbs use it (ivr.prompts.PromptCatalogue)."""

    def media_uri(self, prompt_id: str) -> str: ...
    def __contains__(self, prompt_id: object) -> bool: ...
    def sound_uri(self, name: str) -> str: ...
    def seconds(self, prompt_id: str) -> float | None: ...


class SpeechService(Protocol):
    """Speech to text off the event loop (ivr.speech.pool.SpeechPool)."""

    async def recognize(self, pcm: bytes, sample_rate: int = 8000) -> Transcript: ...


class CallerGone(Exception):
    """The caller's channel is gone; unwinds the current verb straight to cleanup."""

    error_id = "caller-gone"


@dataclass(frozen=True)
class Outcome:
    """What a verb ended with; ``next_flow`` replaces the rest of the flow when set."""

    status: str
    value: str = ""
    next_flow: Sequence[Verb] | None = None


class Verb(Protocol):
    name: str

    def describe(self) -> str: ...
    async def run(self, session: CallSession) -> Outcome: ...
    def cancel(self) -> None: ...


@dataclass(frozen=True)
class CallInfo:
    call_id: str
    channel_id: str
    caller_number: str
    caller_name: str
    dialled: str


FallbackFlow = Callable[[], Sequence[Verb]]


@dataclass(frozen=True)
class FinishedCall:
    """What follows a call needs (the post-call survey): who, how it ended, what it was about."""

    call_id: str
    caller_number: str
    dialled: str
    outcome: str
    categories: frozenset[str]
    heard: tuple[str, ...] = ()  # every recognition alternative, for sensitive-topic checks


class CallObserver(Protocol):
    """Told once when a call has ended and been logged; never blocks, never raises."""

    def call_ended(self, call: FinishedCall) -> None: ...


class CallSession:
    """Runs one call's verbs and owns its record."""

    def __init__(
        self,
        info: CallInfo,
        control: CallControl,
        prompts: Prompts,
        call_log: CallLog,
        flow: Sequence[Verb],
        fallback: FallbackFlow,
        clock: Clock = utc_now,
        speech: SpeechService | None = None,
        callers: CallerLookup | None = None,
        observer: CallObserver | None = None,
        breakout: BreakOut | None = None,
    ) -> None:
        """``speech`` None: keypad only (no engine configured, or it failed to load).

        ``callers`` None: no caller history (every caller looks new, nobody is flagged).
        ``breakout`` None: no emergency route (a callback's own legs).
        """
        self._breakout = breakout
        self._emergency = False  # decided as an emergency: nothing breaks out of that
        self._emergency_noted = False  # left on the channel, for a restart (Note.EMERGENCY)
        self.speech = speech
        self.callers = callers
        self.observer = observer
        # What the call was about (intents, caller flags, sensitive topics heard): a survey
        # is never texted about a call in an excluded category.
        self.categories: set[str] = set()
        self.heard: list[str] = []
        self.caller: CallerProfile = EMPTY_PROFILE  # set when the lookup succeeds
        self._caller_lookup: asyncio.Task[CallerProfile] | None = None
        self._caller_lookup_gave_up = False
        self.speech_failed = False  # after a recognizer failure the rest of the call is keypad
        # Events a verb read but that belong to whoever asks next (e.g. the end of an
        # utterance that arrived while a stopped prompt was winding down).
        self.pending: deque[CallEvent] = deque()
        self.info = info
        self.control = control
        self.prompts = prompts
        self.log = call_log
        self.clock = clock
        self.digits: deque[str] = deque()
        self.vars: dict[str, Any] = {}
        self.last_step = "start"
        self.outcome = "abandoned"
        self.destination = ""
        self.ended_by = ""
        self.started_at = clock()
        self.answered_at: datetime | None = None
        self._flow: deque[Verb] = deque(flow)
        self._fallback = fallback
        self._stepped_down = False
        self._hand_back = False
        self.shutting_down = False
        self.connected_leg: str | None = None  # set while the caller talks to a person
        self._current: asyncio.Task[Outcome] | None = None
        self._current_verb: Verb | None = None
        self._replacing = False
        self.done = asyncio.Event()

    @property
    def call_id(self) -> str:
        return self.info.call_id

    # --- used by verbs ---------------------------------------------------------------

    async def wait(self, timeout: float | None = None) -> CallEvent | None:
        """Next event for this call; raises CallerGone when the caller has left."""
        event = self.pending.popleft() if self.pending else await self.control.next_event(timeout)
        if isinstance(event, CallerHungUp):
            self.ended_by = "caller"
            raise CallerGone()
        return event

    def record(self, kind: str, **detail: Any) -> None:
        self.log.event(self.call_id, self.clock(), kind, detail)

    def record_decision(self, decision: dict[str, Any]) -> None:
        # A decision that goes nowhere (ask again) has destination None: stored as "",
        # never as the text 'None'.
        destination = decision.get("destination", self.destination)
        self.destination = "" if destination is None else str(destination)
        if self.destination:
            self.categories.add(self.destination)
        if self.destination == EMERGENCY:
            self._emergency = True
        self.log.decision(self.call_id, self.clock(), decision)
        self.log.call_updated(self.call_id, {"destination": self.destination})

    async def caller_profile(self) -> CallerProfile:
        """The caller's history (flags, recent calls), looked up once per call.

        Never raises and waits at most CALLER_LOOKUP_WAIT_S: without history the call is
        routed as a new caller's would be.
        """
        task = self._start_caller_lookup()
        if task is None:
            return EMPTY_PROFILE
        if not task.done() and self._caller_lookup_gave_up:
            return EMPTY_PROFILE  # waited once already: never add silence at every question
        done, _ = await asyncio.wait({task}, timeout=CALLER_LOOKUP_WAIT_S)
        if not done:
            self._caller_lookup_gave_up = True
            log.warning("call %s: caller history is slow; deciding without it", self.call_id)
            return EMPTY_PROFILE
        return task.result()

    def _start_caller_lookup(self) -> asyncio.Task[CallerProfile] | None:
        if self.callers is not None and self._caller_lookup is None:
            self._caller_lookup = asyncio.create_task(
                self._look_up_caller(self.callers), name=f"call:{self.call_id}:caller"
            )
        return self._caller_lookup

    async def _look_up_caller(self, callers: CallerLookup) -> CallerProfile:
        try:
            profile = await callers.profile(self.info.caller_number, self.call_id, self.started_at)
        except Exception as exc:
            log.warning("call %s: caller lookup failed: %r", self.call_id, exc)
            self.record("caller-lookup-failed", error_id=getattr(exc, "error_id", "lookup-error"))
            return EMPTY_PROFILE
        self.caller = profile
        if profile.known:
            self.record(
                "caller-profile",
                flags=sorted(profile.flags),
                recent_calls=profile.recent_calls,
                calls_today=profile.calls_today,
            )
        if profile.redial_of is not None:
            self.record(
                "redial-of",
                linked_call_id=profile.redial_of,
                after_s=round(profile.redial_after_s or 0.0, 1),
            )
        return profile

    @property
    def breaks_out(self) -> bool:
        """An emergency said or keyed now would break out (not once it is one already)."""
        return self._breakout is not None and not self._emergency

    @property
    def emergency_key(self) -> str | None:
        """The key that breaks out to 999 handling now (None once it is an emergency)."""
        if self._breakout is None or self._emergency:
            return None
        return self._breakout.watch.emergency_key

    def keyed_emergency(self, digits: str) -> None:
        """Break out of the current step at once if the caller keyed the emergency key.

        Stores the Decision (the engine's rule and reason, and the step it interrupted)
        and raises EmergencyBreakOut; the session then runs the emergency flow.
        """
        if not self.breaks_out or not digits:
            return
        assert self._breakout is not None
        decision = self._breakout.watch.breakout((), digits)
        if decision is not None:
            self._break_out(decision, digits=digits)

    async def said_emergency(self, hypotheses: Sequence[Hypothesis]) -> None:
        """Break out if the caller's words carry a danger cue, unless, asked at once,
        they say it is not an emergency.

        Out of the menu, words like "quick", "urgent" or "still here" are said to a
        confirmation or on hold by callers in no danger; the check ("if someone is in
        danger now, press 9 or say yes") costs a real emergency a few seconds and keeps
        a hurried caller from being taken out of their queue. Silence or an unclear
        answer counts as danger: a caller who cannot speak is not left waiting.
        """
        if not self.breaks_out or not hypotheses:
            return
        assert self._breakout is not None
        decision = self._breakout.watch.breakout(hypotheses, None)
        if decision is None:
            return
        checked = ""
        if self._breakout.check is not None:
            try:
                answer = await self._breakout.check(self, decision)
            except (CallerGone, asyncio.CancelledError):
                raise
            except Exception as exc:
                # The question could not be asked (a prompt refused, missing from a force's
                # catalogue): the words stand as they are, an emergency.
                log.warning("call %s: danger check failed: %r", self.call_id, exc)
                answer = DangerAnswer(True, "check-failed")
            if not answer.danger:
                self.record("emergency-check-declined", step=self.last_step, answer=answer.how)
                return
            checked = answer.how
        self._break_out(decision, heard=hypotheses, checked=checked)

    def _break_out(
        self,
        decision: Decision,
        *,
        digits: str | None = None,
        heard: Sequence[Hypothesis] = (),
        checked: str = "",
    ) -> NoReturn:
        step = self.last_step
        row = decision.to_json()
        confirmed = f"; asked if someone is in danger: {checked}" if checked else ""
        row["reason"] = f"{decision.reason} (while at {step}{confirmed})"
        row["evidence"] = {
            **row["evidence"],
            "breakout_from": step,
            "inputs": {
                "digits": digits,
                "heard": [{"text": h.text, "confidence": round(h.confidence, 3)} for h in heard],
            },
            **({"danger_check": checked} if checked else {}),
        }
        self.record("emergency-breakout", step=step, rule=decision.rule)
        self.record_decision(row)
        raise EmergencyBreakOut(decision, step)

    def withdraw_outcome(self, outcome: str) -> None:
        """The call no longer ends as ``outcome`` (a callback taken back when the caller
        broke out to 999): the record must not promise what will not happen."""
        if self.outcome == outcome:
            self.outcome = "abandoned"  # until the route that follows says otherwise

    def mark_answered(self) -> None:
        self.answered_at = self.clock()
        self.log.call_updated(self.call_id, {"answered_at": iso(self.answered_at)})

    # --- used by operators -------------------------------------------------------------

    def replace_flow(self, verbs: Sequence[Verb], reason: str) -> None:
        """Operator override: cancel the current verb and run ``verbs`` instead."""
        self.record("flow-replaced", reason=reason, verbs=[v.describe() for v in verbs])
        self._flow = deque(verbs)
        if self._current is not None and not self._current.done():
            self._replacing = True
            if self._current_verb is not None:
                self._current_verb.cancel()
            self._current.cancel()

    # --- the loop --------------------------------------------------------------------

    async def run(self) -> None:
        info = self.info
        self.log.call_started(
            {
                "call_id": info.call_id,
                "channel_id": info.channel_id,
                "caller_number": info.caller_number,
                "caller_name": info.caller_name,
                "dialled": info.dialled,
                "started_at": iso(self.started_at),
                "outcome": "in-progress",
                "last_step": self.last_step,
                "destination": self.destination,
            }
        )
        self._start_caller_lookup()  # under way while the welcome plays
        try:
            await self._run_flow()
        except CallerGone:
            self.ended_by = self.ended_by or "caller"
        except asyncio.CancelledError:
            self.ended_by = self.ended_by or "app-shutdown"
            raise
        finally:
            await self._finish()

    async def _run_flow(self) -> None:
        while self._flow:
            if self._emergency and not self._emergency_noted:
                self._emergency_noted = True
                # Before the next step: a restart during the emergency route resumes it.
                await self.control.remember(Note.EMERGENCY, "1")
            verb = self._flow.popleft()
            self.last_step = verb.describe()
            self.record("step", step=self.last_step)
            self._current_verb = verb
            self._current = asyncio.create_task(
                verb.run(self), name=f"call:{self.call_id}:{verb.name}"
            )
            try:
                outcome = await self._current
            except asyncio.CancelledError:
                if self._replacing and not _outer_cancelled():
                    self._replacing = False
                    continue
                self._current.cancel()
                raise
            except CallerGone:
                raise
            except EmergencyBreakOut:
                assert self._breakout is not None  # only a session with one can raise it
                self._flow = deque(self._breakout.flow())
                self.digits.clear()  # the 9 (and anything keyed with it) is spent
                if self._breakout.settle is not None:
                    try:
                        await self._breakout.settle(self)
                    except Exception:  # never in the way of the emergency route
                        log.exception("call %s: settling before 999 failed", self.call_id)
                with contextlib.suppress(AriError):
                    await self.control.hold_music(False)  # the 999 advice must be heard
                continue
            except Exception as exc:
                # A 404/409 a moment after the caller hung up comes before the hang-up event.
                gone = isinstance(exc, AriError) and is_gone(exc)
                if gone and not await self.control.caller_present():
                    self.ended_by = self.ended_by or "caller"
                    raise CallerGone() from exc
                self._step_down(verb, exc)
                continue
            finally:
                self._current = None
                self._current_verb = None
            if outcome.next_flow is not None:
                self._flow = deque(outcome.next_flow)
        if not self.ended_by:
            self.ended_by = "app"

    def _step_down(self, verb: Verb, exc: Exception) -> None:
        """A failure never leaves the caller in silence: the safe path once, then the dialplan."""
        error_id = getattr(exc, "error_id", "verb-crashed")
        if isinstance(exc, AriError):
            log.error("call %s: %s failed: [%s] %s", self.call_id, verb.describe(), error_id, exc)
        else:
            log.exception("call %s: %s crashed", self.call_id, verb.describe())
        self.record("error", step=verb.describe(), error_id=error_id, message=str(exc))
        if self._stepped_down:
            self._flow.clear()
            self.outcome = "failed"
            self._hand_back = True  # the dialplan's own fallback rings a person
            return
        self._stepped_down = True
        self._flow = deque(self._fallback())

    async def _finish(self) -> None:
        try:
            if self.shutting_down and self.connected_leg is not None:
                self.control.detach()  # they are talking to a person: leave them be
                self.record("detached-on-shutdown", leg=self.connected_leg)
            elif self._hand_back or self.shutting_down:
                await self.control.hand_back()
                self.record("handed-to-dialplan")
                if self.outcome == "abandoned":
                    self.outcome = "handed-to-dialplan"
            else:
                await self.control.release()
        except Exception:
            log.exception("call %s: release failed", self.call_id)
        ended = self.clock()
        if self.outcome == "abandoned" and self.ended_by != "caller":
            self.outcome = "completed" if self.ended_by == "app" else self.ended_by
        ending = {
            "ended_at": iso(ended),
            "duration_s": round((ended - self.started_at).total_seconds(), 3),
            "outcome": self.outcome,
            "last_step": self.last_step,
            "ended_by": self.ended_by,
        }
        if self.destination:  # a call adopted after a restart keeps the one it had
            ending["destination"] = self.destination
        self.log.call_updated(self.call_id, ending)
        await self._remember_caller(ended)
        self.record("ended", outcome=self.outcome, last_step=self.last_step, ended_by=self.ended_by)
        self._tell_observer()
        self.done.set()

    def _tell_observer(self) -> None:
        if self.observer is None:
            return
        finished = FinishedCall(
            self.call_id,
            self.info.caller_number,
            self.info.dialled,
            self.outcome,
            frozenset(self.categories),
            tuple(self.heard),
        )
        try:
            self.observer.call_ended(finished)
        except Exception:
            log.exception("call %s: post-call work failed", self.call_id)

    async def _remember_caller(self, ended: datetime) -> None:
        """Add the call to caller history; a short call's lookup may finish first (re-dial link)."""
        if self.callers is None:
            return
        lookup = self._caller_lookup
        if lookup is not None and not lookup.done():
            await asyncio.wait({lookup}, timeout=CALLER_LOOKUP_WAIT_S)
            lookup.cancel()
        try:
            self.callers.record(
                CallRecord(
                    number=self.info.caller_number,
                    call_id=self.call_id,
                    at=self.started_at,
                    outcome=self.outcome,
                    destination=self.destination,
                    ended_at=ended,
                    linked_call_id=self.caller.redial_of,
                )
            )
        except Exception:
            log.exception("call %s: caller history record failed", self.call_id)


def _outer_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
