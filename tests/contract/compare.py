"""Normalising and comparing trace values with simulator values (after id translation)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.contract.swagger import ASTERISK_DATE_RE

DATE = "<date>"
#: Any ISO-8601-looking time; the swagger check pins the exact Asterisk shape separately.
_ANY_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")

#: Keys whose values are Asterisk-private (build host, kernel, ...) and are compared
#: by shape only (same keys, same JSON types).
SHAPE_ONLY_KEYS = frozenset({"build", "system"})


def normalise(value: Any, *, sort_members: bool = True) -> Any:
    """Times become `<date>`; bridge member lists are sorted (Asterisk's order is a hash)."""
    if isinstance(value, dict):
        out = {k: normalise(v, sort_members=sort_members) for k, v in value.items()}
        if sort_members and isinstance(out.get("channels"), list):
            chans = out["channels"]
            if all(isinstance(c, str) for c in chans):
                out["channels"] = sorted(chans)
        return out
    if isinstance(value, list):
        return [normalise(v, sort_members=sort_members) for v in value]
    if isinstance(value, str) and (ASTERISK_DATE_RE.match(value) or _ANY_DATE_RE.match(value)):
        return DATE
    return value


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def diff(expected: Any, got: Any, where: str = "") -> list[str]:
    """Human-readable differences, one per leaf ("where: expected X, got Y")."""
    out: list[str] = []
    _diff(expected, got, where or "$", out)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def _diff(expected: Any, got: Any, where: str, out: list[str]) -> None:
    if isinstance(expected, dict) and isinstance(got, dict):
        for k, v in expected.items():
            if k not in got:
                out.append(f"{where}.{k}: missing (expected {_short(v)})")
            elif k in SHAPE_ONLY_KEYS:
                if shape(v) != shape(got[k]):
                    out.append(
                        f"{where}.{k}: shape differs: expected {_short(shape(v))}, "
                        f"got {_short(shape(got[k]))}"
                    )
            else:
                _diff(v, got[k], f"{where}.{k}", out)
        for k in got:
            if k not in expected:
                out.append(f"{where}.{k}: unexpected key (got {_short(got[k])})")
        return
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            out.append(f"{where}: expected {_short(expected)}, got {_short(got)}")
            return
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            _diff(e, g, f"{where}[{i}]", out)
        return
    if expected != got or type(expected) is not type(got):
        out.append(f"{where}: expected {_short(expected)}, got {_short(got)}")


def _get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def event_subject(event: dict[str, Any]) -> str | None:
    """The id an event is mainly about: playback, channel, Dial peer, or bridge."""
    for path in (("playback", "id"), ("channel", "id"), ("peer", "id"), ("bridge", "id")):
        v = _get(event, *path)
        if isinstance(v, str):
            return v
    return None


_KEY_FIELDS = (
    "args",
    "digit",
    "duration_ms",
    "cause",
    "cause_txt",
    "soft",
    "dialstatus",
    "dialstring",
    "variable",
    "value",
    "dialplan_app",
    "dialplan_app_data",
    "caller_presentation",
)


def event_key(event: dict[str, Any], tr: Callable[[str], str] = lambda s: s) -> str:
    """A one-line summary of an event: type, who it is about, and its key fields.

    `tr` translates simulator ids into trace ids (identity for trace events).
    """
    typ = str(event.get("type"))
    who: list[str] = []
    pb = event.get("playback")
    if isinstance(pb, dict):
        who.append(f"{pb.get('id')} {pb.get('state')} {pb.get('media_uri')}")
        if "next_media_uri" in pb:
            who.append(f"next={pb.get('next_media_uri')}")
    bridge = event.get("bridge")
    if isinstance(bridge, dict):
        who.append(f"bridge={bridge.get('id')}")
    for role in ("channel", "peer", "caller"):
        ch = event.get(role)
        if isinstance(ch, dict):
            label = "" if role == "channel" else f"{role}="
            who.append(f"{label}{tr(str(ch.get('name')))} [{ch.get('state')}]")
    if typ == "ChannelConnectedLine":
        conn = _get(event, "channel", "connected")
        if isinstance(conn, dict):
            who.append(f"connected={conn.get('name')!r}/{conn.get('number')!r}")
    fields = []
    for f in _KEY_FIELDS:
        if f in event:
            v = event[f]
            if isinstance(v, str):
                v = tr(v)
            fields.append(f"{f}={v!r}")
    inner = "; ".join(who + fields)
    return f"{typ}({inner})"
