"""AskDanger: the danger check a routing decision asks before anything else.

The engine heard danger too unsurely to send the caller to 999 advice unasked, or
to route them anywhere else unasked (ivr.routing.danger_check). The question and
how answers are read are the break-out's own (ivr.flows.emergency.DangerCheck):
9, yes, silence or anything unclear is danger; only 2 or a plain no carries on.
"""

from __future__ import annotations

import asyncio
import logging

from ivr.decisions import Decision
from ivr.session.emergency import DangerAnswer, DangerCheck
from ivr.session.model import CallerGone, Outcome
from ivr.session.notes import Note, Urgency
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.session.steps import Decided
from ivr.verbs.basic import VerbBase

log = logging.getLogger(__name__)


class AskDanger(VerbBase):
    """Asks "is someone in danger right now?" and ends with the decision the answer picks."""

    name = "danger-check"

    def __init__(self, decision: Decision, check: DangerCheck, *, attempt: int = 1) -> None:
        """``decision``: a danger check (``Decision.is_danger_check``) made at ``attempt``."""
        if not decision.is_danger_check:
            raise ValueError(f"not a danger check: {decision.action} {decision.destination}")
        self.decision = decision
        self.check = check
        self.attempt = attempt

    def describe(self) -> str:
        otherwise = self.decision.otherwise
        return f"danger-check:{otherwise.destination if otherwise else ''}"

    async def run(self, session: CallSession) -> Outcome:
        # A restart while the caller is asked must ask again, not start over at the menu.
        await session.control.remember(Note.EMERGENCY, Urgency.CHECKING)
        try:
            answer = await self.check(session, self.decision)
        except (CallerGone, asyncio.CancelledError):
            raise
        except Exception as exc:
            # The question could not be asked (a prompt refused, missing from a force's
            # catalogue): danger was heard, so it stands, as at a break-out.
            log.warning("call %s: danger check failed: %r", session.call_id, exc)
            answer = DangerAnswer(True, "check-failed")
        decision = self.decision.answered(answer.danger, answer.how)
        if not answer.danger:
            await session.control.remember(Note.EMERGENCY, Urgency.NONE)
        # (Danger: the runner notes the emergency route before the next step.)
        session.record_decision(decision)
        return Outcome(Status.DECIDED, value=decision.action, step=Decided(decision, self.attempt))
