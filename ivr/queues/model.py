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

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

from ivr.callers.model import HATE_INCIDENT, REPEAT_VICTIM, VULNERABLE
from ivr.shipped import ROUTING_RULES
from ivr.yamlfile import DataFileError, line_of, load_data

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


class _Errors:
    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(f"{self.path}:{line}: {message}")


def _number(
    node: Any, key: str, err: _Errors, default: float, *, low: float = 0.0, high: float = math.inf
) -> float:
    if not isinstance(node, dict) or key not in node:
        return default
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        err.add(line_of(node, key), f"{key}: expected a number from {low} to {high}, not {value!r}")
        return default
    return float(value)


def _known_keys(node: dict[str, Any], section: str, settings: type, err: _Errors) -> None:
    """A misspelt key would silently keep its default: name it instead."""
    known = {f.name for f in dataclasses.fields(settings)}
    for key in node:
        if key not in known:
            err.add(line_of(node, key), f"{section}: unknown key {key!r}")


def _section(data: dict[str, Any], key: str, err: _Errors) -> dict[str, Any]:
    node = data.get(key, {})
    if not isinstance(node, dict):
        err.add(line_of(data, key), f"{key}: expected a mapping")
        return {}
    return node


def _weights(node: Any, where: str, line: int, err: _Errors) -> dict[str, float]:
    if not isinstance(node, dict) or not node:
        err.add(line, f"{where}: expected a mapping of name -> share")
        return {}
    out: dict[str, float] = {}
    for key, value in node.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            err.add(line_of(node, key), f"{where}.{key}: expected a share >= 0")
            continue
        out[str(key)] = float(value)
    if out and sum(out.values()) <= 0:
        err.add(line, f"{where}: shares add up to 0")
    return out


def _hours(node: Any, where: str, line: int, err: _Errors, *, integers: bool) -> tuple[float, ...]:
    if not isinstance(node, list) or len(node) != 24:
        err.add(line, f"{where}: expected a list of 24 numbers (hours 0-23)")
        return (1.0,) * 24
    values: list[float] = []
    for i, value in enumerate(node):
        bad = isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        if bad or (integers and not isinstance(value, int)):
            err.add(
                line_of(node, i),
                f"{where}[{i}]: expected a {'whole ' if integers else ''}"
                f"number >= 0, not {value!r}",
            )
            values.append(0.0)
        else:
            values.append(float(value))
    return tuple(values)


def _handling(
    node: Any, where: str, line: int, err: _Errors, default: HandlingTime
) -> HandlingTime:
    if node is None:
        return default
    if not isinstance(node, dict):
        err.add(line, f"{where}: expected a mapping with median_s and p90_s")
        return default
    median = _number(node, "median_s", err, default.median_s, low=1.0)
    p90 = _number(node, "p90_s", err, default.p90_s, low=1.0)
    if p90 < median:
        err.add(line_of(node, "p90_s"), f"{where}: p90_s must not be below median_s")
        return default
    return HandlingTime(median, p90)


