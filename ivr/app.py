"""The composition root: every object of the running app is built here.

Background workers (call-log writer, ARI event stream) run in aiohttp
``cleanup_ctx`` so that shutdown ends calls cleanly, then flushes the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

import aiohttp
from aiohttp import web

from ivr.ari.client import AriClient
from ivr.ari.errors import AriError
from ivr.ari.models import Channel
from ivr.ari.stream import EventStream
from ivr.callers.service import CallerService, build_caller_service
from ivr.channel_ids import agent_of
from ivr.config import Settings
from ivr.flows import FlowBuilder
from ivr.http_guard import reject_bad_headers
from ivr.notify import SmsService
from ivr.notify.postcall import PostCallSurvey
from ivr.notify.texts import Texts
from ivr.operator_auth import OperatorAuth
from ivr.prompts import PromptCatalogue
from ivr.queues.book import CallbackBook
from ivr.queues.callbacks import CallbackWorker
from ivr.queues.model import DEFAULT_QUEUES_FILE
from ivr.queues.queues_yaml import load_queues_config
from ivr.queues.service import QueueService
from ivr.routing.model import Decision, Hypothesis, RoutingInputs
from ivr.routing.service import RoutingService, RulesBuilder
from ivr.session.control import AriCallControl
from ivr.session.emergency import BreakOut
from ivr.session.listening import MediaSettings
from ivr.session.manager import Adoption, CallManager, PlacedSession, SessionFactory, Unanswered
from ivr.session.notes import Note, read_note
from ivr.session.session import CallInfo, CallSession, Clock, SpeechService, utc_now
from ivr.speech.early import EarlySpeech
from ivr.speech.factory import build_recognizer, vocabulary_from_bundle
from ivr.speech.model import RecognizerError
from ivr.speech.pool import SpeechPool
from ivr.speech.twopass import Actionable, TwoPassSpeech, actionable_by
from ivr.store.log import CallLogDown, SqliteCallLog
from ivr.store.retention import RetentionPolicy, RetentionWorker
from ivr.verbs import Hangup

log = logging.getLogger(__name__)


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
    survey: PostCallSurvey | None = None  # None: no gateway, or [sms] survey = false


RUNTIME = web.AppKey("runtime", Runtime)


def build_app(settings: Settings, clock: Clock = utc_now) -> web.Application:
    """Build the app; ``clock`` is the one source of time for calls and routing."""
    prompts = PromptCatalogue.load(settings.prompts)
    routing = RoutingService(settings.rules_dir, prompts=prompts.ids, executor=RulesBuilder())
    Path(settings.db_path).parent.mkdir(parents=True, exist_ok=True)
    sms = SmsService.from_settings(settings, clock=clock)
    # Texts only with a gateway: a link must not be promised that will never be sent.
    texts = (
        Texts(
            sms.outbox,
            settings.online_link,
            sms.survey.sensitivity,
            abandoned_offer=settings.abandoned_sms_offer,
        )
        if settings.sms_url
        else None
    )
    queues: QueueService | None = None
    callbacks: CallbackWorker | None = None
    if settings.agents:
        queues_file = (
            settings.rules_dir / "queues.yaml" if settings.rules_dir else DEFAULT_QUEUES_FILE
        )
        queues = QueueService(
            load_queues_config(queues_file),
            settings.agents,
            away_s=settings.agent_away_s,
            clock=lambda: clock().timestamp(),
        )
        calls = _CallbackCalls(settings)
        callbacks = CallbackWorker(queues, CallbackBook(settings.db_path), calls, texts)
    flows = FlowBuilder(
        settings, routing, prompts, queues=queues, desk=callbacks, texts=texts, booked=callbacks
    )
    runtime = Runtime(
        settings=settings,
        prompts=prompts,
        call_log=SqliteCallLog(settings.db_path),
        routing=routing,
        flows=flows,
        callers=build_caller_service(settings),
        retention=RetentionWorker(
            settings.db_path,
            RetentionPolicy(settings.retention_numbers_days, settings.retention_records_days),
            clock,
        ),
        clock=clock,
        sms=sms,
        queues=queues,
        callbacks=callbacks,
        survey=PostCallSurvey(sms.survey) if settings.sms_url and settings.sms_survey else None,
    )
    if callbacks is not None:
        calls.runtime = runtime
    if not settings.api_token:
        log.warning("IVR_API_TOKEN is not set: the operator API (/api/...) answers 403")
    app = web.Application(
        middlewares=[reject_bad_headers(), OperatorAuth(settings.api_token).middleware]
    )
    app[RUNTIME] = runtime
    app.cleanup_ctx.append(_call_log_worker)
    app.cleanup_ctx.append(_routing_publisher)
    app.cleanup_ctx.append(_callers_worker)
    app.cleanup_ctx.append(_retention_worker)
    app.cleanup_ctx.append(_sms_worker)  # after the call log: it has migrated the database
    app.cleanup_ctx.append(_callback_book)
    app.cleanup_ctx.append(_speech_worker)
    app.cleanup_ctx.append(_ari_worker)
    sms.inbound.register(app)  # POST /sms/inbound (survey replies)
    app.router.add_get("/health", _health)
    app.router.add_get("/api/calls", _live_calls)
    return app


async def _call_log_worker(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    await runtime.call_log.open()  # a database that cannot open stops start-up, loudly
    task = asyncio.create_task(runtime.call_log.run(), name="call-log")
    yield
    with contextlib.suppress(CallLogDown):
        await runtime.call_log.flush()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _routing_publisher(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[RUNTIME].routing.close()


async def _callers_worker(app: web.Application) -> AsyncIterator[None]:
    """Caller history opens after the call log (which migrates) and closes after the calls."""
    callers = app[RUNTIME].callers
    await callers.open()
    yield
    await callers.close()


async def _retention_worker(app: web.Application) -> AsyncIterator[None]:
    """Retention runs at start-up and daily, after the call log has migrated the database."""
    retention = app[RUNTIME].retention
    await retention.open()
    task = asyncio.create_task(retention.run(), name="retention")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await retention.close()


async def _sms_worker(app: web.Application) -> AsyncIterator[None]:
    """The SMS outbox and its sender: a message is stored before anything else happens."""
    sms = app[RUNTIME].sms
    assert sms is not None
    async with sms.running():
        yield
        # Texts of the last calls are stored before the outbox closes.
        await app[RUNTIME].flows.chores.settle(timeout=5)
        survey = app[RUNTIME].survey
        if survey is not None:
            await survey.close()


async def _callback_book(app: web.Application) -> AsyncIterator[None]:
    """Accepted callbacks: opened before calls arrive, closed after the last one ended."""
    runtime = app[RUNTIME]
    if runtime.callbacks is None:
        yield
        return
    await runtime.callbacks.book.open()
    try:
        yield
    finally:
        await runtime.callbacks.close()
        await runtime.callbacks.book.close()
        if runtime.queues is not None:
            runtime.queues.close()


class _CallbackCalls:
    """CallbackCalls on the CallManager: ring one side into the app, then the other."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None

    async def run(self, channel_id: str, agent_endpoint: str, number: str, queue: str) -> str:
        runtime = self.runtime
        assert runtime is not None
        if runtime.manager is None:
            return "failed"
        agent_first, first, other = self._sides(agent_endpoint, number)
        side = _SecondSide()
        result = await runtime.manager.place_call(
            channel_id,
            first,
            self._builder(runtime, side, agent_first, other, number, queue, agent_of(channel_id)),
            caller_id=self.settings.caller_id,
            timeout=self.settings.callback_ring_timeout,
        )
        return side.outcome(result, agent_first)

    async def resume(
        self, channel_id: str, agent_endpoint: str, number: str, queue: str
    ) -> str | None:
        runtime = self.runtime
        assert runtime is not None
        manager, client = runtime.manager, runtime.client
        if manager is None or client is None:
            return None
        live = manager.calls.get(channel_id)
        if live is not None:  # taken over by reconcile: the two are talking
            await live.session.done.wait()
            return "answered"
        events = await runtime.call_log.query(lambda s: s.events_for(channel_id))
        if any(e["kind"] == "connected" for e in events):
            # They talked, and one of them has hung up since: what is left goes too.
            with contextlib.suppress(AriError):
                await client.hangup(channel_id)
            return "answered"
        agent_first, _first, other = self._sides(agent_endpoint, number)
        ringing = await read_note(client, channel_id, Note.RINGING)
        side = _SecondSide()
        result = await manager.resume_placed(
            channel_id,
            self._builder(
                runtime, side, agent_first, other, number, queue, agent_of(channel_id), ringing
            ),
            timeout=self.settings.callback_ring_timeout,
        )
        if result is None:
            if agent_first and not ringing and not any(e["kind"] == "dial" for e in events):
                # Gone, and the caller's number was never dialled from it (no dial in its
                # log, no leg noted on it): the agent's phone rang out, or they left on
                # the intro, during the restart. Not the caller's attempt, and no text.
                return "agent-no-answer"
            return None  # gone while nobody listened, and never put through
        return side.outcome(result, agent_first)

    def release(self, following: Collection[str]) -> None:
        runtime = self.runtime
        if runtime is not None and runtime.manager is not None:
            runtime.manager.release_held(following)

    def _sides(self, agent_endpoint: str, number: str) -> tuple[bool, str, str]:
        """(agent first?, the endpoint rung first, the other)."""
        caller_endpoint = self.settings.callback_dial.format(number=number)
        if self.settings.callback_first == "agent":
            return True, agent_endpoint, caller_endpoint
        return False, caller_endpoint, agent_endpoint

    @staticmethod
    def _builder(
        runtime: Runtime,
        side: _SecondSide,
        agent_first: bool,
        other: str,
        number: str,
        queue: str,
        agent: str | None,
        ringing: str = "",
    ) -> PlacedSession:
        def build(channel: Channel, control: AriCallControl) -> CallSession:
            side.control = control
            info = CallInfo(channel.id, channel.id, number, "", "callback")
            flows = runtime.flows
            return CallSession(
                info,
                control,
                runtime.prompts,
                runtime.call_log,
                flows.callback_resumed(agent_first, other, queue, agent or "", ringing),
                lambda: [Hangup("technical_difficulty", outcome="failed")],
                runtime.clock,
            )

        return build


