"""What the board remembers of each live call from its log, and the log wrapper that feeds it.

The board shows a call's latest decision and what the caller said. Both are written to the
call log as the call goes; reading them back from SQLite for 200 calls several times a second
would queue reads behind the writer thread, so ``BoardCallLog`` forwards every record to the
real log and keeps the few fields the board needs in memory (``CallNotes``), then tells the
board which call changed. Nothing here changes a call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from ivr.console.said import mask_said
from ivr.decisions import EMERGENCY, Decision
from ivr.store.db import Row
from ivr.store.log import CallLog

# Event kinds that mean the call is, or was found to be, an emergency.
_EMERGENCY_EVENTS = frozenset({"emergency-breakout"})


@dataclass(frozen=True, slots=True)
class Heard:
    """What the caller said last: the recogniser's n-best (top first) and its confidence.

    As the board shows it: long numbers masked (``said_on_board``); the call's record
    keeps the words as heard.
    """

    nbest: tuple[str, ...]
    confidence: float | None  # None: words the flow noted without a recogniser's score

    @classmethod
    def said_on_board(cls, nbest: Iterable[str], confidence: float | None) -> Heard:
        """Masked once here, when heard, not on every one of the board's refreshes."""
        return cls(tuple(mask_said(words) for words in nbest), confidence)


@dataclass(frozen=True, slots=True)
class LatestDecision:
    """The call's latest routing decision as the board shows it."""

    action: str
    destination: str
    rule: str
    reason: str
    confidence: float | None  # the chosen candidate's score; None without candidates

    @classmethod
    def of(cls, decision: Decision) -> LatestDecision:
        top = decision.candidates[0].score if decision.candidates else None
        return cls(
            str(decision.action),
            decision.destination or "",
            decision.rule,
            decision.reason,
            round(top, 3) if top is not None else None,
        )


@dataclass(slots=True)
class CallNote:
    heard: Heard | None = None
    decision: LatestDecision | None = None
    emergency: bool = False
    ended: bool = False


class CallNotes:
    """Per live call: the latest decision, the latest words heard, whether it is an emergency.

    A note is dropped with ``forget`` once the board has seen the call leave; an ended call's
    note stays until then so the board can tell a removal from a call it never knew.
    """

    def __init__(self) -> None:
        self._notes: dict[str, CallNote] = {}

    def get(self, call_id: str) -> CallNote:
        return self._notes.get(call_id) or CallNote()

    def ended(self, call_id: str) -> bool:
        note = self._notes.get(call_id)
        return note is not None and note.ended

    def known(self) -> frozenset[str]:
        return frozenset(self._notes)

    def forget(self, call_id: str) -> None:
        self._notes.pop(call_id, None)

    def started(self, call_id: str) -> None:
        self._notes[call_id] = CallNote()

    def event(self, call_id: str, kind: str, detail: Row) -> None:
        note = self._notes.setdefault(call_id, CallNote())
        if kind == "speech":
            note.heard = _heard(detail)
        elif kind in _EMERGENCY_EVENTS:
            note.emergency = True
        elif kind == "ended":
            note.ended = True

    def decision(self, call_id: str, decision: Decision) -> None:
        note = self._notes.setdefault(call_id, CallNote())
        note.decision = LatestDecision.of(decision)
        if decision.destination == EMERGENCY and not decision.is_danger_check:
            note.emergency = True  # a danger check only asks: its answer decides


def _heard(detail: Row) -> Heard | None:
    text = detail.get("text")
    if not isinstance(text, str):
        return None
    alternatives = detail.get("alternatives") or []
    nbest = (text, *(str(a) for a in alternatives if isinstance(a, str)))
    confidence = detail.get("confidence")
    return Heard.said_on_board(
        nbest, float(confidence) if isinstance(confidence, int | float) else None
    )


Changed = Callable[[str], None]


class BoardCallLog:
    """A CallLog that forwards to the real one, notes what the board shows, and says which
    call changed (``changed(call_id)``, e.g. ``BoardFeed.changed``). Never raises into a call:
    the forward comes first and the board's part cannot fail on a record's contents."""

    def __init__(self, inner: CallLog, notes: CallNotes, changed: Changed) -> None:
        self.inner = inner
        self.notes = notes
        self._changed = changed

    def call_started(self, row: Row) -> None:
        self.inner.call_started(row)
        call_id = str(row.get("call_id", ""))
        self.notes.started(call_id)
        self._changed(call_id)

    def call_updated(self, call_id: str, fields: Row) -> None:
        self.inner.call_updated(call_id, fields)
        self._changed(call_id)

    def event(self, call_id: str, at: datetime, kind: str, detail: Row) -> None:
        self.inner.event(call_id, at, kind, detail)
        self.notes.event(call_id, kind, detail)
        self._changed(call_id)

    def decision(self, call_id: str, at: datetime, decision: Decision) -> None:
        self.inner.decision(call_id, at, decision)
        self.notes.decision(call_id, decision)
        self._changed(call_id)