def parse_queues_config(data: Any, source: str = "<queues>") -> QueuesConfig:
    """Validate a parsed queues.yaml; every problem is reported as 'file:line: message'."""
    err = _Errors(source)
    if not isinstance(data, dict):
        raise QueuesConfigError([f"{source}:1: expected a mapping"])
    known = {"defaults", "queues", "estimator", "callback", "deflection", "day"}
    for key in data:
        if key not in known:
            err.add(line_of(data, key), f"unknown key {key!r} (expected one of {sorted(known)})")
    defaults = _section(data, "defaults", err)
    base = _handling(
        defaults.get("handling"),
        "defaults.handling",
        line_of(defaults, "handling"),
        err,
        HandlingTime(300.0, 720.0),
    )
    base_wrap = _number(defaults, "wrap_up_s", err, 0.0)
    base_cap = int(_number(defaults, "capacity", err, 100, low=1))
    base_offer = _number(defaults, "callback_offer_above_s", err, 600.0)
    queues: dict[str, QueueSettings] = {}
    qnode = _section(data, "queues", err)
    if not qnode:
        err.add(line_of(data, "queues"), "queues: at least one queue is needed")
    queue_keys = {
        "handling",
        "wrap_up_s",
        "capacity",
        "callback_offer_above_s",
        "staffing",
        "description",
    }
    for name, body in qnode.items():
        qline = line_of(qnode, name)
        if not isinstance(body, dict):
            err.add(qline, f"queue {name!r}: expected a mapping")
            continue
        for key in body:
            if key not in queue_keys:
                err.add(line_of(body, key), f"queue {name!r}: unknown key {key!r}")
        staffing = _hours(
            body.get("staffing", [1] * 24),  # only the simulation uses it: the app has [agents]
            f"queues.{name}.staffing",
            line_of(body, "staffing"),
            err,
            integers=True,
        )
        queues[str(name)] = QueueSettings(
            name=str(name),
            handling=_handling(
                body.get("handling"),
                f"queues.{name}.handling",
                line_of(body, "handling"),
                err,
                base,
            ),
            wrap_up_s=_number(body, "wrap_up_s", err, base_wrap),
            capacity=int(_number(body, "capacity", err, base_cap, low=1)),
            callback_offer_above_s=_number(body, "callback_offer_above_s", err, base_offer),
            staffing=tuple(int(v) for v in staffing),
            description=str(body.get("description", "")),
        )
    est = _section(data, "estimator", err)
    _known_keys(est, "estimator", EstimatorSettings, err)
    estimator = EstimatorSettings(
        answer_window_s=_number(est, "answer_window_s", err, 900.0, low=60.0),
        handling_window_s=_number(est, "handling_window_s", err, 3600.0, low=60.0),
        handling_prior_weight=_number(est, "handling_prior_weight", err, 20.0, low=0.1),
        rate_prior_weight=_number(est, "rate_prior_weight", err, 10.0, low=0.1),
        min_backlog_s=_number(est, "min_backlog_s", err, 120.0),
        range_z=_number(est, "range_z", err, 1.0, high=4.0),
        percentile=_number(est, "percentile", err, 0.9, low=0.5, high=0.99),
    )
    cb = _section(data, "callback", err)
    _known_keys(cb, "callback", CallbackSettings, err)
    backoff = cb.get("retry_backoff_s", [120, 300, 600])
    if not isinstance(backoff, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in backoff
    ):
        err.add(line_of(cb, "retry_backoff_s"), "retry_backoff_s: expected a list of seconds")
        backoff = [120, 300, 600]
    callback = CallbackSettings(
        acceptance=_number(cb, "acceptance", err, 0.5, high=1.0),
        answer_probability=_number(cb, "answer_probability", err, 0.8, high=1.0),
        max_attempts=int(_number(cb, "max_attempts", err, 3, low=1, high=20)),
        retry_backoff_s=tuple(float(v) for v in backoff),
        ring_s=_number(cb, "ring_s", err, 25.0, low=1.0),
        promise_margin_s=_number(cb, "promise_margin_s", err, 120.0),
        promise_factor=_number(cb, "promise_factor", err, 1.5, low=1.0, high=4.0),
        hold_off_s=_number(cb, "hold_off_s", err, 30.0, high=600.0),
    )
    de = _section(data, "deflection", err)
    intents = de.get("intents", ["update", "online"])
    if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
        err.add(line_of(de, "intents"), "deflection.intents: expected a list of intent names")
        intents = []
    deflection = DeflectionSettings(
        intents=frozenset(intents), acceptance=_number(de, "acceptance", err, 0.3, high=1.0)
    )
    dn = _section(data, "day", err)
    mix = _weights(dn.get("mix", {"rc": 1.0}), "day.mix", line_of(dn, "mix"), err)
    for name in mix:
        if queues and name not in queues:
            err.add(line_of(dn, "mix"), f"day.mix: unknown queue {name!r}")
    intent_mix: dict[str, dict[str, float]] = {}
    inode = dn.get("intents", {})
    if isinstance(inode, dict):
        for name, weights in inode.items():
            intent_mix[str(name)] = _weights(
                weights, f"day.intents.{name}", line_of(inode, name), err
            )
    else:
        err.add(line_of(dn, "intents"), "day.intents: expected queue -> {intent: share}")
    day = DaySettings(
        calls=int(_number(dn, "calls", err, 1000, low=1)),
        arrivals_by_hour=_hours(
            dn.get("arrivals_by_hour", [1] * 24),
            "day.arrivals_by_hour",
            line_of(dn, "arrivals_by_hour"),
            err,
            integers=False,
        ),
        mix=mix,
        intents=intent_mix,
        priority_share=_number(dn, "priority_share", err, 0.08, high=1.0),
        emergency_share=_number(dn, "emergency_share", err, 0.01, high=1.0),
        patience_median_s=_number(dn, "patience_median_s", err, 360.0, low=1.0),
        patience_sigma=_number(dn, "patience_sigma", err, 1.0, high=5.0),
        redial_share=_number(dn, "redial_share", err, 0.22, high=1.0),
        redial_within_s=_number(dn, "redial_within_s", err, 7200.0, low=60.0),
        announce_every_s=_number(dn, "announce_every_s", err, 120.0, low=10.0),
    )
    if err.items:
        raise QueuesConfigError(err.items)
    return QueuesConfig(queues, estimator, callback, deflection, day, source)


def load_queues_config(path: Path = DEFAULT_QUEUES_FILE) -> QueuesConfig:
    """Load and check ``routing_rules/queues.yaml`` (or an admin's copy)."""
    return parse_queues_config(load_data(path, QueuesConfigError), str(path))
