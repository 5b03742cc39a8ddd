"""The rulesets' JSON API for the console (admins only; an operator gets 403).

GET /api/rules/versions, GET /api/rules/diff?a=&b=, POST /api/rules/rollback. A
rollback is staged and checked as a publish builds (off the loop), swapped into the
folder, stored as a new version, audited, then published in this app; while a publish
is building it answers 409. ``live`` in a diff is the version this app routes by. A
folder that cannot be written, or a store that is down, answers JSON (500, 503); while
queues.yaml differs from the one the app started with, answers name it in
``restart_needed`` (ivr.rulesets.restart).
``register`` also opens the versions store with the app and names the live ruleset's
version before calls arrive (``RoutingService.use_versions``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from ivr.console.bodies import json_object
from ivr.console.errors import BadRequest, Conflict, ConsoleError, NotFound
from ivr.console.identity import Audit, Role, require
from ivr.console.openapi import API_DOCUMENT, ApiDocument
from ivr.routing.service import RoutingService
from ivr.routing.snapshot import RulesetFiles, read_ruleset
from ivr.rulesets.admin import (
    LIVE,
    Refused,
    RulesetAction,
    parse_ref,
    rollback_comment,
)
from ivr.rulesets.book import BookDown, RulesetBook
from ivr.rulesets.diff import diff_rulesets
from ivr.rulesets.draft_wiring import DraftDesk, DraftOptions, register_draft
from ivr.rulesets.folder import UnsafePath
from ivr.rulesets.live_write import LiveWriter
from ivr.rulesets.openapi import document_rules
from ivr.rulesets.restart import read_at_start, restart_hint, restart_needed
from ivr.rulesets.store import MAX_VERSION, NoSuchVersion, RulesetVersion, VersionKind

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_COMMENT = 500
log = logging.getLogger(__name__)


class RulesetsApi:
    def __init__(self, routing: RoutingService, book: RulesetBook, audit: Audit) -> None:
        self.routing = routing
        self.book = book
        self.audit = audit
        self.writer = LiveWriter(routing, book)
        self.draft: DraftDesk | None = None  # the draft's routes, once registered
        self._started_with = read_at_start(routing.folder)  # as the app read them

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/api/rules/versions", self.versions),
            ("GET", "/api/rules/diff", self.diff),
            ("POST", "/api/rules/rollback", self.rollback),
        ]

    async def versions(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        history = await self.book.history()
        return web.json_response(
            {
                "live": self.routing.version,
                "versions": [v.to_json() for v in history],
                **await self._restart_needed(),
            }
        )

    async def _restart_needed(self) -> dict[str, Any]:
        now = await asyncio.to_thread(read_at_start, self.routing.folder)
        parts = restart_needed(self._started_with, now)
        note = {"note": restart_hint(parts)} if parts else {}
        return {"restart_needed": list(parts), **note}

    async def diff(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        refs = []
        for name in ("a", "b"):
            text = request.query.get(name, "")
            if not text:
                raise BadRequest(f"give {name}= a version number or {LIVE!r}")
            refs.append(_ref(text))
        a, b = await self._files(refs[0]), await self._files(refs[1])
        diffs = await asyncio.to_thread(diff_rulesets, a, b, str(refs[0]), str(refs[1]))
        return web.json_response(
            {"a": refs[0], "b": refs[1], "files": [d.to_json() for d in diffs]}
        )

    async def _files(self, ref: int | str) -> RulesetFiles:
        version = self.routing.version if ref == LIVE else ref
        if version is None:  # no version known for the live rules: the folder as it is
            return await asyncio.to_thread(read_ruleset, self.routing.folder)
        try:
            return await self.book.files(int(version))
        except NoSuchVersion as exc:
            raise NotFound(str(exc)) from None

    async def rollback(self, request: web.Request) -> web.Response:
        who = require(request, Role.ADMIN).name
        body = await json_object(request)
        to, comment = body.get("version"), body.get("comment", "")
        if not isinstance(to, int) or isinstance(to, bool) or not 1 <= to <= MAX_VERSION:
            raise BadRequest("version must be a version number (1, 2, ...)")
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            raise BadRequest(f"comment must be text of at most {MAX_COMMENT} characters")
        if self.routing.folder is None:
            raise Conflict("no rules folder is configured: the shipped rules are not rolled back")
        if self.writer.busy:
            raise Conflict("a publish is running: try again when it has finished")
        async with self.writer.lock:
            try:
                added = await self._roll_back(to, who, comment.strip())
            except NoSuchVersion as exc:
                raise NotFound(str(exc)) from None
            except Refused as exc:
                return web.json_response({"error": str(exc), "errors": exc.errors}, status=400)
            except (OSError, UnsafePath) as exc:  # FolderUnwritable says what it needs
                log.error("rules rollback to %s failed: %s", to, exc)
                return web.json_response({"error": str(exc)}, status=500)
            self.audit.record(
                who,
                RulesetAction.ROLLED_BACK,
                {"to": to, "version": added.version, "comment": comment, "via": "console"},
            )
            errors = await self.routing.publish()
        return web.json_response(
            {
                "version": added.to_json(),
                "live": self.routing.version,
                "publish_errors": errors,
                **await self._restart_needed(),
            }
        )

    async def _roll_back(self, to: int, who: str, comment: str) -> RulesetVersion:
        return await self.writer.write(
            await self.book.files(to),
            who,
            VersionKind.ROLLBACK,
            rollback_comment(to, comment),
            before=f"the folder as it was before the rollback to {to}",
            invalid=f"version {to} is not valid now",
        )


def _ref(text: str) -> int | str:
    try:
        return parse_ref(text)
    except Refused as exc:
        raise BadRequest(str(exc)) from None


def _json_errors(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ConsoleError as exc:
            return web.json_response({"error": exc.message}, status=int(exc.status))
        except BookDown as exc:
            return web.json_response({"error": str(exc)}, status=503)

    return guarded


def register(
    app: web.Application,
    routing: RoutingService,
    audit: Audit,
    *,
    db_path: str,
    clock: Callable[[], datetime],
    draft: DraftOptions | None = None,
) -> RulesetsApi:
    """The routes (documented in the app's ApiDocument), and the versions store opened
    with the app: register it before the worker that connects calls. ``draft``: the
    draft's settings and speech (default: the app's Runtime's)."""
    book = RulesetBook(db_path, clock)
    api = RulesetsApi(routing, book, audit)
    doc: ApiDocument | None = app.get(API_DOCUMENT)
    for method, path, handler in api.routes():
        app.router.add_route(method, path, _json_errors(handler))
    if doc is not None:
        document_rules(doc)
    # The browser's draft: edit, try, replay, publish, suggestions (ivr.rulesets.draft_*).
    api.draft = register_draft(
        app, routing, book, api.writer, audit, db_path=db_path, clock=clock, options=draft
    )

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        await book.open()
        await routing.use_versions(book)
        yield
        await book.close()

    app.cleanup_ctx.append(lifetime)
    return api
