"""Hours cells to schedule names: reuse a schedule an import added with the same week and
bank-holiday policy, else add one to schedules.yaml, keeping the admin's comments and
whatever follows ``schedules:``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.routing.bundle import DEFAULT_FOLDER
from ivr.routing.schedules import SchedulesError
from ivr.routing.schedules_add import HolidayHours, NewSchedule, ScheduleFinder, with_added
from ivr.routing.schedules_text import parse_hours, same_week
from ivr.routing.schedules_yaml import parse_schedules

FILE = """\
# Opening hours: admins edit this file.
timezone: Europe/London

schedules:
  office:            # day duty
    hours:
      mon-fri: "08:00-18:00"
    bank_holidays: open
  # the late desk
  late: {hours: {daily: "16:00-23:00"}}

# one-off closures
closures: []
"""


def finder(text: str = FILE) -> ScheduleFinder:
    return ScheduleFinder(parse_schedules(text, "schedules.yaml"))


def test_a_schedule_name_and_an_empty_cell_pass_unchanged() -> None:
    find = finder()
    assert (find("office"), find("")) == ("office", "")
    assert find.added == () and find.reused == {}


def test_literal_hours_never_take_on_an_admin_s_schedule_with_the_same_week() -> None:
    """``office`` has the week of "Mon-Fri 8am-6pm", but also its own bank-holiday policy and
    closures, and it changes whenever an admin edits it: a desk's hours get their own."""
    find = finder()
    assert find("Mon-Fri 8am-6pm") == "hours-mon-fri-0800-1800"
    assert find("monday - friday 0800-1800") == "hours-mon-fri-0800-1800"
    assert find("Mon-Sun 16:00-23:00") == "hours-mon-sun-1600-2300"
    assert find.reused == {}
    assert [new.name for new in find.added] == [
        "hours-mon-fri-0800-1800",
        "hours-mon-sun-1600-2300",
    ]


def test_an_import_made_schedule_with_the_same_week_and_policy_is_reused() -> None:
    earlier = with_added(FILE, _added("Mon-Fri 09:00-17:00"), "schedules.yaml")
    find = finder(earlier)
    assert find("mon-fri 9am-5pm") == "hours-mon-fri-0900-1700"
    assert find.added == () and find.reused == {"hours-mon-fri-0900-1700": 1}
    # the same week kept open on bank holidays is another schedule
    find = ScheduleFinder(parse_schedules(earlier), HolidayHours.OPEN)
    assert find("Mon-Fri 09:00-17:00") == "hours-mon-fri-0900-1700-2"
    assert find.added[0].bank_holidays == "open" and find.reused == {}


def test_bank_holidays_by_default_follow_the_weekend_and_the_option_overrides() -> None:
    """A desk open at weekends works the days others have off: open on bank holidays (its
    usual hours); weekday-only hours close. ``--bank-holidays`` sets one policy for all."""
    find = finder()
    find("Mon-Fri 09:00-17:00")
    find("Daily 18:00-08:00")
    find("Sat 10:00-14:00")
    assert [(n.name, n.bank_holidays) for n in find.added] == [
        ("hours-mon-fri-0900-1700", "closed"),
        ("hours-mon-sun-1800-0800", "open"),
        ("hours-sat-1000-1400", "open"),
    ]
    for choice, policy in ((HolidayHours.CLOSED, "closed"), (HolidayHours.OPEN, "open")):
        find = ScheduleFinder(parse_schedules(FILE), choice)
        find("Mon-Fri 09:00-17:00")
        find("Daily 18:00-08:00")
        assert {n.bank_holidays for n in find.added} == {policy}


def test_an_out_of_hours_service_added_by_default_is_open_on_christmas_night() -> None:
    find = finder()
    name = find("Daily 18:00-08:00")
    schedules = parse_schedules(with_added(FILE, find.added, "schedules.yaml"))
    christmas_night = datetime(2026, 12, 25, 21, 0, tzinfo=ZoneInfo("Europe/London"))
    assert schedules.is_bank_holiday(christmas_night)
    assert schedules.is_open(name, christmas_night)


def test_each_added_schedule_says_its_bank_holiday_policy() -> None:
    find = finder()
    find("Mon-Fri 09:00-17:00")
    find("Daily 18:00-08:00")
    assert [n.describe() for n in find.added] == [
        "hours-mon-fri-0900-1700 (Mon-Fri 09:00-17:00): closed on bank holidays",
        "hours-mon-sun-1800-0800 (Mon-Sun 18:00-08:00): open on bank holidays (usual hours)",
    ]


