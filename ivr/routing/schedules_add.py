"""Schedules for literal opening hours: reuse one an import added, or add one.

The directory importer hands every ``hours`` cell to a ``ScheduleFinder``: a
schedule name passes as it is; literal hours ("Mon-Fri 09:00-17:00") become a
schedule an earlier import added (``hours-*``) with exactly that week and the same
bank-holiday policy, else a new one with a generated name. An admin's own
schedule with the same week is never taken on: it has closures and a policy of
its own, and changes whenever the admin edits it for its own desk.

An export says nothing of bank holidays, so ``HolidayHours`` (``ivr directory
import --bank-holidays``) decides, and each added schedule says what it got.
``with_added`` writes the new ones into the file's own text, below its other
schedules, so the admin's comments and layout survive; the result is parsed again
before anyone writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import yaml

from ivr.routing.schedules import BankHolidayPolicy, Schedules, SchedulesError
from ivr.routing.schedules_text import HoursTextError, OpeningHours, parse_hours, same_week
from ivr.routing.schedules_yaml import parse_schedules

__all__ = ["IMPORT_PREFIX", "HolidayHours", "NewSchedule", "ScheduleFinder", "with_added"]

IMPORT_PREFIX = "hours-"  # OpeningHours.name(): the schedules an import adds
_NAME_LIKE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SCHEDULES_KEY = re.compile(r"^schedules:\s*(#.*)?$")
_TOP_LEVEL = re.compile(r"^[^\s#]")
_WEEKEND = (5, 6)


class HolidayHours(StrEnum):
    """What the schedules an import adds do on bank holidays (``--bank-holidays``)."""

    AUTO = "auto"  # open if the hours include a weekend day (the desk works days off)
    CLOSED = "closed"
    OPEN = "open"  # the weekday's usual hours

    def policy(self, hours: OpeningHours) -> BankHolidayPolicy:
        if self is HolidayHours.AUTO:
            return "open" if any(hours.week[day] for day in _WEEKEND) else "closed"
        return "closed" if self is HolidayHours.CLOSED else "open"

    def explained(self) -> str:
        """The choice as the import prints it beside each added schedule."""
        if self is HolidayHours.AUTO:
            return "--bank-holidays auto: open if the hours include a weekend day, else closed"
        return f"--bank-holidays {self.value}"


@dataclass(frozen=True, slots=True)
class NewSchedule:
    """A schedule an import adds: its name, week, bank-holiday policy, and source text."""

    name: str
    hours: OpeningHours
    source_text: str
    bank_holidays: BankHolidayPolicy = "closed"

    def describe(self) -> str:
        """ "hours-mon-fri-0900-1700 (Mon-Fri 09:00-17:00): closed on bank holidays"."""
        policy = (
            "open on bank holidays (usual hours)"
            if self.bank_holidays == "open"
            else ("closed on bank holidays")
        )
        return f"{self.name} ({self.hours.text()}): {policy}"


class ScheduleFinder:
    """Turns ``hours`` cells into schedule names of ``schedules``, adding what is missing."""

    def __init__(self, schedules: Schedules, bank_holidays: HolidayHours = HolidayHours.AUTO):
        self._schedules = schedules
        self.bank_holidays = bank_holidays
        self._added: dict[str, NewSchedule] = {}
        self.reused: dict[str, int] = {}  # import-made schedule -> literal cells it stood for

    @property
    def added(self) -> tuple[NewSchedule, ...]:
        return tuple(self._added.values())

    def __call__(self, value: str) -> str:
        """The schedule name to keep for ``value``; "" for hours that never close.

        ValueError names what was wrong and what an hours cell may hold.
        """
        if not value or value in self._schedules.names:
            return value
        try:
            hours = parse_hours(value)
        except HoursTextError as exc:
            if exc.read_nothing and _NAME_LIKE.fullmatch(value):
                # a word like a schedule name and nothing like hours: a typo of a name
                raise ValueError(
                    f"unknown schedule {value!r} (not in schedules.yaml) [schedule-unknown]"
                ) from None
            raise ValueError(f"hours {value!r}: {exc} [hours-invalid]") from None
        if hours.always:
            return ""  # as an empty cell: always open, no schedule to keep
        policy = self.bank_holidays.policy(hours)
        for name, schedule in self._schedules.schedules.items():
            if (
                name.startswith(IMPORT_PREFIX)
                and schedule.bank_holidays == policy
                and same_week(schedule.week, hours.week)
            ):
                self.reused[name] = self.reused.get(name, 0) + 1
                return name
        for new in self._added.values():
            if new.hours == hours and new.bank_holidays == policy:
                return new.name
        name = base = hours.name()
        n = 2
        while name in self._schedules.names or name in self._added:
            name, n = f"{base}-{n}", n + 1  # taken: an admin's, or the week with another policy
        self._added[name] = NewSchedule(name, hours, value, policy)
        return name


def with_added(text: str, added: tuple[NewSchedule, ...], source: str) -> str:
    """schedules.yaml ``text`` with ``added`` at the end of its ``schedules:`` block.

    SchedulesError when the file's ``schedules:`` is not a block mapping (nowhere to
    add a line safely) or when the result does not read back as those very weeks.
    """
    if not added:
        return text
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _SCHEDULES_KEY.match(line)), None)
    if start is None:
        raise SchedulesError(
            [
                f"{source}:0: cannot add schedules: 'schedules:' must be a block mapping"
                " (one schedule per line below it) [schedules-not-editable]"
            ]
        )
    end = next((i for i in range(start + 1, len(lines)) if _TOP_LEVEL.match(lines[i])), len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1  # blank lines and comments before the next key belong to it
    indent = next(
        (
            len(line) - len(line.lstrip())
            for line in lines[start + 1 : end]
            if line.strip() and not line.lstrip().startswith("#")
        ),
        2,
    )
    block = [""] if end > start + 1 else []
    for new in added:
        block.extend(" " * indent + line for line in _yaml_of(new).splitlines())
    result = "\n".join([*lines[:end], *block, *lines[end:]]) + "\n"
    _check(result, added, source)
    return result


def _yaml_of(new: NewSchedule) -> str:
    body = {
        new.name: {
            "description": f"{new.hours.text()} (added by ivr directory import)",
            "hours": new.hours.yaml_hours(),
            "bank_holidays": new.bank_holidays,  # HolidayHours: the export says nothing
        }
    }
    return yaml.safe_dump(body, sort_keys=False, default_flow_style=False, width=200)


def _check(text: str, added: tuple[NewSchedule, ...], source: str) -> None:
    schedules = parse_schedules(text, source)
    for new in added:
        got = schedules.schedules.get(new.name)
        if got is None or not same_week(got.week, new.hours.week):
            raise SchedulesError(
                [f"{source}:0: schedule {new.name!r} did not read back as {new.hours.text()!r}"]
            )