# How a callback session that never rang the caller may end without spending their
# attempt: the agent hung up (its first leg is the agent's), or a shutdown.
NOT_THE_CALLERS_FAULT = frozenset({"caller", "app-shutdown"})


class _SecondSide:
    """What a callback's session did: was the other side rung, and how did it end."""

    def __init__(self) -> None:
        self.control: AriCallControl | None = None

    def outcome(self, result: CallSession | Unanswered, agent_first: bool) -> str:
        if isinstance(result, Unanswered):
            if agent_first:
                return "agent-no-answer"
            return "busy" if result.status == "BUSY" else "no-answer"
        if result.outcome == "transferred":
            return "answered"
        if agent_first:
            # The agent answered; the caller did not, or was never rung.
            if self.control is not None and self.control.dialled > 0:
                return "no-answer"
            # Never rung because the agent hung up on the intro (the first leg of a
            # callback is the agent: "caller" is them), or the app stopped meanwhile: not
            # the caller's attempt. Anything else (ARI refused to ring their number: a
            # misconfigured callback_dial) is a failed attempt, spent, so max_attempts
            # ends it rather than agent after agent being taken for ever.
            return "agent-left" if result.ended_by in NOT_THE_CALLERS_FAULT else "failed"
        # Caller first: their phone rang and they answered, so the attempt is spent (else
        # a caller who hangs up on the greeting, or a voicemail, is rung again at once,
        # for ever): no agent answered, or the caller left before one did.
        return "no-agent" if result.outcome == "callback-agent-no-answer" else "caller-left"


