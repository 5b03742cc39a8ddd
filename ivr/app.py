"""The composition root: every object of the running app is built and wired here.

Nothing else happens here: the objects live in their packages, the background
workers in ivr.workers (started in order, stopped in reverse, as aiohttp
``cleanup_ctx``), the HTTP routes in ivr.web, what the app holds in ivr.runtime.
"""

from __future__ import annotations

import logging
from functools import partial

from aiohttp import web

from ivr.callers.service import build_caller_service
from ivr.chat.desk import ChatDesk
from ivr.clock import Clock, utc_now
from ivr.config import Settings
from ivr.console import access as console_access
from ivr.console import board_routes
from ivr.console.access import ConsoleAccess
from ivr.console.board_routes import BoardConsole
from ivr.console.chat_wiring import LiveChat
from ivr.console.cluster import OtherNodes
from ivr.console.openapi_access import document_access, document_board
from ivr.console.wiring import ConsoleRouting
from ivr.flows import FlowBuilder
from ivr.ha.leadership import Leadership, LeaseBook, ari_lease_name
from ivr.http_guard import reject_bad_headers
from ivr.metrics.wiring import AppMetrics
from ivr.notify import SmsService
from ivr.notify.postcall import PostCallSurvey
from ivr.notify.texts import Texts
from ivr.prompts import PromptCatalogue
from ivr.queues.book import CallbackBook
from ivr.queues.callbacks import CallbackWorker
from ivr.queues.model import DEFAULT_QUEUES_FILE
from ivr.queues.placement import CallbackPlacement, PlacementSettings
from ivr.queues.queues_yaml import load_queues_config
from ivr.queues.service import QueueService
from ivr.queues.settings import CallbackFirst
from ivr.routing.builders import ProcessBuilder
from ivr.routing.bundle import load_bundle
from ivr.routing.service import RoutingService
from ivr.rulesets import api as rulesets_api
from ivr.rulesets import pages as rules_pages
from ivr.rulesets.follow import RulesetFollower
from ivr.runtime import RUNTIME, Runtime
from ivr.store.engine import make_room
from ivr.store.log import SqliteCallLog
from ivr.store.retention import RetentionWorker
from ivr.web import routes
from ivr.workers import CALLS, SERVICES

__all__ = ["RUNTIME", "Runtime", "build_app"]

log = logging.getLogger(__name__)


