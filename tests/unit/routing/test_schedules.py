"""Opening hours: local wall-clock times across DST, bank holidays, closures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.routing.bundle import DEFAULT_FOLDER
from ivr.routing.schedules import Schedules, SchedulesError
from ivr.routing.schedules_yaml import load_schedules, parse_schedules

LONDON = ZoneInfo("Europe/London")
GOOD = Path(__file__).parent / "fixtures" / "rules" / "good" / "schedules_overnight.yaml"


@pytest.fixture(scope="module")
def shipped() -> Schedules:
    return load_schedules(DEFAULT_FOLDER / "schedules.yaml")


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("name", "at", "is_open"),
    [
        ("rc-hours", local(2026, 11, 24, 7, 59), False),  # Tuesday
        ("rc-hours", local(2026, 11, 24, 8, 0), True),
        ("rc-hours", local(2026, 11, 24, 19, 59), True),
        ("rc-hours", local(2026, 11, 24, 20, 0), False),
        ("rc-hours", local(2026, 11, 28, 9, 0), True),  # Saturday 09:00-17:00
        ("rc-hours", local(2026, 11, 28, 17, 0), False),
        ("rc-hours", local(2026, 11, 29, 12, 0), False),  # Sunday
        ("rc-hours", local(2026, 12, 25, 10, 0), True),  # bank holiday hours 09:00-17:00
        ("rc-hours", local(2026, 12, 25, 18, 0), False),
        ("firearms-licensing", local(2026, 12, 25, 10, 0), False),  # closed on bank holidays
        ("firearms-licensing", local(2026, 11, 24, 16, 59), True),
        ("firearms-licensing", local(2026, 11, 24, 17, 0), False),
        ("switchboard", local(2026, 12, 25, 3, 0), True),
        ("live-chat", local(2026, 11, 29, 21, 59), True),
        ("live-chat", local(2026, 11, 29, 22, 0), False),
        ("no-such-schedule", local(2026, 11, 24, 12, 0), False),
    ],
)
def test_shipped_hours(shipped: Schedules, name: str, at: datetime, is_open: bool) -> None:
    assert shipped.is_open(name, at) is is_open


def test_hours_are_local_wall_clock_in_summer_and_winter(shipped: Schedules) -> None:
    # 07:30 UTC is 08:30 BST in July (open) but 07:30 GMT in January (closed).
    assert shipped.is_open("rc-hours", datetime(2026, 7, 1, 7, 30, tzinfo=UTC))
    assert not shipped.is_open("rc-hours", datetime(2026, 1, 6, 7, 30, tzinfo=UTC))
    # Naive times are taken as already local.
    assert shipped.is_open("rc-hours", datetime(2026, 1, 6, 8, 30))


def test_dst_change_days(shipped: Schedules) -> None:
    # Sunday 29 March 2026, clocks go forward at 01:00 UTC; live chat opens 08:00 BST = 07:00 UTC.
    assert not shipped.is_open("live-chat", datetime(2026, 3, 29, 6, 59, tzinfo=UTC))
    assert shipped.is_open("live-chat", datetime(2026, 3, 29, 7, 0, tzinfo=UTC))
    # Sunday 25 October 2026, clocks go back; 08:00 GMT = 08:00 UTC.
    assert not shipped.is_open("live-chat", datetime(2026, 10, 25, 7, 59, tzinfo=UTC))
    assert shipped.is_open("live-chat", datetime(2026, 10, 25, 8, 0, tzinfo=UTC))


def test_bank_holidays_come_from_the_package(shipped: Schedules) -> None:
    assert shipped.holiday_name(date(2026, 4, 6)) == "Easter Monday"
    assert shipped.is_bank_holiday(date(2026, 12, 28))  # Boxing Day (observed)
    assert not shipped.is_bank_holiday(date(2026, 11, 24))
    assert shipped.is_bank_holiday(date(2031, 12, 25))  # years are expanded on demand
    # 23:30 UTC on 24 Dec is 23:30 local: not yet Christmas
    assert not shipped.is_bank_holiday(datetime(2026, 12, 24, 23, 30, tzinfo=UTC))
    # 23:30 UTC on 30 Aug is 00:30 BST on 31 Aug, the Late Summer Bank Holiday
    assert shipped.is_bank_holiday(datetime(2026, 8, 30, 23, 30, tzinfo=UTC))


def test_extra_days_exclusions_overnight_and_closures() -> None:
    s = load_schedules(GOOD)
    assert s.holiday_name(date(2030, 6, 3)) == "extra closure day"
    assert s.holiday_name(date(2030, 6, 4)) == "Force open day"
    assert not s.is_bank_holiday(date(2030, 12, 26))  # not_holidays
    # Monday 22:00-06:00 runs into Tuesday morning
    assert s.is_open("nights", local(2030, 1, 7, 23, 0))
    assert s.is_open("nights", local(2030, 1, 8, 5, 59))
    assert not s.is_open("nights", local(2030, 1, 8, 6, 0))
    assert not s.is_open("nights", local(2030, 1, 8, 23, 0))  # Tuesday night
    assert s.is_open("nights", local(2030, 1, 12, 11, 0)) and not s.is_open(
        "nights", local(2030, 1, 12, 13, 0)
    )
    # Bank holiday (Easter Monday 2030-04-22): only 12:00-13:00
    assert s.is_open("nights", local(2030, 4, 22, 12, 30))
    assert not s.is_open("nights", local(2030, 4, 22, 23, 0))
    # Closures: whole day for one schedule; a period for all
    assert not s.is_open("nights", local(2030, 7, 1, 23, 0))
    assert s.is_open("always-on", local(2030, 7, 1, 23, 0))
    assert not s.is_open("always-on", local(2030, 7, 2, 11, 0))
    assert s.explain("always-on", local(2030, 7, 2, 11, 0)) == "always-on closed (fire drill)"
    assert s.is_open("always-on", local(2030, 7, 2, 12, 0))


def test_ignore_closures_keeps_a_human_reachable(shipped: Schedules) -> None:
    text = (
        (DEFAULT_FOLDER / "schedules.yaml")
        .read_text()
        .replace("closures: []", "closures:\n  - {date: 2026-11-24, reason: strike}")
    )
    s = parse_schedules(text)
    at = local(2026, 11, 24, 12, 0)
    assert not s.is_open("rc-hours", at)
    assert s.explain("rc-hours", at) == "rc-hours closed (strike)"
    assert s.is_open("switchboard", at)


def test_explain_names_the_bank_holiday(shipped: Schedules) -> None:
    assert (
        shipped.explain("firearms-licensing", local(2026, 4, 6, 10, 0))
        == "firearms-licensing closed (bank holiday: Easter Monday)"
    )
    assert shipped.explain("rc-hours", local(2026, 11, 24, 10, 0)) == "rc-hours open"


def test_errors_are_collected_not_first_only() -> None:
    with pytest.raises(SchedulesError) as info:
        parse_schedules("schedules:\n  a: {hours: {mon: nope}}\n  b: {hours: {tue: '9-5'}}\n")
    assert len(info.value.errors) == 2
    assert info.value.errors[0].startswith("schedules.yaml:2: ")
    with pytest.raises(SchedulesError, match=r"schedules\.yaml:1: expected a mapping"):
        parse_schedules("[]")
    with pytest.raises(SchedulesError, match="duplicate key"):
        parse_schedules("schedules:\n  a: always\n  a: always\n")
