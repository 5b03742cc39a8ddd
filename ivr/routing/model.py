"""What goes into a routing decision and what comes out.

``RoutingEngine.decide(RoutingInputs) -> Decision`` is pure: everything it
may depend on (the time, caller history, queue waits, operator overrides)
arrives in RoutingInputs, so a decision can be logged, explained, replayed
on past calls and tested from tables. The types other packages share
(Hypothesis, Candidate, Decision, the destinations) are in the leaf ivr.decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ivr.decisions import (
    Hypothesis,
)


@dataclass(frozen=True, slots=True)
class CallerContext:
    number: str = ""
    flags: frozenset[str] = frozenset()  # repeat, vulnerable, nuisance, hate-incident, ...
    recent_calls: int = 0  # calls from this number in the configured window


@dataclass(frozen=True, slots=True)
class Override:
    """An operator's divert: calls for ``source`` go to ``target`` until ``until``."""

    source: str
    target: str
    reason: str
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class RoutingInputs:
    at: datetime  # timezone-aware
    hypotheses: tuple[Hypothesis, ...] = ()
    digits: str | None = None
    caller: CallerContext = CallerContext()
    queue_waits: Mapping[str, float] = field(default_factory=dict)  # destination -> seconds
    overrides: tuple[Override, ...] = ()
    attempt: int = 1  # 1 for the first question, 2 after one reprompt, ...
    dialled: str = "101"
    confirmed: str | None = None  # destination the caller just said yes to (confirm/choice)
