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

from ivr.console.actions import ConsoleActions
from ivr.console.bodies import json_object
from ivr.console.diverts import DivertStore
from ivr.console.errors import BadRequest, ConsoleError
from ivr.console.identity import Audit, Role, require
from ivr.console.messages import IncidentMessages
from ivr.console.openapi import API_DOCUMENT, ApiDocument, Json, error_responses
from ivr.console.reasons import MAX_REASON_CHARS, Reason, ReasonCode
from ivr.queues.model import PRIORITY_FLAGS

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
    _schemas(doc)
    for method, path, handler, operation in api.routes():
        app.router.add_route(method, path, _json_errors(handler))
        doc.add(method, path, operation)
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
        call_id = _path_param("call_id", "the call's id (its channel id)")
        row_id = _path_param("id", "the row's id", integer=True)
        return [
            ("GET", "/api/calls", self.calls, _op("Live calls", "CallList", [], ())),
            (
                "POST",
                "/api/calls/{call_id}/route",
                self.route,
                _op("Re-route a call", "Moved", [call_id], (400, 404, 409), "RouteRequest"),
            ),
            (
                "POST",
                "/api/calls/{call_id}/take",
                self.take,
                _op(
                    "Take a call to my phone", "Moved", [call_id], (400, 404, 409), "ReasonRequest"
                ),
            ),
            (
                "POST",
                "/api/calls/{call_id}/priority",
                self.priority,
                _op(
                    "Raise a waiting caller's priority",
                    "Raised",
                    [call_id],
                    (400, 404, 409),
                    "PriorityRequest",
                ),
            ),
            ("GET", "/api/diverts", self.list_diverts, _op("Diverts in force", "DivertList")),
            (
                "POST",
                "/api/diverts",
                self.add_divert,
                _op("Divert a destination", "Divert", [], (400, 409), "DivertRequest", 201),
            ),
            (
                "DELETE",
                "/api/diverts/{id}",
                self.cancel_divert,
                _op("Cancel a divert", "Divert", [row_id], (400, 404)),
            ),
            ("GET", "/api/messages", self.list_messages, _op("Messages in force", "MessageList")),
            (
                "POST",
                "/api/messages",
                self.add_message,
                _op("Switch on a message", "Message", [], (400,), "MessageRequest", 201),
            ),
            (
                "DELETE",
                "/api/messages/{id}",
                self.cancel_message,
                _op("Switch off a message", "Message", [row_id], (400, 404)),
            ),
        ]

    async def calls(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        live = self.actions.live()
        # Callers' numbers are personal data: every view of them is audited.
        self.audit.record(operator.name, "calls.view", {"calls": len(live)})
        return web.json_response(live)

    async def route(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        reason = Reason.parse(body.get("reason_code"), body.get("reason"))
        moved = self.actions.route(
            request.match_info["call_id"], body.get("destination"), reason, operator
        )
        return web.json_response(moved.as_json())

    async def take(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        reason = Reason.parse(body.get("reason_code"), body.get("reason"))
        moved = self.actions.take(request.match_info["call_id"], reason, operator)
        return web.json_response(moved.as_json())

    async def priority(self, request: web.Request) -> web.Response:
        operator = require(request, Role.OPERATOR)
        body = await _body(request)
        raised = self.actions.raise_priority(
            request.match_info["call_id"], body.get("flag"), body.get("reason"), operator
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


# --- the OpenAPI side -----------------------------------------------------------------


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_param(name: str, description: str, *, integer: bool = False) -> Json:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer" if integer else "string"},
    }


def _op(
    summary: str,
    answer: str,
    parameters: list[Json] | None = None,
    errors: tuple[int, ...] = (),
    request: str | None = None,
    status: int = 200,
) -> Json:
    operation: Json = {
        "summary": summary,
        "responses": {
            str(status): {
                "description": "done",
                "content": {"application/json": {"schema": _ref(answer)}},
            },
            **error_responses(*errors),
        },
    }
    if parameters:
        operation["parameters"] = parameters
    if request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(request)}},
        }
    return operation


