"""The app and the simulator together over real HTTP, WebSocket and RTP, on port 0."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from ivr.app import RUNTIME, Runtime, build_app
from ivr.config import Settings
from ivr.demo import prompt_seconds
from ivr.session.session import Clock
from ivr.shipped import PROMPT_SOUNDS
from ivr.simulator import AgentProfile, Simulator, SimulatorConfig

TIME_SCALE = 0.05  # simulated seconds x 0.05 = wall seconds
TUESDAY_11AM = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@dataclass
class Stack:
    sim: Simulator
    runtime: Runtime
    http: aiohttp.ClientSession
    base: str

    async def call(
        self, script: Sequence[Mapping[str, object]], caller: str = "07700900123"
    ) -> str:
        async with self.http.post(
            f"{self.base}/_sim/calls",
            json={
                "dialled": "101",
                "caller_number": caller,
                "caller_name": "Test",
                "script": list(script),
            },
        ) as resp:
            assert resp.status == 201, await resp.text()
            return str((await resp.json())["channel_id"])

    async def sim_post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        async with self.http.post(f"{self.base}{path}", json=dict(body or {})) as resp:
            assert resp.status < 300, await resp.text()
            return await resp.json()

    async def sim_get(self, path: str) -> Any:
        async with self.http.get(f"{self.base}{path}") as resp:
            return await resp.json()

    async def call_row(self, call_id: str, timeout: float = 15.0) -> dict[str, Any]:
        """The call's database row once the call has ended."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            manager = self.runtime.manager
            if manager is None or call_id not in manager.calls:
                row = await self.runtime.call_log.query(lambda s: s.get_call(call_id))
                if row and row.get("ended_at"):
                    return dict(row)
            await asyncio.sleep(0.02)
        raise AssertionError(f"call {call_id} did not end within {timeout} s")

    async def step_reached(self, call_id: str, prefix: str, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            manager = self.runtime.manager
            live = manager.calls.get(call_id) if manager else None
            if live and live.session.last_step.startswith(prefix):
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"call {call_id} never reached {prefix}")

    async def nothing_left(self, timeout: float = 5.0) -> dict[str, Any]:
        """Poll until the simulator holds no channel, bridge, playback or media port."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        objects: dict[str, Any] = {}
        while loop.time() < deadline:
            objects = await self.sim_get("/_sim/objects")
            objects["app_call_tasks"] = [
                t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("call:")
            ]
            keys = ("channels", "bridges", "playbacks", "external_media", "app_call_tasks")
            if not any(objects[k] for k in keys):
                return objects
            await asyncio.sleep(0.02)
        raise AssertionError(f"left behind: {objects}")

    async def events(self, call_id: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self.runtime.call_log.query(
            lambda s: s.events_for(call_id)
        )
        return rows


def sim_seconds(prompt_id: str) -> float:
    return prompt_seconds(prompt_id)


def office_hours_clock(start: datetime = TUESDAY_11AM) -> Clock:
    """Real elapsed time from a fixed weekday morning, so schedules do not depend on the day."""
    origin = datetime.now(UTC)
    return lambda: start + (datetime.now(UTC) - origin)


@asynccontextmanager
async def running_sim(
    agents: Mapping[str, AgentProfile] | None = None,
    sound_roots: Sequence[Path] = (),
) -> AsyncIterator[tuple[Simulator, int]]:
    """``sound_roots``: searched before the prompts' own sounds (a prompt made to last)."""
    sim = Simulator(
        SimulatorConfig(
            username="ivr101",
            password="test-secret",
            time_scale=TIME_SCALE,
            sound_roots=[*sound_roots, PROMPT_SOUNDS],
            default_agent=AgentProfile(answer_after=2.0, talk_for=4.0),
            agents=dict(agents or {}),
        )
    )
    port = await sim.start("127.0.0.1", 0)
    try:
        yield sim, port
    finally:
        await sim.stop()


@asynccontextmanager
async def running_app(
    running: tuple[Simulator, int], tmp_path: Path, settings: Mapping[str, Any] | None = None
) -> AsyncIterator[Stack]:
    """The app against a running simulator; leaving the block is the app's clean shutdown."""
    sim, port = running
    app_settings = Settings(
        ari_url=f"http://127.0.0.1:{port}",
        ari_user="ivr101",
        ari_password="test-secret",
        db_path=str(tmp_path / "calls.db"),
        first_digit_timeout=0.4,
        ring_timeout=30,
        speech_engine="none",  # keypad unless a test brings its own recogniser
    ).with_overrides(**dict(settings or {}))
    app: web.Application = build_app(app_settings, office_hours_clock())
    runner = web.AppRunner(app)
    await runner.setup()
    runtime = app[RUNTIME]
    try:
        assert runtime.stream is not None
        await asyncio.wait_for(runtime.stream.connected.wait(), 10)
        async with aiohttp.ClientSession() as http:
            yield Stack(sim, runtime, http, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running_stack(
    tmp_path: Path,
    *,
    agents: Mapping[str, AgentProfile] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> AsyncIterator[Stack]:
    async with running_sim(agents) as sim, running_app(sim, tmp_path, settings) as stack:
        yield stack
