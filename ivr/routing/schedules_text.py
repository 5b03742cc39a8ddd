"""Opening hours as a force's export writes them: "Mon-Fri 09:00-17:00", "24/7".

A directory export's ``hours`` column holds what staff typed into an HR or
switchboard system, not one of our schedule names. ``parse_hours`` reads the
common ways of writing a week (day names full or short, ``Mon-Fri``, ``9am``,
``0900``, ``09.00``, several ranges a day, ``Sun closed``, overnight
``22:00-06:00``) into the same weekly spans a schedule holds, and refuses
anything else with what it expected: guessing at opening hours would send
callers to a closed phone. ``OpeningHours`` renders them back as text, as a
stable schedule name and as a ``schedules.yaml`` hours mapping, so equal hours
written differently always meet in one schedule.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import pairwise

from ivr.routing.schedules import DAYS, Span

__all__ = ["HoursTextError", "OpeningHours", "parse_hours", "same_week"]

DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
Week = tuple[tuple[Span, ...], ...]
EXPECTED = (
    "expected a schedule name from schedules.yaml or hours like 'Mon-Fri 09:00-17:00',"
    " 'Mon-Sat 8am-8pm; Sun closed', 'Tue 10:00-12:00 14:00-16:00' or '24/7'"
)
_ALWAYS = frozenset({"24/7", "24x7", "24-7", "24/7/365", "always", "24 hours", "24hrs", "24h"})
_DAY_WORDS: dict[str, int] = {}
for _i, _full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday")):
    _DAY_WORDS.update({_full: _i, _full[:3]: _i})
_DAY_WORDS.update({"saturday": 5, "sat": 5, "sunday": 6, "sun": 6})
_DAY_WORDS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3, "thu": 3})
_GROUPS = {
    "daily": tuple(range(7)),
    "every day": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
    "weekend": (5, 6),
}
_DAY = "|".join(sorted(_DAY_WORDS, key=len, reverse=True))
_TIME = r"(?:noon|midnight|\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?|\d{4})"
_TO = r"\s*(?:-|–|—|to|until|till)\s*"
_TOKEN = re.compile(
    rf"(?P<days>(?P<d1>{_DAY})(?:{_TO}(?P<d2>{_DAY}))?)\b"
    rf"|(?P<group>{'|'.join(_GROUPS)})\b"
    rf"|(?P<range>(?P<t1>{_TIME}){_TO}(?P<t2>{_TIME}))(?![\w:.])"
    r"|(?P<allday>all day|24 ?hours|24 ?hrs|24h)\b"
    r"|(?P<closed>closed)\b"
    r"|(?P<skip>[,;:&/+.|]|and\b|open\b|from\b|\s+)"
)


class HoursTextError(ValueError):
    """Literal hours that could not be read; the message says what and what was expected.

    ``read_nothing``: not one word of it was hours (a mistyped schedule name, most likely).
    """

    def __init__(self, message: str, read_nothing: bool = False) -> None:
        super().__init__(message)
        self.read_nothing = read_nothing


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """A week of opening hours: spans per weekday (0 = Monday), split at midnight, merged."""

    week: Week

    @classmethod
    def of(cls, week: Week | list[list[Span]]) -> OpeningHours:
        """The canonical form: each day's spans sorted and joined where they touch."""
        return cls(tuple(_merged(day) for day in week))

    @property
    def always(self) -> bool:
        return all(day == ((0, DAY_MINUTES),) for day in self.week)

    def text(self) -> str:
        """As a person writes it: "Mon-Fri 09:00-17:00; Sat 10:00-12:00 14:00-16:00"."""
        if self.always:
            return "24/7"
        return "; ".join(
            f"{_days_label(days).title()} {' '.join(_clock(s, e) for s, e in ranges)}"
            for days, ranges in self._groups()
        )

    def yaml_hours(self) -> dict[str, str | list[str]]:
        """The ``hours:`` mapping of schedules.yaml ("mon-fri": "09:00-17:00")."""
        result: dict[str, str | list[str]] = {}
        for days, ranges in self._groups():
            texts = [_clock(s, e) for s, e in ranges]
            result[_days_label(days)] = texts[0] if len(texts) == 1 else texts
        return result

    def name(self) -> str:
        """A stable, readable schedule name: "hours-mon-fri-0900-1700"."""
        if self.always:
            return "hours-24-7"
        parts = [
            f"{_days_label(days)}-" + "-".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in ranges)
            for days, ranges in self._groups()
        ]
        name = "hours-" + "-".join(parts)
        if len(name) <= 64:
            return name
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]  # a name, not a secret
        return f"{name[:55].rstrip('-')}-{digest}"

    def _groups(self) -> list[tuple[tuple[int, ...], tuple[Span, ...]]]:
        """Runs of consecutive days with the same ranges (an overnight range kept whole)."""
        per_day = _ranges_by_day(self.week)
        groups: list[tuple[tuple[int, ...], tuple[Span, ...]]] = []
        for day, ranges in enumerate(per_day):
            if not ranges:
                continue
            if groups and groups[-1][1] == ranges and groups[-1][0][-1] == day - 1:
                groups[-1] = ((*groups[-1][0], day), ranges)
            else:
                groups.append(((day,), ranges))
        return groups


