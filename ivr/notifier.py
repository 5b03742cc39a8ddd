"""Notifier: "tell me when this next happens", for whoever watches a worker.

A worker that finishes a round, a send or a timer notifies; a watcher (a test, the
board, a flow) awaits ``notifier.next()`` and re-reads what changed then, never on a timer.
"""

from __future__ import annotations

import asyncio

__all__ = ["Notifier"]


class Notifier:
    """Futures resolved together at the next ``notify()``; each ``next()`` gets a new one."""

    def __init__(self) -> None:
        self._waiting: list[asyncio.Future[None]] = []

    def next(self) -> asyncio.Future[None]:
        """Resolved at the next ``notify()`` (on the running loop)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        return future

    def notify(self) -> None:
        waiting, self._waiting = self._waiting, []
        for future in waiting:
            if not future.done():  # a watcher may have cancelled its wait
                future.set_result(None)
