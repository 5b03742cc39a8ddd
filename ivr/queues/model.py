"""What a queue holds: priority classes, entries, agents, and the queue settings.

Everything here is plain data so the engine and the estimator stay pure: no
clock is read (times are seconds on whatever clock the caller passes in; the
app uses epoch seconds so a persisted callback promise survives a restart)
and nothing talks to Asterisk.

Ordering is ``(priority, joined_at, seq)``: the priority class first (a lower
number is served first, so an emergency transfer can never sort behind a 101
caller who has waited longer: the inverted priority a force once had in
production), then first come first served within a class.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from ivr.callers.model import HATE_INCIDENT, REPEAT_VICTIM, VULNERABLE
from ivr.shipped import ROUTING_RULES
from ivr.yamlfile import DataFileError

# Caller flags that lift a 101 caller above the rest (national risk cues at first contact).
PRIORITY_FLAGS = frozenset({VULNERABLE, REPEAT_VICTIM, HATE_INCIDENT})


# A caller flag set on entries whose call must bring no text to the caller's phone
# (a sensitive topic: ivr.notify.sensitive): no callback news by SMS.
NO_TEXTS = "no-texts"


class Priority(IntEnum):
    """Served in ascending order: 0 before 1 before 2, whatever the waits."""

    EMERGENCY_TRANSFER = 0  # a 999-class call transferred into a queue (misrouted emergency)
    PRIORITY = 1  # flagged vulnerable, repeat victim or hate incident
    NORMAL = 2


def priority_for(flags: Iterable[str] = (), *, emergency: bool = False) -> Priority:
    """The class a caller joins with: emergency beats every flag, a risk flag beats none."""
    if emergency:
        return Priority.EMERGENCY_TRANSFER
    if PRIORITY_FLAGS & set(flags):
        return Priority.PRIORITY
    return Priority.NORMAL


@dataclass(frozen=True, slots=True)
class Callback:
    """A caller who accepted a callback: they hung up, their entry keeps their place.

    ``promised_by`` is what the caller was told ("we will call you back by ...");
    ``ready_at`` holds a retry back until its backoff has passed (0: ready now);
    ``attempts`` counts callbacks already placed.
    """

    number: str
    accepted_at: float
    promised_by: float
    attempts: int = 0
    ready_at: float = 0.0


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One caller's place in a queue.

    ``joined_at`` is when the caller first joined any queue on this call: a
    re-transfer RC↔FCR keeps it, so a misrouted caller does not go to the back.
    ``seq`` is set by the engine (a tie-break that keeps FIFO for equal times).
    A ``callback`` entry is virtual: nobody is on the line, so it does not use
    a line of the queue's ``capacity``, but it keeps the caller's place.
    """

    call_id: str
    queue: str
    priority: Priority
    joined_at: float
    flags: frozenset[str] = frozenset()
    intent: str = ""
    callback: Callback | None = None
    seq: int = 0
    transfers: int = 0

    @property
    def virtual(self) -> bool:
        return self.callback is not None

    @property
    def sort_key(self) -> tuple[int, float, int]:
        return (int(self.priority), self.joined_at, self.seq)

    def ready(self, now: float) -> bool:
        return self.callback is None or self.callback.ready_at <= now


class AgentState(StrEnum):
    FREE = "free"
    BUSY = "busy"  # talking, or being dialled for a call or a callback
    WRAP_UP = "wrap-up"  # after the call, not yet ready: still part of the handling time


@dataclass(frozen=True, slots=True)
class Agent:
    """A person who answers one or more queues; ``busy_since`` times the handling."""

    id: str
    queues: frozenset[str]
    state: AgentState = AgentState.FREE
    busy_since: float | None = None
    free_since: float = 0.0
    serving: str | None = None  # call id
    serving_queue: str | None = None  # the queue that call came from (handling stats)


# --- settings (routing_rules/queues.yaml) -------------------------------------------------

Z90 = 1.2815515655446004  # standard normal 90th percentile


@dataclass(frozen=True, slots=True)
class HandlingTime:
    """Talk time as median and 90th percentile (a log-normal fits call durations well)."""

    median_s: float
    p90_s: float

    @property
    def mu(self) -> float:
        return math.log(self.median_s)

    @property
    def sigma(self) -> float:
        return max(0.05, math.log(self.p90_s / self.median_s) / Z90)

    @property
    def mean_s(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)


@dataclass(frozen=True, slots=True)
class QueueSettings:
    name: str
    handling: HandlingTime
    wrap_up_s: float = 0.0
    capacity: int = 100  # callers on the line at once (callbacks are not on a line)
    callback_offer_above_s: float = 600.0
    staffing: tuple[int, ...] = (1,) * 24  # agents by hour of day, 0-23
    description: str = ""

    def agents_at(self, hour: int) -> int:
        return self.staffing[hour % 24]


@dataclass(frozen=True, slots=True)
class EstimatorSettings:
    """See ``ivr.queues.estimator`` for what each weight does."""

    answer_window_s: float = 900.0
    handling_window_s: float = 3600.0
    handling_prior_weight: float = 20.0
    rate_prior_weight: float = 10.0
    min_backlog_s: float = 120.0
    range_z: float = 1.0
    percentile: float = 0.9


@dataclass(frozen=True, slots=True)
class CallbackSettings:
    acceptance: float = 0.5  # share of callers offered a callback who accept (simulation)
    answer_probability: float = 0.8  # share of callback attempts the caller answers
    max_attempts: int = 3
    retry_backoff_s: tuple[float, ...] = (120.0, 300.0, 600.0)
    ring_s: float = 25.0  # how long a callback rings before it counts as no answer
    promise_margin_s: float = 120.0  # added to the top of the wait range for the promise
    # The top of the range times this: queues grow at the peak and priority callers go
    # ahead, so the range alone under-promises (bench/queues.py: 1.0 kept 74 %, 1.5 98 %).
    promise_factor: float = 1.5
    hold_off_s: float = 30.0  # a new callback is not rung while the caller hears "thank you"

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (attempt counts from 1)."""
        steps = self.retry_backoff_s or (0.0,)
        return steps[min(attempt - 1, len(steps) - 1)]


@dataclass(frozen=True, slots=True)
class DeflectionSettings:
    intents: frozenset[str] = frozenset({"update", "online"})
    acceptance: float = 0.3


@dataclass(frozen=True, slots=True)
class DaySettings:
    """A simulated busy day: the numbers come from force reports (docs/DOMAIN.md)."""

    calls: int = 1000
    arrivals_by_hour: tuple[float, ...] = (1.0,) * 24  # relative weights
    mix: Mapping[str, float] = field(default_factory=lambda: {"rc": 1.0})
    intents: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    priority_share: float = 0.08
    emergency_share: float = 0.01
    patience_median_s: float = 360.0
    patience_sigma: float = 1.0
    redial_share: float = 0.22
    redial_within_s: float = 7200.0
    announce_every_s: float = 120.0


@dataclass(frozen=True, slots=True)
class QueuesConfig:
    queues: Mapping[str, QueueSettings]
    estimator: EstimatorSettings = EstimatorSettings()
    callback: CallbackSettings = CallbackSettings()
    deflection: DeflectionSettings = DeflectionSettings()
    day: DaySettings = DaySettings()
    source: str = ""

    def queue(self, name: str) -> QueueSettings:
        try:
            return self.queues[name]
        except KeyError:
            raise KeyError(f"unknown queue {name!r} (known: {sorted(self.queues)})") from None


class QueuesConfigError(DataFileError):
    error_id = "queues-config-invalid"


DEFAULT_QUEUES_FILE = ROUTING_RULES / "queues.yaml"
