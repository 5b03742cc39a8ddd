"""Emergency break-out: 999 outranks every other step of a call.

The menu asks the RoutingEngine, which weighs an emergency first. Every
other step (a confirmation, a choice, the text offer, a number being keyed,
a queue, a transfer ringing) asks the same engine through ``EmergencyWatch``
whether the caller's words or keys are an emergency. The emergency key
breaks out at once; a spoken cue first asks "is someone in danger now?"
(``DangerCheck``: anything but a no counts as yes). Then the step raises
``EmergencyBreakOut`` and the session drops whatever it was doing (the
step's own clean-up runs: a queue place is given up, a ringing leg dropped)
and runs the emergency flow.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn, Protocol

from ivr.decisions import Decision, Hypothesis
from ivr.session.model import CallerGone

if TYPE_CHECKING:
    from ivr.session.model import Verb
    from ivr.session.session import CallSession

log = logging.getLogger(__name__)


class EmergencyWatch(Protocol):
    """The routing engine's emergency cues and key (ivr.routing.service.RoutingService)."""

    @property
    def emergency_key(self) -> str | None: ...

    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None: ...


@dataclass(frozen=True)
class DangerAnswer:
    """The caller's answer to "is someone in danger now?" after a cue out of the menu."""

    danger: bool  # False only when they said it is not an emergency (no, or key 2)
    how: str  # "key 9", "said 'yes'", "no-input": for the record


# Asks the caller at once (ivr.flows.emergency.DangerCheck); also the menu's danger check
# (ivr.verbs.danger.AskDanger).
DangerCheck = Callable[["CallSession", Decision], Awaitable[DangerAnswer]]


@dataclass(frozen=True)
class BreakOut:
    """What a session needs to break out: the watch, the verbs of the emergency route,
    and the question a spoken cue out of the menu is checked with (None: no check)."""

    watch: EmergencyWatch
    flow: Callable[[], Sequence[Verb]]
    check: DangerCheck | None = None
    # Whatever the call had promised that the emergency route replaces (a callback booked
    # a moment before: withdrawn), wherever the break-out happens, "goodbye" included.
    settle: Callable[[CallSession], Awaitable[None]] | None = None


class EmergencyBreakOut(Exception):
    """Unwinds the current step; the session runs the emergency flow instead."""

    error_id = "emergency-breakout"

    def __init__(self, decision: Decision, step: str) -> None:
        super().__init__(f"emergency during {step}: {decision.reason}")
        self.decision = decision
        self.step = step


def breakout_decision(
    decision: Decision,
    step: str,
    *,
    digits: str | None,
    heard: Sequence[Hypothesis],
    checked: str,
) -> Decision:
    """The decision stored for a break-out: the engine's rule and reason, the step it
    interrupted, what was keyed or heard, and the danger check's answer."""
    confirmed = f"; asked if someone is in danger: {checked}" if checked else ""
    return replace(
        decision,
        reason=f"{decision.reason} (while at {step}{confirmed})",
        evidence={
            **decision.evidence,
            "breakout_from": step,
            "inputs": {
                "digits": digits,
                "heard": [{"text": h.text, "confidence": round(h.confidence, 3)} for h in heard],
            },
            **({"danger_check": checked} if checked else {}),
        },
    )


class EmergencyGuard:
    """One call's break-out: whether it still breaks out, and how, when it does."""

    def __init__(self, breakout: BreakOut | None) -> None:
        """``breakout`` None: no emergency route (a callback's own legs)."""
        self.breakout = breakout
        self.is_emergency = False  # decided one: nothing breaks out of that

    def decided(self) -> None:
        self.is_emergency = True

    @property
    def active(self) -> bool:
        return self.breakout is not None and not self.is_emergency

    @property
    def key(self) -> str | None:
        if self.breakout is None or self.is_emergency:
            return None
        return self.breakout.watch.emergency_key

    def keyed(self, session: CallSession, digits: str) -> None:
        """Stores the Decision (the engine's rule and reason, and the step it interrupted)
        and raises EmergencyBreakOut when ``digits`` are the emergency key."""
        if self.breakout is None or not self.active or not digits:
            return
        decision = self.breakout.watch.breakout((), digits)
        if decision is not None:
            self._break_out(session, decision, digits=digits)

    async def said(self, session: CallSession, hypotheses: Sequence[Hypothesis]) -> None:
        """Out of the menu, words like "quick", "urgent" or "still here" are said to a
        confirmation or on hold by callers in no danger; the check ("if someone is in
        danger now, press 9 or say yes") costs a real emergency a few seconds and keeps
        a hurried caller from being taken out of their queue. Silence or an unclear
        answer counts as danger: a caller who cannot speak is not left waiting.
        """
        if self.breakout is None or not self.active or not hypotheses:
            return
        decision = self.breakout.watch.breakout(hypotheses, None)
        if decision is None:
            return
        checked = ""
        if self.breakout.check is not None:
            try:
                answer = await self.breakout.check(session, decision)
            except (CallerGone, asyncio.CancelledError):
                raise
            except Exception as exc:
                # The question could not be asked (a prompt refused, missing from a force's
                # catalogue): the words stand as they are, an emergency.
                log.warning("call %s: danger check failed: %r", session.call_id, exc)
                answer = DangerAnswer(True, "check-failed")
            if not answer.danger:
                session.record(
                    "emergency-check-declined", step=session.last_step, answer=answer.how
                )
                return
            checked = answer.how
        self._break_out(session, decision, heard=hypotheses, checked=checked)

    def _break_out(
        self,
        session: CallSession,
        decision: Decision,
        *,
        digits: str | None = None,
        heard: Sequence[Hypothesis] = (),
        checked: str = "",
    ) -> NoReturn:
        step = session.last_step
        session.record("emergency-breakout", step=step, rule=decision.rule)
        session.record_decision(
            breakout_decision(decision, step, digits=digits, heard=heard, checked=checked)
        )
        raise EmergencyBreakOut(decision, step)
