"""EarlySpeech: start recognising while the trailing silence is still being confirmed.

The endpointer waits ``trailing_silence_s`` (0.8 s) of silence before it calls an
utterance over, but after ``early_s`` (0.4 s) it already knows exactly what the
utterance will be if the caller says no more (``SpeechPausing``). Recognition
starts then; when ``SpeechEnded`` arrives with the same audio, the answer is
already on its way and the caller hears the next step that much sooner. If the
caller goes on talking, the early work is dropped (a wasted decode, the price of
the head start; ``early_s = None`` in the endpointer settings turns it off).

The seam stays ``recognize(pcm)``: the verbs do not know about any of this.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections import OrderedDict

from ivr.decisions import Expect
from ivr.speech.model import SpeechService, Transcript

log = logging.getLogger(__name__)

MAX_PENDING = 64  # early decodes kept waiting for their SpeechEnded (one per live utterance)
MAX_AGE_S = 30.0  # one nobody asked for by then never will be (a key pressed instead)


class EarlySpeech:
    def __init__(self, inner: SpeechService, *, max_in_flight: int | None = None) -> None:
        """``max_in_flight``: early decodes running at once (default: the cores). A decode
        already in a worker cannot be stopped, so under load guesses must not crowd out
        the utterances callers have finished."""
        self.inner = inner
        self.max_in_flight = max_in_flight or os.cpu_count() or 1
        self.skipped = 0  # pauses not decoded early because the engines were busy
        self._early: OrderedDict[bytes, tuple[float, asyncio.Task[Transcript]]] = OrderedDict()
        self.used = 0  # early decodes that answered an utterance
        self.wasted = 0  # early decodes the caller talked over

    def prefetch(self, pcm: bytes, sample_rate: int = 8000) -> None:
        """The utterance as it will end if the caller stops now: start on it."""
        key = _key(pcm, sample_rate)
        if key in self._early:
            return
        if sum(not task.done() for _, task in self._early.values()) >= self.max_in_flight:
            self.skipped += 1
            return
        now = asyncio.get_running_loop().time()
        while self._early and (
            len(self._early) >= MAX_PENDING or next(iter(self._early.values()))[0] < now - MAX_AGE_S
        ):
            _, (_, stale) = self._early.popitem(last=False)
            self._drop(stale)
        task = asyncio.create_task(self.inner.recognize(pcm, sample_rate), name="early-speech")
        task.add_done_callback(_quiet)
        self._early[key] = (now, task)

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        if expect is not None:
            # The early decode had no hint, and a hinted question decodes differently (a
            # reference's digits, a name's prompt): the head start is given up for it.
            self.forget(pcm, sample_rate)
            return await self.inner.recognize(pcm, sample_rate, expect=expect)
        found = self._early.pop(_key(pcm, sample_rate), None)
        if found is not None:
            self.used += 1
            return await found[1]
        return await self.inner.recognize(pcm, sample_rate, expect=expect)

    def forget(self, pcm: bytes, sample_rate: int = 8000) -> None:
        """The caller went on talking: this early decode will never be asked for."""
        found = self._early.pop(_key(pcm, sample_rate), None)
        if found is not None:
            self._drop(found[1])

    def _drop(self, task: asyncio.Task[Transcript]) -> None:
        self.wasted += 1
        task.cancel()  # a decode already running in a worker finishes there, unread

    async def close(self) -> None:
        tasks = [task for _, task in self._early.values()]
        self._early.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


def _key(pcm: bytes, sample_rate: int) -> bytes:
    return hashlib.blake2b(pcm, digest_size=16, person=sample_rate.to_bytes(4, "big")).digest()


def _quiet(task: asyncio.Task[Transcript]) -> None:
    """A failed early decode nobody asks for must not be an unread task error."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("early decode failed: %r", task.exception())
