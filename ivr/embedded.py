"""The embedded default: the simulator and the app in one process (demo, `ivr call`).

The same app that `ivr serve` runs against Asterisk, pointed at the
simulator on a free port; nothing in the app knows the difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from ivr.app import RUNTIME, Runtime, build_app
from ivr.config import Settings
from ivr.http_guard import server_options
from ivr.session.session import Clock
from ivr.shipped import PROMPT_SOUNDS
from ivr.simulator import AgentProfile, Simulator, SimulatorConfig, TalkFrom

CREDENTIALS = ("ivr101", "embedded")


def shifted_clock(start: datetime) -> Clock:
    """Real elapsed time from ``start``: calls happen 'as of' a chosen moment."""
    origin = datetime.now(UTC)
    return lambda: start + (datetime.now(UTC) - origin)


@dataclass
class Embedded:
    sim: Simulator
    runtime: Runtime
    http: aiohttp.ClientSession
    base: str  # the simulator, e.g. http://127.0.0.1:PORT
    app_url: str

    async def place(
        self, script: Sequence[Mapping[str, object]], caller: str, name: str = "Caller"
    ) -> str:
        """A scripted caller dials 101; returns the app-side channel id (the call id)."""
        body = {
            "dialled": "101",
            "caller_number": caller,
            "caller_name": name,
            "script": list(script),
        }
        async with self.http.post(f"{self.base}/_sim/calls", json=body) as resp:
            resp.raise_for_status()
            return str((await resp.json())["channel_id"])

    async def wait_speech_ready(self, timeout: float) -> bool:
        """True once the engine has loaded; False if it failed, is off, or took too long."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.runtime.speech_settled.wait(), timeout)
        return self.runtime.speech is not None


@asynccontextmanager
async def embedded(
    *,
    speed: float,
    db_path: str,
    start: datetime,
    settings: Mapping[str, Any] | None = None,
    agent: AgentProfile | None = None,
    agents: Mapping[str, AgentProfile] | None = None,
) -> AsyncIterator[Embedded]:
    """Start both; ``speed`` > 1 runs simulated time (prompts, agents) faster.

    ``agent`` is how every dialled person behaves, ``agents`` overrides it per endpoint.
    Texts go to the simulator's stand-in SMS provider (``GET /_sim/sms`` lists them).
    """
    # Talk time counts from being bridged: at any speed the app bridges an agent before they
    # hang up, however long (in scaled time) it takes under load.
    agent = agent or AgentProfile(answer_after=2.0, talk_for=5.0, talk_from=TalkFrom.BRIDGED)
    user, password = CREDENTIALS
    sim = Simulator(
        SimulatorConfig(
            username=user,
            password=password,
            time_scale=1.0 / speed,
            sound_roots=[PROMPT_SOUNDS],
            default_agent=agent,
            agents=dict(agents or {}),
        )
    )
    port = await sim.start("127.0.0.1", 0)
    app_settings = Settings(
        ari_url=f"http://127.0.0.1:{port}",
        ari_user=user,
        ari_password=password,
        db_path=db_path,
        first_digit_timeout=6.0 / speed,
        ring_timeout=30,
        caller_key="embedded-demo-key",  # simulated callers only; a force sets IVR_CALLER_KEY
        sms_url=f"http://127.0.0.1:{port}/_sim/sms",
        api_token=secrets.token_urlsafe(24),  # printed by the demo; a force sets IVR_API_TOKEN
    ).with_overrides(**dict(settings or {}))
    app = build_app(app_settings, shifted_clock(start))
    runner = web.AppRunner(app, **server_options())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    try:
        await site.start()
        runtime = app[RUNTIME]
        assert runtime.stream is not None
        await asyncio.wait_for(runtime.stream.connected.wait(), 10)
        app_port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as http:
            yield Embedded(
                sim, runtime, http, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{app_port}"
            )
    finally:
        await runner.cleanup()
        await sim.stop()
