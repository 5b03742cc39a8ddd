"""ConsoleActions: what an operator does to a live call, checked, recorded and carried out.

Every action goes through CallSession's own API (``move_to``, ``take_to``) or the
QueueService, never into a session's fields; each is refused with a clear message when
the call cannot take it (ended: 409; talking to a person: 409; not waiting in an
app-run queue, for a priority: 409; moved on from what the operator saw: 409), and each
is an audit entry. A move is also a decision row (rule "operator-move", with from, by,
reason_code and reason in its evidence), so the analysis can count misroutes.

Callers' numbers are personal data: the list of live calls shows them masked, and the
full number is given only to an operator who says why (``reveal``), which is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from ivr.console.destinations import KnownDestinations
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.identity import Audit, Operator
from ivr.console.reasons import Reason, checked_text
from ivr.console.seen import Seen
from ivr.masking import mask_for_console
from ivr.queues.model import PRIORITY_FLAGS
from ivr.queues.outcomes import QueueError
from ivr.queues.service import QueueService
from ivr.runtime import Runtime
from ivr.session.session import CallSession
from ivr.session.steps import ToOperator


class LiveCalls(Protocol):
    """The calls in progress, by call id (the CallManager's, once connected)."""

    def session(self, call_id: str) -> CallSession | None: ...
    def sessions(self) -> list[CallSession]: ...


class RuntimeCalls:
    """LiveCalls of the running app: its CallManager exists only once ARI is connected."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def session(self, call_id: str) -> CallSession | None:
        manager = self._runtime.manager
        live = manager.calls.get(call_id) if manager is not None else None
        return live.session if live is not None else None

    def sessions(self) -> list[CallSession]:
        manager = self._runtime.manager
        return [c.session for c in manager.calls.values()] if manager is not None else []


class CallAudit(StrEnum):
    """What the actions write to the audit trail."""

    VIEWED = "calls.view"
    ROUTED = "call.route"
    TAKEN = "call.take"
    PRIORITY = "call.priority"
    NUMBER_REVEALED = "call.number-revealed"  # a view of personal data


@dataclass(frozen=True)
class Moved:
    """What an operator's move did: the call, where it was going, where it goes now."""

    call_id: str
    source: str
    destination: str
    reason: Reason
    by: str
    kept_place: bool = False  # moved between app-run queues with its original joined_at

    def as_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "from": self.source,
            "to": self.destination,
            "reason_code": self.reason.code.value,
            "reason": self.reason.text,
            "by": self.by,
            "kept_place": self.kept_place,
        }


@dataclass(frozen=True)
class Raised:
    call_id: str
    queue: str
    flag: str
    priority: int
    position: int
    reason: str
    by: str

    def as_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "queue": self.queue,
            "flag": self.flag,
            "priority": self.priority,
            "position": self.position,
            "reason": self.reason,
            "by": self.by,
        }


@dataclass(frozen=True)
class Revealed:
    """A caller's full number, shown to one operator for a reason they gave."""

    call_id: str
    caller_number: str
    reason: str
    by: str

    def as_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "caller_number": self.caller_number,
            "reason": self.reason,
            "by": self.by,
        }


