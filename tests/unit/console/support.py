"""What the console's unit tests share: a clock moved by hand, an audit list, operators."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ivr.console.identity import Operator, Role
from ivr.directory import DirectoryEntry
from ivr.routing.service import RoutingService

SHIPPED_RULES = Path(__file__).resolve().parents[3] / "routing_rules"
START = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
ANN = Operator("ann", Role.OPERATOR, "PJSIP/op-1")
BOB = Operator("bob", Role.OPERATOR)  # no phone


class HandClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class ListAudit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, dict[str, Any]]] = []

    def record(self, who: str, action: str, detail: Mapping[str, Any]) -> None:
        self.entries.append((who, action, dict(detail)))

    def actions(self) -> list[str]:
        return [a for _, a, _ in self.entries]


class OneEntryDirectory:
    def directory_entry(self, entry_id: str) -> DirectoryEntry | None:
        if entry_id != "priya-patel":
            return None
        return DirectoryEntry(
            id="priya-patel", kind="person", name="Priya Patel", rank="PS", extension="4321"
        )


def shipped_routing() -> RoutingService:
    return RoutingService(SHIPPED_RULES)
