"""The app's background workers, in the order they start (and stop in reverse).

Each is an aiohttp ``cleanup_ctx`` generator over the Runtime: it opens what it owns,
yields while the app runs, and closes it on shutdown, so that calls end cleanly before
the call log is flushed. ``WORKERS`` is the order the composition root installs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime

import aiohttp
from aiohttp import web

from ivr.ari.client import AriClient
from ivr.ari.models import Channel
from ivr.ari.stream import EventStream
from ivr.decisions import Decision, Hypothesis
from ivr.ha.leadership import Leadership
from ivr.routing.model import RoutingInputs
from ivr.runtime import RUNTIME, Runtime
from ivr.session.control import AriCallControl
from ivr.session.listening import MediaSettings
from ivr.session.manager import CallManager, SessionFactory
from ivr.session.model import CallInfo
from ivr.session.reconciler import Adoption
from ivr.session.session import CallSession
from ivr.speech.early import EarlySpeech
from ivr.speech.factory import build_recognizer
from ivr.speech.model import RecognizerError, SpeechService
from ivr.speech.pool import SpeechPool
from ivr.speech.settings import SpeechEngine
from ivr.speech.twopass import Actionable, TwoPassSpeech, actionable_by
from ivr.speech.vocabulary import vocabulary_from_bundle
from ivr.store.log import CallLogDown

log = logging.getLogger(__name__)

Worker = Callable[[web.Application], AsyncIterator[None]]


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
    leadership = app[RUNTIME].leadership
    async with sms.running(None if leadership is None else leadership.active):
        yield
        # Texts of the last calls are stored before the outbox closes.
        abandoned = app[RUNTIME].flows.abandoned
        if abandoned is not None:
            await abandoned.settle(timeout=5)
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


async def _speech_worker(app: web.Application) -> AsyncIterator[None]:
    """Load the speech engine in the background: calls meanwhile use the keypad.

    A model that cannot load is logged and the app runs keypad-only (the
    step-down path), rather than refusing to answer 101.
    """
    runtime = app[RUNTIME]
    settings = runtime.settings.speech
    if settings.engine == SpeechEngine.NONE:
        runtime.speech_settled.set()
        yield
        return

    async def load() -> None:
        vocabulary = vocabulary_from_bundle(runtime.routing.bundle)
        engines = (
            [SpeechEngine.POCKETSPHINX, SpeechEngine.WHISPER]
            if settings.engine == SpeechEngine.COMBINED
            else [settings.engine]
        )
        try:
            for engine in engines:
                model = settings.model if engine == settings.engine else None
                recognizer = await asyncio.to_thread(
                    build_recognizer,
                    engine,
                    model=model,
                    vocabulary=vocabulary,
                    whisper_prompt=settings.whisper_prompt,
                )
                pool = SpeechPool(recognizer)
                pools.append(pool)
                # Its workers start now, off the loop, not on the first callers' words.
                await pool.warm_up()
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
    """The router's verdict on a first pass (route, top emergency, or not yet): a routing
    decision, so TwoPassSpeech runs it in a worker thread."""

    def decide(hypotheses: tuple[Hypothesis, ...]) -> Decision:
        return runtime.routing.decide(RoutingInputs(at=runtime.clock(), hypotheses=hypotheses))

    return actionable_by(decide)


# Asterisk serves at most `sessionlimit` HTTP connections at once (http.conf; 100 by
# default, the events WebSocket among them) and drops the rest at once ("HTTP session
# count exceeded"). aiohttp's own pool allows 100, so under SIP load (150 calls, Asterisk
# slow to answer) the app's REST requests were refused; half the limit leaves room for
# the WebSocket and an operator's tools (bench/README.md "SIP load").
ARI_CONNECTIONS = 50


async def _ari_worker(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    ari, external = runtime.settings.ari, runtime.settings.media
    # At most ARI_CONNECTIONS requests at once: the rest wait in the app for a connection,
    # rather than opening more than Asterisk serves (see ARI_CONNECTIONS).
    connector = aiohttp.TCPConnector(limit=ARI_CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as http:
        client = AriClient(http, ari.url, ari.user, ari.password)
        media = MediaSettings(
            bind_host=external.bind, advertise_host=external.advertise, codec=external.codec
        )

        def media_for_call() -> MediaSettings | None:
            """Listening only once speech has loaded; early decoding with it."""
            speech = runtime.speech
            if speech is None:
                return None
            early = speech if isinstance(speech, EarlySpeech) else None
            return replace(media, early=early)

        manager = CallManager(client, ari.app, _session_factory(runtime), media=media_for_call)

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

        leadership = runtime.leadership
        stream = EventStream(
            client,
            ari.app,
            manager.on_event,
            on_connected,
            heartbeat=ari.ws_heartbeat,
            registration_check=ari.registration_check,
            on_replaced=(
                None
                if leadership is None
                else lambda: leadership.fence("Asterisk gave the ARI application to another node")
            ),
        )
        runtime.client, runtime.manager, runtime.stream = client, manager, stream
        if runtime.placement is not None:
            runtime.placement.attach(manager, client, runtime.flows.callbacks)
        task = asyncio.create_task(_events(stream, leadership), name="ari-events")
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


async def _events(stream: EventStream, leadership: Leadership | None) -> None:
    """The event stream; with [ha], only once this node holds the lease, renewed meanwhile."""
    if leadership is None:
        await stream.run()
        return
    await leadership.acquire()
    keeper = asyncio.create_task(leadership.keep(), name="ha-lease")
    try:
        await stream.run()
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        await leadership.release()


async def _lease_book(app: web.Application) -> AsyncIterator[None]:
    """[ha]: the lease table, opened after the call log has migrated the database."""
    leadership = app[RUNTIME].leadership
    if leadership is None:
        yield
        return
    await leadership.book.open()
    try:
        yield
    finally:
        await leadership.book.close()


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
        flows = runtime.flows.for_call(runtime.routing.pinned())  # its rules for the whole call
        # An adopted call began before this process: its duration counts from the caller's
        # channel's creation (its age, on the app's clock), not from the adoption.
        started_at = None
        if adoption is not None:
            started_at = runtime.clock() - channel.age(datetime.now(UTC))
        return CallSession(
            info,
            control,
            runtime.prompts,
            runtime.session_log or runtime.call_log,
            flows.inbound() if adoption is None else flows.adopted(adoption),
            flows.step_down,
            runtime.clock,
            runtime.speech,
            callers=runtime.callers,
            observer=runtime.survey,
            breakout=flows.breakout(),
            plan=flows,
            started_at=started_at,
        )

    return make


# Everything calls need, started before the first call can arrive.
SERVICES: tuple[Worker, ...] = (
    _call_log_worker,
    _routing_publisher,
    _callers_worker,
    _retention_worker,
    _sms_worker,  # after the call log: it has migrated the database
    _callback_book,
    _speech_worker,
    _lease_book,
)
# Connects to Asterisk: calls arrive from here on, so it starts last (after the console's
# diverts and messages too) and stops first.
CALLS: Worker = _ari_worker
WORKERS: tuple[Worker, ...] = (*SERVICES, CALLS)
