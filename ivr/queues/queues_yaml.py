"""Reading queues.yaml: each section's keys and ranges declared once, then built.

A misspelt key would silently keep its default, and a number out of range
would skew every estimate; the shapes below name both on their line. The
defaults live on the settings dataclasses (``ivr.queues.model``), so only
what a file gives is read here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ivr.queues.model import (
    DEFAULT_QUEUES_FILE,
    CallbackSettings,
    DaySettings,
    DeflectionSettings,
    EstimatorSettings,
    HandlingTime,
    QueuesConfig,
    QueuesConfigError,
    QueueSettings,
)
from ivr.yamlfile import LineDict, line_of, load_data
from ivr.yamlshape import Kind, Number, Problems, Shape

_SHARE = Number(0, 1)
_SECONDS = Number(0)
_TOP = Shape(
    dict.fromkeys(
        ("defaults", "queues", "estimator", "callback", "deflection", "day"), Kind.MAPPING
    )
)
_HANDLING = Shape({"median_s": Number(1), "p90_s": Number(1)}, hint="with median_s and p90_s")
_QUEUE_KEYS = {"wrap_up_s": _SECONDS, "capacity": Number(1), "callback_offer_above_s": _SECONDS}
_DEFAULTS = Shape({"handling": Kind.ANY, **_QUEUE_KEYS}, may_be_empty=frozenset({"handling"}))
_QUEUE = Shape(
    {"handling": Kind.ANY, **_QUEUE_KEYS, "staffing": Kind.ANY, "description": Kind.ANY},
    may_be_empty=frozenset({"handling"}),
)
_ESTIMATOR = Shape(
    {
        "answer_window_s": Number(60),
        "handling_window_s": Number(60),
        "handling_prior_weight": Number(0.1),
        "rate_prior_weight": Number(0.1),
        "min_backlog_s": _SECONDS,
        "range_z": Number(0, 4),
        "percentile": Number(0.5, 0.99),
    }
)
_CALLBACK = Shape(
    {
        "acceptance": _SHARE,
        "answer_probability": _SHARE,
        "max_attempts": Number(1, 20),
        "retry_backoff_s": Kind.LIST,
        "ring_s": Number(1),
        "promise_margin_s": _SECONDS,
        "promise_factor": Number(1, 4),
        "hold_off_s": Number(0, 600),
    }
)
_DEFLECTION = Shape({"intents": Kind.LIST, "acceptance": _SHARE})
_DAY = Shape(
    {
        "calls": Number(1),
        "arrivals_by_hour": Kind.ANY,
        "mix": Kind.ANY,
        "intents": Kind.MAPPING,
        "priority_share": _SHARE,
        "emergency_share": _SHARE,
        "patience_median_s": Number(1),
        "patience_sigma": Number(0, 5),
        "redial_share": _SHARE,
        "redial_within_s": Number(60),
        "announce_every_s": Number(10),
    }
)
_WHOLE = frozenset({"capacity", "max_attempts", "calls"})  # whole in the settings, not the file


def _numbers(node: LineDict, shape: Shape) -> dict[str, Any]:
    """The numbers the shape let through, as the settings dataclasses take them."""
    return {
        key: int(value) if key in _WHOLE else float(value)
        for key, value in node.items()
        if isinstance(shape.keys[key], Number)
    }


def _section(top: LineDict, key: str, shape: Shape, err: Problems) -> LineDict:
    node = shape.check(top.get(key, {}), err, key, top.line_of(key))
    assert node is not None  # the top shape let only mappings through
    return node


def _weights(node: Any, where: str, line: int, err: Problems) -> dict[str, float]:
    if not isinstance(node, dict) or not node:
        err.add(line, f"{where}: expected a mapping of name -> share")
        return {}
    out: dict[str, float] = {}
    for key, value in node.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            err.add(line_of(node, key) or line, f"{where}.{key}: expected a share >= 0")
            continue
        out[str(key)] = float(value)
    if out and sum(out.values()) <= 0:
        err.add(line, f"{where}: shares add up to 0")
    return out


def _hours(node: Any, where: str, line: int, err: Problems, *, integers: bool) -> tuple[float, ...]:
    if not isinstance(node, list) or len(node) != 24:
        err.add(line, f"{where}: expected a list of 24 numbers (hours 0-23)")
        return (1.0,) * 24
    values: list[float] = []
    for i, value in enumerate(node):
        bad = isinstance(value, bool) or not isinstance(value, int | float) or value < 0
        if bad or (integers and not isinstance(value, int)):
            err.add(
                line_of(node, i) or line,
                f"{where}[{i}]: expected a {'whole ' if integers else ''}"
                f"number >= 0, not {value!r}",
            )
            values.append(0.0)
        else:
            values.append(float(value))
    return tuple(values)


def _handling(owner: LineDict, where: str, err: Problems, default: HandlingTime) -> HandlingTime:
    if "handling" not in owner:
        return default
    node = _HANDLING.check(owner["handling"], err, where, owner.line_of("handling"))
    if node is None:
        return default
    median = float(node.get("median_s", default.median_s))
    p90 = float(node.get("p90_s", default.p90_s))
    if p90 < median:
        err.add(node.line_of("p90_s"), f"{where}: p90_s must not be below median_s")
        return default
    return HandlingTime(median, p90)


def _queues(top: LineDict, err: Problems) -> dict[str, QueueSettings]:
    defaults = _section(top, "defaults", _DEFAULTS, err)
    base = _handling(defaults, "defaults.handling", err, HandlingTime(300.0, 720.0))
    base_numbers = _numbers(defaults, _DEFAULTS)
    queues: dict[str, QueueSettings] = {}
    qnode = top.get("queues", {})
    if not qnode:
        err.add(top.line_of("queues"), "queues: at least one queue is needed")
    for name, raw in qnode.items():
        body = _QUEUE.check(raw, err, f"queue {name!r}", line_of(qnode, name) or top.line)
        if body is None:
            continue
        staffing = _hours(
            body.get("staffing", [1] * 24),  # only the simulation uses it: the app has [agents]
            f"queues.{name}.staffing",
            body.line_of("staffing"),
            err,
            integers=True,
        )
        queues[str(name)] = QueueSettings(
            name=str(name),
            handling=_handling(body, f"queues.{name}.handling", err, base),
            staffing=tuple(int(v) for v in staffing),
            description=str(body.get("description", "")),
            **{**base_numbers, **_numbers(body, _QUEUE)},
        )
    return queues


def _callback(cb: LineDict) -> CallbackSettings:
    values = _numbers(cb, _CALLBACK)
    if "retry_backoff_s" in cb:
        values["retry_backoff_s"] = tuple(float(v) for v in cb["retry_backoff_s"])
    return CallbackSettings(**values)


def _day(top: LineDict, queues: dict[str, QueueSettings], err: Problems) -> DaySettings:
    dn = _section(top, "day", _DAY, err)
    mix = _weights(dn.get("mix", {"rc": 1.0}), "day.mix", dn.line_of("mix"), err)
    for name in mix:
        if queues and name not in queues:
            err.add(dn.line_of("mix"), f"day.mix: unknown queue {name!r}")
    inode = dn.get("intents", {})
    intents = {
        str(name): _weights(weights, f"day.intents.{name}", line_of(inode, name) or dn.line, err)
        for name, weights in inode.items()
    }
    arrivals = dn.get("arrivals_by_hour", [1] * 24)
    return DaySettings(
        arrivals_by_hour=_hours(
            arrivals, "day.arrivals_by_hour", dn.line_of("arrivals_by_hour"), err, integers=False
        ),
        mix=mix,
        intents=intents,
        **_numbers(dn, _DAY),
    )


def parse_queues_config(data: Any, source: str = "<queues>") -> QueuesConfig:
    """Validate a parsed queues.yaml; every problem is reported as 'file:line: message'."""
    err = Problems(source)
    top = _TOP.check(data, err, line=1)
    if top is None:
        raise QueuesConfigError(err.items)
    queues = _queues(top, err)
    estimator = EstimatorSettings(
        **_numbers(_section(top, "estimator", _ESTIMATOR, err), _ESTIMATOR)
    )
    cb = _section(top, "callback", _CALLBACK, err)
    backoff = cb.get("retry_backoff_s", [])
    if not all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in backoff):
        err.add(cb.line_of("retry_backoff_s"), "retry_backoff_s: expected a list of seconds")
        del cb["retry_backoff_s"]
    de = _section(top, "deflection", _DEFLECTION, err)
    if not all(isinstance(i, str) for i in de.get("intents", [])):
        err.add(de.line_of("intents"), "deflection.intents: expected a list of intent names")
        de["intents"] = []
    deflecting: dict[str, Any] = _numbers(de, _DEFLECTION)
    if "intents" in de:
        deflecting["intents"] = frozenset(de["intents"])
    deflection = DeflectionSettings(**deflecting)
    day = _day(top, queues, err)
    err.raise_if_any(QueuesConfigError)
    return QueuesConfig(queues, estimator, _callback(cb), deflection, day, source)


def load_queues_config(path: Path = DEFAULT_QUEUES_FILE) -> QueuesConfig:
    """Load and check ``routing_rules/queues.yaml`` (or an admin's copy)."""
    return parse_queues_config(load_data(path, QueuesConfigError), str(path))