def same_week(a: Week, b: Week) -> bool:
    """Equal weekly hours, however each side split or ordered its spans."""
    return OpeningHours.of(a).week == OpeningHours.of(b).week


def parse_hours(text: str) -> OpeningHours:
    """``text`` read as opening hours; HoursTextError says what could not be read."""
    folded = " ".join(text.lower().split())
    if not folded:
        raise HoursTextError(f"hours are empty; {EXPECTED}")
    if folded in _ALWAYS:
        return OpeningHours.of([[(0, DAY_MINUTES)] for _ in range(7)])
    week: list[list[Span]] = [[] for _ in range(7)]
    closed: set[int] = set()
    opened: set[int] = set()  # days given times of their own (not an overnight spill)
    days: list[int] = []
    ranges: list[tuple[int, int]] = []
    shut = False

    def close_group() -> None:
        if not ranges and not shut:
            raise HoursTextError(f"{_label(days)} has no times (add them, or 'closed'); {EXPECTED}")
        again = sorted(opened.intersection(days)) if ranges else []
        if again:
            # "Mon-Fri 09:00-17:00; Mon 10:00-12:00" is a typo as often as split hours:
            # merging would open the day for the union of both, so ask for one list.
            raise HoursTextError(
                f"{DAYS[again[0]].title()} is given times twice (give a day's ranges"
                f" together: 'Mon 09:00-12:00 14:00-16:00'); {EXPECTED}"
            )
        (closed if shut else opened).update(days)
        for day in days:
            for start, end in ranges:
                if end > start:
                    week[day].append((start, end))
                else:  # overnight: until midnight, then the next day from midnight
                    week[day].append((start, DAY_MINUTES))
                    if end:
                        week[(day + 1) % 7].append((0, end))

    position = 0
    while position < len(folded):
        match = _TOKEN.match(folded, position)
        if match is None:
            rest = folded[position:].split(" ")[0]
            raise HoursTextError(
                f"cannot read {rest!r} in {text.strip()!r}; {EXPECTED}", read_nothing=not position
            )
        position = match.end()
        if match.group("skip"):
            continue
        if match.group("days") or match.group("group"):
            if ranges or shut:
                close_group()
                days, ranges, shut = [], [], False
            days.extend(_day_span(match))
            continue
        if not days:
            raise HoursTextError(
                f"{match.group().strip()!r} comes before any day in {text.strip()!r}; {EXPECTED}"
            )
        if match.group("closed"):
            shut = True
        elif match.group("allday"):
            ranges.append((0, DAY_MINUTES))
        else:
            ranges.append(_time_range(match.group("t1"), match.group("t2")))
        if shut and ranges:
            raise HoursTextError(f"{_label(days)} is given times and 'closed'; {EXPECTED}")
    if not days:
        raise HoursTextError(f"no days in {text.strip()!r}; {EXPECTED}")
    close_group()
    both = sorted(closed & opened)
    if both:
        raise HoursTextError(f"{DAYS[both[0]].title()} is both open and closed; {EXPECTED}")
    if not any(week):
        raise HoursTextError(f"no opening times in {text.strip()!r}; {EXPECTED}")
    return OpeningHours.of(week)


def _day_span(match: re.Match[str]) -> tuple[int, ...]:
    if match.group("group"):
        return _GROUPS[match.group("group")]
    first = _DAY_WORDS[match.group("d1")]
    if match.group("d2") is None:
        return (first,)
    last = _DAY_WORDS[match.group("d2")]
    return tuple((first + i) % 7 for i in range((last - first) % 7 + 1))


