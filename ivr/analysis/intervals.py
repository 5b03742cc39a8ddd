"""Per interval and queue: the figures workforce planning reads (Erlang C's inputs).

A visit counts in the interval it was offered in (joined the queue, or first rang), so
the intervals of a queue add up to its totals in ``Kpis``. Intervals are whole minutes
that divide an hour (15, 30, 60...): UK offsets are whole hours, so a UTC boundary is a
local one too (a longer interval would start at 01:00 in summer). Every queue seen gets
every interval of the period (``Grid``), quiet ones as rows of zeros (planning tools
expect every interval); a visit outside the period is left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from ivr.analysis.journey import CallJourney, Via, VisitEnd
from ivr.analysis.kpis import LOCAL

HOUR_MINUTES = 60
MAX_DAYS = 366  # the longest period exported at once (a year of 5-minute rows per queue)


class BadInterval(ValueError):
    error_id = "analysis-interval"


def parse_interval(text: str) -> int:
    """'15m', '30m', '1h', '60' -> minutes; it must divide an hour (see the module)."""
    raw = text.strip().lower()
    scale = 60 if raw.endswith("h") else 1
    digits = raw.rstrip("mh")
    if not digits.isdigit() or int(digits) * scale <= 0:
        raise BadInterval(f"not an interval: {text!r} (use 15m, 30m or 1h)")
    minutes = int(digits) * scale
    if minutes > HOUR_MINUTES or HOUR_MINUTES % minutes:
        raise BadInterval(
            f"{text!r} does not divide an hour (use 5m, 10m, 15m, 30m or 1h;"
            " longer intervals would not start on the UK clock's hours)"
        )
    return minutes


@dataclass(frozen=True, slots=True)
class Grid:
    """The period's intervals: from ``start`` (rounded down to an interval) to ``end``."""

    start: datetime
    end: datetime
    minutes: int

    def __post_init__(self) -> None:
        if self.end - self.start > timedelta(days=MAX_DAYS):
            raise BadInterval(f"the period is longer than {MAX_DAYS} days: export it in parts")

    @property
    def step(self) -> int:
        return self.minutes * 60

    @property
    def first(self) -> int:
        return int(self.start.timestamp()) // self.step * self.step

    @property
    def stop(self) -> int:
        return int(self.end.timestamp())

    def slots(self) -> range:
        return range(self.first, self.stop, self.step)


@dataclass(frozen=True, slots=True)
class IntervalFigures:
    """One interval of one queue (or directly transferred destination)."""

    start: datetime  # local time
    minutes: int
    queue: str
    via: Via
    offered: int
    answered: int
    answered_in_target: int
    abandoned: int
    callbacks: int
    answer_wait_s: float  # summed over the answered calls
    handle_s: float  # talk time summed over the answered calls whose end is logged
    handled: int  # answered calls with a talk time

    @property
    def asa_s(self) -> float | None:
        """Average speed of answer."""
        return self.answer_wait_s / self.answered if self.answered else None

    @property
    def aht_s(self) -> float | None:
        """Average handling time (talk time; wrap-up is not logged)."""
        return self.handle_s / self.handled if self.handled else None


@dataclass(slots=True)
class _Cell:
    offered: int = 0
    answered: int = 0
    in_target: int = 0
    abandoned: int = 0
    callbacks: int = 0
    wait: float = 0.0
    handle: float = 0.0
    handled: int = 0


@dataclass(slots=True)
class IntervalCollector:
    """Folds journeys into per-interval, per-queue cells; ``rows()`` in time order."""

    grid: Grid
    target_s: float = 300.0
    zone: tzinfo = LOCAL
    cells: dict[tuple[int, str, Via], _Cell] = field(default_factory=dict)
    queues: set[tuple[str, Via]] = field(default_factory=set)
    outside: int = 0  # visits outside the grid (a call late in the period, a stray time)

    def add(self, journey: CallJourney) -> None:
        step = self.grid.step
        for visit in journey.visits:
            if visit.end is VisitEnd.REFUSED:
                continue
            stamp = visit.at.timestamp()
            if not self.grid.first <= stamp < self.grid.stop:
                self.outside += 1
                continue
            slot = int(stamp) // step * step
            self.queues.add((visit.destination, visit.via))
            key = (slot, visit.destination, visit.via)
            cell = self.cells.get(key)
            if cell is None:
                cell = self.cells[key] = _Cell()
            cell.offered += 1
            if visit.end is VisitEnd.ANSWERED:
                wait = visit.wait_s or 0.0
                cell.answered += 1
                cell.wait += wait
                cell.in_target += wait <= self.target_s
                if visit.talk_s is not None:
                    cell.handle += visit.talk_s
                    cell.handled += 1
            elif visit.end is VisitEnd.ABANDONED:
                cell.abandoned += 1
            elif visit.end is VisitEnd.CALLBACK:
                cell.callbacks += 1

    def add_all(self, journeys: Iterable[CallJourney]) -> IntervalCollector:
        for journey in journeys:
            self.add(journey)
        return self

    def rows(self) -> Iterator[IntervalFigures]:
        """Every interval of the grid for every queue seen, quiet ones as zeros."""
        queues = sorted(self.queues)
        for slot in self.grid.slots():
            start = datetime.fromtimestamp(slot, UTC).astimezone(self.zone)
            for queue, via in queues:
                c = self.cells.get((slot, queue, via), _Cell())
                yield IntervalFigures(
                    start, self.grid.minutes, queue, via, c.offered, c.answered, c.in_target,
                    c.abandoned, c.callbacks, c.wait, c.handle, c.handled,
                )  # fmt: skip
