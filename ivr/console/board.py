"""The live board's view model: one ``BoardCall`` per live call, plain JSON-able data.

Built from what a call already shows read-only (CallSession's properties), what the board
noted from its log (``CallNotes``: the latest decision and words heard) and, for a caller
waiting in an app-run queue, the QueueService (queue, position, estimate, time waited).
Emergencies and long waits carry a text label as well as a boolean: the page never says
anything by colour alone. Reading only: nothing here changes a call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ivr.clock import Clock, utc_now
from ivr.console.notes import CallNotes, Heard, LatestDecision
from ivr.decisions import EMERGENCY
from ivr.masking import mask_for_console
from ivr.queues.model import Priority
from ivr.queues.service import QueueService
from ivr.session.session import CallSession

LONG_WAIT_S = 600.0  # in a queue this long, a caller stands out (the callback offer's default)


# The live sessions now (e.g. ``lambda: [c.session for c in manager.calls.values()]``).
LiveCalls = Callable[[], Iterable[CallSession]]


class Flag(StrEnum):
    """Why a row stands out; the value is the label the page shows."""

    EMERGENCY = "EMERGENCY"
    LONG_WAIT = "LONG WAIT"


@dataclass(frozen=True, slots=True)
class QueuePlace:
    queue: str
    position: int
    estimate_s: int | None  # None: not known yet
    waited_s: int
    joined_at: float  # epoch seconds: the page counts the wait up between updates


@dataclass(frozen=True, slots=True)
class BoardCall:
    call_id: str
    caller: str  # masked number
    dialled: str
    step: str
    started_at: float  # epoch seconds
    in_ivr_s: int
    destination: str
    talking: bool  # with a person now
    caller_flags: tuple[str, ...]
    recent_calls: int
    heard: Heard | None
    decision: LatestDecision | None
    queue: QueuePlace | None
    emergency: bool
    long_wait: bool
    labels: tuple[str, ...]  # Flag values, in the order they matter

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class BoardView:
    """Builds BoardCalls on demand; cheap enough to rebuild every row several times a second."""

    def __init__(
        self,
        live: LiveCalls,
        notes: CallNotes,
        queues: QueueService | None = None,
        *,
        clock: Clock = utc_now,
        long_wait_s: float = LONG_WAIT_S,
    ) -> None:
        self.live = live
        self.notes = notes
        self.queues = queues
        self.clock = clock
        self.long_wait_s = long_wait_s

    def calls(self) -> dict[str, CallSession]:
        """The live calls the board shows (an ended call is gone even before its task is)."""
        return {c.call_id: c for c in self.live() if not self.notes.ended(c.call_id)}

    def snapshot(self) -> list[BoardCall]:
        """Every live call, the longest-running first."""
        now = self.clock().timestamp()
        rows = [self._row(c, now) for c in self.calls().values()]
        return sorted(rows, key=lambda r: (r.started_at, r.call_id))

    def rows(self, call_ids: Iterable[str]) -> tuple[list[BoardCall], list[str]]:
        """The given calls: (rows of those still live, ids of those gone)."""
        live = self.calls()
        now = self.clock().timestamp()
        rows: list[BoardCall] = []
        gone: list[str] = []
        for call_id in call_ids:
            call = live.get(call_id)
            if call is None:
                gone.append(call_id)
            else:
                rows.append(self._row(call, now))
        return rows, gone

    def _row(self, call: CallSession, now: float) -> BoardCall:
        note = self.notes.get(call.call_id)
        place = self._place(call.call_id, now)
        profile = call.caller
        emergency = (
            note.emergency
            or call.destination == EMERGENCY
            or EMERGENCY in call.categories
            or (place is not None and place[1])
        )
        queue = place[0] if place is not None else None
        long_wait = queue is not None and queue.waited_s >= self.long_wait_s
        labels = tuple(
            flag.value
            for flag, on in ((Flag.EMERGENCY, emergency), (Flag.LONG_WAIT, long_wait))
            if on
        )
        started = call.started_at.timestamp()
        heard = note.heard or (Heard.said_on_board(call.heard[-1:], None) if call.heard else None)
        return BoardCall(
            call_id=call.call_id,
            caller=mask_for_console(call.info.caller_number),
            dialled=call.info.dialled,
            step=call.last_step,
            started_at=started,
            in_ivr_s=max(0, round(now - started)),
            destination=call.destination,
            talking=call.connected_leg is not None,
            caller_flags=tuple(sorted(profile.flags)),
            recent_calls=profile.recent_calls,
            heard=heard,
            decision=note.decision,
            queue=queue,
            emergency=emergency,
            long_wait=long_wait,
            labels=labels,
        )

    def _place(self, call_id: str, now: float) -> tuple[QueuePlace, bool] | None:
        """The caller's place in an app-run queue, and whether it is an emergency transfer."""
        if self.queues is None:
            return None
        place = self.queues.place_of(call_id)
        if place is None:
            return None
        entry = self.queues.engine.entry(call_id)
        waited = max(0, round(now - entry.joined_at))
        return (
            QueuePlace(
                str(place["queue"]),
                int(place["position"]),
                place["wait_s"],
                waited,
                entry.joined_at,
            ),
            entry.priority is Priority.EMERGENCY_TRANSFER,
        )
