"""One logged call as the analysis sees it: where it went, how each queue or transfer
ended, what the caller said or keyed, and what they were offered.

Built from a ``calls`` row and its ``call_events`` and ``decisions`` rows
(``reader.JourneyBuilder``); nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final


class Via(StrEnum):
    """How a caller was put through: an app-run queue, or a transfer rung directly."""

    QUEUE = "queue"
    TRANSFER = "transfer"


class VisitEnd(StrEnum):
    """How one queue place or transfer ended."""

    ANSWERED = "answered"  # a person answered (connected)
    ABANDONED = "abandoned"  # the caller hung up while waiting or ringing
    CALLBACK = "callback"  # the caller took a callback (their place kept by the book)
    GAVE_UP = "gave-up"  # the queue's waiting limit passed: sent on
    EMERGENCY = "emergency"  # broke out to the emergency route
    UNANSWERED = "unanswered"  # a transfer nobody answered
    MOVED_ON = "moved-on"  # an operator's move, or the app ended it
    REFUSED = "refused"  # the queue was full
    OPEN = "open"  # the log does not say yet (a call in progress)


class JourneyPoint(StrEnum):
    """Where in the call a caller was when it ended (from ``calls.last_step``)."""

    WELCOME = "welcome"
    MENU = "menu"
    CONFIRM = "confirm"
    DANGER_CHECK = "danger-check"  # asked "is someone in danger right now?"
    OFFER = "offer"
    QUEUE = "queue"
    TRANSFER = "transfer"
    GOODBYE = "goodbye"
    OTHER = "other"


class Source(StrEnum):
    """What an engine decision was made from."""

    SPEECH = "speech"
    KEYPAD = "keypad"
    NOTHING = "nothing"  # no input (a timeout) or a confirmed choice


@dataclass(frozen=True, slots=True)
class Visit:
    """One queue place or transfer: offered to ``destination`` at ``at``.

    ``wait_s``: from joining (or the first ring) to the answer, or to the end of waiting.
    ``talk_s``: from the answer to the end of the conversation (handling time).
    """

    destination: str
    via: Via
    at: datetime
    end: VisitEnd
    wait_s: float | None = None
    talk_s: float | None = None


@dataclass(frozen=True, slots=True)
class SeenDecision:
    """A decision row: the engine's (``engine``), an operator's move, or a break-out."""

    action: str
    destination: str
    rule: str
    engine: bool
    source: Source
    said: str = ""  # the top alternative heard, or "keyed N"
    moved_from: str = ""  # an operator's move: where the call was going before
    # A danger check's answer: how the caller answered ("key 9", "said 'no'", "no-input").
    danger_check: str = ""


OPERATOR_MOVE = "operator-move"  # the rule of an operator's move (CallSession._operator_move)
CALLBACK_LEG: Final = "callback"  # the dialled "number" of a callback's own call
CALLBACK_PREFIX: Final = "callback:"  # a callback call's destinations: callback:<queue>


@dataclass(slots=True)
class CallJourney:
    """One call, from its row and what it logged."""

    call_id: str
    started_at: datetime
    dialled: str
    outcome: str
    destination: str
    last_step: str
    ended_by: str
    duration_s: float | None
    visits: list[Visit] = field(default_factory=list)
    decisions: list[SeenDecision] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)  # each recognition's confidence
    links_offered: int = 0
    links_declined: int = 0
    deflected: bool = False
    callbacks_offered: int = 0
    callbacks_declined: int = 0
    callback_accepted: bool = False
    flags: tuple[str, ...] = ()
    recent_calls: int = 0  # calls in the repeat window, this one included (0: unknown)
    redial: bool = False  # a re-dial soon after an abandoned call
    redial_after_chat: bool = False  # a ring-back soon after a call sent to chat
    # Live chat (issue 17), counted apart from abandonment and from the online link.
    chat_offered: bool = False
    chat_declined: bool = False
    chat_accepted: bool = False  # took the link: the call ended deflected:chat
    chat_link_expired: bool = False  # ... and never opened it in time (recorded later)
    chat_not_offered: str = ""  # why chat was not offered where it would have been
    breakout_from: str = ""  # the step a caller broke out to 999 from

    @property
    def abandoned(self) -> bool:
        """The caller hung up before being helped (deflections and callbacks are not)."""
        return self.outcome == "abandoned"

    @property
    def point(self) -> JourneyPoint:
        return journey_point(self.last_step)

    @property
    def moves(self) -> list[SeenDecision]:
        return [d for d in self.decisions if d.rule == OPERATOR_MOVE]

    @property
    def engine_decisions(self) -> list[SeenDecision]:
        return [d for d in self.decisions if d.engine]


_POINTS = (
    ("play:welcome", JourneyPoint.WELCOME),
    ("answer", JourneyPoint.WELCOME),
    ("start", JourneyPoint.WELCOME),
    ("notices:", JourneyPoint.WELCOME),
    ("route:", JourneyPoint.MENU),
    ("play:invalid", JourneyPoint.MENU),
    ("confirm:", JourneyPoint.CONFIRM),
    ("disambiguate:", JourneyPoint.CONFIRM),
    ("danger-check:", JourneyPoint.DANGER_CHECK),
    ("offer-link", JourneyPoint.OFFER),
    ("offer-chat", JourneyPoint.OFFER),
    ("queue:", JourneyPoint.QUEUE),
    ("resume", JourneyPoint.QUEUE),
    ("play:transfer", JourneyPoint.TRANSFER),
    ("transfer:", JourneyPoint.TRANSFER),
    ("follow-leg:", JourneyPoint.TRANSFER),
    ("stay-connected", JourneyPoint.TRANSFER),
    ("hangup:", JourneyPoint.GOODBYE),
    ("play:", JourneyPoint.MENU),  # another prompt on the way to a decision
)


def journey_point(last_step: str) -> JourneyPoint:
    """The journey point a verb's ``describe()`` text (the call's last step) names."""
    for prefix, point in _POINTS:
        if last_step.startswith(prefix):
            return point
    return JourneyPoint.OTHER
