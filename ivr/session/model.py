"""The session's types: what a call is, what a verb is and ends with, and what a verb
may use of the call.

Kept apart from ``CallSession`` so verbs, the flow's plan, the steps and whoever
follows a call (the survey) can name them without the session's machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ivr.session.outcomes import Status

if TYPE_CHECKING:
    from ivr.session.session import CallSession
    from ivr.session.steps import Step


class Prompts(Protocol):
    """The prompt catalogue as verbs use it (ivr.prompts.PromptCatalogue)."""

    def media_uri(self, prompt_id: str) -> str: ...
    def __contains__(self, prompt_id: object) -> bool: ...
    def sound_uri(self, name: str) -> str: ...
    def seconds(self, prompt_id: str) -> float | None: ...


class CallerGone(Exception):
    """The caller's channel is gone; unwinds the current verb straight to cleanup."""

    error_id = "caller-gone"


@dataclass(frozen=True)
class Outcome:
    """What a verb ended with. What follows: ``step`` (the flow plans its verbs), else
    ``next_flow`` (replaces the rest of the flow when set), else the next verb."""

    status: Status
    value: str = ""
    next_flow: Sequence[Verb] | None = None
    step: Step | None = None


class Verb(Protocol):
    name: str

    def describe(self) -> str: ...
    async def run(self, session: CallSession) -> Outcome: ...
    def cancel(self) -> None: ...


@dataclass(frozen=True)
class CallInfo:
    call_id: str
    channel_id: str
    caller_number: str
    caller_name: str
    dialled: str


FallbackFlow = Callable[[], Sequence[Verb]]


@dataclass(frozen=True)
class FinishedCall:
    """What follows a call needs (the post-call survey): who, how it ended, what it was about."""

    call_id: str
    caller_number: str
    dialled: str
    outcome: str
    categories: frozenset[str]
    heard: tuple[str, ...] = ()  # every recognition alternative, for sensitive-topic checks


class CallObserver(Protocol):
    """Told once when a call has ended and been logged; never blocks, never raises."""

    def call_ended(self, call: FinishedCall) -> None: ...
