"""What a set of queued calls came to, in the measures a force reports, by the report's
own definitions (ivr.analysis.tally.DestinationTally): the log's figures and a
simulation's are counted by the same code as ``ivr report``'s.

Over queue places *offered* (deflected calls never were): the service level is the share
answered on the line within the target ([analysis] answer_target_s); abandonment the
share who hung up waiting; a callback is neither (counted apart); average and
90th-percentile time to answer are over places answered on the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from ivr.analysis.journey import Via, Visit, VisitEnd
from ivr.analysis.settings import AnalysisSettings
from ivr.analysis.tally import DestinationFigures, DestinationTally

SERVICE_TARGET_S = AnalysisSettings().answer_target_s  # [analysis]'s default


class Fate(StrEnum):
    """How a queued call left the queue."""

    ANSWERED = "answered"  # a person answered it on the line
    ABANDONED = "abandoned"  # the caller hung up waiting
    CALLBACK = "callback"  # booked a callback (kept their place off the line)
    OTHER = "other"  # the queue's limit, moved on, broke out to 999, still waiting at the end


VISIT_END = {
    Fate.ANSWERED: VisitEnd.ANSWERED,
    Fate.ABANDONED: VisitEnd.ABANDONED,
    Fate.CALLBACK: VisitEnd.CALLBACK,
    Fate.OTHER: VisitEnd.MOVED_ON,
}


@dataclass(frozen=True, slots=True)
class QueuedCall:
    """One call's time in one queue (a queue place): the unit the figures and the fit count."""

    queue: str
    joined: float  # epoch seconds
    fate: Fate
    waited_s: float  # to the answer, to hanging up, to the callback booking, or to leaving
    handled_s: float | None = None  # talk time once answered (None: not answered)
    call_id: str = ""  # logged calls only

    def visit(self) -> Visit:
        """The place as the analysis package's ``Visit``."""
        at = datetime.fromtimestamp(self.joined, UTC)
        return Visit(self.queue, Via.QUEUE, at, VISIT_END[self.fate], self.waited_s, self.handled_s)


@dataclass(frozen=True, slots=True)
class Figures:
    # counts (floats: a scenario's figures are the mean of its runs)
    offered: float
    answered: float
    abandoned: float
    callbacks: float
    within_target: float
    asa_s: float  # average time to answer (answered on the line)
    p90_s: float  # 90th percentile of it

    @property
    def service_level(self) -> float:
        return self.within_target / self.offered if self.offered else 0.0

    @property
    def abandonment(self) -> float:
        return self.abandoned / self.offered if self.offered else 0.0

    @classmethod
    def of(cls, calls: Iterable[QueuedCall], target_s: float = SERVICE_TARGET_S) -> Figures:
        tally = DestinationTally("", Via.QUEUE, target_s)
        for call in calls:
            tally.add(call.visit())
        return cls.of_destination(tally.figures())

    @classmethod
    def of_destination(cls, found: DestinationFigures) -> Figures:
        """A queue's figures as ``ivr report`` gives them (``Kpis.queue(name)``)."""
        return cls(
            offered=found.offered,
            answered=found.answered,
            abandoned=found.abandoned,
            callbacks=found.callbacks,
            within_target=found.answered_in_target,
            asa_s=found.mean_answer_s or 0.0,
            p90_s=found.p90_answer_s or 0.0,
        )

    @classmethod
    def mean(cls, runs: list[Figures]) -> Figures:
        """The average of several runs: what a scenario is reported as."""
        n = len(runs)
        if n == 0:
            return cls(0, 0, 0, 0, 0, 0.0, 0.0)

        def avg(name: str) -> float:
            return sum(float(getattr(r, name)) for r in runs) / n

        return cls(
            offered=avg("offered"),
            answered=avg("answered"),
            abandoned=avg("abandoned"),
            callbacks=avg("callbacks"),
            within_target=avg("within_target"),
            asa_s=avg("asa_s"),
            p90_s=avg("p90_s"),
        )
