"""The embedded default: the simulator and the app in one process, each on a free port.

The same app that `ivr serve` runs against Asterisk, pointed at the simulator; nothing
in the app knows the difference. The two start apart too, so a test can stop the app
and start another against the same simulator (a restart) with calls still up.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from ivr.app import RUNTIME, Runtime, build_app
from ivr.ari.settings import AriSettings
from ivr.callers.settings import CallerSettings
from ivr.clock import Clock
from ivr.config import Settings
from ivr.embedded.harness import Embedded
from ivr.flow_settings import FlowSettings
from ivr.http_guard import server_options
from ivr.http_settings import HttpSettings
from ivr.message_settings import MessageSettings
from ivr.notify.settings import SmsSettings
from ivr.shipped import PROMPT_SOUNDS
from ivr.simulator import AgentProfile, Simulator, SimulatorConfig, TalkFrom
from ivr.store.settings import StoreSettings

CREDENTIALS = ("ivr101", "embedded")
# Talk time counts from being bridged: at any speed the app bridges an agent before they
# hang up, however long (in scaled time) it takes under load.
# Calls happen on a weekday morning, when every team is open, whatever the real time.
WEEKDAY_MORNING = datetime(2026, 11, 24, 10, 30, tzinfo=ZoneInfo("Europe/London"))
DEFAULT_AGENT = AgentProfile(answer_after=2.0, talk_for=5.0, talk_from=TalkFrom.BRIDGED)


def shifted_clock(start: datetime) -> Clock:
    """Real elapsed time from ``start``: calls happen 'as of' a chosen moment."""
    origin = datetime.now(UTC)
    return lambda: start + (datetime.now(UTC) - origin)


def message_sounds(db_path: str) -> Path:
    """The sounds root of the messages admins add, beside the run's database: the
    simulator is given it, as a force links Asterisk's sounds dir to it."""
    return Path(db_path).parent / "sounds"


class RunningSimulator(NamedTuple):
    sim: Simulator
    port: int  # ARI and /_sim on 127.0.0.1


@asynccontextmanager
async def running_simulator(
    *,
    speed: float,
    agent: AgentProfile | None = None,
    agents: Mapping[str, AgentProfile] | None = None,
    sound_roots: Sequence[Path] = (),
) -> AsyncIterator[RunningSimulator]:
    """``speed`` > 1 runs simulated time (prompts, agents) faster. ``agent`` is how every
    dialled person behaves, ``agents`` overrides it per endpoint; ``sound_roots`` are
    searched before the prompts' own sounds."""
    user, password = CREDENTIALS
    sim = Simulator(
        SimulatorConfig(
            username=user,
            password=password,
            time_scale=1.0 / speed,
            sound_roots=[*sound_roots, PROMPT_SOUNDS],
            default_agent=agent or DEFAULT_AGENT,
            agents=dict(agents or {}),
        )
    )
    port = await sim.start("127.0.0.1", 0)
    try:
        yield RunningSimulator(sim, port)
    finally:
        await sim.stop()


@asynccontextmanager
async def running_app(
    running: RunningSimulator,
    *,
    speed: float,
    db_path: str,
    clock: Clock,
    settings: Mapping[str, Any] | None = None,
) -> AsyncIterator[Embedded]:
    """The app against a running simulator; leaving the block is the app's clean shutdown.

    ``settings``: changes as ``{"section.field": value}`` (``Settings.overridden``).
    Texts go to the simulator's stand-in SMS provider (``GET /_sim/sms`` lists them).
    """
    user, password = CREDENTIALS
    base = f"http://127.0.0.1:{running.port}"
    # The app's port is known before it is built: a chat link texted in the demo opens.
    # Its socket is bound now and served as it is: a port looked up free and bound later
    # may meanwhile become any outgoing connection's local end (CI saw "address already
    # in use" under parallel tests).
    listener = bound_socket()
    app_port = int(listener.getsockname()[1])
    app_settings = Settings(
        ari=AriSettings(url=base, user=user, password=password),
        store=StoreSettings(db_path=db_path),
        messages=MessageSettings(sounds_dir=message_sounds(db_path)),
        flow=FlowSettings(first_digit_timeout=6.0 / speed, ring_timeout=30),
        # Simulated callers only; a force sets IVR_CALLER_KEY.
        callers=CallerSettings(key="embedded-demo-key"),
        sms=SmsSettings(url=f"{base}/_sim/sms"),
        # Printed by the demo; a force sets IVR_API_TOKEN.
        http=HttpSettings(api_token=secrets.token_urlsafe(24)),
    ).overridden({"chat.public_url": f"http://127.0.0.1:{app_port}", **(settings or {})})
    async with (
        serving(app_settings, clock, listener) as runtime,
        aiohttp.ClientSession() as http,
    ):
        yield Embedded(
            runtime=runtime,
            sim=running.sim,
            http=http,
            base=base,
            app_url=f"http://127.0.0.1:{app_port}",
        )


@asynccontextmanager
async def serving(
    settings: Settings, clock: Clock, listener: socket.socket
) -> AsyncIterator[Runtime]:
    """The app built from ``settings``, serving on the bound ``listener`` once its event
    WebSocket is connected; leaving the block is its clean shutdown (and closes it)."""
    try:
        app = build_app(settings, clock)
    except BaseException:
        listener.close()
        raise
    runner = web.AppRunner(app, **server_options())
    await runner.setup()
    site = web.SockSite(runner, listener)
    try:
        await site.start()
        runtime = app[RUNTIME]
        assert runtime.stream is not None
        await asyncio.wait_for(runtime.stream.connected.wait(), 10)
        yield runtime
    finally:
        await runner.cleanup()


@asynccontextmanager
async def embedded(
    *,
    speed: float,
    db_path: str,
    start: datetime,
    settings: Mapping[str, Any] | None = None,
    agent: AgentProfile | None = None,
    agents: Mapping[str, AgentProfile] | None = None,
    sound_roots: Sequence[Path] = (),
) -> AsyncIterator[Embedded]:
    """Both, the app's clock starting at ``start``."""
    async with (
        running_simulator(
            speed=speed,
            agent=agent,
            agents=agents,
            sound_roots=[*sound_roots, message_sounds(db_path)],
        ) as running,
        running_app(
            running, speed=speed, db_path=db_path, clock=shifted_clock(start), settings=settings
        ) as stack,
    ):
        yield stack


def bound_socket() -> socket.socket:
    """A TCP socket bound to a free port on 127.0.0.1, for the app to listen on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock
