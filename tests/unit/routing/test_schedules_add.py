"""Hours cells to schedule names: reuse a schedule with the same week, else add one to
schedules.yaml, keeping the admin's comments and whatever follows ``schedules:``."""

from __future__ import annotations

import pytest

from ivr.routing.bundle import DEFAULT_FOLDER
from ivr.routing.schedules import SchedulesError
from ivr.routing.schedules_add import ScheduleFinder, with_added
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


def test_literal_hours_reuse_the_schedule_with_exactly_that_week() -> None:
    find = finder()
    assert find("Mon-Fri 8am-6pm") == "office"
    assert find("monday - friday 0800-1800") == "office"
    assert find("Mon-Sun 16:00-23:00") == "late"
    assert find.added == () and find.reused == {"office": 2, "late": 1}


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
    assert added.bank_holidays == "closed"
    assert "Mon-Sat 08:00-20:00 (added by ivr directory import)" in added.description
    assert schedules.schedules["office"].bank_holidays == "open"


def test_the_shipped_schedules_take_additions_too() -> None:
    shipped = (DEFAULT_FOLDER / "schedules.yaml").read_text(encoding="utf-8")
    find = finder(shipped)
    assert find("Mon-Fri 09:00-17:00") == "firearms-licensing"
    find("Tue 10:00-12:00 14:00-16:00")
    text = with_added(shipped, find.added, "schedules.yaml")
    names = parse_schedules(text).names
    assert names == parse_schedules(shipped).names | {"hours-tue-1000-1200-1400-1600"}


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
