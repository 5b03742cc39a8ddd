"""Failed sign-ins, counted per user name and per client address, in memory.

Both keys count: one address guessing many names, and many addresses guessing one
name, are each stopped. Past ``limit`` failures within ``window_s`` the key waits
until its oldest failure leaves the window. Memory is bounded: past ``max_keys`` the
keys with the oldest failures go first. A restart forgets the counts (acceptable:
an attacker cannot restart the server).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_KEYS = 10_000


@dataclass
class LoginLimiter:
    limit: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = MAX_KEYS
    _failures: dict[str, deque[float]] = field(default_factory=dict, repr=False)

    def retry_after(self, name: str, client: str) -> int:
        """Seconds to wait before trying again (0: may try now)."""
        now = self.clock()
        wait = 0.0
        for key in _keys(name, client):
            times = self._recent(key, now)
            if times is not None and len(times) >= self.limit:
                wait = max(wait, times[0] + self.window_s - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, name: str, client: str) -> None:
        now = self.clock()
        for key in _keys(name, client):
            times = self._recent(key, now)
            if times is None:
                if len(self._failures) >= self.max_keys:
                    self._forget_oldest()
                times = self._failures[key] = deque(maxlen=self.limit)
            times.append(now)

    def succeeded(self, name: str) -> None:
        """A right password clears the name's count (not the address's: a shared NAT
        guessing others' names still waits)."""
        self._failures.pop(f"user:{name}", None)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def _forget_oldest(self) -> None:
        oldest = min(self._failures, key=lambda k: self._failures[k][-1])
        del self._failures[oldest]


def _keys(name: str, client: str) -> tuple[str, ...]:
    return (f"user:{name}", f"addr:{client}") if client else (f"user:{name}",)
