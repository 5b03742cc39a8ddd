"""Opening hours for destinations, in local (UK) time, with bank holidays.

Admins keep ``schedules.yaml``: named weekly hours, what each schedule does
on a bank holiday, and one-off closures. Times are wall-clock in the file's
timezone (Europe/London), so a schedule means the same thing in GMT and BST;
``is_open`` converts the (aware) instant first. Bank holidays come from the
maintained ``holidays`` package plus the file's own extra dates, so a royal
event or a local closure needs no code change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ivr.yamlfile import DataFileError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_GROUPS: Mapping[str, tuple[int, ...]] = {
    "daily": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}

# (start, end) minutes after local midnight, end exclusive, start < end.
Span = tuple[int, int]
BankHolidayPolicy = Literal["closed", "open", "hours"]


class SchedulesError(DataFileError):
    """schedules.yaml is invalid; ``errors`` lists every 'file:line: message'."""

    error_id = "schedules-invalid"


@dataclass(frozen=True)
class Closure:
    """Closed from ``start`` (inclusive) to ``end`` (exclusive), local time."""

    start: datetime
    end: datetime
    schedules: frozenset[str] | None  # None: every schedule except always-open ones marked so
    reason: str = ""


@dataclass(frozen=True)
class Schedule:
    name: str
    # week[d] = spans on weekday d (0 = Monday); an overnight range is split across days
    week: tuple[tuple[Span, ...], ...]
    bank_holidays: BankHolidayPolicy = "closed"
    holiday_spans: tuple[Span, ...] = ()
    description: str = ""
    ignore_closures: bool = False
    line: int = 0

    def spans_on(self, day: date, bank_holiday: bool) -> tuple[Span, ...]:
        if bank_holiday and self.bank_holidays == "closed":
            return ()
        if bank_holiday and self.bank_holidays == "hours":
            return self.holiday_spans
        return self.week[day.weekday()]


@dataclass(frozen=True)
class Schedules:
    timezone: ZoneInfo
    schedules: Mapping[str, Schedule]
    region: str = "ENG"
    extra_holidays: Mapping[date, str] = field(default_factory=dict)
    not_holidays: frozenset[date] = frozenset()
    closures: tuple[Closure, ...] = ()
    source: str = ""
    _calendar: Any = None  # holidays.HolidayBase, expands years lazily on lookup

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.schedules)

    def local(self, at: datetime) -> datetime:
        """``at`` in the schedules' timezone; a naive time is taken as already local."""
        if at.tzinfo is None:
            return at.replace(tzinfo=self.timezone)
        return at.astimezone(self.timezone)

    def holiday_name(self, at: datetime | date) -> str | None:
        day = self.local(at).date() if isinstance(at, datetime) else at
        if day in self.not_holidays:
            return None
        if day in self.extra_holidays:
            return self.extra_holidays[day]
        name = self._calendar.get(day) if self._calendar is not None else None
        return str(name) if name else None

    def is_bank_holiday(self, at: datetime | date) -> bool:
        return self.holiday_name(at) is not None

    def closure(self, name: str, at: datetime) -> Closure | None:
        schedule = self.schedules.get(name)
        if schedule is None or schedule.ignore_closures:
            return None
        local = self.local(at).replace(tzinfo=None)
        for closure in self.closures:
            if (closure.schedules is None or name in closure.schedules) and (
                closure.start <= local < closure.end
            ):
                return closure
        return None

    def is_open(self, name: str, at: datetime) -> bool:
        """Open at instant ``at``; an unknown schedule name counts as closed."""
        schedule = self.schedules.get(name)
        if schedule is None:
            return False
        if self.closure(name, at) is not None:
            return False
        local = self.local(at)
        minute = local.hour * 60 + local.minute
        day = local.date()
        spans = schedule.spans_on(day, self.is_bank_holiday(day))
        return any(start <= minute < end for start, end in spans)

    def explain(self, name: str, at: datetime) -> str:
        """A short reason: 'rc-hours open' / 'rc-hours closed (bank holiday: Easter Monday)'."""
        if name not in self.schedules:
            return f"{name} unknown (closed)"
        closure = self.closure(name, at)
        if closure is not None:
            return f"{name} closed ({closure.reason or 'closure'})"
        state = "open" if self.is_open(name, at) else "closed"
        holiday = self.holiday_name(at)
        return f"{name} {state}" + (f" (bank holiday: {holiday})" if holiday else "")
