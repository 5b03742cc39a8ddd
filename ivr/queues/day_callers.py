"""The simulated day's callers, with every random draw fixed before any scenario runs.

The day (``routing_rules/queues.yaml`` ``day:``):

* exactly ``calls`` first calls: a non-homogeneous Poisson process with a
  piecewise-constant rate by hour, conditioned on its count (given N, Poisson
  arrival times are independent draws from the normalised rate), so arrivals
  peak late afternoon and early evening;
* each caller has a queue (``mix``; a department with nobody on at that hour
  sends its callers to the switchboard, as the routing rules' alternatives
  do), an intent, a priority class, a log-normal
  patience (abandons when it runs out while still on the line) and a log-normal
  talk time from the queue's handling settings, plus wrap-up.

Fixing the draws up front gives every scenario the same callers (common random
numbers), so the scenarios' differences come from callbacks and deflection alone.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ivr.queues.model import Priority, QueuesConfig, priority_for


@dataclass(frozen=True, slots=True)
class Caller:
    """One call with every random draw it will need, fixed before any scenario runs."""

    index: int
    arrival: float
    queue: str
    intent: str
    priority: Priority
    patience_s: float
    talk_s: float
    u_callback: float  # accepts a callback offer when below the acceptance rate
    u_deflect: float
    u_redial: float
    redial_after_s: float
    redial_of: int | None = None

    @property
    def call_id(self) -> str:
        return f"c{self.index}"


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]


def generate_callers(config: QueuesConfig, seed: int) -> list[Caller]:
    """The day's first calls, sorted by arrival; the same seed gives the same day."""
    day = config.day
    rng = random.Random(seed)
    hours = list(range(24))
    callers: list[Caller] = []
    for _ in range(day.calls):
        hour = rng.choices(hours, weights=day.arrivals_by_hour)[0]
        arrival = (hour + rng.random()) * 3600.0
        u = rng.random()
        if u < day.emergency_share and "fcr" in config.queues:
            queue, priority = "fcr", Priority.EMERGENCY_TRANSFER
        else:
            queue = _weighted(rng, dict(day.mix))
            if config.queue(queue).agents_at(hour) == 0 and "switchboard" in config.queues:
                queue = "switchboard"  # a closed department: the rules' alternative
            flagged = u < day.emergency_share + day.priority_share
            priority = priority_for(["vulnerable"] if flagged else [])
        intents = dict(day.intents.get(queue, {})) or {queue: 1.0}
        intent = "emergency" if priority is Priority.EMERGENCY_TRANSFER else _weighted(rng, intents)
        callers.append(draw_caller(rng, config, len(callers), arrival, queue, intent, priority))
    callers.sort(key=lambda c: (c.arrival, c.index))
    return callers


def draw_caller(
    rng: random.Random,
    config: QueuesConfig,
    index: int,
    arrival: float,
    queue: str,
    intent: str,
    priority: Priority,
    redial_of: int | None = None,
) -> Caller:
    day = config.day
    handling = config.queue(queue).handling
    patience = rng.lognormvariate(math.log(day.patience_median_s), day.patience_sigma)
    if priority is Priority.EMERGENCY_TRANSFER:
        patience *= 10  # someone in danger holds on
    return Caller(
        index=index,
        arrival=arrival,
        queue=queue,
        intent=intent,
        priority=priority,
        patience_s=patience,
        talk_s=rng.lognormvariate(handling.mu, handling.sigma),
        u_callback=rng.random(),
        u_deflect=rng.random(),
        u_redial=rng.random(),
        redial_after_s=rng.uniform(60.0, day.redial_within_s),
        redial_of=redial_of,
    )
