"""Per interval and queue: the figures workforce planning reads (Erlang C's inputs).

A visit counts in the interval it was offered in (joined the queue, or first rang), so
the intervals of a queue add up to its totals in ``Kpis``. Intervals are whole minutes
that divide a day (15, 30, 60...): UK offsets are whole hours, so a UTC boundary is a
local one too. Between a queue's first and last interval, quiet ones are rows of zeros
(planning tools expect every interval).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from ivr.analysis.journey import CallJourney, Via, VisitEnd
from ivr.analysis.kpis import LOCAL

DAY_MINUTES = 24 * 60


class BadInterval(ValueError):
    error_id = "analysis-interval"


def parse_interval(text: str) -> int:
    """'15m', '30m', '1h', '60' -> minutes; it must divide a day."""
    raw = text.strip().lower()
    scale = 60 if raw.endswith("h") else 1
    digits = raw.rstrip("mh")
    if not digits.isdigit() or int(digits) * scale <= 0:
        raise BadInterval(f"not an interval: {text!r} (use 15m, 30m or 1h)")
    minutes = int(digits) * scale
    if DAY_MINUTES % minutes:
        raise BadInterval(f"{text!r} does not divide a day (use 5m, 10m, 15m, 30m or 1h)")
    return minutes


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

    minutes: int = 15
    target_s: float = 300.0
    zone: tzinfo = LOCAL
    cells: dict[tuple[int, str, Via], _Cell] = field(default_factory=dict)

    def add(self, journey: CallJourney) -> None:
        step = self.minutes * 60
        for visit in journey.visits:
            if visit.end is VisitEnd.REFUSED:
                continue
            slot = int(visit.at.timestamp()) // step * step
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
        """Every interval from each queue's first to its last, quiet ones as zeros."""
        step = self.minutes * 60
        spans: dict[tuple[str, Via], tuple[int, int]] = {}
        for slot, queue, via in self.cells:
            low, high = spans.get((queue, via), (slot, slot))
            spans[(queue, via)] = (min(low, slot), max(high, slot))
        if not spans:
            return
        first = min(low for low, _ in spans.values())
        last = max(high for _, high in spans.values())
        for slot in range(first, last + step, step):
            start = datetime.fromtimestamp(slot, UTC).astimezone(self.zone)
            for (queue, via), (low, high) in sorted(spans.items()):
                if not low <= slot <= high:
                    continue
                c = self.cells.get((slot, queue, via), _Cell())
                yield IntervalFigures(
                    start, self.minutes, queue, via, c.offered, c.answered, c.in_target,
                    c.abandoned, c.callbacks, c.wait, c.handle, c.handled,
                )  # fmt: skip
