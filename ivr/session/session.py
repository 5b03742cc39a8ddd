"""CallSession: one call, one task, a list of verbs run in order.

Whatever happens (the caller hangs up mid-prompt, ARI refuses a request, an
operator replaces the flow), the session ends through one ``finally`` that
releases everything the call created and records where the caller left.

The session owns its record: verbs, the console and live chat change it only
through the narrow methods below (``settle``, ``connected``, ``move_to``...).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NoReturn

from ivr.callers.model import CallerLookup, CallerProfile
from ivr.clock import Clock, utc_now
from ivr.decisions import EMERGENCY, Decision, Hypothesis
from ivr.session.caller import CallerHistory
from ivr.session.control import CallControl
from ivr.session.emergency import BreakOut, EmergencyGuard
from ivr.session.events import CallerHungUp, CallEvent
from ivr.session.inputs import HeldEvents, TypeAhead
from ivr.session.model import (
    CallerGone,
    CallInfo,
    CallObserver,
    FallbackFlow,
    FinishedCall,
    Prompts,
    Verb,
)
from ivr.session.outcomes import CallOutcome, EndedBy
from ivr.session.runner import FlowRunner
from ivr.session.steps import MoveTo, Plan, ToOperator
from ivr.speech.model import SpeechService
from ivr.store.db import iso
from ivr.store.log import CallLog

log = logging.getLogger(__name__)


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
        plan: Plan | None = None,
        started_at: datetime | None = None,
    ) -> None:
        """``speech`` None: keypad only (no engine configured, or it failed to load).

        ``callers`` None: no caller history (every caller looks new, nobody is flagged).
        ``breakout`` None: no emergency route (a callback's own legs). ``plan`` turns the
        steps verbs end with into verbs (None: a flow whose verbs name no step).
        ``started_at``: when the caller's call began, if before now (an adopted call).
        """
        self.info = info
        self.control = control
        self.prompts = prompts
        self.log = call_log
        self.clock = clock
        self.speech = speech
        self.observer = observer
        self.started_at = started_at or clock()
        self.keys = TypeAhead()
        self.held = HeldEvents()
        self.done = asyncio.Event()
        self._guard = EmergencyGuard(breakout)
        self._runner = FlowRunner(flow, fallback, plan, self._guard)
        self._history = CallerHistory(
            callers, info.caller_number, info.call_id, self.started_at, self.record
        )
        # What the call was about (intents, caller flags, sensitive topics heard): a survey
        # is never texted about a call in an excluded category.
        self._categories: set[str] = set()
        self._heard: list[str] = []
        self._speech_failed = False  # after a recognizer failure the rest of the call is keypad
        self._last_step = "start"
        self._outcome = CallOutcome.ABANDONED
        self._destination = ""
        self._ended_by = EndedBy.NOBODY
        self._answered_at: datetime | None = None
        self._connected_leg: str | None = None  # set while the caller talks to a person
        self._shutting_down = False
        self._crashed = False

    # --- what the call is (read-only: changed through the methods below) ------------------

    @property
    def call_id(self) -> str:
        return self.info.call_id

    @property
    def outcome(self) -> CallOutcome:
        return self._outcome

    @property
    def destination(self) -> str:
        return self._destination

    @property
    def ended_by(self) -> EndedBy:
        return self._ended_by

    @property
    def last_step(self) -> str:
        return self._last_step

    @property
    def answered_at(self) -> datetime | None:
        return self._answered_at

    @property
    def connected_leg(self) -> str | None:
        return self._connected_leg

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(self._categories)

    @property
    def heard(self) -> tuple[str, ...]:
        return tuple(self._heard)

    @property
    def caller(self) -> CallerProfile:
        """The caller's history once looked up (empty until then, or without one)."""
        return self._history.profile

    @property
    def can_listen(self) -> bool:
        """Speech is possible: an engine, and no failure of it or its audio path yet."""
        return self.speech is not None and not self._speech_failed

    # --- used by verbs ---------------------------------------------------------------

    async def wait(self, timeout: float | None = None) -> CallEvent | None:
        """Next event for this call; raises CallerGone when the caller has left."""
        event = self.held.take() if self.held else await self.control.next_event(timeout)
        if isinstance(event, CallerHungUp):
            self.caller_left()
        return event

    def caller_left(self) -> NoReturn:
        """The caller hung up: unwind to the end of the call."""
        self._ended_by = EndedBy.CALLER
        raise CallerGone()

    def at_step(self, step: str) -> None:
        """The flow runs ``step`` now (the call record's last step)."""
        self._last_step = step
        self.record("step", step=step)

    def record(self, kind: str, **detail: Any) -> None:
        self.log.event(self.call_id, self.clock(), kind, detail)

    def record_decision(self, decision: Decision, **inputs: Any) -> None:
        """Store a Decision with what it saw (``inputs``, kept in its evidence).

        A decision that goes nowhere (ask again) clears the destination: stored as "",
        never as the text 'None'.
        """
        if inputs:
            decision = decision.with_evidence(inputs=inputs)
        # A danger check asks; the answer's decision says where the call goes.
        self._destination = "" if decision.is_danger_check else decision.destination or ""
        if self._destination:
            self._categories.add(self._destination)
        if self._destination == EMERGENCY:
            self._guard.decided()
        self.log.decision(self.call_id, self.clock(), decision)
        self.log.call_updated(self.call_id, {"destination": self._destination})

    def about(self, categories: Iterable[str] = (), heard: Iterable[str] = ()) -> None:
        """What the call turned out to be about (intents, flags, topics; words heard)."""
        self._categories.update(categories)
        self._heard.extend(heard)

    def settle(self, outcome: CallOutcome, destination: str | None = None) -> None:
        """The call ends as ``outcome`` (at ``destination``) unless something later says
        otherwise (a break-out withdraws a callback)."""
        self._outcome = outcome
        if destination is not None:
            self._destination = destination

    def settle_unless_settled(self, outcome: CallOutcome) -> None:
        """``outcome``, unless a verb already settled a better-known one (a callback)."""
        if self._outcome == CallOutcome.ABANDONED:
            self._outcome = outcome

    def withdraw_outcome(self, outcome: CallOutcome) -> None:
        """The call no longer ends as ``outcome`` (a callback taken back when the caller
        broke out to 999): the record must not promise what will not happen."""
        if self._outcome == outcome:
            self._outcome = CallOutcome.ABANDONED  # until the route that follows says otherwise

    def connected(self, leg_id: str, destination: str | None) -> None:
        """The caller is talking to a person on ``leg_id`` (``destination`` None: the
        conversation was taken over after a restart; the destination stays)."""
        self.settle(CallOutcome.TRANSFERRED, destination)
        self._connected_leg = leg_id

    def disconnected(self) -> None:
        self._connected_leg = None

    def keypad_only(self) -> None:
        """Speech failed (the engine or its audio path): keys for the rest of the call."""
        self._speech_failed = True

    def mark_answered(self) -> None:
        self._answered_at = self.clock()
        self.log.call_updated(self.call_id, {"answered_at": iso(self._answered_at)})

    async def caller_profile(self) -> CallerProfile:
        """The caller's history (flags, recent calls), looked up once per call.

        Never raises and waits at most CALLER_LOOKUP_WAIT_S: without history the call is
        routed as a new caller's would be.
        """
        return await self._history.wait()

    # --- emergencies (ivr.session.emergency) ------------------------------------------

    @property
    def breaks_out(self) -> bool:
        """An emergency said or keyed now would break out (not once it is one already)."""
        return self._guard.active

    @property
    def emergency_key(self) -> str | None:
        """The key that breaks out to 999 handling now (None once it is an emergency)."""
        return self._guard.key

    def keyed_emergency(self, digits: str) -> None:
        """Break out of the current step at once if the caller keyed the emergency key
        (raises EmergencyBreakOut; the session then runs the emergency flow)."""
        self._guard.keyed(self, digits)

    async def said_emergency(self, hypotheses: Sequence[Hypothesis]) -> None:
        """Break out if the caller's words carry a danger cue, unless, asked at once,
        they say it is not an emergency."""
        await self._guard.said(self, hypotheses)

    # --- used by operators and the app -------------------------------------------------

    def replace_flow(self, verbs: Sequence[Verb], reason: str) -> None:
        """Operator override: cancel the current verb and run ``verbs`` instead."""
        self.record("flow-replaced", reason=reason, verbs=[v.describe() for v in verbs])
        self._runner.replace(verbs)

    def move_to(
        self,
        destination: str,
        reason: str,
        by: str,
        *,
        reason_code: str = "",
        joined_at: float | None = None,
    ) -> None:
        """An operator sends the call to ``destination``: stored as a Decision (who, why,
        from where), then the current step is left for the route there.

        ``joined_at``: the caller's place in time in the app-run queue they are leaving,
        kept if ``destination`` is an app-run queue too.
        """
        self._operator_move(MoveTo(destination, joined_at), destination, reason, by, reason_code)

    def take_to(self, step: ToOperator, reason: str, by: str, *, reason_code: str = "") -> None:
        """An operator takes the call to their own phone; recorded like a move."""
        self._operator_move(step, step.destination, reason, by, reason_code)

    @property
    def movable(self) -> str | None:
        """Why an operator cannot move this call now (None: they can)."""
        return self.movable_to("")

    def movable_to(self, destination: str) -> str | None:
        """Why an operator cannot move this call to ``destination`` now (None: they can).

        A call on the emergency route is never taken off it by a console action: once
        moved, the caller could no longer break out to 999 (nothing breaks out of an
        emergency), and a queue would seat them at normal priority. Only a move to
        emergency handling itself is allowed.
        """
        if self.done.is_set():
            return "the call has ended"
        if self._connected_leg is not None:
            return "the caller is talking to a person"
        if self._runner.plan is None:
            return "this call has no plan to route it by"
        if self._guard.is_emergency and destination != EMERGENCY:
            return "the call is on the emergency route (only a move to emergency is allowed)"
        return None

    def _operator_move(
        self, step: MoveTo | ToOperator, destination: str, reason: str, by: str, reason_code: str
    ) -> None:
        plan = self._runner.plan
        why_not = self.movable_to(destination)
        if plan is None or why_not is not None:
            raise RuntimeError(f"cannot move this call: {why_not}")
        why = ": ".join(part for part in (reason_code, reason) if part)
        # Rule "operator-move" with where from: the analysis counts these as misroutes.
        self.record_decision(
            Decision(
                "route",
                destination,
                rule="operator-move",
                reason=f"moved by {by}: {why}",
                evidence={
                    "by": by,
                    "from": self._destination,
                    "reason_code": reason_code,
                    "reason": reason,
                },
            )
        )
        self.replace_flow(plan.verbs_for(step), why)

    def shut_down(self) -> None:
        """The app is stopping: a caller talking to a person is left be, others handed back."""
        self._shutting_down = True

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
                "outcome": CallOutcome.IN_PROGRESS,
                "last_step": self._last_step,
                "destination": self._destination,
            }
        )
        self._history.start()  # under way while the welcome plays
        try:
            await self._runner.run(self)
            self._ended_by = self._ended_by or EndedBy.APP
        except CallerGone:
            self._ended_by = self._ended_by or EndedBy.CALLER
        except asyncio.CancelledError:
            self._ended_by = self._ended_by or EndedBy.APP_SHUTDOWN
            raise
        except Exception:
            # A bug, not a refused request (those step down): the dialplan's own fallback
            # rings a person, and the record still ends.
            log.exception("call %s: the flow crashed", self.call_id)
            self._ended_by = self._ended_by or EndedBy.APP
            self.settle(CallOutcome.FAILED)
            self._crashed = True
        finally:
            await self._finish()

    async def _finish(self) -> None:
        try:
            if self._shutting_down and self._connected_leg is not None:
                self.control.detach()  # they are talking to a person: leave them be
                self.record("detached-on-shutdown", leg=self._connected_leg)
            elif self._runner.hand_back or self._shutting_down or self._crashed:
                await self.control.hand_back()
                self.record("handed-to-dialplan")
                self.settle_unless_settled(CallOutcome.HANDED_TO_DIALPLAN)
            else:
                await self.control.release()
        except Exception:
            log.exception("call %s: release failed", self.call_id)
        try:
            await self._close_record()
        finally:
            self.done.set()  # whoever waits for this call (a callback's placement) goes on

    async def _close_record(self) -> None:
        ended = self.clock()
        if self._outcome == CallOutcome.ABANDONED and self._ended_by != EndedBy.CALLER:
            self._outcome = _ENDED_AS.get(self._ended_by, CallOutcome.FAILED)
        ending = {
            # An adopted call's start is its channel's creation, a little before the first
            # process stored its own: the row's start and its duration must agree.
            "started_at": iso(self.started_at),
            "ended_at": iso(ended),
            "duration_s": round((ended - self.started_at).total_seconds(), 3),
            "outcome": self._outcome.value,
            "last_step": self._last_step,
            "ended_by": self._ended_by.value,
        }
        if self._destination:  # a call adopted after a restart keeps the one it had
            ending["destination"] = self._destination
        self.log.call_updated(self.call_id, ending)
        await self._history.remember(ended, self._outcome.value, self._destination)
        self.record(
            "ended",
            outcome=self._outcome.value,
            last_step=self._last_step,
            ended_by=self._ended_by.value,
        )
        self._tell_observer()

    def _tell_observer(self) -> None:
        if self.observer is None:
            return
        finished = FinishedCall(
            self.call_id,
            self.info.caller_number,
            self.info.dialled,
            self._outcome.value,
            frozenset(self._categories),
            tuple(self._heard),
        )
        try:
            self.observer.call_ended(finished)
        except Exception:
            log.exception("call %s: post-call work failed", self.call_id)


# How a call nobody settled ended, by who ended it (the caller: abandoned).
_ENDED_AS = {EndedBy.APP: CallOutcome.COMPLETED, EndedBy.APP_SHUTDOWN: CallOutcome.APP_SHUTDOWN}
