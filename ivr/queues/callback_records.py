"""CallbackRecorder: the CallbackWorker's book writes that must land, retried until they do.

An attempt's outcome left unwritten stays "placing": the next attempt would be
refused, and after a restart it would count as interrupted; a withdrawal left
unwritten would let a restart ring a caller who has gone to 999. Both writes
are idempotent, so they are retried (a locked database clears in seconds), and
the caller's call never waits on them failing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ivr.queues.book import BookStore, CallbackBook

log = logging.getLogger("ivr.queues.callbacks")  # logged as the worker: these are its writes

RECORD_RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)  # a locked database clears in seconds


class CallbackRecorder:
    """Writes outcomes and withdrawals to the CallbackBook, retrying until they are written."""

    def __init__(self, book: CallbackBook) -> None:
        self.book = book

    async def finish_attempt(
        self, call_id: str, attempt: int, outcome: str, now: float, state: str, **fields: Any
    ) -> None:
        """``BookStore.finish_attempt`` (``fields``: its keyword arguments)."""

        def write(store: BookStore) -> None:
            store.finish_attempt(call_id, attempt, outcome, now, state=state, **fields)

        await self._until_written(write, call_id, f"outcome {outcome}")

    async def withdraw(self, call_id: str, reason: str, now: float) -> None:
        """``BookStore.withdraw``: the callback is closed and never placed again."""
        await self._until_written(lambda s: s.withdraw(call_id, reason, now), call_id, "withdrawal")

    async def ready_now(self, call_id: str, now: float) -> None:
        """``BookStore.ready_now``: placed as soon as an agent is free, restart or not."""
        await self._until_written(lambda s: s.ready_now(call_id, now), call_id, "ready now")

    async def _until_written(
        self, write: Callable[[BookStore], object], call_id: str, what: str
    ) -> None:
        for pause in (*RECORD_RETRY_S, None):
            try:
                await self.book.run(write)
                return
            except Exception:
                if pause is None:
                    log.critical("callback %s: %s not recorded", call_id, what)
                    return
                log.exception("callback %s: %s not recorded yet; retrying", call_id, what)
                await asyncio.sleep(pause)
