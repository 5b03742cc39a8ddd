"""Where a call goes next, as data: a verb names the step, the flow plans its verbs.

Verbs never call back into the flow. A verb that knows *what* comes next but not
*how* (the router decided; the caller confirmed; the queue is full) ends with one of
these steps, and the session asks its ``Plan`` (ivr.flows.FlowBuilder) for the verbs.
That keeps each verb testable alone and every change of course visible in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ivr.decisions import Decision, Hypothesis
from ivr.session.notes import QueuePlace

if TYPE_CHECKING:
    from ivr.session.model import Verb


@dataclass(frozen=True)
class Decided:
    """The router decided; carry it out. ``attempt``: which asking this was."""

    decision: Decision
    attempt: int


@dataclass(frozen=True)
class Chosen:
    """The caller confirmed or picked ``destination``: the router decides once more,
    so closed hours, overrides and rules apply to what they chose."""

    destination: str
    attempt: int


@dataclass(frozen=True)
class AskAgain:
    """Ask the menu once more (``attempt``: the asking this follows; 0: from the top)."""

    attempt: int = 0
    sorry: str = ""  # a prompt to play first ("ask_again"); empty: none


@dataclass(frozen=True)
class Answered:
    """A question's answer the router should weigh itself (a crime reference keyed or said
    at a confirmation): it decides on these keys and words as if asked them."""

    digits: str | None
    heard: tuple[Hypothesis, ...]
    attempt: int


@dataclass(frozen=True)
class ToPerson:
    """Nothing clear came of the question: a person finds out."""


@dataclass(frozen=True)
class PassOn:
    """``queue`` is full or waited too long for: the next in its chain, or "nobody"."""

    queue: str
    chain: tuple[str, ...]  # what is left after ``queue``
    urgent: bool


@dataclass(frozen=True)
class Rejoin:
    """Back in the queue a restart took the caller from, at their own place."""

    place: QueuePlace


@dataclass(frozen=True)
class EmergencyRoute:
    """The emergency route (a call decided an emergency before a restart)."""


@dataclass(frozen=True)
class MoveTo:
    """An operator sends the call to ``destination`` (a service, or directory:<id>).

    ``joined_at``: the caller was waiting in an app-run queue since then; moved to
    another app-run queue they keep that place in time (a misroute is not their fault).
    """

    destination: str
    joined_at: float | None = None


@dataclass(frozen=True)
class ToOperator:
    """An operator takes the call to their own phone (``endpoint``); the switchboard if
    it is not answered."""

    name: str
    endpoint: str

    @property
    def destination(self) -> str:
        return f"{OPERATOR_PREFIX}{self.name}"


OPERATOR_PREFIX = "operator:"

Step = (
    Decided
    | Chosen
    | Answered
    | AskAgain
    | ToPerson
    | PassOn
    | Rejoin
    | EmergencyRoute
    | MoveTo
    | ToOperator
)


class Plan(Protocol):
    """Turns a step into the verbs that carry it out (ivr.flows.FlowBuilder)."""

    def verbs_for(self, step: Step) -> Sequence[Verb]: ...
