"""A call log generated with KNOWN demand, in the shapes the app writes it.

Its own queue model, written apart from ivr.whatif.simulate so the check is not the code
checking itself: first come first served with ``agents`` servers, taken in arrival order
(every earlier caller is placed before a later one, so a caller's start is the earliest
agent free time at or after they join; a caller whose patience runs out before it gives up
and takes no agent). Poisson arrivals at ``rate`` per 15-minute slot in open hours,
exponential patience, log-normal talk times.
"""

from __future__ import annotations

import heapq
import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ivr.store.db import CallStore, iso
from tests.unit.store.rows import insert_all

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday; GMT all period (no clock change)
WEEKS = 4


@dataclass(frozen=True)
class KnownQueue:
    name: str
    agents: int
    weekday_rate: float  # calls per 15-minute slot, in open hours
    weekend_rate: float
    opens: int  # hour
    closes: int
    talk_median_s: float
    talk_sigma: float
    patience_mean_s: float

    @property
    def talk_mean_s(self) -> float:
        return self.talk_median_s * math.exp(self.talk_sigma**2 / 2)

    @property
    def patience_median_s(self) -> float:
        return self.patience_mean_s * math.log(2)


FCR = KnownQueue("fcr", 4, 10.0, 4.0, 8, 20, 240.0, 0.6, 240.0)
RC = KnownQueue("rc", 1, 3.0, 0.0, 9, 17, 200.0, 0.5, 300.0)


def arrivals(rng: random.Random, queue: KnownQueue) -> list[float]:
    times = []
    for day in range(WEEKS * 7):
        midnight = START + timedelta(days=day)
        rate = queue.weekday_rate if midnight.weekday() < 5 else queue.weekend_rate
        for slot in range(queue.opens * 4, queue.closes * 4):
            start = midnight.timestamp() + slot * 900
            # Poisson count by exponential gaps within the slot
            t = rng.expovariate(rate / 900) if rate else 900.0
            while t < 900:
                times.append(start + t)
                t += rng.expovariate(rate / 900)
    return sorted(times)


def write_log(path: str | Path, queues: tuple[KnownQueue, ...] = (FCR, RC), seed: int = 7) -> int:
    """Write the log; returns how many calls it holds."""
    rng = random.Random(seed)
    calls: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for queue in queues:
        free = [(0.0, a) for a in range(queue.agents)]  # (next free at, agent)
        heapq.heapify(free)
        for n, joined in enumerate(arrivals(rng, queue)):
            call_id = f"{queue.name}-{n}"
            patience = rng.expovariate(1 / queue.patience_mean_s)
            talk = rng.lognormvariate(math.log(queue.talk_median_s), queue.talk_sigma)
            start = max(joined, free[0][0])

            def event(at: float, kind: str, detail: dict[str, object], cid: str = call_id) -> None:
                stamp = iso(datetime.fromtimestamp(at, UTC))
                events.append(
                    {"call_id": cid, "at": stamp, "kind": kind, "detail": json.dumps(detail)}
                )

            event(joined - 20, "step", {"step": "route:menu"})
            event(joined, "queue-joined", {"queue": queue.name, "priority": 2, "position": 1})
            if start - joined > patience:
                gone = joined + patience
                event(gone, "queue-abandoned", {"queue": queue.name, "waited_s": patience})
                event(gone, "ended", {"outcome": "abandoned", "ended_by": "caller"})
                ended, outcome = gone, "abandoned"
            else:
                _, index = heapq.heappop(free)
                heapq.heappush(free, (start + talk, index))
                dial = {"destination": queue.name, "agent": f"{queue.name}-a{index}"}
                event(start, "dial", {**dial, "waited_s": start - joined})
                event(start, "connected", {"destination": queue.name, "leg": f"leg-{call_id}"})
                event(start + talk, "agent-hung-up", {"destination": queue.name})
                event(start + talk, "ended", {"outcome": "transferred", "ended_by": "app"})
                ended, outcome = start + talk, "transferred"
            calls.append(
                {
                    "call_id": call_id,
                    "channel_id": call_id,
                    "caller_number": "",
                    "dialled": "101",
                    "started_at": iso(datetime.fromtimestamp(joined - 30, UTC)),
                    "ended_at": iso(datetime.fromtimestamp(ended, UTC)),
                    "outcome": outcome,
                    "destination": queue.name,
                    "last_step": f"queue:{queue.name}",
                }
            )
    store = CallStore(str(path))
    try:
        insert_all(store.db, "calls", calls)
        insert_all(store.db, "call_events", events)
    finally:
        store.close()
    return len(calls)