def _time_range(start_text: str, end_text: str) -> tuple[int, int]:
    start, end = _minutes(start_text, end=False), _minutes(end_text, end=True)
    if start == DAY_MINUTES:
        raise HoursTextError(f"a range cannot start at {start_text.strip()!r}; {EXPECTED}")
    if start == end or (start == 0 and end == 0):
        raise HoursTextError(
            f"{start_text.strip()}-{end_text.strip()} is empty (use 00:00-24:00 for all day);"
            f" {EXPECTED}"
        )
    return start, end


_CLOCK = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(?:([ap])\.?m\.?)?$")


def _minutes(text: str, end: bool) -> int:
    """Minutes after midnight; "24:00", "midnight" or "12am" as an end is the next midnight."""
    token = text.strip()
    if token == "noon":
        return 12 * 60
    if token == "midnight":
        return DAY_MINUTES if end else 0
    if re.fullmatch(r"\d{4}", token):
        hour, minute, half = int(token[:2]), int(token[2:]), None
    else:
        clock = _CLOCK.match(token)
        if clock is None:  # the token pattern and this one agree; kept for safety
            raise HoursTextError(f"cannot read the time {token!r}; {EXPECTED}")
        hour, minute, half = int(clock[1]), int(clock[2] or 0), clock[3]
        if clock[2] is None and half is None:
            raise HoursTextError(f"time {token!r} needs minutes or am/pm (09:00, 9am); {EXPECTED}")
    if half is not None:
        if not 1 <= hour <= 12:
            raise HoursTextError(f"time {token!r}: am/pm hours run 1-12; {EXPECTED}")
        hour = hour % 12 + (12 if half == "p" else 0)
        if hour == 0 and minute == 0 and end:
            return DAY_MINUTES
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise HoursTextError(f"time {token!r} is not within 00:00-24:00; {EXPECTED}")
    return hour * 60 + minute


def _merged(spans: tuple[Span, ...] | list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def _ranges_by_day(week: Week) -> list[tuple[Span, ...]]:
    """Each day's ranges, a range running past midnight into a partial next morning joined
    back into one overnight range (end < start) on the day it starts, as people write it."""
    intervals = _weekly_intervals(week)
    per_day: list[list[Span]] = [[] for _ in range(7)]
    for start, end in intervals:
        pieces: list[tuple[int, int, int]] = []  # (day, start, end) within the day
        cursor = start
        while cursor < end:
            day, offset = divmod(cursor, DAY_MINUTES)
            stop = min(end, (day + 1) * DAY_MINUTES)
            pieces.append((day % 7, offset, stop - day * DAY_MINUTES))
            cursor = stop
        if len(pieces) == 2 and pieces[0][1] > 0 and pieces[1][2] < pieces[0][1]:
            # 22:00-06:00; not a full 24 hours from 00:05 to 00:05, which would read as empty
            pieces = [(pieces[0][0], pieces[0][1], pieces[1][2])]
        for day, s, e in pieces:
            per_day[day].append((s, e))
    return [tuple(sorted(ranges)) for ranges in per_day]


def _weekly_intervals(week: Week) -> list[Span]:
    """Merged [start, end) minutes of the week; one running over Sunday night ends past it."""
    flat = _merged(
        [(d * DAY_MINUTES + s, d * DAY_MINUTES + e) for d, day in enumerate(week) for s, e in day]
    )
    intervals = list(flat)
    if len(intervals) > 1 and intervals[0][0] == 0 and intervals[-1][1] == WEEK_MINUTES:
        first = intervals.pop(0)
        last = intervals.pop()
        intervals.append((last[0], first[1] + WEEK_MINUTES))
    return intervals


def _clock(start: int, end: int) -> str:
    return f"{_hh_mm(start)}-{_hh_mm(end)}"


def _hh_mm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}{minutes % 60:02d}"


def _days_label(days: tuple[int, ...]) -> str:
    return DAYS[days[0]] if len(days) == 1 else f"{DAYS[days[0]]}-{DAYS[days[-1]]}"


def _label(days: list[int]) -> str:
    """ "Mon-Fri" for a run of days, else "Mon, Wed"."""
    ordered = tuple(dict.fromkeys(days))
    if len(ordered) > 1 and all(b == a + 1 for a, b in pairwise(ordered)):
        return _days_label(ordered).title()
    return ", ".join(DAYS[d].title() for d in ordered)