def _schemas(doc: ApiDocument) -> None:
    text = {"type": "string", "maxLength": MAX_REASON_CHARS}
    time = {"type": "string", "format": "date-time"}
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    destination = {
        "type": "string",
        "description": "a service (rc, fcr, switchboard, online, emergency) or directory:<id>",
    }
    code = {"type": "string", "enum": [c.value for c in ReasonCode]}
    doc.schema(
        "ReasonRequest",
        {
            "type": "object",
            "required": ["reason_code"],
            "properties": {"reason_code": code, "reason": text},
            "description": 'reason is required when reason_code is "other"',
        },
    )
    doc.schema(
        "RouteRequest",
        {
            "type": "object",
            "required": ["destination", "reason_code"],
            "properties": {"destination": destination, "reason_code": code, "reason": text},
        },
    )
    doc.schema(
        "PriorityRequest",
        {
            "type": "object",
            "required": ["flag", "reason"],
            "properties": {
                "flag": {"type": "string", "enum": sorted(PRIORITY_FLAGS)},
                "reason": text,
            },
        },
    )
    doc.schema(
        "DivertRequest",
        {
            "type": "object",
            "required": ["source", "target", "reason", "until"],
            "properties": {
                "source": destination,
                "target": destination,
                "reason": text,
                "until": {**time, "description": "after now, at most 7 days ahead"},
            },
        },
    )
    doc.schema(
        "MessageRequest",
        {
            "type": "object",
            "required": ["prompt_id", "scope", "until"],
            "properties": {
                "prompt_id": {"type": "string", "description": "a prompt of the catalogue"},
                "scope": {
                    "type": "string",
                    "description": "all | intent:<name> | place:<word>",
                },
                "until": {**time, "description": "after now, at most 7 days ahead"},
            },
        },
    )
    doc.schema(
        "Moved",
        {
            "type": "object",
            "properties": {
                "call_id": {"type": "string"},
                "from": {"type": "string"},
                "to": {"type": "string"},
                "reason_code": code,
                "reason": {"type": "string"},
                "by": {"type": "string"},
                "kept_place": {"type": "boolean"},
            },
        },
    )
    doc.schema(
        "Raised",
        {
            "type": "object",
            "properties": {
                "call_id": {"type": "string"},
                "queue": {"type": "string"},
                "flag": {"type": "string"},
                "priority": {"type": "integer"},
                "position": {"type": "integer"},
                "reason": {"type": "string"},
                "by": {"type": "string"},
            },
        },
    )
    timed = {
        "id": {"type": "integer"},
        "by": {"type": "string"},
        "from": time,
        "until": time,
        "cancelled_at": nullable_time,
        "cancelled_by": {"type": ["string", "null"]},
    }
    doc.schema(
        "Divert",
        {
            "type": "object",
            "properties": {
                **timed,
                "source": {"type": "string"},
                "target": {"type": "string"},
                "reason": {"type": "string"},
            },
        },
    )
    doc.schema(
        "Message",
        {
            "type": "object",
            "properties": {**timed, "prompt_id": {"type": "string"}, "scope": {"type": "string"}},
        },
    )
    doc.schema("DivertList", {"type": "array", "items": _ref("Divert")})
    doc.schema("MessageList", {"type": "array", "items": _ref("Message")})
    doc.schema(
        "Call",
        {
            "type": "object",
            "properties": {
                "call_id": {"type": "string"},
                "caller_number": {"type": "string"},
                "dialled": {"type": "string"},
                "step": {"type": "string"},
                "destination": {"type": "string"},
                "caller_flags": {"type": "array", "items": {"type": "string"}},
                "recent_calls": {"type": "integer"},
                "queue": {
                    "type": ["object", "null"],
                    "properties": {
                        "queue": {"type": "string"},
                        "position": {"type": "integer"},
                        "wait_s": {"type": ["integer", "null"]},
                    },
                },
                "started_at": time,
                "talking": {"type": "boolean"},
                "movable": {"type": "boolean"},
                "why_not_movable": {"type": ["string", "null"]},
            },
        },
    )
    doc.schema("CallList", {"type": "array", "items": _ref("Call")})
