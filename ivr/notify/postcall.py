"""After a call: text the survey to callers a person helped, never about a sensitive call.

A survey goes only after a call a person answered (outcome ``transferred``),
reached through a decision this process made: a conversation adopted after a
restart, or a callback leg, carries no record of what it was about, so it is
not surveyed. The call's categories are its intents, its destination, the
caller's flags and the sensitive topics heard in any recognition alternative
(recall beats precision: a survey missed costs a data point, a survey sent to
a domestic abuse victim's phone can cost far more). ``SurveyService`` then
drops the call if any category is in ``[sms] survey_excluded``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ivr.notify.sensitive import SENSITIVE_CUES, sensitive_categories
from ivr.notify.survey import SurveyService
from ivr.session.session import FinishedCall

log = logging.getLogger(__name__)
__all__ = ["SENSITIVE_CUES", "SURVEYED_OUTCOMES", "PostCallSurvey", "sensitive_categories"]

SURVEYED_OUTCOMES = frozenset({"transferred"})


class PostCallSurvey:
    """CallObserver: queues the survey in the background so a call's end never waits."""

    def __init__(self, survey: SurveyService) -> None:
        self.survey = survey
        self._tasks: set[asyncio.Task[None]] = set()

    def call_ended(self, call: FinishedCall) -> None:
        if call.outcome not in SURVEYED_OUTCOMES or not call.categories:
            return
        if call.dialled == "callback":
            return
        task = asyncio.create_task(
            self._offer(call),
            name=f"call:{call.call_id}:survey",
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _offer(self, call: FinishedCall) -> None:
        try:
            offer = await self.survey.offer(
                call.call_id, call.caller_number, call.categories, call.heard
            )
        except Exception:
            log.exception("call %s: survey not queued", call.call_id)
            return
        log.info("call %s: survey %s %s", call.call_id, offer.outcome, offer.reason)

    async def close(self) -> None:
        """Let surveys being stored finish (the outbox closes after this)."""
        tasks = list(self._tasks)
        if tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait(tasks, timeout=5)
