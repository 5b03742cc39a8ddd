"""A small thread pool of its own for password hashing, with a bound on the queue.

Argon2 takes tens of ms of CPU and memory per check. On the loop's default executor
a burst of sign-ins would queue in front of DNS lookups and every other
``run_in_executor(None, ...)``; here it queues only in front of other sign-ins, and
past ``max_queued`` a sign-in is refused at once (``PoolFull``: 503, try later)
rather than waiting behind hundreds of others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

THREADS = 2
MAX_QUEUED = 16
RETRY_AFTER_S = 2


class PoolFull(RuntimeError):
    """Too many sign-ins waiting for the hasher: try again in ``RETRY_AFTER_S``."""


class HashPool:
    def __init__(self, threads: int = THREADS, max_queued: int = MAX_QUEUED) -> None:
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="ivr-hash")
        self._max = threads + max_queued
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Checks running or queued now."""
        return self._waiting

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` on the pool; PoolFull when ``max_queued`` are already waiting."""
        if self._waiting >= self._max:
            raise PoolFull("too many sign-ins at once: try again shortly")
        self._waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
        finally:
            self._waiting -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
