"""RoutingInputs as they are stored with a decision: versioned JSON, read back exactly.

Replay decides a logged call again from these, so everything the engine reads is kept:
the aware time (its offset, and its zone's name when it has one), every n-best
alternative with its confidence and engines, the keys, the caller's flags and recent
calls, the queue waits, the diverts in force, the attempt, the dialled number and what
the caller had confirmed.

Never the caller's number: the engine reads nothing of ``CallerContext.number`` (only
the flags and recent calls reach a rule: ``ivr.routing.adjustments.RouteAdjuster._facts``;
withheld callers and pseudonyms are the caller history's business, which turns them into
those flags first), so neither it nor a pseudonym nor a withheld bit is kept, and a
replayed call has ``number=""``. ``tests/unit/replay/test_codec.py`` checks that the engine
decides the same whatever the number; a rule that reads it one day needs a new version here.

A new version adds an upgrade from the one before (``_UPGRADES``), so rows written by
an older release are still read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.decisions import Hypothesis
from ivr.routing.model import CallerContext, Override, RoutingInputs

SCHEMA_VERSION: Final = 1

Json = dict[str, Any]


class StoredInputsError(ValueError):
    """A stored inputs row that cannot be read back (damaged, or from a newer release)."""

    error_id = "stored-inputs"


def to_json(inputs: RoutingInputs) -> str:
    """The stored form (compact JSON text); raises nothing for any valid RoutingInputs."""
    body: Json = {
        "v": SCHEMA_VERSION,
        "at": inputs.at.isoformat(),
        "zone": _zone_name(inputs.at),
        "hypotheses": [
            {
                "text": h.text,
                "confidence": h.confidence,
                "heard_by": [[engine, rank] for engine, rank in h.heard_by],
            }
            for h in inputs.hypotheses
        ],
        "digits": inputs.digits,
        "caller": {
            "flags": sorted(inputs.caller.flags),
            "recent_calls": inputs.caller.recent_calls,
        },
        "queue_waits": dict(inputs.queue_waits),
        "overrides": [
            {
                "source": o.source,
                "target": o.target,
                "reason": o.reason,
                "until": o.until.isoformat() if o.until is not None else None,
                "until_zone": _zone_name(o.until) if o.until is not None else None,
            }
            for o in inputs.overrides
        ],
        "attempt": inputs.attempt,
        "dialled": inputs.dialled,
        "confirmed": inputs.confirmed,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def from_json(text: str) -> RoutingInputs:
    """The RoutingInputs ``to_json`` wrote (the number blank); StoredInputsError if unreadable."""
    try:
        body = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise StoredInputsError(f"stored inputs are not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise StoredInputsError("stored inputs are not a JSON object")
    version = body.get("v")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StoredInputsError(f"stored inputs have no schema version (v: {version!r})")
    if version > SCHEMA_VERSION:
        raise StoredInputsError(
            f"stored inputs are schema version {version}; this release reads up to {SCHEMA_VERSION}"
        )
    for upgrade in _UPGRADES[version - 1 :]:
        body = upgrade(body)
    try:
        return _decode(body)
    except KeyError as exc:
        raise StoredInputsError(f"stored inputs version {version}: missing {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise StoredInputsError(f"stored inputs version {version} unreadable: {exc}") from exc


# _UPGRADES[n - 1] turns version n into n + 1; empty while there is only version 1.
_UPGRADES: tuple[Callable[[Json], Json], ...] = ()


def _decode(body: Json) -> RoutingInputs:
    caller = _obj(body["caller"], "caller")
    return RoutingInputs(
        at=_time(body["at"], body.get("zone"), "at"),
        hypotheses=tuple(_hypothesis(_obj(h, "hypothesis")) for h in _list(body["hypotheses"])),
        digits=_opt_str(body["digits"], "digits"),
        caller=CallerContext(
            flags=frozenset(_str(f, "flag") for f in _list(caller["flags"])),
            recent_calls=_int(caller["recent_calls"], "recent_calls"),
        ),
        queue_waits={
            _str(k, "queue"): _float(v, "wait")
            for k, v in _obj(body["queue_waits"], "queue_waits").items()
        },
        overrides=tuple(_override(_obj(o, "override")) for o in _list(body["overrides"])),
        attempt=_int(body["attempt"], "attempt"),
        dialled=_str(body["dialled"], "dialled"),
        confirmed=_opt_str(body["confirmed"], "confirmed"),
    )


def _hypothesis(item: Mapping[str, Any]) -> Hypothesis:
    heard_by = []
    for pair in _list(item["heard_by"]):
        engine, rank = _list(pair)
        heard_by.append((_str(engine, "engine"), _int(rank, "rank")))
    return Hypothesis(
        _str(item["text"], "text"), _float(item["confidence"], "confidence"), tuple(heard_by)
    )


def _override(item: Mapping[str, Any]) -> Override:
    source, target = _str(item["source"], "source"), _str(item["target"], "target")
    reason, until = _str(item["reason"], "reason"), item["until"]
    until_at = None if until is None else _time(until, item.get("until_zone"), "until")
    return Override(source, target, reason, until_at)


def _zone_name(at: datetime) -> str | None:
    return at.tzinfo.key if isinstance(at.tzinfo, ZoneInfo) else None


def _time(text: Any, zone: Any, what: str) -> datetime:
    at = datetime.fromisoformat(_str(text, what))
    if at.tzinfo is None:
        raise ValueError(f"{what}: a time without a zone")
    if isinstance(zone, str):
        try:
            return at.astimezone(ZoneInfo(zone))  # the same instant, in its named zone
        except (ZoneInfoNotFoundError, ValueError):
            return at  # the zone is gone from this machine: the offset still holds
    return at


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what}: not an object")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"not a list: {value!r}")
    return value


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: not a string")
    return value


def _opt_str(value: Any, what: str) -> str | None:
    return None if value is None else _str(value, what)


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what}: not an integer")
    return value


def _float(value: Any, what: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{what}: not a number")
    return float(value)
