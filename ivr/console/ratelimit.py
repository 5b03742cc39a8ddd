"""Failed sign-ins, counted per (user name, address) and per address, in memory.

The hard limit is per (name, address): a guesser locks out only itself, never the
operator at another desk, and one person's typos never lock out a whole NAT. A looser
per-address limit (``address_factor`` times the hard one) stops one address spraying
many names. An attempt counts as a failure from the moment it starts (before the
password is hashed) and is taken back if it succeeds, so parallel requests cannot all
slip under the limit; and only one attempt per (name, address) is in flight at a time.

IPv6 clients are grouped by /64 (one host usually holds a whole /64). Past ``limit``
failures within ``window_s`` a key waits until its oldest failure leaves the window.
Memory is bounded: past ``max_keys`` the keys with the oldest failures go first. A
restart forgets the counts (acceptable: an attacker cannot restart the server).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

MAX_KEYS = 10_000
ADDRESS_FACTOR = 4
IN_FLIGHT_WAIT = 1  # seconds a second parallel attempt is told to wait


class Scope(Enum):
    USER_AT = "user-at"  # one name from one address (the hard limit)
    ADDRESS = "addr"  # any name from one address (the looser limit)


@dataclass(frozen=True)
class LimitKey:
    scope: Scope
    address: str
    name: str = ""


@dataclass(frozen=True)
class Limited:
    """Refused before any password check: wait ``retry_after`` seconds; ``key`` is why."""

    retry_after: int
    key: LimitKey


@dataclass(frozen=True)
class Pending:
    """An attempt under way: already counted as a failure until settled."""

    pair: LimitKey
    address: LimitKey
    at: float


def address_group(client: str) -> str:
    """The address the limit counts: an IPv6 address's /64, else the address itself."""
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass
class LoginLimiter:
    limit: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = MAX_KEYS
    address_factor: int = ADDRESS_FACTOR
    _failures: dict[LimitKey, deque[float]] = field(default_factory=dict, repr=False)
    _in_flight: set[LimitKey] = field(default_factory=set, repr=False)

    def begin(self, name: str, client: str) -> Pending | Limited:
        """Start an attempt (counted as failed until ``succeeded``), or say why not."""
        now = self.clock()
        group = address_group(client)
        pair = LimitKey(Scope.USER_AT, group, name)
        address = LimitKey(Scope.ADDRESS, group)
        if pair in self._in_flight:
            return Limited(IN_FLIGHT_WAIT, pair)
        for key, limit in ((pair, self.limit), (address, self._address_limit)):
            wait = self._wait(key, limit, now)
            if wait:
                return Limited(wait, key)
        for key in (pair, address):
            self._count(key, now)
        self._in_flight.add(pair)
        return Pending(pair, address, now)

    def failed(self, pending: Pending) -> None:
        """The password was wrong: the pending failure stays counted."""
        self._in_flight.discard(pending.pair)

    def succeeded(self, pending: Pending) -> None:
        """A right password clears this name's count at this address (not the address's
        own count: a shared NAT guessing others' names still waits)."""
        self._in_flight.discard(pending.pair)
        self._failures.pop(pending.pair, None)
        self._take_back(pending.address, pending.at)

    def abandoned(self, pending: Pending) -> None:
        """No password was checked (the server was busy): not a failure. (After
        ``failed`` or ``succeeded`` it does nothing: the attempt is settled.)"""
        if pending.pair not in self._in_flight:
            return
        self._in_flight.discard(pending.pair)
        for key in (pending.pair, pending.address):
            self._take_back(key, pending.at)

    @property
    def _address_limit(self) -> int:
        return self.limit * self.address_factor

    def _wait(self, key: LimitKey, limit: int, now: float) -> int:
        times = self._recent(key, now)
        if times is None or len(times) < limit:
            return 0
        wait = times[-limit] + self.window_s - now
        return max(1, math.ceil(wait))

    def _count(self, key: LimitKey, now: float) -> None:
        times = self._recent(key, now)
        if times is None:
            if len(self._failures) >= self.max_keys:
                self._forget_oldest()
            limit = self.limit if key.scope is Scope.USER_AT else self._address_limit
            times = self._failures[key] = deque(maxlen=limit)
        times.append(now)

    def _take_back(self, key: LimitKey, at: float) -> None:
        times = self._failures.get(key)
        if times is None:
            return
        try:
            times.remove(at)
        except ValueError:
            return  # already out of the window (or pushed out of the bounded deque)
        if not times:
            del self._failures[key]

    def _recent(self, key: LimitKey, now: float) -> deque[float] | None:
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


@dataclass
class RefusalTally:
    """Which refusals to audit: the first per key per window, then how many followed.

    A flood of refused requests would otherwise write a row each (3000 rows in 3 s).
    ``first`` says whether to write a row now, and how many refusals of the key went
    unwritten since the last row (the previous window's count).
    """

    window_s: float
    clock: Callable[[], float] = time.monotonic
    max_keys: int = MAX_KEYS
    _seen: dict[LimitKey, tuple[float, int]] = field(default_factory=dict, repr=False)

    def first(self, key: LimitKey) -> tuple[bool, int]:
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < self.window_s:
            self._seen[key] = (seen[0], seen[1] + 1)
            return False, 0
        if seen is None and len(self._seen) >= self.max_keys:
            del self._seen[min(self._seen, key=lambda k: self._seen[k][0])]
        self._seen[key] = (now, 0)
        return True, seen[1] if seen is not None else 0
