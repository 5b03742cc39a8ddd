"""Queue places and transfers, followed through a call's events into ``Visit`` records.

A queue place opens at ``queue-joined`` and a
transfer at its first ``dial`` (a dial naming an agent is the queue's own); ``connected``
answers the open one and ``agent-hung-up`` ends its conversation. A place the log does
not close (the caller hung up while a transfer rang, an operator moved the call) is
closed from how the call ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ivr.analysis.journey import Via, Visit, VisitEnd


@dataclass(slots=True)
class _Open:
    destination: str
    via: Via
    at: datetime
    answered_at: datetime | None = None
    wait_s: float | None = None


# Events that end a wait: how the place ended, and whether the event says how long.
_ENDS = {
    "queue-abandoned": VisitEnd.ABANDONED,
    "queue-gave-up": VisitEnd.GAVE_UP,
    "callback-accepted": VisitEnd.CALLBACK,
    "emergency-breakout": VisitEnd.EMERGENCY,
}


class VisitTracker:
    """Feed it a call's events in order; ``finish`` returns its visits."""

    def __init__(self, started_at: datetime) -> None:
        self.started_at = started_at
        self.visits: list[Visit] = []
        self.open: _Open | None = None

    def event(self, kind: str, at: datetime, detail: dict[str, Any]) -> None:
        destination = str(detail.get("destination") or detail.get("queue") or "")
        if kind == "queue-joined":
            self._close(VisitEnd.MOVED_ON, at)  # an operator moved them from another queue
            # The event's own time, not its ``joined_at`` (the queue's clock): every wait
            # is then measured on the one clock the call log stamps.
            self.open = _Open(destination, Via.QUEUE, at)
        elif kind == "queue-full":
            self.visits.append(Visit(destination, Via.QUEUE, at, VisitEnd.REFUSED))
        elif kind == "dial" and not detail.get("agent"):
            if self.open is None or self.open.destination != destination:
                self._close(VisitEnd.MOVED_ON, at)
                self.open = _Open(destination, Via.TRANSFER, at)
        elif kind == "dial-failed" and self.open is not None and self.open.via is Via.TRANSFER:
            self._close(VisitEnd.UNANSWERED, at)  # a queue's agent not answering: still waiting
        elif kind == "connected" and self.open is not None and self.open.answered_at is None:
            self.open.answered_at = at
            self.open.wait_s = _seconds(self.open.at, at)
        elif kind == "agent-hung-up":
            self._close(VisitEnd.ANSWERED, at)
        elif kind in _ENDS:
            waited = detail.get("waited_s") if kind == "queue-abandoned" else None
            self._close(_ENDS[kind], at, waited if isinstance(waited, int | float) else None)

    def finish(self, ended_at: datetime | None, *, outcome: str) -> list[Visit]:
        """The visits, the last closed from how the call ended (``calls`` row)."""
        if self.open is not None:
            if self.open.answered_at is not None:
                end = VisitEnd.ANSWERED  # the caller ended the conversation
            elif outcome == "in-progress" or ended_at is None:
                end = VisitEnd.OPEN
            elif outcome == "abandoned":
                end = VisitEnd.ABANDONED  # hung up while it rang
            else:
                end = VisitEnd.MOVED_ON
            self._close(end, ended_at)
        return self.visits

    def _close(self, end: VisitEnd, at: datetime | None, waited_s: float | None = None) -> None:
        place, self.open = self.open, None
        if place is None:
            return
        if place.answered_at is not None:
            talk = _seconds(place.answered_at, at) if at is not None else None
            self.visits.append(
                Visit(place.destination, place.via, place.at, VisitEnd.ANSWERED, place.wait_s, talk)
            )
            return
        if waited_s is None and at is not None and end is not VisitEnd.OPEN:
            waited_s = _seconds(place.at, at)
        self.visits.append(Visit(place.destination, place.via, place.at, end, waited_s))


def _seconds(since: datetime, until: datetime) -> float:
    return max(0.0, (until - since).total_seconds())
