"""BoundedMemo: a small least-recently-used memo that threads may share.

The routing engine decides in worker threads (``asyncio.to_thread`` in
ivr.verbs.route) while an emergency break-out runs on the event loop, both on
one EmergencyScreen. A check-then-read memo ("if key in memo ... memo[key]")
can then lose the entry to another thread's eviction in between and raise
KeyError; here every lookup is one ``get`` with a sentinel, and every change
is made under a lock. The value is computed outside the lock: two threads may
compute the same value once each, which is cheaper than making one wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

__all__ = ["BoundedMemo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISSING = object()  # no entry (None is a value a memo may hold)


class BoundedMemo(Generic[K, V]):
    """At most ``size`` values by key; the least recently used goes first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"memo size must be at least 1, not {size}")
        self.size = size
        self._values: dict[K, V] = {}  # insertion order is recency order
        # Re-entrant: a key's own __hash__/__eq__ could use the memo (only tests do).
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every value (a bench times the scans themselves)."""
        with self._lock:
            self._values.clear()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value remembered for ``key``, else ``compute()``'s, remembered."""
        with self._lock:
            found = self._values.pop(key, _MISSING)
            if found is not _MISSING:
                remembered = cast(V, found)
                self._values[key] = remembered  # the most recent again
                return remembered
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.pop(next(iter(self._values)), None)
        return value