def build_app(settings: Settings, clock: Clock = utc_now) -> web.Application:
    """Build the app; ``clock`` is the one source of time for calls and routing."""
    db_path = settings.store.db_path
    prompts = PromptCatalogue.load(settings.prompts.catalogue)
    rules_dir = settings.routing.rules_dir
    routing = RoutingService(
        rules_dir,
        prompts=prompts.ids,
        builder=ProcessBuilder(),
        loader=partial(load_bundle, meaning=settings.routing.meaning),
    )
    make_room(db_path)
    # The node's origin (its Asterisk and ARI app): it holds the texts and callbacks it
    # serves (ivr.ha.claims), and stamps its calls; several may share the database.
    origin = ari_lease_name(settings.ari.url, settings.ari.app)
    sms = SmsService.from_settings(settings.sms, db_path, clock=clock, origin=origin)
    # Texts only with a gateway: a link must not be promised that will never be sent.
    texts = (
        Texts(
            sms.outbox,
            settings.texts.online_link,
            sms.survey.sensitivity,
            abandoned_offer=settings.texts.abandoned_offer,
        )
        if settings.sms.url
        else None
    )
    call_log = SqliteCallLog(db_path, origin=origin)
    # Live chat's hub and links (issue 17): the call flow offers chat from them.
    chat = (
        LiveChat.build(settings.chat, db_path, clock, call_log) if settings.chat.enabled else None
    )
    # Chat is offered only with a gateway to text its link (and while it can answer).
    chat_desk = (
        ChatDesk(
            settings.chat, chat.channel, lambda: routing.bundle.schedules, chat.links, texts, clock
        )
        if chat is not None and texts is not None
        else None
    )
    queues: QueueService | None = None
    callbacks: CallbackWorker | None = None
    placement: CallbackPlacement | None = None
    if settings.queues.agents:
        # A rules folder without its own queues.yaml has the shipped one, as it has every
        # other file it leaves out (ivr.routing.bundle.resolve_files).
        own = rules_dir / "queues.yaml" if rules_dir else None
        queues_file = own if own is not None and own.is_file() else DEFAULT_QUEUES_FILE
        queues = QueueService(
            load_queues_config(queues_file),
            settings.queues.agents,
            away_s=settings.queues.agent_away_s,
            clock=lambda: clock().timestamp(),
        )
        placement = CallbackPlacement(
            PlacementSettings(
                agent_first=settings.callbacks.first == CallbackFirst.AGENT,
                callback_dial=settings.callbacks.dial,
                caller_id=settings.flow.caller_id,
                ring_timeout=settings.flow.callback_ring_timeout,
            ),
            prompts,
            call_log,
            clock,
        )
        book = CallbackBook(db_path, origin=origin, claim_s=settings.callbacks.claim_s)
        callbacks = CallbackWorker(queues, book, placement, texts)
    flows = FlowBuilder(
        settings.flow,
        routing,
        prompts,
        queues=queues,
        desk=callbacks,
        texts=texts,
        booked=callbacks,
        chat=chat_desk,
    )
    access = ConsoleAccess.build(db_path, settings.http.api_token, settings.console, clock)
    board = BoardConsole.build(
        inner_log=call_log,
        live=lambda: runtime.live_sessions(),
        audit=access.audit,
        queues=queues,
        callbacks=callbacks,
        destinations=settings.flow.destinations,
        clock=clock,
        others=OtherNodes(db_path, origin, clock),  # other Asterisk nodes' calls, read-only
    )
    metrics = AppMetrics.build(
        live=lambda: runtime.live_sessions(),
        queues=queues,
        outbox_counts=sms.outbox.counts,
        scrapers=settings.metrics.networks,
        token=settings.metrics.token,
        target_s=settings.analysis.answer_target_s,
    )
    runtime = Runtime(
        settings=settings,
        prompts=prompts,
        call_log=call_log,
        routing=routing,
        flows=flows,
        callers=build_caller_service(settings.callers, db_path),
        retention=RetentionWorker(
            db_path, settings.store.retention.with_audit(settings.console.audit_days), clock
        ),
        clock=clock,
        sms=sms,
        queues=queues,
        callbacks=callbacks,
        placement=placement,
        survey=PostCallSurvey(sms.survey) if settings.sms.url and settings.sms.survey else None,
        session_log=metrics.tee(board.call_log),
        leadership=(
            Leadership(
                LeaseBook(db_path),
                origin,
                settings.ha,
            )
            if settings.ha.enabled
            else None
        ),
    )
    app = web.Application(middlewares=[reject_bad_headers()])
    app[RUNTIME] = runtime
    app.cleanup_ctx.extend(SERVICES)
    metrics.register(app)  # /metrics: its gate goes ahead of the console's sign-in
    # The console: sign-in and the audit trail, operators' actions, diverts and incident
    # messages, the live board. Their stores open before calls can arrive.
    console_access.install(app, access)
    api = ConsoleRouting.build(runtime, access.audit).register(app)
    board_routes.register(app, board)
    document_access(api)
    document_board(api)
    # Live chat (issue 17): the public chat page and the agents' desk, when [chat] is on.
    if chat is not None:
        chat.register(app, access, api, online_url=settings.texts.online_link, rules_dir=rules_dir)
    # Ruleset versions: the live rules' version is named before calls arrive.
    rules = rulesets_api.register(app, routing, access.audit, db_path=db_path, clock=clock)
    rules_pages.register(app)  # /admin/rules/*: the admin pages over that API
    if routing.folder is not None:
        # What is published or rolled back through any node sharing the database applies
        # here too (ivr.rulesets.follow); after the versions store opens, before calls.
        app.cleanup_ctx.append(RulesetFollower(rules.writer).lifetime)
    app.cleanup_ctx.append(CALLS)
    sms.inbound.register(app)  # POST /sms/inbound (survey replies)
    routes.register(app)  # /health
    if runtime.leadership is not None:
        routes.add_health_report(app, runtime.leadership.report)
    return app
