"""What the call flow knows about a caller, and the seam it asks through.

A profile is looked up once per call, before the first routing decision,
and feeds ``CallerContext`` (flags and recent calls for the rules and queue
priority). The lookup is a seam (``CallerLookup``) so sessions can be
tested with a table and so a database hiccup degrades to an empty profile
instead of a dropped 101 call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Flags an operator may set; ``repeat`` is also computed from history and ``nuisance`` from
# the call rate, so either can come from an operator or from the numbers.
VULNERABLE = "vulnerable"
REPEAT_VICTIM = "repeat-victim"
HATE_INCIDENT = "hate-incident"
NUISANCE = "nuisance"
REPEAT = "repeat"
KNOWN_FLAGS = frozenset({VULNERABLE, REPEAT_VICTIM, HATE_INCIDENT, NUISANCE, REPEAT})
FLAG_PATTERN = r"^[a-z][a-z0-9-]{1,31}$"  # other flags are allowed if the rules name them


# The earlier calls a ring-back links to (ivr.session.outcomes.CallOutcome's values: this
# package sits below the session): a call given up, and one sent to chat by a text.
REDIAL_AFTER = frozenset({"abandoned", "deflected:chat"})


@dataclass(frozen=True, slots=True)
class CallerPolicy:
    """Thresholds from settings ``[callers]``; the defaults are safe for a 101 line.

    ``repeat``: at least ``repeat_calls`` calls (this one included) within ``repeat_days``.
    ``nuisance``: more than ``nuisance_calls_per_day`` calls (this one included) in 24 hours.
    A re-dial within ``redial_link_hours`` of an abandoned call, or of a call that took
    a chat link (they may not have got through on chat), is linked to it.
    """

    repeat_calls: int = 3
    repeat_days: float = 7.0
    nuisance_calls_per_day: int = 10
    redial_link_hours: float = 2.0


@dataclass(frozen=True, slots=True)
class CallerProfile:
    """One caller as the flow sees them at the start of a call.

    ``recent_calls`` counts calls in the repeat window including the current one (so a rule
    ``calls_at_least: 3`` means "this is at least the third call"); 0 for a caller who
    cannot be identified. ``redial_of`` is the call this one re-dials, if the caller's
    previous call ended within the link window as one of ``REDIAL_AFTER``
    (``redial_of_outcome`` says which).
    """

    pseudonym: str | None = None
    flags: frozenset[str] = frozenset()
    recent_calls: int = 0
    calls_today: int = 0
    redial_of: str | None = None
    redial_after_s: float | None = None
    redial_of_outcome: str = ""

    @property
    def known(self) -> bool:
        return self.pseudonym is not None


EMPTY_PROFILE = CallerProfile()


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One finished call as caller history keeps it (the number is pseudonymised on write)."""

    number: str
    call_id: str
    at: datetime  # when the call started, timezone-aware
    outcome: str
    destination: str = ""
    ended_at: datetime | None = None  # a re-dial is timed from when the caller gave up
    linked_call_id: str | None = None

    @property
    def abandoned(self) -> bool:
        return self.outcome == "abandoned"


class CallerLookup(Protocol):
    """Caller history as a call uses it (ivr.callers.service.CallerService)."""

    async def profile(self, number: str, call_id: str, at: datetime) -> CallerProfile: ...

    def record(self, call: CallRecord) -> None:
        """Queue a finished call for history; never blocks, never raises."""
        ...
