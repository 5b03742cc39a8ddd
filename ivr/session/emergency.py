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

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ivr.routing.model import Decision, Hypothesis

if TYPE_CHECKING:
    from ivr.session.session import CallSession, Verb


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


# Asks the caller at once (ivr.flows.FlowBuilder.danger_check).
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