async def _speech_worker(app: web.Application) -> AsyncIterator[None]:
    """Load the speech engine in the background: calls meanwhile use the keypad.

    A model that cannot load is logged and the app runs keypad-only (the
    step-down path), rather than refusing to answer 101.
    """
    runtime = app[RUNTIME]
    settings = runtime.settings
    if settings.speech_engine == "none":
        runtime.speech_settled.set()
        yield
        return

    async def load() -> None:
        vocabulary = vocabulary_from_bundle(runtime.routing.bundle)
        engines = (
            ["pocketsphinx", "whisper"]
            if settings.speech_engine == "combined"
            else [settings.speech_engine]
        )
        try:
            for engine in engines:
                model = settings.speech_model if engine == settings.speech_engine else None
                recognizer = await asyncio.to_thread(
                    build_recognizer, engine, model=model, vocabulary=vocabulary
                )
                pools.append(SpeechPool(recognizer))
        except RecognizerError as exc:
            log.error("speech engine %s failed to load: [%s] %s", engine, exc.error_id, exc)
        finally:
            inner: SpeechService | None = None
            if len(pools) == 2:
                inner = TwoPassSpeech(pools[0], pools[1], _actionable(runtime))
            elif pools:
                inner = pools[0]  # combined with no Whisper: PocketSphinx alone
            if inner is not None:
                # Recognition starts at the pause, before the end of speech is confirmed.
                runtime.speech = EarlySpeech(inner)
            if runtime.speech is None:
                log.error("speech off, keypad only")
            else:
                log.info("speech ready: %s", " + ".join(p.recognizer.name for p in pools))
            runtime.speech_settled.set()

    pools: list[SpeechPool] = []
    loader = asyncio.create_task(load(), name="speech-load")
    yield
    loader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await loader
    if isinstance(runtime.speech, EarlySpeech):
        await runtime.speech.close()
    for pool in pools:
        await pool.close()


