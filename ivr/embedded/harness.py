"""What a caller of the embedded stack does with it: place calls, read and wait on the log.

One harness for `ivr call`, `ivr demo` and the integration tests, so all three place a
call and decide that it is over the same way. Waiting re-checks only when something was
written to the call log (``SqliteCallLog.next_write``) or a call's task ends, never on a
timer: the app writes a step, an event or the call's end each time a call moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import wave
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from ivr.app import Runtime
from ivr.shipped import PROMPT_SOUNDS
from ivr.simulator import Simulator

T = TypeVar("T")
Row = dict[str, Any]
# The simulator has no notice for "an object went away", so an empty simulator is
# the one state read again after a short pause rather than on a notice.
SIM_SETTLE_POLL_S = 0.02


def prompt_seconds(prompt_id: str, sounds: Path = PROMPT_SOUNDS) -> float:
    """How long a prompt plays in simulated time: scripted callers act after it."""
    with wave.open(str(sounds / "en" / "ivr101" / f"{prompt_id}.wav"), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


@dataclass
class AppWatch:
    """Waits on a running app's call log: whatever Asterisk it answers (the simulator
    here, a real one in tests/real)."""

    runtime: Runtime

    async def wait_speech_ready(self, timeout: float) -> bool:
        """True once the engine has loaded; False if it failed, is off, or took too long."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.runtime.speech_settled.wait(), timeout)
        return self.runtime.speech is not None

    # --- the call log --------------------------------------------------------------------

    async def events(self, call_id: str) -> list[Row]:
        rows: list[Row] = await self.runtime.call_log.query(lambda s: s.events_for(call_id))
        return rows

    async def until(self, check: Callable[[], Awaitable[T | None]], timeout: float, what: str) -> T:
        """``check()`` once now and again after each write to the call log, until it is
        truthy; TimeoutError naming ``what`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            written = self.runtime.call_log.next_write()  # before the read: none is missed
            found = await check()
            if found:
                written.cancel()
                return found
            try:
                await asyncio.wait_for(written, deadline - loop.time())
            except TimeoutError:
                raise TimeoutError(f"{what} within {timeout:g} s") from None

    async def until_event(self, call_id: str, kind: str, timeout: float = 15.0) -> None:
        """Until the call has logged an event of ``kind``."""

        async def logged() -> bool:
            return any(e["kind"] == kind for e in await self.events(call_id))

        await self.until(logged, timeout, f"call {call_id} logged no {kind}")

    async def first_decision(self, call_id: str, timeout: float) -> Row | None:
        """The call's first routing decision once stored; None if none came in time."""

        async def decided() -> Row | None:
            rows = await self.runtime.call_log.query(lambda s: s.decisions_for(call_id))
            return dict(rows[0]) if rows else None

        try:
            return await self.until(decided, timeout, f"no decision for {call_id}")
        except TimeoutError:
            return None

    async def call_row(self, call_id: str, timeout: float = 15.0) -> Row:
        """The call's row once the call has ended and its session is gone."""
        still = await self.calls_ended([call_id], timeout)
        if still:
            raise TimeoutError(f"call {call_id} did not end within {timeout:g} s")
        row: Row = await self.runtime.call_log.query(lambda s: s.get_call(call_id))
        return dict(row)

    async def calls_ended(
        self,
        call_ids: Collection[str],
        timeout: float,
        progress: Callable[[int], None] | None = None,
        every: float = 15.0,
    ) -> set[str]:
        """Wait until each call's row says it ended and its session task is done.

        Returns the calls still open at ``timeout``; ``progress(n open)`` every ``every`` s.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        pending = set(call_ids)
        while pending and loop.time() < deadline:

            async def ended() -> bool:
                nonlocal pending
                rows = await self.runtime.call_log.query(
                    lambda s: {c: s.get_call(c) for c in pending}
                )
                pending = {c for c in pending if not (rows.get(c) or {}).get("ended_at")}
                return not pending

            with contextlib.suppress(TimeoutError):
                await self.until(ended, min(every, deadline - loop.time()), "calls open")
            if pending and progress is not None:
                progress(len(pending))
        manager = self.runtime.manager
        tasks = [manager.calls[c].task for c in call_ids if manager and c in manager.calls]
        if tasks:  # the row is written from inside the session: its task ends right after
            await asyncio.wait(tasks, timeout=max(0.0, deadline - loop.time()))
        if manager is not None:
            pending |= {c for c in call_ids if c in manager.calls}
        return pending

    async def texts_settled(self, call_ids: Collection[str], timeout: float) -> bool:
        """Until no text about these calls waits to be sent (each is sent or failed);
        False at ``timeout`` (a text the provider refused waits for its retry)."""
        sms = self.runtime.sms
        if sms is None:
            return True
        if self.runtime.survey is not None:  # a survey is stored in the background
            await self.runtime.survey.stored(timeout)
        ids = list(call_ids)
        marks = ",".join("?" * len(ids))
        sql = (
            f"SELECT COUNT(*) FROM sms_outbox WHERE call_id IN ({marks})"
            " AND state IN ('queued', 'sending')"
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            sent = sms.worker.next_outcome()  # before the read: none is missed
            waiting = await self.runtime.call_log.query(lambda s: s.db.execute(sql, ids).fetchone())
            if not waiting[0]:
                sent.cancel()
                return True
            try:
                await asyncio.wait_for(sent, deadline - loop.time())
            except TimeoutError:
                return False

    async def step_reached(self, call_id: str, prefix: str, timeout: float = 10.0) -> None:
        """Until the live call's current step starts with ``prefix`` (each step is logged)."""

        async def reached() -> bool:
            manager = self.runtime.manager
            live = manager.calls.get(call_id) if manager else None
            return live is not None and live.session.last_step.startswith(prefix)

        await self.until(reached, timeout, f"call {call_id} never reached {prefix}")


