"""After a call: text the survey to callers a person helped, never about a sensitive call.

A survey goes only after a call a person answered (outcome ``transferred``),
reached through a decision this process made: a conversation adopted after a
restart, or a callback leg, carries no record of what it was about, so it is
not surveyed. The call's categories are its intents, its destination, the
caller's flags and the sensitive topics heard in any recognition alternative
(recall beats precision: a survey missed costs a data point, a survey sent to
a domestic abuse victim's phone can cost far more). ``SurveyService`` then
drops the call if any category is in ``[sms] survey_excluded``. A call the IVR
treated as an emergency (any decision for 999 handling, a break-out included)
is never surveyed, whatever that list says.
"""

from __future__ import annotations

import logging

from ivr.chores import Chores
from ivr.decisions import EMERGENCY
from ivr.notify.survey import SurveyService
from ivr.session.model import FinishedCall

log = logging.getLogger(__name__)

SURVEYED_OUTCOMES = frozenset({"transferred"})


class PostCallSurvey:
    """CallObserver: queues the survey in the background so a call's end never waits."""

    def __init__(self, survey: SurveyService) -> None:
        self.survey = survey
        self._chores = Chores()

    def call_ended(self, call: FinishedCall) -> None:
        if call.outcome not in SURVEYED_OUTCOMES or not call.categories:
            return
        if call.dialled == "callback":
            return
        if EMERGENCY in call.categories:
            log.info("call %s: no survey after an emergency", call.call_id)
            return
        self._chores.spawn(self._offer(call), name=f"survey:{call.call_id}")

    async def _offer(self, call: FinishedCall) -> None:
        try:
            offer = await self.survey.offer(
                call.call_id, call.caller_number, call.categories, call.heard
            )
        except Exception:
            log.exception("call %s: survey not queued", call.call_id)
            return
        log.info("call %s: survey %s %s", call.call_id, offer.outcome, offer.reason)

    async def stored(self, timeout: float = 5.0) -> None:
        """The surveys of the calls ended so far are in the outbox (or failed to be)."""
        await self._chores.settle(timeout=timeout)

    async def close(self) -> None:
        """Let surveys being stored finish (the outbox closes after this)."""
        await self.stored()