def _actionable(runtime: Runtime) -> Actionable:
    """The router's verdict on a first pass (route, top emergency, or not yet). ~0.1 ms."""

    def decide(hypotheses: tuple[Hypothesis, ...]) -> Decision:
        return runtime.routing.decide(RoutingInputs(at=runtime.clock(), hypotheses=hypotheses))

    return actionable_by(decide)


async def _ari_worker(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    settings = runtime.settings
    async with aiohttp.ClientSession() as http:
        client = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
        media = MediaSettings(
            bind_host=settings.media_bind,
            advertise_host=settings.media_advertise,
            codec=settings.media_codec,
        )

        def media_for_call() -> MediaSettings | None:
            """Listening only once speech has loaded; early decoding with it."""
            speech = runtime.speech
            if speech is None:
                return None
            early = speech if isinstance(speech, EarlySpeech) else None
            return replace(media, early=early)

        manager = CallManager(
            client, settings.ari_app, _session_factory(runtime), media=media_for_call
        )

        callback_tick: asyncio.Task[None] | None = None
        interrupted_closed = False

        async def on_connected(reconnect: bool) -> None:
            nonlocal callback_tick, interrupted_closed
            # Also on the first connect: a previous process may have left calls in Stasis.
            reconciled = await manager.reconcile()
            if reconciled and not interrupted_closed:
                # What it left and nobody adopted is over: no row "in-progress" for ever.
                # On the first reconcile that could see Asterisk, whichever connect it is.
                interrupted_closed = True
                runtime.call_log.close_interrupted(manager.calls, runtime.clock())
            if runtime.callbacks is None:
                manager.release_held(())  # callbacks off: what one left is nobody's
            elif callback_tick is None:
                # After reconcile, so an interrupted callback's channel can be looked up;
                # in a task of its own, so events keep flowing meanwhile.
                callback_tick = asyncio.create_task(runtime.callbacks.serve(), name="callbacks")
            else:
                runtime.callbacks.release_left()  # after a gap: what it does not follow

        stream = EventStream(
            client,
            settings.ari_app,
            manager.on_event,
            on_connected,
            heartbeat=settings.ws_heartbeat,
        )
        runtime.client, runtime.manager, runtime.stream = client, manager, stream
        task = asyncio.create_task(stream.run(), name="ari-events")
        try:
            yield
        finally:
            # No new agent offers or callbacks while the calls are let go.
            if callback_tick is not None:
                callback_tick.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await callback_tick
            if runtime.queues is not None:
                runtime.queues.close()
            await manager.shutdown()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _session_factory(runtime: Runtime) -> SessionFactory:
    def make(
        channel: Channel, dialled: str, control: AriCallControl, adoption: Adoption | None
    ) -> CallSession:
        info = CallInfo(
            call_id=channel.id,
            channel_id=channel.id,
            caller_number=channel.caller.number,
            caller_name=channel.caller.name,
            dialled=dialled,
        )
        return CallSession(
            info,
            control,
            runtime.prompts,
            runtime.call_log,
            runtime.flows.inbound() if adoption is None else runtime.flows.adopted(adoption),
            runtime.flows.step_down,
            runtime.clock,
            runtime.speech,
            callers=runtime.callers,
            observer=runtime.survey,
            breakout=BreakOut(runtime.routing, runtime.flows.emergency, runtime.flows.danger_check),
        )

    return make


async def _health(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    stream = runtime.stream
    connected = stream is not None and stream.connected.is_set() and not stream.replaced
    body = {
        "ari_connected": connected,
        "live_calls": len(runtime.manager.calls) if runtime.manager else 0,
        "speech": runtime.speech is not None,
        "call_log_healthy": runtime.call_log.healthy,
        # Without IVR_CALLER_KEY, operator flags stop matching after a restart.
        "caller_key_configured": bool(runtime.settings.caller_key),
        "queues": runtime.queues.snapshot() if runtime.queues is not None else {},
    }
    return web.json_response(body, status=200 if connected else 503)


async def _live_calls(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    calls = runtime.manager.calls.values() if runtime.manager else []
    queues = runtime.queues
    return web.json_response(
        [
            {
                "call_id": c.session.call_id,
                "caller_number": c.session.info.caller_number,
                "dialled": c.session.info.dialled,
                "step": c.session.last_step,
                "destination": c.session.destination,
                "caller_flags": sorted(c.session.caller.flags),
                "recent_calls": c.session.caller.recent_calls,
                "queue": queues.place_of(c.session.call_id) if queues is not None else None,
            }
            for c in calls
        ]
    )