@dataclass
class Embedded(AppWatch):
    """The app and the simulator it answers, in one process."""

    sim: Simulator
    http: aiohttp.ClientSession
    base: str  # the simulator, e.g. http://127.0.0.1:PORT
    app_url: str

    # --- the simulator -----------------------------------------------------------------

    async def place(
        self,
        script: Sequence[Mapping[str, object]],
        caller: str = "07700900123",
        name: str = "Caller",
    ) -> str:
        """A scripted caller dials 101; returns the app-side channel id (the call id)."""
        body = {
            "dialled": "101",
            "caller_number": caller,
            "caller_name": name,
            "script": list(script),
        }
        async with self.http.post(f"{self.base}/_sim/calls", json=body) as resp:
            if resp.status != 201:
                raise RuntimeError(f"the simulator refused the call: {await resp.text()}")
            return str((await resp.json())["channel_id"])

    async def until_heard(self, call_id: str, media_uri: str, timeout: float = 15.0) -> None:
        """Until the caller has begun to hear ``media_uri``: a test that answers a prompt
        answers once it is heard, however loaded the machine (a script's fixed wait may
        come early). The simulator's record has no event to await, so it is read again
        every few milliseconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            record = await self.sim_get(f"/_sim/calls/{call_id}")
            if any(h["media_uri"] == media_uri for h in record.get("heard", [])):
                return
            if loop.time() >= deadline:
                raise TimeoutError(f"call {call_id} never heard {media_uri} within {timeout:g} s")
            await asyncio.sleep(0.01)

    async def sim_post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        async with self.http.post(f"{self.base}{path}", json=dict(body or {})) as resp:
            if resp.status >= 300:
                raise RuntimeError(f"POST {path}: {resp.status} {await resp.text()}")
            return await resp.json()

    async def sim_get(self, path: str) -> Any:
        async with self.http.get(f"{self.base}{path}") as resp:
            return await resp.json()

    async def nothing_left(self, timeout: float = 5.0) -> dict[str, Any]:
        """Once every call's task has ended, until the simulator holds no channel, bridge,
        playback or media port either; raises naming what was left behind."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        calls = [t for t in asyncio.all_tasks() if t.get_name().startswith("call:")]
        if calls:
            await asyncio.wait(calls, timeout=timeout)
        keys = ("channels", "bridges", "playbacks", "external_media", "app_call_tasks")
        while True:
            objects: dict[str, Any] = await self.sim_get("/_sim/objects")
            objects["app_call_tasks"] = [
                t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("call:")
            ]
            if not any(objects[k] for k in keys):
                return objects
            if loop.time() >= deadline:
                raise RuntimeError(f"left behind: {objects}")
            await asyncio.sleep(SIM_SETTLE_POLL_S)
