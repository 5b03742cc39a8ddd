"""Runtime: what the running app holds, built by the composition root (ivr.app).

Handlers and workers reach it through ``RUNTIME`` on the aiohttp application. The
fields that exist only once the app is connected to Asterisk (client, manager,
stream) and once speech has loaded are set by the workers that make them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from ivr.ari.client import AriClient
from ivr.ari.stream import EventStream
from ivr.callers.service import CallerService
from ivr.clock import Clock, utc_now
from ivr.config import Settings
from ivr.flows import FlowBuilder
from ivr.ha.leadership import Leadership
from ivr.notify import SmsService
from ivr.notify.postcall import PostCallSurvey
from ivr.prompts import PromptCatalogue
from ivr.queues.callbacks import CallbackWorker
from ivr.queues.placement import CallbackPlacement
from ivr.queues.service import QueueService
from ivr.routing.service import RoutingService
from ivr.session.manager import CallManager
from ivr.session.session import CallSession
from ivr.speech.model import SpeechService
from ivr.store.log import CallLog, SqliteCallLog
from ivr.store.retention import RetentionWorker


@dataclass
class Runtime:
    """What the running app holds; reachable from handlers via ``RUNTIME``."""

    settings: Settings
    prompts: PromptCatalogue
    call_log: SqliteCallLog
    routing: RoutingService
    flows: FlowBuilder
    callers: CallerService
    retention: RetentionWorker
    clock: Clock = utc_now
    speech: SpeechService | None = None  # None until the engine has loaded, or when it cannot
    speech_settled: asyncio.Event = field(default_factory=asyncio.Event)  # loaded or given up
    sms: SmsService | None = None
    client: AriClient | None = None
    manager: CallManager | None = None
    stream: EventStream | None = None
    queues: QueueService | None = None  # None: no [agents], Asterisk's dialplan queues calls
    callbacks: CallbackWorker | None = None
    placement: CallbackPlacement | None = None  # how callbacks ring (attached on connect)
    survey: PostCallSurvey | None = None  # None: no gateway, or [sms] survey = false
    # What calls record into: the call log, seen on the way by the console's board.
    session_log: CallLog | None = None
    # Active/standby ([ha]): None on a single node, which connects to Asterisk at once.
    leadership: Leadership | None = None

    def live_sessions(self) -> list[CallSession]:
        """The calls the app is running now (none before it is connected to Asterisk)."""
        manager = self.manager
        return [call.session for call in manager.calls.values()] if manager else []


RUNTIME = web.AppKey("runtime", Runtime)