class ConsoleActions:
    def __init__(
        self,
        calls: LiveCalls,
        destinations: KnownDestinations,
        audit: Audit,
        queues: Callable[[], QueueService | None] = lambda: None,
    ) -> None:
        """``queues``: the app-run queues (None: Asterisk's dialplan queues the calls)."""
        self._calls = calls
        self._destinations = destinations
        self._audit = audit
        self._queues = queues

    def live(self) -> list[dict[str, Any]]:
        """Every call in progress, as GET /api/calls shows it (the shape it always had,
        the number masked, and what an operator may do to it)."""
        queues = self._queues()
        return [
            {
                "call_id": s.call_id,
                "caller_number": mask_for_console(s.info.caller_number),
                "dialled": s.info.dialled,
                "step": s.last_step,
                "destination": s.destination,
                "caller_flags": sorted(s.caller.flags),
                "recent_calls": s.caller.recent_calls,
                "queue": queues.place_of(s.call_id) if queues is not None else None,
                "started_at": s.started_at.isoformat(),
                "talking": s.connected_leg is not None,
                "movable": s.movable is None,
                "why_not_movable": s.movable,
            }
            for s in self._calls.sessions()
        ]

    def reveal(self, call_id: str, reason: Any, operator: Operator) -> Revealed:
        """The caller's full number, for ``reason`` (required): a view of personal data,
        audited with who, the call and why. A call that has just ended still has it."""
        words = checked_text(reason, "reason", required=True)
        session = self._calls.session(call_id)
        if session is None:
            raise NotFound(f"no live call {call_id[:80]!r}")
        revealed = Revealed(call_id, session.info.caller_number, words, operator.name)
        self._audit.record(
            operator.name,
            CallAudit.NUMBER_REVEALED,
            {"call_id": call_id, "reason": words, "personal_data": "caller number"},
        )
        return revealed

    def route(
        self,
        call_id: str,
        destination: Any,
        reason: Reason,
        operator: Operator,
        seen: Seen | None = None,
    ) -> Moved:
        """Send the call to ``destination``; a caller moved from one app-run queue to
        another keeps their original ``joined_at``. ``seen``: what the operator saw of
        the call (refused if it has moved on since)."""
        to = self._destinations.check(destination)
        session = self._movable(call_id, to, seen)
        source = session.destination
        queues = self._queues()
        entry = queues.entry_of(call_id) if queues is not None else None
        kept = entry is not None and queues is not None and queues.runs(to)
        session.move_to(
            to,
            reason.text,
            operator.name,
            reason_code=reason.code.value,
            joined_at=entry.joined_at if kept and entry is not None else None,
        )
        moved = Moved(call_id, source, to, reason, operator.name, kept)
        self._audit.record(operator.name, CallAudit.ROUTED, moved.as_json())
        return moved

    def take(
        self, call_id: str, reason: Reason, operator: Operator, seen: Seen | None = None
    ) -> Moved:
        """Put the call through to the operator's own phone (the switchboard if unanswered)."""
        if not operator.phone:
            raise Conflict(f"{operator.name} has no phone to take calls on")
        step = ToOperator(operator.name, operator.phone)
        session = self._movable(call_id, step.destination, seen)
        source = session.destination
        session.take_to(step, reason.text, operator.name, reason_code=reason.code.value)
        moved = Moved(call_id, source, step.destination, reason, operator.name)
        self._audit.record(operator.name, CallAudit.TAKEN, moved.as_json())
        return moved

    def raise_priority(
        self, call_id: str, flag: Any, reason: Any, operator: Operator, seen: Seen | None = None
    ) -> Raised:
        """A waiting caller joins the risk class (vulnerable, repeat victim...) for this call."""
        if not isinstance(flag, str) or flag not in PRIORITY_FLAGS:
            raise BadRequest(f"flag must be one of: {', '.join(sorted(PRIORITY_FLAGS))}")
        words = checked_text(reason, "reason", required=True)
        session = self._live(call_id, seen)
        queues = self._queues()
        if queues is None or queues.entry_of(call_id) is None:
            raise Conflict("the call is not waiting in a queue the app runs")
        try:
            entry = queues.raise_priority(call_id, flag)
        except QueueError as exc:  # served between the check and now
            raise Conflict(f"the call is no longer waiting: {exc}") from None
        raised = Raised(
            call_id,
            entry.queue,
            flag,
            int(entry.priority),
            queues.position(call_id),
            words,
            operator.name,
        )
        session.record("priority-raised", **raised.as_json())
        self._audit.record(operator.name, CallAudit.PRIORITY, raised.as_json())
        return raised

    def _live(self, call_id: str, seen: Seen | None = None) -> CallSession:
        session = self._calls.session(call_id)
        if session is None:
            raise NotFound(f"no live call {call_id[:80]!r}")
        if session.done.is_set():
            raise Conflict("the call has ended")
        if seen is not None:
            seen.check(session.last_step, session.destination)
        return session

    def _movable(self, call_id: str, destination: str, seen: Seen | None) -> CallSession:
        session = self._live(call_id, seen)
        why_not = session.movable_to(destination)
        if why_not is not None:
            raise Conflict(f"cannot move this call: {why_not}")
        return session
