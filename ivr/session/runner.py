"""FlowRunner: runs one call's verbs in order, and changes course when they say so.

A verb's Outcome names what follows (a step the Plan turns into verbs, or verbs).
An emergency break-out swaps the rest of the flow for the emergency route; an
operator's override cancels the current verb for theirs; a failure steps down
once to the safe path (the fallback), and a second failure hands the caller back
to the dialplan, whose own fallback rings a person. The caller is never left in
silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ivr.ari.errors import AriError
from ivr.chores import being_cancelled
from ivr.session.control import is_gone
from ivr.session.emergency import EmergencyBreakOut, EmergencyGuard
from ivr.session.model import CallerGone, FallbackFlow, Outcome, Verb
from ivr.session.notes import Note, Urgency
from ivr.session.outcomes import CallOutcome
from ivr.session.steps import Plan

if TYPE_CHECKING:
    from ivr.session.session import CallSession

log = logging.getLogger(__name__)


class FlowRunner:
    def __init__(
        self,
        flow: Sequence[Verb],
        fallback: FallbackFlow,
        plan: Plan | None,
        guard: EmergencyGuard,
    ) -> None:
        self.plan = plan
        self.hand_back = False  # two failures: the dialplan takes the caller
        self._flow: deque[Verb] = deque(flow)
        self._fallback = fallback
        self._guard = guard
        self._stepped_down = False
        self._emergency_noted = False  # left on the channel, for a restart (Note.EMERGENCY)
        self._current: asyncio.Task[Outcome] | None = None
        self._current_verb: Verb | None = None
        self._replacing = False

    def replace(self, verbs: Sequence[Verb]) -> None:
        """Cancel the current verb and run ``verbs`` instead."""
        self._flow = deque(verbs)
        if self._current is not None and not self._current.done():
            self._replacing = True
            if self._current_verb is not None:
                self._current_verb.cancel()
            self._current.cancel()

    async def run(self, session: CallSession) -> None:
        """Until the flow is empty; raises CallerGone when the caller leaves."""
        while self._flow:
            if self._guard.is_emergency and not self._emergency_noted:
                self._emergency_noted = True
                # Before the next step: a restart during the emergency route resumes it.
                await session.control.remember(Note.EMERGENCY, Urgency.DECIDED)
            verb = self._flow.popleft()
            session.at_step(verb.describe())
            self._current_verb = verb
            self._current = asyncio.create_task(
                verb.run(session), name=f"call:{session.call_id}:{verb.name}"
            )
            try:
                outcome = await self._current
            except asyncio.CancelledError:
                if self._replacing and not being_cancelled():
                    self._replacing = False
                    continue
                self._current.cancel()
                raise
            except CallerGone:
                raise
            except EmergencyBreakOut:
                await self._to_emergency(session)
                continue
            except Exception as exc:
                # A 404/409 a moment after the caller hung up comes before the hang-up event.
                gone = isinstance(exc, AriError) and is_gone(exc)
                if gone and not await session.control.caller_present():
                    session.caller_left()
                self._step_down(session, verb, exc)
                continue
            finally:
                self._current = None
                self._current_verb = None
            try:
                self._follow(outcome)
            except Exception as exc:  # planning what follows failed: as if the verb had
                self._step_down(session, verb, exc)

    def _follow(self, outcome: Outcome) -> None:
        if outcome.step is not None:
            if self.plan is None:
                raise RuntimeError(f"no plan for {outcome.step!r}")
            self._flow = deque(self.plan.verbs_for(outcome.step))
        elif outcome.next_flow is not None:
            self._flow = deque(outcome.next_flow)

    async def _to_emergency(self, session: CallSession) -> None:
        breakout = self._guard.breakout
        assert breakout is not None  # only a session with one can raise it
        self._flow = deque(breakout.flow())
        session.keys.clear()  # the 9 (and anything keyed with it) is spent
        if breakout.settle is not None:
            try:
                await breakout.settle(session)
            except Exception:  # never in the way of the emergency route
                log.exception("call %s: settling before 999 failed", session.call_id)
        with contextlib.suppress(AriError):
            await session.control.hold_music(False)  # the 999 advice must be heard

    def _step_down(self, session: CallSession, verb: Verb, exc: Exception) -> None:
        """A failure never leaves the caller in silence: the safe path once, then the dialplan."""
        error_id = getattr(exc, "error_id", "verb-crashed")
        if isinstance(exc, AriError):
            log.error(
                "call %s: %s failed: [%s] %s", session.call_id, verb.describe(), error_id, exc
            )
        else:
            log.exception("call %s: %s crashed", session.call_id, verb.describe())
        session.record("error", step=verb.describe(), error_id=error_id, message=str(exc))
        if self._stepped_down:
            self._flow.clear()
            session.settle(CallOutcome.FAILED)
            self.hand_back = True  # the dialplan's own fallback rings a person
            return
        self._stepped_down = True
        self._flow = deque(self._fallback())
