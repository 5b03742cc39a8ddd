"""Opening hours for destinations, in local (UK) time, with bank holidays.

Admins keep ``schedules.yaml``: named weekly hours, what each schedule does
on a bank holiday, and one-off closures. Times are wall-clock in the file's
timezone (Europe/London), so a schedule means the same thing in GMT and BST;
``is_open`` converts the (aware) instant first. Bank holidays come from the
maintained ``holidays`` package plus the file's own extra dates, so a royal
event or a local closure needs no code change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from ivr.yamlfile import (
    DataFileError,
    LineDict,
    LineList,
    load_data,
    parse_data,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_GROUPS: Mapping[str, tuple[int, ...]] = {
    "daily": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_MINUTES_PER_DAY = 24 * 60

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

    @classmethod
    def load(cls, path: Path) -> Schedules:
        data = load_data(path, SchedulesError)
        return _parse(data, str(path))

    @classmethod
    def parse(cls, text: str, name: str = "schedules.yaml") -> Schedules:
        data = parse_data(text, name, SchedulesError)
        return _parse(data, name)

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


# --- parsing -------------------------------------------------------------------------------

_TOP_KEYS = {"timezone", "bank_holidays", "closures", "schedules"}
_HOLIDAY_KEYS = {"region", "extra", "not_holidays"}
_SCHEDULE_KEYS = {"description", "hours", "bank_holidays", "ignore_closures"}
_CLOSURE_KEYS = {"date", "from", "until", "schedules", "reason"}
_REGIONS = {"ENG", "WLS", "SCT", "NIR"}


class _Errors:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(f"{self.source}:{line}: {message}")


def _parse(data: Any, source: str) -> Schedules:
    err = _Errors(source)
    if not isinstance(data, LineDict):
        raise SchedulesError([f"{source}:1: expected a mapping with 'schedules:'"])
    for key in data:
        if key not in _TOP_KEYS:
            err.add(data.line_of(key), f"unknown key {key!r} (expected one of {sorted(_TOP_KEYS)})")

    tz = ZoneInfo("Europe/London")
    tz_name = data.get("timezone", "Europe/London")
    try:
        tz = ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError):
        err.add(data.line_of("timezone"), f"unknown timezone {tz_name!r}")

    region, extra, not_holidays = _parse_holidays(data.get("bank_holidays"), data, err)
    schedules = _parse_schedules(data.get("schedules"), data, err)
    closures = _parse_closures(data.get("closures"), data, set(schedules), err)
    if err.items:
        raise SchedulesError(err.items)
    calendar = holidays.country_holidays("GB", subdiv=region)
    return Schedules(
        timezone=tz,
        schedules=schedules,
        region=region,
        extra_holidays=extra,
        not_holidays=frozenset(not_holidays),
        closures=tuple(closures),
        source=source,
        _calendar=calendar,
    )


def _parse_holidays(
    node: Any, parent: LineDict, err: _Errors
) -> tuple[str, dict[date, str], set[date]]:
    region, extra, excluded = "ENG", dict[date, str](), set[date]()
    if node is None:
        return region, extra, excluded
    if not isinstance(node, LineDict):
        err.add(parent.line_of("bank_holidays"), "bank_holidays: expected a mapping")
        return region, extra, excluded
    for key in node:
        if key not in _HOLIDAY_KEYS:
            err.add(node.line_of(key), f"bank_holidays: unknown key {key!r}")
    region = str(node.get("region", "ENG")).upper()
    if region not in _REGIONS:
        err.add(
            node.line_of("region"), f"bank_holidays.region {region!r}: one of {sorted(_REGIONS)}"
        )
        region = "ENG"
    for key, target in (("extra", extra), ("not_holidays", None)):
        items = node.get(key, LineList())
        if not isinstance(items, LineList):
            err.add(node.line_of(key), f"bank_holidays.{key}: expected a list")
            continue
        for i, item in enumerate(items):
            line = items.line_of(i)
            name = "extra closure day"
            if isinstance(item, LineDict):
                unknown = set(item) - {"date", "name"}
                if unknown:
                    err.add(line, f"bank_holidays.{key}: unknown key(s) {sorted(unknown)}")
                name = str(item.get("name", name))
                item = item.get("date")
            day = _as_date(item)
            if day is None:
                err.add(line, f"bank_holidays.{key}: {item!r} is not a date (YYYY-MM-DD)")
            elif target is not None:
                target[day] = name
            else:
                excluded.add(day)
    return region, extra, excluded


def _parse_schedules(node: Any, parent: LineDict, err: _Errors) -> dict[str, Schedule]:
    result: dict[str, Schedule] = {}
    if not isinstance(node, LineDict) or not node:
        err.add(parent.line_of("schedules"), "schedules: expected a mapping of named schedules")
        return result
    for name, body in node.items():
        line = node.line_of(name)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            err.add(line, f"schedule name {name!r}: use lower-case letters, digits, '-' or '_'")
        if isinstance(body, str) and body.strip() in ("always", "24/7"):
            body = LineDict({"hours": "always"})
            body.line, body.key_lines = line, {"hours": line}
        if not isinstance(body, LineDict):
            err.add(line, f"schedule {name!r}: expected a mapping with 'hours:'")
            continue
        for key in body:
            if key not in _SCHEDULE_KEYS:
                err.add(body.line_of(key), f"schedule {name!r}: unknown key {key!r}")
        if "hours" not in body:
            err.add(body.line, f"schedule {name!r}: missing 'hours:'")
            continue
        week = _parse_week(body["hours"], body.line_of("hours"), name, err)
        always = body["hours"] in ("always", "24/7")
        policy_raw = body.get("bank_holidays", "open" if always else "closed")
        policy: BankHolidayPolicy = "closed"
        holiday_spans: tuple[Span, ...] = ()
        pline = body.line_of("bank_holidays")
        if policy_raw == "closed" or policy_raw == "open":
            policy = policy_raw
        elif not isinstance(policy_raw, str | list):
            err.add(pline, f"schedule {name!r}: bank_holidays must be closed, open or hours")
        else:
            spans = _parse_ranges(policy_raw, pline, f"schedule {name!r} bank_holidays", err)
            if spans is None:
                err.add(pline, f"schedule {name!r}: bank_holidays must be closed, open or hours")
            else:
                policy, holiday_spans = "hours", tuple(_clip(spans))
        ignore = body.get("ignore_closures", False)
        if not isinstance(ignore, bool):
            err.add(body.line_of("ignore_closures"), "ignore_closures: expected true or false")
            ignore = False
        result[name] = Schedule(
            name=name,
            week=week,
            bank_holidays=policy,
            holiday_spans=holiday_spans,
            description=str(body.get("description", "")),
            ignore_closures=ignore,
            line=line,
        )
    return result


def _parse_week(node: Any, line: int, name: str, err: _Errors) -> tuple[tuple[Span, ...], ...]:
    days: list[list[Span]] = [[] for _ in range(7)]
    if node in ("always", "24/7"):
        return tuple(((0, _MINUTES_PER_DAY),) for _ in range(7))
    if not isinstance(node, LineDict):
        err.add(line, f"schedule {name!r}: hours must be 'always' or a mapping of days to ranges")
        return tuple(() for _ in range(7))
    for key, ranges in node.items():
        kline = node.line_of(key)
        weekdays = _parse_days(str(key))
        if weekdays is None:
            err.add(
                kline,
                f"schedule {name!r}: bad day {key!r} (mon..sun, a range like mon-fri,"
                " daily, weekdays or weekends)",
            )
            continue
        if ranges == "closed":
            continue
        spans = _parse_ranges(ranges, kline, f"schedule {name!r} {key}", err)
        if spans is None:
            err.add(kline, f"schedule {name!r} {key}: expected 'HH:MM-HH:MM', a list, or closed")
            continue
        for d in weekdays:
            for start, end in spans:
                if end <= start:  # overnight: today until midnight, tomorrow from midnight
                    days[d].append((start, _MINUTES_PER_DAY))
                    if end:
                        days[(d + 1) % 7].append((0, end))
                else:
                    days[d].append((start, end))
    return tuple(tuple(sorted(_clip(spans))) for spans in days)


def _parse_days(key: str) -> tuple[int, ...] | None:
    key = key.strip().lower()
    if key in DAY_GROUPS:
        return DAY_GROUPS[key]
    result: list[int] = []
    for part in key.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            if first.strip() not in DAYS or last.strip() not in DAYS:
                return None
            a, b = DAYS.index(first.strip()), DAYS.index(last.strip())
            result.extend((a + i) % 7 for i in range((b - a) % 7 + 1))
        elif part in DAYS:
            result.append(DAYS.index(part))
        else:
            return None
    return tuple(result)


def _parse_ranges(node: Any, line: int, what: str, err: _Errors) -> list[Span] | None:
    items = node if isinstance(node, list) else [node]
    spans: list[Span] = []
    for item in items:
        m = _RANGE.match(item) if isinstance(item, str) else None
        if m is None:
            return None
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h1 == 24 and m1) or (h2 == 24 and m2):
            err.add(line, f"{what}: {item!r} is not a time range within 00:00-24:00")
            continue
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == end:
            err.add(line, f"{what}: {item!r} is empty (use 00:00-24:00 for all day)")
            continue
        spans.append((start, end))
    return spans


def _clip(spans: Iterable[Span]) -> list[Span]:
    return [(s, min(e, _MINUTES_PER_DAY)) for s, e in spans if s < e]


def _parse_closures(node: Any, parent: LineDict, names: set[str], err: _Errors) -> list[Closure]:
    result: list[Closure] = []
    if node is None:
        return result
    if not isinstance(node, LineList):
        err.add(parent.line_of("closures"), "closures: expected a list")
        return result
    for i, item in enumerate(node):
        line = node.line_of(i)
        if not isinstance(item, LineDict):
            err.add(line, "closure: expected a mapping with date: or from:/until:")
            continue
        for key in item:
            if key not in _CLOSURE_KEYS:
                err.add(item.line_of(key), f"closure: unknown key {key!r}")
        start = end = None
        if "date" in item:
            day = _as_date(item["date"])
            if day is None:
                err.add(item.line_of("date"), f"closure: {item['date']!r} is not a date")
                continue
            start = datetime.combine(day, time())
            end = start + timedelta(days=1)
        elif "from" in item and "until" in item:
            start = _as_datetime(item["from"])
            end = _as_datetime(item["until"])
            if start is None or end is None:
                err.add(item.line, "closure: from/until must be 'YYYY-MM-DD HH:MM' local times")
                continue
            if end <= start:
                err.add(item.line_of("until"), "closure: until must be after from")
                continue
        else:
            err.add(line, "closure: needs date: or both from: and until:")
            continue
        scope: frozenset[str] | None = None
        raw = item.get("schedules", "all")
        if raw != "all":
            listed = raw if isinstance(raw, list) else [raw]
            scope = frozenset(str(s) for s in listed)
            for s in sorted(scope - names):
                err.add(item.line_of("schedules"), f"closure: unknown schedule {s!r}")
        result.append(Closure(start, end, scope, str(item.get("reason", ""))))
    return result


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).replace(tzinfo=None)
        except ValueError:
            return None
    return None
