"""What a set of queued calls came to, in the measures a force reports.

Over calls *offered* to a queue (deflected calls never were): the service level is the
share answered on the line within the target; abandonment the share who hung up waiting;
a callback is neither (counted apart); average and 90th-percentile time to answer are over
calls answered on the line. (ivr.queues.day_result reads its simulated day the same way.)

TODO(lead, on merge): the KPI package (ivr/analysis, issue 14) computes these from the log
too; this module should then use its definitions rather than keep its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

SERVICE_TARGET_S = 300.0  # "90 % answered within 5 minutes" (DOMAIN.md, feature 10)


class Fate(StrEnum):
    """How a queued call left the queue."""

    ANSWERED = "answered"  # a person answered it on the line
    ABANDONED = "abandoned"  # the caller hung up waiting
    CALLBACK = "callback"  # booked a callback (kept their place off the line)
    OTHER = "other"  # moved on by an operator, broke out to 999, still waiting at the end


@dataclass(frozen=True, slots=True)
class QueuedCall:
    """One call's time in one queue: the unit the figures and the fit count."""

    queue: str
    joined: float  # epoch seconds
    fate: Fate
    waited_s: float  # to the answer, to hanging up, or to the callback booking
    handled_s: float | None = None  # talk time once answered (None: not answered)
    call_id: str = ""  # logged calls only


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
        offered = abandoned = callbacks = 0
        waits: list[float] = []
        for call in calls:
            offered += 1
            if call.fate is Fate.ANSWERED:
                waits.append(call.waited_s)
            elif call.fate is Fate.ABANDONED:
                abandoned += 1
            elif call.fate is Fate.CALLBACK:
                callbacks += 1
        return cls(
            offered=offered,
            answered=len(waits),
            abandoned=abandoned,
            callbacks=callbacks,
            within_target=sum(1 for w in waits if w <= target_s),
            asa_s=sum(waits) / len(waits) if waits else 0.0,
            p90_s=percentile(waits, 0.9),
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


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile, nearest rank (0.0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]
