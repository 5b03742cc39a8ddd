"""Demand fitted from the logged calls: who calls when, how long they talk, how long
they wait before giving up.

- **Arrivals**: per queue, the mean count of calls joining in each 15-minute slot of each
  weekday (UK local time), over the times that slot occurred in the period (a clock
  change day has 92 or 100 slots: the October repeated hour's slots occur twice, the
  March lost hour's not at all); simulated as a Poisson process at that rate, slot by
  slot, on the same local clock (``slot_starts``).
- **Handling**: the empirical distribution of answered calls' talk times, per queue
  (resampled). Wrap-up is not logged, so it is not in it.
- **Patience**: the Kaplan-Meier estimate of the time callers will wait before hanging
  up. An answered (or called back) caller's wait is *censored*: they would have waited at
  least that long. Beyond the longest wait seen, an exponential tail at the mean hazard
  (abandonments over total time waited).
- **Staffing**: the agents the log shows answering each queue (``dial`` events); a
  scenario's ``--agents Q=N`` replaces it.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from ivr.whatif.figures import Fate, QueuedCall
from ivr.whatif.source import QueueLog

LOCAL = ZoneInfo("Europe/London")
SLOT_S = 15 * 60
SLOTS_PER_DAY = 24 * 3600 // SLOT_S


def slot_of(epoch: float) -> tuple[int, int]:
    """(weekday 0 = Monday, 15-minute slot of the day), in UK local time."""
    local = datetime.fromtimestamp(epoch, LOCAL)
    return local.weekday(), (local.hour * 3600 + local.minute * 60) // SLOT_S


def slot_starts(midnight: datetime) -> list[tuple[float, int]]:
    """A local day's 15-minute slots as they happen: (start, epoch seconds; its slot of
    the day on the local clock). UK offsets are whole hours, so every real quarter hour
    from midnight to the next midnight starts a local one, DST days included."""
    start = midnight.timestamp()
    end = (midnight + timedelta(days=1, hours=2)).replace(hour=0).timestamp()
    steps = round((end - start) / SLOT_S)
    return [(start + n * SLOT_S, slot_of(start + n * SLOT_S)[1]) for n in range(steps)]


def days_between(first: float, last: float) -> list[datetime]:
    """Each local midnight from ``first``'s day to ``last``'s, inclusive."""
    day = datetime.fromtimestamp(first, LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    end = datetime.fromtimestamp(last, LOCAL)
    days = []
    while day <= end:
        days.append(day)
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)  # DST-safe step
    return days


@dataclass(frozen=True)
class Patience:
    """Kaplan-Meier survival of patience: ``times`` where callers gave up, ``survival``
    just after each; beyond the last, an exponential tail at ``tail_rate`` per second."""

    times: tuple[float, ...]
    survival: tuple[float, ...]
    tail_rate: float

    @classmethod
    def fit(cls, calls: list[QueuedCall]) -> Patience:
        events: Counter[float] = Counter()
        censored: Counter[float] = Counter()
        for call in calls:
            if call.fate is Fate.ABANDONED:
                events[call.waited_s] += 1
            else:
                censored[call.waited_s] += 1
        at_risk = len(calls)
        times, survival, s = [], [], 1.0
        for t in sorted(set(events) | set(censored)):
            if events[t]:
                s *= 1.0 - events[t] / at_risk
                times.append(t)
                survival.append(s)
            at_risk -= events[t] + censored[t]
        exposure = sum(c.waited_s for c in calls)
        rate = sum(events.values()) / exposure if exposure > 0 else 0.0
        return cls(tuple(times), tuple(survival), rate)

    def at(self, t: float) -> float:
        """S(t): the share still willing to wait after ``t`` seconds."""
        i = bisect.bisect_right(self.times, t)
        if i == 0:
            return 1.0
        s = self.survival[i - 1]
        if t > self.times[-1] and self.tail_rate > 0:
            s *= math.exp(-self.tail_rate * (t - self.times[-1]))
        return s

    def median(self) -> float:
        return self.quantile(0.5)

    def quantile(self, q: float) -> float:
        """The patience a share ``q`` of callers has given up by."""
        return self._draw(1.0 - q)

    def draw(self, rng: random.Random) -> float:
        return self._draw(rng.random())

    @cached_property
    def _falling(self) -> list[float]:
        return [-s for s in self.survival]  # ascending, for bisect

    def _draw(self, u: float) -> float:
        """Inverse of S: the first time S falls to ``u`` or below (inf: never)."""
        i = bisect.bisect_left(self._falling, -u)
        if i < len(self.times):
            return self.times[i]
        last_t = self.times[-1] if self.times else 0.0
        last_s = self.survival[-1] if self.survival else 1.0
        if self.tail_rate <= 0 or u <= 0:
            return math.inf
        return last_t + math.log(last_s / u) / self.tail_rate


@dataclass(frozen=True)
class QueueDemand:
    """One queue's fitted demand."""

    queue: str
    rates: dict[tuple[int, int], float]  # (weekday, slot) -> mean calls joining per slot
    handling: tuple[float, ...]  # talk times seen, seconds
    patience: Patience
    agents: int

    def mean_handling(self) -> float:
        return sum(self.handling) / len(self.handling) if self.handling else 0.0


@dataclass(frozen=True)
class Demand:
    queues: dict[str, QueueDemand]
    first: float  # the period simulated: the log's first and last join (epoch)
    last: float
    callback_acceptance: float | None  # callbacks booked over offered (None: none offered)

    @classmethod
    def fit(cls, log: QueueLog) -> Demand:
        if log.first is None or log.last is None or not log.calls:
            raise ValueError("the log holds no queued calls in that period")
        # how often each (weekday, slot) occurred: the denominator of its mean
        occurred = Counter(
            (day.weekday(), slot)
            for day in days_between(log.first, log.last)
            for _, slot in slot_starts(day)
        )
        by_queue: dict[str, list[QueuedCall]] = defaultdict(list)
        for call in log.calls:
            by_queue[call.queue].append(call)
        queues = {}
        for name, calls in sorted(by_queue.items()):
            counts = Counter(slot_of(c.joined) for c in calls)
            rates = {key: n / occurred[key] for key, n in counts.items() if occurred[key]}
            handling = tuple(c.handled_s for c in calls if c.handled_s is not None)
            queues[name] = QueueDemand(
                name, rates, handling, Patience.fit(calls), len(log.agents.get(name, ()))
            )
        booked = sum(1 for c in log.calls if c.fate is Fate.CALLBACK)
        acceptance = min(1.0, booked / log.callback_offers) if log.callback_offers else None
        return cls(queues, log.first, log.last, acceptance)

    def days(self) -> list[datetime]:
        return days_between(self.first, self.last)


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