def _added(cell: str) -> tuple[NewSchedule, ...]:
    find = finder()
    find(cell)
    return find.added


def test_other_hours_add_one_schedule_each_under_a_generated_name() -> None:
    find = finder()
    assert find("Mon-Fri 09:00-17:00") == "hours-mon-fri-0900-1700"
    assert find("mon-fri 9am-5pm") == "hours-mon-fri-0900-1700"  # the same week: once
    assert find("Mon-Fri 08:00-17:00") == "hours-mon-fri-0800-1700"  # one hour off: not office
    assert [new.name for new in find.added] == [
        "hours-mon-fri-0900-1700",
        "hours-mon-fri-0800-1700",
    ]
    assert find.added[0].source_text == "Mon-Fri 09:00-17:00"


def test_always_open_needs_no_schedule() -> None:
    assert finder()("24/7") == ""


def test_a_generated_name_an_admin_already_used_gets_a_suffix() -> None:
    taken = FILE.replace(
        "  late:", '  hours-mon-fri-0900-1700: {hours: {sat: "09:00-17:00"}}\n  late:'
    )
    assert finder(taken)("Mon-Fri 09:00-17:00") == "hours-mon-fri-0900-1700-2"


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("ofice", "unknown schedule 'ofice' (not in schedules.yaml) [schedule-unknown]"),
        ("Mon-Fri 9-5", "hours 'Mon-Fri 9-5': time '9' needs minutes or am/pm"),
        ("weekdays", "hours 'weekdays': Mon-Fri has no times"),
        ("office-hours-2", "unknown schedule 'office-hours-2'"),
        ("mon-fri-day", "hours 'mon-fri-day': cannot read '-day'"),
    ],
)
def test_a_bad_cell_says_why(cell: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        finder()(cell)
    assert str(caught.value).startswith(message)


def test_added_schedules_go_at_the_end_of_the_block_and_the_rest_is_kept() -> None:
    find = finder()
    find("Mon-Sat 08:00-20:00; Sun closed")
    find("daily 22:00-06:00")
    text = with_added(FILE, find.added, "schedules.yaml")
    assert text.startswith(FILE.split("# one-off closures")[0].rstrip("\n") + "\n\n  hours-mon-sat")
    assert text.endswith("\n# one-off closures\nclosures: []\n")
    assert "  office:            # day duty\n" in text and "  # the late desk\n" in text
    schedules = parse_schedules(text, "schedules.yaml")
    assert list(schedules.schedules) == [
        "office",
        "late",
        "hours-mon-sat-0800-2000",
        "hours-mon-sun-2200-0600",
    ]
    added = schedules.schedules["hours-mon-sat-0800-2000"]
    assert same_week(added.week, parse_hours("Mon-Sat 08:00-20:00").week)
    assert added.bank_holidays == "open"  # it opens on Saturdays: see the default below
    assert "Mon-Sat 08:00-20:00 (added by ivr directory import)" in added.description
    assert schedules.schedules["office"].bank_holidays == "open"


def test_the_shipped_schedules_take_additions_too() -> None:
    shipped = (DEFAULT_FOLDER / "schedules.yaml").read_text(encoding="utf-8")
    find = finder(shipped)
    # firearms-licensing has this week, and closures and edits of its own: not reused
    assert find("Mon-Fri 09:00-17:00") == "hours-mon-fri-0900-1700"
    find("Tue 10:00-12:00 14:00-16:00")
    text = with_added(shipped, find.added, "schedules.yaml")
    names = parse_schedules(text).names
    assert names == parse_schedules(shipped).names | {
        "hours-mon-fri-0900-1700",
        "hours-tue-1000-1200-1400-1600",
    }


def test_nothing_added_leaves_the_text_alone() -> None:
    assert with_added(FILE, (), "schedules.yaml") == FILE


def test_a_flow_style_schedules_mapping_is_refused_not_rewritten() -> None:
    flow = 'schedules: {office: {hours: {mon-fri: "08:00-18:00"}}}\n'
    find = finder(flow)
    find("Mon-Fri 09:00-17:00")
    with pytest.raises(SchedulesError) as caught:
        with_added(flow, find.added, "schedules.yaml")
    assert caught.value.errors == [
        "schedules.yaml:0: cannot add schedules: 'schedules:' must be a block mapping"
        " (one schedule per line below it) [schedules-not-editable]"
    ]
