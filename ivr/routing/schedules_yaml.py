"""Reading schedules.yaml: its shapes declared once, then the checks only hours need.

Kept apart from ``schedules`` (what is open when) because reading an
admin's hours, closures and holidays, with every error on its line, is
most of the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from ivr.routing.schedules import (
    DAY_GROUPS,
    DAYS,
    BankHolidayPolicy,
    Closure,
    Schedule,
    Schedules,
    SchedulesError,
    Span,
)
from ivr.yamlfile import LineDict, LineList, line_of, load_data, parse_data
from ivr.yamlshape import Kind, Problems, Shape

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_MINUTES_PER_DAY = 24 * 60
_REGIONS = {"ENG", "WLS", "SCT", "NIR"}
_TOP = Shape(
    {
        "timezone": Kind.TEXT,
        "bank_holidays": Kind.MAPPING,
        "closures": Kind.LIST,
        "schedules": Kind.MAPPING,
    },
    required=frozenset({"schedules"}),
    hint="with 'schedules:'",
    may_be_empty=frozenset({"bank_holidays", "closures"}),
)
_HOLIDAYS = Shape({"region": Kind.TEXT, "extra": Kind.LIST, "not_holidays": Kind.LIST})
_HOLIDAY = Shape({"date": Kind.ANY, "name": Kind.ANY})
_SCHEDULE = Shape(
    {
        "description": Kind.ANY,
        "hours": Kind.ANY,  # 'always' or days -> ranges: checked below
        "bank_holidays": Kind.ANY,  # closed, open or ranges: checked below
        "ignore_closures": Kind.FLAG,
    },
    required=frozenset({"hours"}),
    hint="with 'hours:'",
)
_CLOSURE = Shape(
    {
        "date": Kind.ANY,
        "from": Kind.ANY,
        "until": Kind.ANY,
        "schedules": Kind.ANY,
        "reason": Kind.ANY,
    },
    hint="with date: or from:/until:",
)


def load_schedules(path: Path) -> Schedules:
    """schedules.yaml at ``path``; SchedulesError lists every problem as file:line."""
    return read_schedules(load_data(path, SchedulesError), str(path))


def parse_schedules(text: str, name: str = "schedules.yaml") -> Schedules:
    return read_schedules(parse_data(text, name, SchedulesError), name)


def read_schedules(data: Any, source: str) -> Schedules:
    """Check parsed schedules.yaml (LineDict/LineList); every problem as 'file:line: message'."""
    err = Problems(source)
    top = _TOP.check(data, err, line=1)
    if top is None:
        raise SchedulesError(err.items)
    tz = ZoneInfo("Europe/London")
    tz_name = top.get("timezone", "Europe/London")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        err.add(top.line_of("timezone"), f"unknown timezone {tz_name!r}")

    region, extra, not_holidays = _parse_holidays(top.get("bank_holidays"), err)
    schedules = _parse_schedules(top.get("schedules"), top, err)
    closures = _parse_closures(top.get("closures", LineList()), set(schedules), err)
    err.raise_if_any(SchedulesError)
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


def _parse_holidays(raw: Any, err: Problems) -> tuple[str, dict[date, str], set[date]]:
    region, extra, excluded = "ENG", dict[date, str](), set[date]()
    node = _HOLIDAYS.check(raw, err, "bank_holidays") if raw is not None else None
    if node is None:
        return region, extra, excluded
    region = node.get("region", "ENG").upper()
    if region not in _REGIONS:
        err.add(
            node.line_of("region"), f"bank_holidays.region {region!r}: one of {sorted(_REGIONS)}"
        )
        region = "ENG"
    for key, target in (("extra", extra), ("not_holidays", None)):
        items = node.get(key, LineList())
        for i, item in enumerate(items):
            line = line_of(items, i)
            name = "extra closure day"
            if isinstance(item, dict):
                day_node = _HOLIDAY.check(item, err, f"bank_holidays.{key}", line)
                assert day_node is not None  # a mapping is always one
                name = str(day_node.get("name", name))
                item = day_node.get("date")
            day = _as_date(item)
            if day is None:
                err.add(line, f"bank_holidays.{key}: {item!r} is not a date (YYYY-MM-DD)")
            elif target is not None:
                target[day] = name
            else:
                excluded.add(day)
    return region, extra, excluded


def _parse_schedules(node: LineDict | None, top: LineDict, err: Problems) -> dict[str, Schedule]:
    result: dict[str, Schedule] = {}
    if node is None or not node:
        if "schedules" in top:
            err.add(top.line_of("schedules"), "schedules: expected a mapping of named schedules")
        return result
    for name, raw in node.items():
        line = node.line_of(name)
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            err.add(line, f"schedule name {name!r}: use lower-case letters, digits, '-' or '_'")
        if isinstance(raw, str) and raw.strip() in ("always", "24/7"):
            raw = {"hours": "always"}
        body = _SCHEDULE.check(raw, err, f"schedule {name!r}", line)
        if body is None or "hours" not in body:
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


def _parse_week(node: Any, line: int, name: str, err: Problems) -> tuple[tuple[Span, ...], ...]:
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


def _parse_ranges(node: Any, line: int, what: str, err: Problems) -> list[Span] | None:
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


def _parse_closures(node: LineList, names: set[str], err: Problems) -> list[Closure]:
    result: list[Closure] = []
    for i, raw in enumerate(node):
        line = line_of(node, i)
        item = _CLOSURE.check(raw, err, "closure", line)
        if item is None:
            continue
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
