"""AbandonedCallTexts: a text to a caller who gave up waiting in a queue.

Sent only after ``after_s`` seconds of waiting (a caller who hangs up at once
was not failed by the queue), never to a phone that must not get texts about
the call (ivr.notify.texts.Texts decides), and never in the way of the call's
end: it is stored in the background and settled at shutdown.
"""

from __future__ import annotations

from collections.abc import Iterable

from ivr.chores import Chores
from ivr.notify.texts import Texts


class AbandonedCallTexts:
    def __init__(self, texts: Texts, after_s: float) -> None:
        """``after_s`` <= 0: never texted."""
        self.texts = texts
        self.after_s = after_s
        self._chores = Chores()

    def queue_abandoned(
        self,
        call_id: str,
        number: str,
        waited_s: float,
        categories: Iterable[str],
        heard: Iterable[str],
    ) -> None:
        if self.after_s <= 0 or waited_s < self.after_s:
            return
        self._chores.spawn(
            self.texts.abandoned(
                call_id, number, categories=frozenset(categories), heard=tuple(heard)
            )
        )

    async def settle(self, timeout: float) -> None:
        await self._chores.settle(timeout=timeout)
