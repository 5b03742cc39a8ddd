"""A small call log written through the real writer (CallStore), with hand-known figures.

Seven calls and an operator's correction, times in seconds from each call's start
(March: GMT, so UK time is UTC). The expected figures are worked by hand in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from ivr.decisions import Action, Decision
from ivr.store.db import CallStore, iso

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
Location = TypeVar("Location", str, Path)  # a SQLite file, or a PostgreSQL URL


@dataclass
class Call:
    call_id: str
    start_min: int  # minutes after DAY
    outcome: str
    last_step: str
    duration_s: float
    destination: str = ""
    events: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    decisions: list[tuple[float, Decision]] = field(default_factory=list)
    dialled: str = "101"


def keyed(destination: str, digit: str, action: Action = "route", rule: str = "keypad") -> Decision:
    inputs = {"digits": digit, "heard": [], "attempt": 1}
    return Decision(action, destination or None, rule, "keyed", evidence={"inputs": inputs})


def spoken(destination: str, text: str) -> Decision:
    inputs = {"digits": None, "heard": [{"text": text, "confidence": 0.8}], "attempt": 1}
    return Decision("route", destination, "directory-high", "said", evidence={"inputs": inputs})


def queued(queue: str, joined: float, *rest: tuple[float, str, dict[str, Any]]) -> list[Any]:
    return [(joined, "queue-joined", {"queue": queue, "position": 1}), *rest]


def answered(queue: str, at: float, talk: float) -> list[tuple[float, str, dict[str, Any]]]:
    return [
        (at - 1, "dial", {"destination": queue, "agent": "a1", "endpoint": "PJSIP/a1"}),
        (at, "connected", {"destination": queue, "leg": "leg", "agent": "a1"}),
        (at + talk, "agent-hung-up", {"destination": queue}),
    ]


CALLS = [
    Call("A", 0, "transferred", "queue:rc", 400, "rc",
         queued("rc", 10, *answered("rc", 70, 300)), [(5, keyed("rc", "1"))]),
    Call("B", 20, "transferred", "queue:rc", 600, "rc",
         queued("rc", 10, *answered("rc", 410, 90)),
         [(5, spoken("rc", "crime reference please"))]),
    Call("C", 40, "abandoned", "queue:rc", 140, "rc",
         queued("rc", 10, (140, "queue-abandoned", {"queue": "rc", "waited_s": 130.0}))),
    Call("D", 50, "abandoned", "play:welcome", 5),
    Call("E", 55, "abandoned", "route:main_menu", 40, "",
         [(35, "speech", {"confidence": 0.35, "text": "erm"})],
         [(20, keyed("", "7", "reprompt", "no-match"))]),
    Call("F", 70, "deflected", "hangup:online_sms_sent", 30, "online",
         [(10, "link-offered", {}), (20, "deflected", {"channel": "sms-link"})],
         [(5, keyed("online", "5"))]),
    Call("G", 70, "callback", "hangup:goodbye", 230, "rc",
         queued("rc", 10, (100, "callback-offered", {"rule": "queue-threshold"}),
                (200, "callback-accepted", {"queue": "rc"}))),
    Call("H", 80, "completed", "hangup:-", 60, "rc",
         [(3, "caller-profile", {"flags": ["vulnerable"], "recent_calls": 3}),
          (8, "speech", {"confidence": 0.92, "text": "my bike was stolen"})],
         [(8, spoken("fcr", "my bike was stolen")),
          (30, Decision("route", "rc", "operator-move", "moved by op",
                        evidence={"by": "op", "from": "fcr", "reason": "theft is RC"}))],
         dialled="01245491491"),
]  # fmt: skip


def write_log(path: Location, calls: Sequence[Call] = CALLS) -> Location:
    _write(CallStore(path), calls)
    return path


def _write(store: CallStore, calls: Sequence[Call]) -> None:
    try:
        for call in calls:
            start = DAY + timedelta(minutes=call.start_min)

            def at(seconds: float, start: datetime = start) -> str:
                return iso(start + timedelta(seconds=seconds))

            store.call_started(
                {
                    "call_id": call.call_id,
                    "channel_id": call.call_id,
                    "caller_number": "07700900001",
                    "caller_name": "",
                    "dialled": call.dialled,
                    "started_at": at(0),
                    "outcome": "in-progress",
                    "last_step": "start",
                    "destination": "",
                }
            )
            for seconds, decision in call.decisions:
                store.add_decision(call.call_id, at(seconds), decision.to_json())
            for seconds, kind, detail in call.events:
                store.add_event(call.call_id, at(seconds), kind, detail)
            ended = {"outcome": call.outcome, "last_step": call.last_step}
            store.add_event(call.call_id, at(call.duration_s), "ended", ended)
            store.call_updated(
                call.call_id,
                {
                    "ended_at": at(call.duration_s),
                    "duration_s": call.duration_s,
                    "outcome": call.outcome,
                    "destination": call.destination,
                    "last_step": call.last_step,
                    "ended_by": "caller" if call.outcome == "abandoned" else "app",
                },
            )
    finally:
        store.close()
