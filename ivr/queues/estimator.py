"""An honest estimated wait: position-aware, from staffing, handling times and the answer rate.

Why not Asterisk's figure
-------------------------
app_queue keeps one number per queue, ``holdtime``, a moving average of how
long answered callers waited (``holdtime = (3 * holdtime + new) / 4``), and
announces it (minus what the caller has already waited) to everybody in the
queue whatever their position. That figure is about callers who have already
been answered, so in a rising peak (late afternoon on a 101 line) it reports
the short waits of an hour ago: too low exactly when it matters. It says
nothing about staffing (two agents logging off changes nothing until the
average catches up), and with no answered calls yet it has nothing to say.

What this does
--------------
The caller at position ``k`` (``k - 1`` callers are served before them) is
answered at the ``k``-th moment an agent becomes free. With ``f`` agents free
now, positions ``k <= f`` wait about nothing; the others wait for the
``j = k - f``-th completion. Two estimates of that moment are blended:

1. **Capacity** (``T_c``), from who is on now. Handling time ``H`` (talk +
   wrap-up) is log-normal with parameters ``(mu, sigma)``; a busy agent who
   has been on a call for ``e`` seconds frees up after the conditional
   residual ``E[H - e | H > e] = M * Phi(sigma - z) / Phi(-z) - e`` with
   ``M = exp(mu + sigma^2 / 2)`` (the mean) and ``z = (ln e - mu) / sigma``:
   a call that has already run long is expected to run on, not to end at
   once. Each agent then takes another caller every mean handling time, so the
   agents' free moments are ``r_i, r_i + M, r_i + 2M, ...``; ``T_c(j)`` is the
   ``j``-th smallest of all of them (a merge over agents, O(j log N)).

   ``(mu, sigma)`` come from the log-moments of handling times observed in
   the queue, exponentially decayed with time constant ``handling_window_s``,
   blended with the configured median and 90th percentile counted as
   ``handling_prior_weight`` observations. With no data, the configured times
   stand alone: the estimate is never a falsely low "0 minutes".

2. **Observed answer rate** (``T_r = j / rho``). ``rho`` is answers per
   second *while callers were waiting*: answers taken from a non-empty queue
   divided by the time the queue was non-empty, both decayed with time
   constant ``answer_window_s`` (``C <- C e^{-dt/tau} + 1`` per answer,
   ``E <- E e^{-dt/tau} + tau (1 - e^{-dt/tau})`` while backlogged). Answers
   when agents sit idle measure demand, not capacity, and are left out. This
   catches what staffing figures miss: agents on a break, agents shared with
   another queue, long wrap-ups.

Callers ahead who will hang up first do not delay anyone: with ``a`` the
decayed share of departures that were abandonments (answers only until
there is evidence), position ``k`` counts as ``1 + (k - 1)(1 - a)``.

The blend is ``T = (1 - w) T_c + w T_r`` with ``w = C / (C + rate_prior_weight)``
(0 until ``min_backlog_s`` of backlog has been seen), so evidence takes over
from the configuration as it accumulates.

The range: completions in a busy queue are close to a Poisson stream, so the
``j``-th one is Gamma-distributed with mean ``T`` and standard deviation about
``T / sqrt(j)``. The announced range is ``T -/+ range_z * T / sqrt(j)``,
rounded outward to whole minutes ("about 6 to 9 minutes"): wide for the next
caller, narrow deep in the queue, where the law of large numbers helps. No
agents and no observed answers gives ``known = False``: no figure is better
than a made-up one, and the caller is offered a callback.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ivr.queues.model import (
    Agent,
    AgentState,
    EstimatorSettings,
    HandlingTime,
    QueuesConfig,
)


def _phi(x: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _z(p: float) -> float:
    """Standard normal quantile (bisection on erfc: exact enough and dependency-free)."""
    lo, hi = -8.0, 8.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if _phi(mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def lognormal_residual(elapsed: float, mu: float, sigma: float) -> float:
    """Expected remaining time of a log-normal duration that has already lasted ``elapsed``."""
    mean = math.exp(mu + sigma * sigma / 2)
    if elapsed <= 0:
        return mean
    z = (math.log(elapsed) - mu) / sigma
    tail = _phi(-z)
    if tail < 1e-12:  # far in the tail: Mills-ratio asymptote of the conditional mean
        return elapsed * sigma * sigma / max(math.log(elapsed) - mu, 1e-9)
    return max(mean * _phi(sigma - z) / tail - elapsed, 1.0)


@dataclass(frozen=True, slots=True)
class Estimate:
    """Estimated wait for one position; ``seconds`` is the central figure."""

    seconds: float
    low: float
    high: float
    position: int
    known: bool = True
    handling_mean_s: float = 0.0
    handling_pctl_s: float = 0.0
    weight_observed: float = 0.0  # w: how much the answer rate counted

    def minutes_range(self) -> tuple[int, int]:
        """The range rounded outward to whole minutes (never 0 at the top)."""
        lo = max(0, math.floor(self.low / 60))
        hi = max(1, math.ceil(self.high / 60))
        return lo, max(hi, lo)

    def phrase(self) -> str:
        """What a prompt would say: 'about 6 to 9 minutes'."""
        if not self.known:
            return "we cannot estimate the wait at the moment"
        if self.high < 60:
            return "less than a minute"
        lo, hi = self.minutes_range()
        if lo == hi:
            return f"about {hi} minute{'s' if hi != 1 else ''}"
        if lo == 0:
            return f"up to {hi} minutes"
        return f"about {lo} to {hi} minutes"


UNKNOWN = float("inf")


class _HandlingStats:
    """Exponentially decayed log-moments of handling times, with the configured prior."""

    def __init__(self, prior: HandlingTime, settings: EstimatorSettings) -> None:
        self.mu0 = prior.mu
        self.sigma0 = prior.sigma
        self.tau = settings.handling_window_s
        self.n0 = settings.handling_prior_weight
        self.s0 = self.s1 = self.s2 = 0.0
        self.at = 0.0

    def _decay(self, now: float) -> float:
        return math.exp(-max(0.0, now - self.at) / self.tau)

    def add(self, now: float, seconds: float) -> None:
        f = self._decay(now)
        x = math.log(max(seconds, 1.0))
        self.s0, self.s1, self.s2 = self.s0 * f + 1, self.s1 * f + x, self.s2 * f + x * x
        self.at = max(self.at, now)

    def params(self, now: float) -> tuple[float, float]:
        f = self._decay(now)
        n = self.s0 * f
        total = self.n0 + n
        mu = (self.n0 * self.mu0 + self.s1 * f) / total
        m2 = (self.n0 * (self.sigma0**2 + self.mu0**2) + self.s2 * f) / total
        sigma = math.sqrt(max(m2 - mu * mu, 0.0025))
        return mu, sigma


class _Throughput:
    """Decayed answers while backlogged over decayed backlogged time; decayed departures."""

    def __init__(self, settings: EstimatorSettings) -> None:
        self.tau = settings.answer_window_s
        self.count = 0.0
        self.exposure = 0.0
        self.backlogged = False
        self.answers = 0.0  # every answer, backlogged or not
        self.abandons = 0.0
        self.at = 0.0

    def advance(self, now: float) -> None:
        dt = max(0.0, now - self.at)
        f = math.exp(-dt / self.tau)
        self.count *= f
        self.answers *= f
        self.abandons *= f
        self.exposure = self.exposure * f + (self.tau * (1 - f) if self.backlogged else 0.0)
        self.at = max(self.at, now)


class WaitEstimator:
    """Per-queue handling statistics and answer rates; ``estimate`` is pure given its inputs."""

    def __init__(self, config: QueuesConfig) -> None:
        self.settings = config.estimator
        self._z_pctl = _z(self.settings.percentile)
        self._handling: dict[str, _HandlingStats] = {}
        self._rate: dict[str, _Throughput] = {}
        for name, q in config.queues.items():
            prior = HandlingTime(q.handling.median_s + q.wrap_up_s, q.handling.p90_s + q.wrap_up_s)
            self._handling[name] = _HandlingStats(prior, self.settings)
            self._rate[name] = _Throughput(self.settings)

    # --- observations (the engine calls these) ---------------------------------------------

    def observe_handling(self, queue: str, now: float, seconds: float) -> None:
        """An agent of ``queue`` finished a call (talk + wrap-up) that took ``seconds``."""
        self._handling[queue].add(now, seconds)

    def note_backlog(self, queue: str, now: float, backlogged: bool) -> None:
        """The queue became empty or non-empty at ``now``."""
        meter = self._rate[queue]
        meter.advance(now)
        meter.backlogged = backlogged

    def observe_answer(self, queue: str, now: float, backlogged: bool) -> None:
        """An agent took a caller; only answers from a waiting queue measure capacity."""
        meter = self._rate[queue]
        meter.advance(now)
        meter.answers += 1.0
        if backlogged:
            meter.count += 1.0

    def observe_abandon(self, queue: str, now: float) -> None:
        """A waiting caller hung up: callers ahead of a new one may leave too."""
        meter = self._rate[queue]
        meter.advance(now)
        meter.abandons += 1.0

    def abandon_share(self, queue: str, now: float) -> float:
        """Decayed share of departures that were abandonments (prior: answers only)."""
        meter = self._rate[queue]
        meter.advance(now)
        return meter.abandons / (meter.abandons + meter.answers + self.settings.rate_prior_weight)

    # --- reading ------------------------------------------------------------------------

    def handling(self, queue: str, now: float) -> tuple[float, float]:
        """(mean, configured percentile) of the handling time now, in seconds."""
        mu, sigma = self._handling[queue].params(now)
        return math.exp(mu + sigma * sigma / 2), math.exp(mu + self._z_pctl * sigma)

    def answer_rate(self, queue: str, now: float) -> tuple[float, float]:
        """(answers per second while backlogged, weight of that evidence)."""
        meter = self._rate[queue]
        meter.advance(now)
        if meter.exposure < self.settings.min_backlog_s or meter.count <= 0:
            return 0.0, 0.0
        weight = meter.count / (meter.count + self.settings.rate_prior_weight)
        return meter.count / meter.exposure, weight

    def estimate(self, queue: str, position: int, now: float, agents: Iterable[Agent]) -> Estimate:
        """Estimated wait of the caller at ``position`` (1 = next) given who is on now."""
        position = max(1, position)
        # Callers ahead who will hang up before being served do not delay this one.
        ahead = (position - 1) * (1.0 - self.abandon_share(queue, now))
        mu, sigma = self._handling[queue].params(now)
        mean = math.exp(mu + sigma * sigma / 2)
        pctl = math.exp(mu + self._z_pctl * sigma)
        starts: list[float] = []
        for agent in agents:
            if queue not in agent.queues:
                continue
            if agent.state is AgentState.FREE:
                starts.append(0.0)
            else:
                elapsed = now - (agent.busy_since if agent.busy_since is not None else now)
                starts.append(lognormal_residual(elapsed, mu, sigma))
        free = sum(1 for s in starts if s == 0.0)
        rate, weight = self.answer_rate(queue, now)
        if position <= free:
            return Estimate(0.0, 0.0, 0.0, position, True, mean, pctl, weight)
        if not starts and rate <= 0:
            return Estimate(UNKNOWN, UNKNOWN, UNKNOWN, position, False, mean, pctl, 0.0)
        served_at = 1.0 + ahead  # effective position, fractional
        j = max(1.0, served_at - free)
        t_capacity = _kth_free_moment(starts, served_at, mean) if starts else math.inf
        t_rate = j / rate if rate > 0 else math.inf
        if not starts:
            central = t_rate  # nobody staffed but answers are happening (shared agents)
        elif rate <= 0:
            central = t_capacity
        else:
            central = (1 - weight) * t_capacity + weight * t_rate
        spread = self.settings.range_z * central / math.sqrt(j)
        return Estimate(
            central,
            max(0.0, central - spread),
            central + spread,
            position,
            True,
            mean,
            pctl,
            weight,
        )


def _kth_free_moment(starts: list[float], k: float, mean: float) -> float:
    """The k-th smallest of {s_i + m * mean : m >= 0} over agents: when the k-th caller is taken.

    A fractional ``k`` (an effective position after expected abandonments)
    interpolates between the neighbouring whole positions.
    """
    heap = list(starts)
    heapq.heapify(heap)
    moments: list[float] = []
    for _ in range(math.ceil(k)):
        moment = heapq.heappop(heap)
        moments.append(moment)
        heapq.heappush(heap, moment + mean)
    whole = math.floor(k)
    if whole == len(moments) or whole < 1:
        return moments[-1]
    frac = k - whole
    return moments[whole - 1] + frac * (moments[whole] - moments[whole - 1])
