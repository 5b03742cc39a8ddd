"""The console's JSON API for acting on calls, diverts and incident messages.

Thin handlers: each checks who is asking (``identity.require``), reads and checks its
JSON, asks a service (ConsoleActions, DivertStore, IncidentMessages), which records
and audits what it did, and answers JSON. Refusals are ``{"error": ...}`` with 400,
404 or 409 (ivr.console.errors), never a 500 for a bad input. The CSRF token of a
cookie session is checked by the auth middleware before a handler runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ivr.console.actions import CallAudit, ConsoleActions
from ivr.console.api_schemas import add_schemas, operation, path_param
from ivr.console.bodies import json_object
from ivr.console.diverts import DivertStore
from ivr.console.errors import BadRequest, ConsoleError
from ivr.console.identity import Audit, Role, require
from ivr.console.messages import IncidentMessages
from ivr.console.openapi import API_DOCUMENT, ApiDocument, Json
from ivr.console.reasons import Reason
from ivr.console.seen import Seen

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def register(
    app: web.Application,
    actions: ConsoleActions,
    diverts: DivertStore,
    messages: IncidentMessages,
    audit: Audit,
    doc: ApiDocument | None = None,
) -> ApiDocument:
    """Add the routes (and their OpenAPI operations) to ``app``; returns the document,
    which serves /api/openapi.json, for the other console modules to add theirs to."""
    doc = doc or app.get(API_DOCUMENT) or ApiDocument()
    api = ConsoleApi(actions, diverts, messages, audit)
    add_schemas(doc)
    for method, path, handler, op in api.routes():
        app.router.add_route(method, path, _json_errors(handler))
        doc.add(method, path, op)
    if API_DOCUMENT not in app:
        doc.serve(app)
    return doc


def _json_errors(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ConsoleError as exc:
            return web.json_response({"error": exc.message}, status=int(exc.status))

    return guarded


async def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; BadRequest for anything else."""
    return await json_object(request)


def _row_id(request: web.Request) -> int:
    text = request.match_info["id"]
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise BadRequest(f"{text[:20]!r} is not an id")
    return int(text)


class ConsoleApi:
    def __init__(
        self,
        actions: ConsoleActions,
        diverts: DivertStore,
        messages: IncidentMessages,
        audit: Audit,
    ) -> None:
        self.actions = actions
        self.diverts = diverts
        self.messages = messages
        self.audit = audit

    def routes(self) -> list[tuple[str, str, Handler, Json]]:
        """(method, path, handler, OpenAPI operation) for every route."""
        call_id = path_param("call_id", "the call's id (its channel id)")
        row_id = path_param("id", "the row's id", integer=True)
        return [
            ("GET", "/api/calls", self.calls, operation("Live calls", "CallList", [], ())),
            (
                "POST",
                "/api/calls/{call_id}/reveal",
                self.reveal,
                operation(
                    "Show a caller's full number (audited, with the reason)",
                    "Revealed",
                    [call_id],
                    (400, 404),
                    "RevealRequest",
                ),
            ),
            (
                "POST",
                "/api/calls/{call_id}/route",
                self.route,
                operation("Re-route a call", "Moved", [call_id], (400, 404, 409), "RouteRequest"),
            ),
            (
                "POST",
                "/api/calls/{call_id}/take",
                self.take,
                operation(
                    "Take a call to my phone", "Moved", [call_id], (400, 404, 409), "ReasonRequest"
                ),
            ),
            (
                "POST",
                "/api/calls/{call_id}/priority",
                self.priority,
                operation(
                    "Raise a waiting caller's priority",
                    "Raised",
                    [call_id],
                    (400, 404, 409),
                    "PriorityRequest",
                ),
            ),
            ("GET", "/api/diverts", self.list_diverts, operation("Diverts in force", "DivertList")),
            (
                "POST",
                "/api/diverts",
                self.add_divert,
                operation("Divert a destination", "Divert", [], (400, 409), "DivertRequest", 201),
            ),
            (
                "DELETE",
                "/api/diverts/{id}",
                self.cancel_divert,
                operation("Cancel a divert", "Divert", [row_id], (400, 404)),
            ),
            (
                "GET",
                "/api/messages",
                self.list_messages,
                operation("Messages in force", "MessageList"),
            ),
            (
                "POST",
                "/api/messages",
                self.add_message,
                operation("Switch on a message", "Message", [], (400,), "MessageRequest", 201),
            ),
            (
                "DELETE",
                "/api/messages/{id}",
                self.cancel_message,
                operation("Switch off a message", "Message", [row_id], (400, 404)),
            ),
        ]

    async def calls(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        live = self.actions.live()
        # Who looked at the live calls, and when (the numbers are masked: revealing one is
        # its own audited request).
        self.audit.record(operator.name, CallAudit.VIEWED, {"calls": len(live)})
        return web.json_response(live)

    async def reveal(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        revealed = self.actions.reveal(request.match_info["call_id"], body.get("reason"), operator)
        return web.json_response(revealed.as_json())

    async def route(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        reason = Reason.parse(body.get("reason_code"), body.get("reason"))
        seen = Seen.parse(body.get("expected"))
        moved = self.actions.route(
            request.match_info["call_id"], body.get("destination"), reason, operator, seen
        )
        return web.json_response(moved.as_json())

    async def take(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        reason = Reason.parse(body.get("reason_code"), body.get("reason"))
        seen = Seen.parse(body.get("expected"))
        moved = self.actions.take(request.match_info["call_id"], reason, operator, seen)
        return web.json_response(moved.as_json())

    async def priority(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        raised = self.actions.raise_priority(
            request.match_info["call_id"],
            body.get("flag"),
            body.get("reason"),
            operator,
            Seen.parse(body.get("expected")),
        )
        return web.json_response(raised.as_json())

    async def list_diverts(self, request: web.Request) -> web.Response:
        require(request, Role.OPERATOR)
        return web.json_response([d.as_json() for d in self.diverts.listed()])

    async def add_divert(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        divert = await self.diverts.add(
            body.get("source"), body.get("target"), body.get("reason"), body.get("until"), operator
        )
        return web.json_response(divert.as_json(), status=201)

    async def cancel_divert(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        divert = await self.diverts.cancel(_row_id(request), operator)
        return web.json_response(divert.as_json())

    async def list_messages(self, request: web.Request) -> web.Response:
        require(request, Role.OPERATOR)
        return web.json_response([m.as_json() for m in self.messages.listed()])

    async def add_message(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        message = await self.messages.add(
            body.get("prompt_id"), body.get("scope"), body.get("until"), operator
        )
        return web.json_response(message.as_json(), status=201)

    async def cancel_message(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        message = await self.messages.cancel(_row_id(request), operator)
        return web.json_response(message.as_json())
