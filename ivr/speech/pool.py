"""Running a blocking Recognizer off the event loop, sized to the cores.

Measured here (2 cores, 16 telephone utterances): PocketSphinx in 2 threads
ran only 1.2x faster than serially and Vosk 1.0x — their Python bindings hold
the GIL while decoding (pocketsphinx's Cython ``process_raw`` has no
``nogil``). So engines that declare ``releases_gil = False`` run in worker
*processes*, each holding its own copy of the engine (rebuilt there from the
recogniser's pickle: vocabulary and model path, not C handles); others (e.g.
Whisper, whose CTranslate2 releases the GIL) run in threads. Processes are
started with "spawn", never fork, because the app has threads and an event loop.

A new vocabulary (rules published) means a new recogniser and a new pool:
build both, swap, then ``close()`` the old one.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import pickle
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ivr.decisions import Expect
from ivr.speech.model import Recognizer, RecognizerError, Transcript

__all__ = ["SpeechPool"]

log = logging.getLogger(__name__)

MAX_UTTERANCE_BYTES = 2 * 8000 * 30  # 30 s at 8 kHz: the endpointer cuts at 12 s
_worker_recognizer: Recognizer | None = None  # set in each worker process


def _init_worker(blob: bytes) -> None:
    global _worker_recognizer
    _worker_recognizer = pickle.loads(blob)


def _recognize_in_worker(pcm: bytes, sample_rate: int, expect: Expect | None) -> Transcript:
    if _worker_recognizer is None:
        raise RecognizerError("speech worker has no recogniser")
    return _worker_recognizer.recognize(pcm, sample_rate, expect=expect)


class SpeechPool:
    """``await pool.recognize(pcm)`` -> Transcript, or RecognizerError (never anything else)."""

    def __init__(
        self,
        recognizer: Recognizer,
        workers: int | None = None,
        *,
        processes: bool | None = None,
        timeout_s: float = 8.0,
    ) -> None:
        self.recognizer = recognizer
        self.timeout_s = timeout_s
        self.workers = max(1, workers or os.cpu_count() or 1)
        if processes is None:
            processes = not getattr(recognizer, "releases_gil", True)
        self.processes = processes
        self._executor: Executor = self._new_executor()
        self._closed = False

    def _new_executor(self) -> Executor:
        recognizer = self.recognizer
        if self.processes:
            blob = pickle.dumps(recognizer)
            return ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(blob,),
            )
        else:
            return ThreadPoolExecutor(
                max_workers=self.workers, thread_name_prefix=f"speech-{recognizer.name}"
            )

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        if self._closed:
            raise RecognizerError("the speech pool is closed")
        if len(pcm) > MAX_UTTERANCE_BYTES:
            raise RecognizerError(f"utterance of {len(pcm)} bytes is not recognisable")
        loop = asyncio.get_running_loop()
        try:
            if self.processes:
                work = loop.run_in_executor(
                    self._executor, _recognize_in_worker, pcm, sample_rate, expect
                )
            else:
                decode = functools.partial(self.recognizer.recognize, expect=expect)
                work = loop.run_in_executor(self._executor, decode, pcm, sample_rate)
            # A call never waits in silence behind a stuck or overloaded engine.
            return await asyncio.wait_for(work, self.timeout_s)
        except TimeoutError as exc:
            log.error("speech recognition timed out after %.1f s", self.timeout_s)
            raise RecognizerError(f"no transcript within {self.timeout_s:.1f} s") from exc
        except RecognizerError as exc:
            log.warning("speech recognition failed [%s]: %s", RecognizerError.error_id, exc)
            raise
        except (BrokenProcessPool, RuntimeError) as exc:
            log.error("speech engine crashed [%s]: %r", RecognizerError.error_id, exc)
            if isinstance(exc, BrokenProcessPool) and not self._closed:
                # A dead worker breaks the whole pool: start fresh ones for the next calls.
                broken, self._executor = self._executor, self._new_executor()
                broken.shutdown(wait=False, cancel_futures=True)
            raise RecognizerError(f"{self.recognizer.name} engine crashed: {exc!r}") from exc
        except Exception as exc:
            log.exception("speech engine error [%s]", RecognizerError.error_id)
            raise RecognizerError(f"{self.recognizer.name} engine error: {exc!r}") from exc

    async def warm_up(self) -> None:
        """Start every worker now (each loads its engine) rather than on the first calls.

        Submitted from a worker thread: a process pool starts a worker inside ``submit``,
        and a "spawn" start blocks until the child has imported the app (~1 s), which on
        the event loop would stall every call in progress (bench/README.md "SIP load").
        """
        silence = bytes(1600)

        def submit_all() -> list[Future[Transcript]]:
            if self.processes:
                job = functools.partial(_recognize_in_worker, silence, 8000, None)
            else:
                job = functools.partial(self.recognizer.recognize, silence, 8000)
            return [self._executor.submit(job) for _ in range(self.workers)]

        started = await asyncio.to_thread(submit_all)
        await asyncio.gather(*(asyncio.wrap_future(f) for f in started), return_exceptions=True)

    async def close(self) -> None:
        """Finish calls in flight, then stop the workers; idempotent."""
        if self._closed:
            return
        self._closed = True
        # Do not wait behind a stuck worker: shutdown must not hang the app.
        self._executor.shutdown(wait=False, cancel_futures=True)
