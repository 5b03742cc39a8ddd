"""Diverts: an operator sends one destination's calls to another for a while.

("Crime Bureau closed tonight → RC until 08:00".) Stored in SQLite (table ``diverts``)
and kept in memory while in force: RoutingService reads ``active(at)`` synchronously
on every decision and passes them to the pure engine as RoutingInputs.overrides, whose
decision names the divert. A divert ends by itself at ``until``, or when cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from ivr.clock import Clock, utc_now
from ivr.console.destinations import KnownDestinations
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.identity import Audit, Operator
from ivr.console.reasons import checked_text
from ivr.console.timed import InForce, TimedTable, checked_until, parsed, stored
from ivr.decisions import EMERGENCY
from ivr.routing.model import Override

TABLE = TimedTable.DIVERTS


@dataclass(frozen=True)
class Divert:
    id: int
    source: str
    target: str
    reason: str
    set_by: str
    starts_at: datetime
    until: datetime
    cancelled_at: datetime | None = None
    cancelled_by: str = ""

    def in_force(self, at: datetime) -> bool:
        return self.cancelled_at is None and self.starts_at <= at < self.until

    def override(self) -> Override:
        """As the engine takes it; its reason names the divert and who set it."""
        why = f"divert {self.id} by {self.set_by}" + (f": {self.reason}" if self.reason else "")
        return Override(self.source, self.target, why, self.until)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "reason": self.reason,
            "by": self.set_by,
            "from": self.starts_at.isoformat(),
            "until": self.until.isoformat(),
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
            "cancelled_by": self.cancelled_by or None,
        }

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Divert:
        return cls(
            id=int(row["id"]),
            source=row["source"],
            target=row["target"],
            reason=row["reason"] or "",
            set_by=row["set_by"],
            starts_at=datetime.fromisoformat(row["starts_at"]),
            until=datetime.fromisoformat(row["until"]),
            cancelled_at=parsed(row["cancelled_at"]),
            cancelled_by=row["cancelled_by"] or "",
        )


class DivertStore:
    """The diverts: stored, and those in force in memory (an OverrideSource for routing)."""

    def __init__(
        self,
        db_path: str,
        destinations: KnownDestinations,
        audit: Audit,
        clock: Clock = utc_now,
    ) -> None:
        self._rows = InForce(db_path, TABLE, Divert.of_row)
        self._destinations = destinations
        self._audit = audit
        self._clock = clock

    async def open(self) -> None:
        await self._rows.open(self._clock())

    async def close(self) -> None:
        await self._rows.close()

    async def refresh(self) -> None:
        """Another node's diverts too (ivr.console.timed.InForce.refresh)."""
        await self._rows.refresh(self._clock())

    def active(self, at: datetime) -> tuple[Override, ...]:
        """The diverts in force at ``at`` (OverrideSource): memory only, never a query."""
        return tuple(d.override() for d in self.listed(at))

    def listed(self, at: datetime | None = None) -> list[Divert]:
        return self._rows.listed(at or self._clock())

    async def add(
        self, source: Any, target: Any, reason: Any, until: Any, operator: Operator
    ) -> Divert:
        """Check the request (BadRequest / Conflict), store it, then apply it."""
        now = self._clock()
        source = self._destinations.check(source, "source")
        target = self._destinations.check(target, "target")
        if EMERGENCY in (source, target):
            raise BadRequest("emergency calls are never diverted")
        if source == target:
            raise BadRequest("a divert must send calls somewhere else")
        words = checked_text(reason, "reason", required=True)
        end = checked_until(until, now)
        existing = next((d for d in self.listed(now) if d.source == source), None)
        if existing is not None:
            raise Conflict(
                f"{source} is already diverted to {existing.target} (divert {existing.id}):"
                " cancel it first"
            )
        row = {
            "source": source,
            "target": target,
            "reason": words,
            "set_by": operator.name,
            "starts_at": stored(now),
            "until": stored(end),
        }
        divert = await self._rows.insert(row)
        self._audit.record(operator.name, "divert.add", divert.as_json())
        return divert

    async def cancel(self, divert_id: int, operator: Operator) -> Divert:
        now = self._clock()
        divert = self._rows.get(divert_id)
        if divert is None or not divert.in_force(now):
            raise NotFound(f"no divert {divert_id} in force")
        at = await self._rows.cancel(divert_id, now, operator.name)
        self._audit.record(operator.name, "divert.cancel", {"id": divert_id})
        return replace(divert, cancelled_at=at, cancelled_by=operator.name)
