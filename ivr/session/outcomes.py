"""The words a call and its steps end with: enums, stored as their string values.

``CallOutcome`` is what the call record says (and what reports, the survey and caller
history count); ``EndedBy`` says who ended it; ``Status`` is what one verb ended with,
for the flow and the tests, never stored.
"""

from __future__ import annotations

from enum import StrEnum


class CallOutcome(StrEnum):
    IN_PROGRESS = "in-progress"
    ABANDONED = "abandoned"  # until something better is known
    COMPLETED = "completed"
    TRANSFERRED = "transferred"
    CALLBACK = "callback"
    DEFLECTED = "deflected"  # sent online (counted apart from abandonment)
    DEFLECTED_CHAT = "deflected:chat"  # texted a live-chat link (a deflection too)
    UNANSWERED = "unanswered"  # nobody could be reached
    FAILED = "failed"
    HANDED_TO_DIALPLAN = "handed-to-dialplan"
    APP_SHUTDOWN = "app-shutdown"
    # A callback's own legs (ivr.queues.placement reads them)
    CALLBACK_NO_ANSWER = "callback-no-answer"
    CALLBACK_AGENT_NO_ANSWER = "callback-agent-no-answer"


class EndedBy(StrEnum):
    NOBODY = ""  # still running
    CALLER = "caller"
    APP = "app"
    APP_SHUTDOWN = "app-shutdown"


class Status(StrEnum):
    """What a verb ended with."""

    OK = "ok"
    DONE = "done"  # a prompt played to its end
    INTERRUPTED = "interrupted"  # a key or speech stopped a prompt
    LOST = "lost"  # a prompt's end never came (watchdog)
    FAILED = "failed"
    TRANSFERRED = "transferred"
    HUNG_UP = "hung-up"
    DEFLECTED = "deflected"
    NOT_OFFERED = "not-offered"
    DECLINED = "declined"
    NOT_SENT = "not-sent"
    EMERGENCY = "emergency"
    CALLBACK = "callback"
    RESUMED = "resumed"
    ASKED_AGAIN = "asked-again"
    QUEUE_FULL = "queue-full"
    GAVE_UP = "gave-up"
    DECIDED = "decided"
    CONFIRMED = "confirmed"
    UNCLEAR = "unclear"
    CHOSEN = "chosen"
    NONE = "none"
    BRANCH = "branch"
