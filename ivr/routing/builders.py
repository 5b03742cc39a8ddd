"""Where a published ruleset is built: never on the event loop.

``ProcessBuilder`` (what a running app uses) builds each publish in a spawned process of
its own and sends the finished bundle back over a pipe. A thread shares the GIL, so a big
parse still stalls calls (bench/reload.py: 100,000 rows, loop lag p50 5.5 ms on a thread,
0.3 ms in a process), and the build's garbage (the YAML node tree) would stay in the
app's heap; a process takes both with it when it exits. One plain process per build,
not a process pool: a pool's manager thread outlives a shutdown that does not wait and
can fail there (CPython 3.11, ``max_tasks_per_child``), and a pool that lost its worker
stays broken. ``ThreadBuilder`` is for tools and tests.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

from ivr.routing.bundle import RoutingBundle

log = logging.getLogger(__name__)

Make = Callable[[], RoutingBundle]


class BuilderDied(RuntimeError):
    """The process building the rules ended without an answer (killed, out of memory)."""

    error_id = "rules-builder-died"


class BundleBuilder(Protocol):
    async def build(self, make: Make) -> RoutingBundle: ...
    def close(self) -> None: ...


class ThreadBuilder:
    """On the loop's default thread pool: off the loop, not off the GIL."""

    async def build(self, make: Make) -> RoutingBundle:
        return await asyncio.get_running_loop().run_in_executor(None, make)

    def close(self) -> None:
        """Nothing of its own to stop."""


class ProcessBuilder:
    """One spawned process per build (``make`` and what it returns must pickle)."""

    def __init__(self) -> None:
        self._running: set[BaseProcess] = set()
        self.building = asyncio.Event()  # set while a builder process runs

    async def build(self, make: Make) -> RoutingBundle:
        context = multiprocessing.get_context("spawn")  # no fork of a running loop
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_build_and_send, args=(make, send), name="rules-builder", daemon=True
        )
        process.start()
        send.close()  # the child's end: EOF here once the child is gone
        self._running.add(process)
        self.building.set()
        answering = asyncio.ensure_future(asyncio.to_thread(_receive, receive))
        try:
            try:
                answer = await asyncio.shield(answering)
            except asyncio.CancelledError:
                process.terminate()  # nobody waits for this build any more
                raise
        finally:
            await asyncio.wait({answering})  # EOF once the process is gone: pipe let go
            receive.close()
            await asyncio.to_thread(process.join)
            self._running.discard(process)
            if not self._running:
                self.building.clear()
        if answer is None:
            raise BuilderDied(f"the rules builder's process died (exit code {process.exitcode})")
        ok, value = answer
        if ok:
            assert isinstance(value, RoutingBundle)
            return value
        assert isinstance(value, BaseException)
        raise value

    def close(self) -> None:
        """At shutdown: a build under way is abandoned (its files are read again next
        start); its process is ended, which also ends the thread waiting for it."""
        for process in list(self._running):
            process.terminate()


def _build_and_send(make: Make, send: Connection) -> None:
    """In the builder process: build, send (True, bundle) or (False, the error)."""
    try:
        try:
            answer: tuple[bool, object] = (True, make())
        except Exception as exc:
            answer = (False, exc)
        send.send(answer)
    finally:
        send.close()


def _receive(receive: Connection) -> tuple[bool, object] | None:
    """The child's answer, or None when it ended without one."""
    try:
        answer: tuple[bool, object] = receive.recv()
    except (EOFError, OSError):
        return None
    return answer
