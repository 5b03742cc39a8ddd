"""CallerHistory: one call's view of its caller's history, looked up once, never in the way.

The lookup starts while the welcome plays; a decision waits for it at most
CALLER_LOOKUP_WAIT_S, and only once per call: a slow database costs the caller their
flags for that decision, never a delay in being routed. At the end the call is added
to the history (a short call's lookup may finish first: the re-dial link).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from ivr.callers.model import EMPTY_PROFILE, CallerLookup, CallerProfile, CallRecord

log = logging.getLogger(__name__)

CALLER_LOOKUP_WAIT_S = 1.0

Record = Callable[..., None]  # CallSession.record


class CallerHistory:
    def __init__(
        self,
        callers: CallerLookup | None,
        number: str,
        call_id: str,
        started_at: datetime,
        record: Record,
    ) -> None:
        """``callers`` None: no caller history (every caller looks new, nobody is flagged)."""
        self._callers = callers
        self._number = number
        self._call_id = call_id
        self._started_at = started_at
        self._record = record
        self._lookup: asyncio.Task[CallerProfile] | None = None
        self._gave_up = False
        self.profile: CallerProfile = EMPTY_PROFILE  # set when the lookup succeeds

    def start(self) -> asyncio.Task[CallerProfile] | None:
        if self._callers is not None and self._lookup is None:
            self._lookup = asyncio.create_task(
                self._look_up(self._callers), name=f"call:{self._call_id}:caller"
            )
        return self._lookup

    async def wait(self) -> CallerProfile:
        """The profile; never raises, and waits at most CALLER_LOOKUP_WAIT_S once."""
        task = self.start()
        if task is None:
            return EMPTY_PROFILE
        if not task.done() and self._gave_up:
            return EMPTY_PROFILE  # waited once already: never add silence at every question
        done, _ = await asyncio.wait({task}, timeout=CALLER_LOOKUP_WAIT_S)
        if not done:
            self._gave_up = True
            log.warning("call %s: caller history is slow; deciding without it", self._call_id)
            return EMPTY_PROFILE
        return task.result()

    async def _look_up(self, callers: CallerLookup) -> CallerProfile:
        try:
            profile = await callers.profile(self._number, self._call_id, self._started_at)
        except Exception as exc:
            log.warning("call %s: caller lookup failed: %r", self._call_id, exc)
            self._record("caller-lookup-failed", error_id=getattr(exc, "error_id", "lookup-error"))
            return EMPTY_PROFILE
        self.profile = profile
        if profile.known:
            self._record(
                "caller-profile",
                flags=sorted(profile.flags),
                recent_calls=profile.recent_calls,
                calls_today=profile.calls_today,
            )
        if profile.redial_of is not None:
            # ``after``: how the earlier call ended (abandoned, deflected:chat), when known.
            after = {"after": profile.redial_of_outcome} if profile.redial_of_outcome else {}
            self._record(
                "redial-of",
                linked_call_id=profile.redial_of,
                after_s=round(profile.redial_after_s or 0.0, 1),
                **after,
            )
        return profile

    async def remember(self, ended: datetime, outcome: str, destination: str) -> None:
        """Add the call to the history; never raises."""
        if self._callers is None:
            return
        lookup = self._lookup
        if lookup is not None and not lookup.done():
            await asyncio.wait({lookup}, timeout=CALLER_LOOKUP_WAIT_S)
            lookup.cancel()
        try:
            self._callers.record(
                CallRecord(
                    number=self._number,
                    call_id=self._call_id,
                    at=self._started_at,
                    outcome=outcome,
                    destination=destination,
                    ended_at=ended,
                    linked_call_id=self.profile.redial_of,
                )
            )
        except Exception:
            log.exception("call %s: caller history record failed", self._call_id)
