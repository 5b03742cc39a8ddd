"""Literal opening hours from a directory export: what reads, what is refused, round trips.

Weeks are written as {day: [(start, end) minutes]} so a case says exactly which
minutes are open; the round trips check that the text, the generated
schedules.yaml hours and the name all describe the one week they came from.
"""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.routing.schedules_text import (
    DAY_MINUTES,
    HoursTextError,
    OpeningHours,
    parse_hours,
    same_week,
)
from ivr.routing.schedules_yaml import parse_schedules

H = 60
NINE_TO_FIVE = [(9 * H, 17 * H)]


def week(**days: list[tuple[int, int]]) -> OpeningHours:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return OpeningHours.of([days.get(name, []) for name in names])


def on(days: str, spans: list[tuple[int, int]]) -> OpeningHours:
    """The same spans on each of ``days`` ("mon tue wed")."""
    return week(**{day: spans for day in days.split()})


def weekdays(spans: list[tuple[int, int]]) -> OpeningHours:
    return on("mon tue wed thu fri", spans)


ALWAYS = on("mon tue wed thu fri sat sun", [(0, DAY_MINUTES)])
NIGHTS = [(0, 6 * H), (22 * H, DAY_MINUTES)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon-Fri 09:00-17:00", weekdays(NINE_TO_FIVE)),
        ("mon-fri 9am-5pm", weekdays(NINE_TO_FIVE)),
        ("MONDAY - FRIDAY 0900-1700", weekdays(NINE_TO_FIVE)),
        ("Monday to Friday 9:00 am to 5:00 pm", weekdays(NINE_TO_FIVE)),
        ("Mon-Fri: 09.00-17.00", weekdays(NINE_TO_FIVE)),
        ("weekdays 9am-5pm", weekdays(NINE_TO_FIVE)),
        ("Mon, Tue, Wed, Thu, Fri 09:00-17:00", weekdays(NINE_TO_FIVE)),
        ("24/7", ALWAYS),
        ("Always", ALWAYS),
        ("daily 00:00-24:00", ALWAYS),
        (
            "Mon-Sat 08:00-20:00; Sun closed",
            on("mon tue wed thu fri sat", [(8 * H, 20 * H)]),
        ),
        (
            "Mon-Thu 08:00-18:00, Fri 08:00-16:30",
            week(
                mon=[(8 * H, 18 * H)],
                tue=[(8 * H, 18 * H)],
                wed=[(8 * H, 18 * H)],
                thu=[(8 * H, 18 * H)],
                fri=[(8 * H, 16 * H + 30)],
            ),
        ),
        ("Tue 10:00-12:00 14:00-16:00", week(tue=[(10 * H, 12 * H), (14 * H, 16 * H)])),
        ("Tue 10:00-12:00, 14:00-16:00", week(tue=[(10 * H, 12 * H), (14 * H, 16 * H)])),
        ("Tue 10:00-12:00 12:00-16:00", week(tue=[(10 * H, 16 * H)])),
        ("Sat 12pm-12am", week(sat=[(12 * H, DAY_MINUTES)])),
        ("Sat noon-midnight", week(sat=[(12 * H, DAY_MINUTES)])),
        ("Sat 9.30am-1pm", week(sat=[(9 * H + 30, 13 * H)])),
        ("Sat-Sun 24 hours", week(sat=[(0, DAY_MINUTES)], sun=[(0, DAY_MINUTES)])),
        (
            "Fri-Mon 10:00-14:00",
            on("fri sat sun mon", [(10 * H, 14 * H)]),
        ),
        # overnight: until midnight, and the next morning; Sunday night runs into Monday
        (
            "daily 22:00-06:00",
            on("mon tue wed thu fri sat sun", NIGHTS),
        ),
        ("Sun 22:00-06:00", week(sun=[(22 * H, DAY_MINUTES)], mon=[(0, 6 * H)])),
        ("Fri 18:00-00:00", week(fri=[(18 * H, DAY_MINUTES)])),
        # a night that spills into a closed day is that night's, not the day's own hours
        ("Sat 22:00-02:00; Sun closed", week(sat=[(22 * H, DAY_MINUTES)], sun=[(0, 2 * H)])),
    ],
)
def test_literal_hours_read_as_the_week_they_say(text: str, expected: OpeningHours) -> None:
    assert parse_hours(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "hours are empty"),
        ("ofice-hours", "cannot read 'ofice-hours'"),
        ("Mon-Fri 9-5", "time '9' needs minutes or am/pm"),
        ("09:00-17:00", "'09:00-17:00' comes before any day"),
        ("Mon-Fri", "Mon-Fri has no times (add them, or 'closed')"),
        ("Mon 13pm-2pm", "time '13pm': am/pm hours run 1-12"),
        ("Mon 10:00-25:00", "time '25:00' is not within 00:00-24:00"),
        ("Mon 10:60-11:00", "time '10:60' is not within"),
        ("Mon 10:00-10:00", "10:00-10:00 is empty"),
        ("Mon 24:00-06:00", "a range cannot start at '24:00'"),
        ("Mon-Sun 9am-5pm; Sun closed", "Sun is both open and closed"),
        ("Mon 09:00-17:00 closed", "Mon is given times and 'closed'"),
        # a day given times twice: a typo as likely as split hours, so never merged silently
        ("Mon-Fri 09:00-17:00; Mon 10:00-12:00", "Mon is given times twice"),
        ("Mon 09:00-12:00, Wed 10:00-11:00, mon 14:00-16:00", "Mon is given times twice"),
        ("Sun closed", "no opening times"),
        ("Mon-Fri 09:00-17:00 except bank holidays", "cannot read 'except'"),
    ],
)
def test_unreadable_hours_say_what_and_what_was_expected(text: str, fragment: str) -> None:
    with pytest.raises(HoursTextError) as caught:
        parse_hours(text)
    message = str(caught.value)
    assert fragment in message
    assert message.endswith("'Tue 10:00-12:00 14:00-16:00' or '24/7'")


