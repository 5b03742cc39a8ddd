"""The prepared messages over HTTP: the pick list, admins adding and retiring one, a
preview of its audio, and the admin page at ``/admin/messages``.

Reading is for operators (they pick and hear); adding and retiring is for admins
(an operator gets 403). A render needs espeak-ng and sox on this server: without them
the answer is a 503 saying so, never a 500. ``register`` is called by
ConsoleRouting.register, with the API document the console serves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from ivr.console.admin_pages import MESSAGES, AdminPages
from ivr.console.bodies import json_object
from ivr.console.errors import ConsoleError
from ivr.console.identity import Audit, Role, require
from ivr.console.message_prompts import (
    ID_RULE,
    MAX_TEXT,
    MessagePrompts,
    PromptSource,
    checked_id,
)
from ivr.console.messages import IncidentMessages
from ivr.console.openapi import ApiDocument, Json, error_responses
from ivr.console.pages import CONTENT_SECURITY_POLICY, Pages
from ivr.media.synth import RenderError, ToolsMissing

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

NO_TOOLS = "espeak-ng and sox are not installed on this server"
ADMIN_PAGE = "/admin/messages"
# The page's own policy: the board's, and its previews' audio from this server.
PAGE_POLICY = f"{CONTENT_SECURITY_POLICY}; media-src 'self'"


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _json_errors(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ConsoleError as exc:
            return _error(int(exc.status), exc.message)
        except ToolsMissing:
            return _error(503, NO_TOOLS)
        except RenderError as exc:
            return _error(503, f"the message could not be rendered: {exc}")

    return guarded


@dataclass
class MessagePromptRoutes:
    prompts: MessagePrompts
    messages: IncidentMessages
    audit: Audit
    pages: AdminPages

    async def listed(self, request: web.Request) -> web.Response:
        require(request, Role.OPERATOR)
        return web.json_response([p.as_json() for p in self.prompts.listed()])

    async def add(self, request: web.Request) -> web.Response:
        admin = require(request, Role.ADMIN)
        body = await json_object(request)
        entry = await self.prompts.add(body.get("id"), body.get("text"), admin)
        return web.json_response(entry.as_json(), status=201)

    async def audio(self, request: web.Request) -> web.StreamResponse:
        require(request, Role.OPERATOR)
        path = self.prompts.audio(checked_id(request.match_info["id"]))
        return web.FileResponse(path, headers={"Content-Type": "audio/wav"})

    async def retire(self, request: web.Request) -> web.Response:
        admin = require(request, Role.ADMIN)
        prompt_id = checked_id(request.match_info["id"])
        entry = await self.prompts.retire(prompt_id, admin, self.messages.in_use())
        return web.json_response(entry.as_json())

    async def page(self, request: web.Request) -> web.StreamResponse:
        admin = self.pages.admin(request)  # signed out → /login; an operator → 403 page
        self.audit.record(admin.name, "message-prompts-viewed", {})
        return self.pages.render(
            request,
            "messages_admin.html",
            MESSAGES,
            policy=PAGE_POLICY,
            prompts=self.prompts.listed(),
            added=PromptSource.ADDED,
            max_text=MAX_TEXT,
        )


def register(
    app: web.Application,
    prompts: MessagePrompts,
    messages: IncidentMessages,
    audit: Audit,
    doc: ApiDocument,
    pages: Pages | None = None,
) -> None:
    """The routes on ``app`` and their operations in ``doc``."""
    routes = MessagePromptRoutes(prompts, messages, audit, AdminPages(pages))
    base, one = "/api/messages/prompts", "/api/messages/prompts/{id}"
    app.router.add_get(base, _json_errors(routes.listed))
    app.router.add_post(base, _json_errors(routes.add))
    app.router.add_get(f"{one}/audio", _json_errors(routes.audio))
    app.router.add_delete(one, _json_errors(routes.retire))
    app.router.add_get(ADMIN_PAGE, routes.page)
    document(doc)


# --- the OpenAPI side -------------------------------------------------------------------

_ENTRY: Json = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "text": {"type": "string"},
        "source": {"type": "string", "enum": [s.value for s in PromptSource]},
        "created_by": {"type": ["string", "null"]},
        "created_at": {"type": ["string", "null"], "format": "date-time"},
        "seconds": {"type": ["number", "null"], "description": "null: no audio on this server"},
    },
}
_ID_SCHEMA: Json = {"type": "string", "pattern": f"^{ID_RULE.pattern}$"}
_ID: Json = {"name": "id", "in": "path", "required": True, "schema": _ID_SCHEMA}


def _answer(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _unavailable() -> Json:
    return _answer(NO_TOOLS + ", or the render failed", {"$ref": "#/components/schemas/Error"})


def document(doc: ApiDocument) -> None:
    entry = {"$ref": "#/components/schemas/MessagePrompt"}
    doc.schema("MessagePrompt", _ENTRY)
    doc.add(
        "get",
        "/api/messages/prompts",
        {
            "summary": "The prepared messages an operator may switch on (the pick list)",
            "responses": {
                "200": _answer("the list", {"type": "array", "items": entry}),
                **error_responses(),
            },
        },
    )
    request = {
        "type": "object",
        "required": ["id", "text"],
        "properties": {
            "id": {**_ID_SCHEMA, "description": "not a prompt of the catalogue"},
            "text": {"type": "string", "maxLength": MAX_TEXT},
        },
    }
    doc.add(
        "post",
        "/api/messages/prompts",
        {
            "summary": "Add a message (admins): its text is rendered to audio",
            "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
            "responses": {
                "201": _answer("added", entry),
                **error_responses(400, 409),
                "503": _unavailable(),
            },
        },
    )
    doc.add(
        "get",
        "/api/messages/prompts/{id}/audio",
        {
            "summary": "A prepared message's audio, to hear it first",
            "parameters": [_ID],
            "responses": {
                "200": {"description": "the WAV", "content": {"audio/wav": {}}},
                **error_responses(400, 404),
            },
        },
    )
    doc.add(
        "delete",
        "/api/messages/prompts/{id}",
        {
            "summary": "Retire a message an admin added (refused while it is in force)",
            "parameters": [_ID],
            "responses": {"200": _answer("retired", entry), **error_responses(400, 404, 409)},
        },
    )
