"""Counting without keeping every call: waits by the whole second, and a queue's tally.

A year of calls is folded as it streams by: a wait histogram (one count per whole
second) gives the mean exactly and the 90th percentile to the second, in memory that
does not grow with the number of calls.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from ivr.analysis.journey import Via, Visit, VisitEnd


@dataclass(slots=True)
class WaitHistogram:
    """Seconds, counted by whole second (the mean uses the exact sum)."""

    counts: Counter[int] = field(default_factory=Counter)
    total: float = 0.0
    n: int = 0

    def add(self, seconds: float) -> None:
        self.counts[int(seconds)] += 1
        self.total += seconds
        self.n += 1

    def merge(self, other: WaitHistogram) -> None:
        self.counts.update(other.counts)
        self.total += other.total
        self.n += other.n

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    def percentile(self, share: float) -> float | None:
        """The wait ``share`` (0.9) of counts are at or under, in whole seconds (rounded down)."""
        if not self.n:
            return None
        rank = math.ceil(share * self.n)
        seen = 0
        for second in sorted(self.counts):
            seen += self.counts[second]
            if seen >= rank:
                return float(second)
        return None  # pragma: no cover - the counts add up to n


@dataclass(frozen=True, slots=True)
class DestinationFigures:
    """One queue's or destination's figures for a period.

    ``offered``: places taken (or transfers rung); a refused place (queue full) is
    counted apart. ``service_level``: answered within the target / offered.
    """

    destination: str
    via: Via
    offered: int
    answered: int
    answered_in_target: int
    abandoned: int
    callbacks: int
    gave_up: int
    emergency: int
    unanswered: int
    moved_on: int
    refused: int
    mean_answer_s: float | None
    p90_answer_s: float | None
    mean_talk_s: float | None
    abandoned_by_minute: dict[int, int]

    @property
    def service_level(self) -> float | None:
        return self.answered_in_target / self.offered if self.offered else None

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.offered if self.offered else None

    @property
    def unanswered_rate(self) -> float | None:
        """Offered but never answered by a person (abandoned, rang out, gave up)."""
        lost = self.abandoned + self.unanswered + self.gave_up
        return lost / self.offered if self.offered else None


@dataclass(slots=True)
class DestinationTally:
    """Folds a destination's visits into its figures (answered within ``target_s``)."""

    destination: str
    via: Via
    target_s: float
    ends: Counter[VisitEnd] = field(default_factory=Counter)
    in_target: int = 0
    waits: WaitHistogram = field(default_factory=WaitHistogram)
    talk: WaitHistogram = field(default_factory=WaitHistogram)
    abandoned_minutes: Counter[int] = field(default_factory=Counter)

    def add(self, visit: Visit) -> None:
        self.ends[visit.end] += 1
        if visit.end is VisitEnd.ANSWERED:
            wait = visit.wait_s or 0.0
            self.waits.add(wait)
            if wait <= self.target_s:
                self.in_target += 1
            if visit.talk_s is not None:
                self.talk.add(visit.talk_s)
        elif visit.end is VisitEnd.ABANDONED and visit.wait_s is not None:
            self.abandoned_minutes[int(visit.wait_s // 60)] += 1

    @property
    def offered(self) -> int:
        return sum(self.ends.values()) - self.ends[VisitEnd.REFUSED]

    def figures(self) -> DestinationFigures:
        e = self.ends
        return DestinationFigures(
            destination=self.destination,
            via=self.via,
            offered=self.offered,
            answered=e[VisitEnd.ANSWERED],
            answered_in_target=self.in_target,
            abandoned=e[VisitEnd.ABANDONED],
            callbacks=e[VisitEnd.CALLBACK],
            gave_up=e[VisitEnd.GAVE_UP],
            emergency=e[VisitEnd.EMERGENCY],
            unanswered=e[VisitEnd.UNANSWERED],
            moved_on=e[VisitEnd.MOVED_ON] + e[VisitEnd.OPEN],
            refused=e[VisitEnd.REFUSED],
            mean_answer_s=self.waits.mean,
            p90_answer_s=self.waits.percentile(0.9),
            mean_talk_s=self.talk.mean,
            abandoned_by_minute=dict(sorted(self.abandoned_minutes.items())),
        )