@pytest.mark.parametrize(
    ("text", "shown", "name", "hours"),
    [
        (
            "mon-fri 9am-5pm",
            "Mon-Fri 09:00-17:00",
            "hours-mon-fri-0900-1700",
            {"mon-fri": "09:00-17:00"},
        ),
        (
            "Mon-Sat 08:00-20:00; Sun closed",
            "Mon-Sat 08:00-20:00",
            "hours-mon-sat-0800-2000",
            {"mon-sat": "08:00-20:00"},
        ),
        (
            "Mon-Thu 08:00-18:00, Fri 08:00-16:30",
            "Mon-Thu 08:00-18:00; Fri 08:00-16:30",
            "hours-mon-thu-0800-1800-fri-0800-1630",
            {"mon-thu": "08:00-18:00", "fri": "08:00-16:30"},
        ),
        (
            "Tue 10:00-12:00 14:00-16:00",
            "Tue 10:00-12:00 14:00-16:00",
            "hours-tue-1000-1200-1400-1600",
            {"tue": ["10:00-12:00", "14:00-16:00"]},
        ),
        (
            "daily 22:00-06:00",
            "Mon-Sun 22:00-06:00",
            "hours-mon-sun-2200-0600",
            {"mon-sun": "22:00-06:00"},
        ),
        ("24/7", "24/7", "hours-24-7", {"mon-sun": "00:00-24:00"}),
    ],
)
def test_hours_are_shown_named_and_written_as_people_write_them(
    text: str, shown: str, name: str, hours: dict[str, object]
) -> None:
    parsed = parse_hours(text)
    assert (parsed.text(), parsed.name(), parsed.yaml_hours()) == (shown, name, hours)


def test_the_same_week_written_two_ways_is_one_name() -> None:
    a = parse_hours("Monday-Friday 9am to 5pm")
    b = parse_hours("mon,tue,wed,thu,fri 0900-1700")
    assert a == b and a.name() == b.name()
    assert same_week(a.week, (((9 * H, 12 * H), (12 * H, 17 * H)),) * 5 + ((), ()))


def test_a_long_name_is_cut_but_stays_stable_and_distinct() -> None:
    a = parse_hours(
        "Mon 08:00-09:00; Tue 08:00-10:00; Wed 08:00-11:00; Thu 08:00-12:00; Fri 08:00-13:00"
    )
    b = parse_hours(
        "Mon 08:00-09:00; Tue 08:00-10:00; Wed 08:00-11:00; Thu 08:00-12:00; Fri 08:00-14:00"
    )
    assert len(a.name()) <= 64 and len(b.name()) <= 64
    assert a.name() != b.name()
    assert a.name() == parse_hours(a.text()).name()


# --- round trips ------------------------------------------------------------------------

# No deadline: on a loaded machine a first example can take longer than hypothesis's 200 ms,
# which says nothing about the parsing.
UNTIMED = settings(deadline=None)


@st.composite
def weeks(draw: st.DrawFn) -> OpeningHours:
    """Any week: each day a few spans on a 5-minute grid, touching and overlapping allowed."""
    days = []
    for _ in range(7):
        points = draw(st.lists(st.integers(0, DAY_MINUTES // 5), max_size=6, unique=True))
        points = sorted(p * 5 for p in points)
        days.append([(a, b) for a, b in zip(points[::2], points[1::2], strict=False) if a < b])
    hours = OpeningHours.of(days)
    return hours if any(hours.week) else draw(weeks())


@given(weeks())
@UNTIMED
def test_the_text_of_any_week_reads_back_as_that_week(hours: OpeningHours) -> None:
    assert parse_hours(hours.text()) == hours


def test_a_full_day_from_just_after_midnight_reads_back_not_as_an_empty_range() -> None:
    # Found by Hypothesis: Sat 00:05 to Sun 00:05 was written "sat: 00:05-00:05" (empty).
    hours = OpeningHours(week=((), (), (), (), (), ((5, 1440),), ((0, 5),)))
    text = yaml.safe_dump({"schedules": {hours.name(): {"hours": hours.yaml_hours()}}})
    assert same_week(parse_schedules(text).schedules[hours.name()].week, hours.week)
    assert parse_hours(hours.text()) == hours


@given(weeks())
@UNTIMED
def test_the_schedules_yaml_of_any_week_reads_back_as_that_week(hours: OpeningHours) -> None:
    text = yaml.safe_dump({"schedules": {hours.name(): {"hours": hours.yaml_hours()}}})
    schedule = parse_schedules(text).schedules[hours.name()]
    assert same_week(schedule.week, hours.week)


@given(weeks())
@UNTIMED
def test_any_week_has_a_valid_stable_schedule_name(hours: OpeningHours) -> None:
    name = hours.name()
    assert re.fullmatch(r"hours-[a-z0-9][a-z0-9-]*", name) and len(name) <= 64
    assert parse_hours(hours.text()).name() == name
