"""CallbackNews: what a caller is told by SMS about their callback, and when they are not.

Two texts: the callback failed after its last attempt, and the promised time
has passed (once). A call flagged NO_TEXTS (a sensitive one) is rung, never
texted; with no SMS configured (``texts`` None) nothing is sent.
"""

from __future__ import annotations

from ivr.notify.texts import Texts
from ivr.queues.book import CallbackBook
from ivr.queues.model import NO_TEXTS, QueueEntry


class CallbackNews:
    """The CallbackWorker's texts to callers (ivr.notify.texts.Texts does the sending)."""

    def __init__(self, texts: Texts | None, book: CallbackBook) -> None:
        self.texts = texts
        self.book = book

    @property
    def on(self) -> bool:
        """Whether texts are sent at all."""
        return self.texts is not None

    async def missed(self, entry: QueueEntry, attempts: int, *, reached: bool = False) -> None:
        """Out of attempts; ``reached``: the caller answered at least the last ring."""
        if self.texts is None or entry.callback is None or not may_text(entry):
            return
        await self.texts.callback_missed(
            entry.call_id, entry.callback.number, attempts, reached=reached
        )

    async def late(self, entry: QueueEntry, promised_by: float, now: float) -> None:
        """The promised time has passed: told, and the book notes it (never told twice)."""
        if self.texts is None or entry.callback is None or not may_text(entry):
            return
        call_id = entry.call_id
        await self.texts.callback_late(call_id, entry.callback.number, promised_by)
        await self.book.run(lambda store: store.mark_late_sms(call_id, now))


def may_text(entry: QueueEntry) -> bool:
    return NO_TEXTS not in entry.flags
