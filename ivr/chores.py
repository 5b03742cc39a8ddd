"""Chores: background tasks an owner starts, keeps hold of, and settles at shutdown.

asyncio keeps only weak references to tasks: one nobody holds can be collected
mid-flight. Every owner of fire-and-forget work (the call manager's hang-ups,
texts after a call, callback placements) keeps its tasks here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Chores:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __len__(self) -> int:
        return len(self._tasks)

    async def settle(self, timeout: float | None = None) -> None:
        """Let them finish (at most ``timeout`` s); their errors are theirs to log."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def cancel(self) -> None:
        """Stop them and wait until they have stopped."""
        tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def being_cancelled() -> bool:
    """The running task itself is being cancelled (an operator's override, shutdown):
    a CancelledError caught from an inner task must then go on up, not be swallowed."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
