"""The chat desk's JSON: what the desk shows, and the agents' actions on chats.

    GET  /api/chat/desk                    queue, my chats, who else is at a desk
    GET  /api/chat/{chat_id}/messages      ?since=N: the transcript (the holder only)
    POST /api/chat/take                    {"chat_id": optional}: the next, or that one
    POST /api/chat/{chat_id}/say           {"body", "client_id"}
    POST /api/chat/{chat_id}/typing        {}
    POST /api/chat/{chat_id}/seen          {"seq"}
    POST /api/chat/{chat_id}/transfer      {"to": agent}
    POST /api/chat/{chat_id}/close         {"outcome": ChatOutcome}
    POST /api/chat/{chat_id}/number        {}: the number for a callback the caller asked

Each needs the operator role and the chat skill (ivr.console.chat_desk.chat_agent);
the auth middleware has checked the CSRF token of a POST. Refusals are ``{"error"}``:
400 for a bad body, 404 for no such chat, 409 when the chat's state does not allow it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from ivr.chat.hub import ChatRefused, ChatView, NoSuchChat, NotHeld, message_json
from ivr.chat.model import ChatOutcome, Sender
from ivr.console.api_schemas import operation, path_param
from ivr.console.bodies import json_object
from ivr.console.chat_desk import DESK, AgentDesk, DeskAudit, chat_agent
from ivr.console.errors import BadRequest
from ivr.console.identity import Operator
from ivr.console.openapi import ApiDocument

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_CLIENT_ID = 64


def register(app: web.Application, doc: ApiDocument) -> None:
    """The routes on ``app`` (after chat_desk.register), documented in ``doc``."""
    chat = "/api/chat/{chat_id}"
    param = [path_param("chat_id", "the chat (ChatView.chat_id)")]
    held = (404, 409)
    bad = (400, 404, 409)
    routes: list[tuple[str, str, Handler, dict[str, Any]]] = [
        ("GET", "/api/chat/desk", _desk, operation("The chat desk", "ChatDesk")),
        (
            "GET",
            f"{chat}/messages",
            _messages,
            operation("A transcript", "ChatMessages", param, bad),
        ),
        (
            "POST",
            "/api/chat/take",
            _take,
            operation("Take a chat", "ChatView", None, bad, "ChatTake"),
        ),
        (
            "POST",
            f"{chat}/say",
            _say,
            operation("Send a message", "ChatMessage", param, bad, "ChatSay"),
        ),
        (
            "POST",
            f"{chat}/typing",
            _typing,
            operation("The agent is typing", "ChatDone", param, held),
        ),
        (
            "POST",
            f"{chat}/seen",
            _seen,
            operation("Read up to seq", "ChatDone", param, bad, "ChatSeen"),
        ),
        (
            "POST",
            f"{chat}/transfer",
            _transfer,
            operation("Pass it on", "ChatView", param, bad, "ChatTransfer"),
        ),
        (
            "POST",
            f"{chat}/close",
            _close,
            operation("Close it", "ChatDone", param, bad, "ChatClose"),
        ),
        (
            "POST",
            f"{chat}/number",
            _number,
            operation("The caller's number", "ChatNumber", param, held),
        ),
    ]
    for method, path, handler, op in routes:
        app.router.add_route(method, path, _json_errors(handler))
        doc.add(method, path, op)
    _schemas(doc)


def _json_errors(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadRequest as exc:
            return web.json_response({"error": exc.message}, status=400)
        except NoSuchChat as exc:
            return web.json_response({"error": str(exc)}, status=404)
        except ChatRefused as exc:
            return web.json_response({"error": str(exc)}, status=409)

    return guarded


# --- reading -------------------------------------------------------------------------------


async def _desk(request: web.Request) -> web.Response:
    operator = chat_agent(request)
    desk = request.app[DESK]
    hub = desk.hub
    desk.audit.record(operator.name, DeskAudit.DESK_VIEWED, {})
    return web.json_response(
        {
            "me": operator.name,
            "signed_in": operator.name in desk.desks,
            "per_agent": desk.per_agent,
            "queue": [v.to_json() for v in hub.queue()],
            "mine": [v.to_json() for v in hub.held_by(operator.name)],
            "agents": [a for a in desk.signed_in() if a != operator.name],
        }
    )


async def _messages(request: web.Request) -> web.Response:
    operator, desk, view = _held(request)
    text = request.query.get("since", "0")
    if not text.isdigit() or len(text) > 9:
        raise BadRequest('"since" is a message number (0 for all)')
    messages = await desk.hub.since(view.chat_id, int(text))
    desk.audit.record(operator.name, DeskAudit.CHAT_READ, {"chat_id": view.chat_id})
    return web.json_response(
        {"chat": view.to_json(), "messages": [message_json(m) for m in messages]}
    )


# --- acting --------------------------------------------------------------------------------


async def _take(request: web.Request) -> web.Response:
    operator = chat_agent(request)
    desk = request.app[DESK]
    body = await _body(request)
    chat_id = body.get("chat_id")
    if chat_id is not None and not isinstance(chat_id, str):
        raise BadRequest('"chat_id" is a chat\'s id, or leave it out for the next')
    view = await desk.hub.take(operator.name, chat_id)
    detail = {"chat_id": view.chat_id, "call_id": view.call_id}
    desk.audit.record(operator.name, DeskAudit.CHAT_TAKEN, detail)
    return web.json_response(view.to_json())


async def _say(request: web.Request) -> web.Response:
    operator, desk, view = _held(request)
    body = await _body(request)
    text, client_id = body.get("body"), body.get("client_id", "")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest('"body" is the message: some text')
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID:
        raise BadRequest(f'"client_id" is the desk\'s id for it, at most {MAX_CLIENT_ID} chars')
    try:
        message = await desk.hub.say(
            view.chat_id, Sender.AGENT, text, author=operator.name, client_id=client_id
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return web.json_response(message_json(message))


async def _typing(request: web.Request) -> web.Response:
    _, desk, view = _held(request)
    desk.hub.typing(view.chat_id, Sender.AGENT)
    return web.json_response({"done": True})


async def _seen(request: web.Request) -> web.Response:
    _, desk, view = _held(request)
    seq = (await _body(request)).get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq <= view.last_seq:
        raise BadRequest(f'"seq" is a message number, 1 to {view.last_seq}')
    await desk.hub.delivered(view.chat_id, seq, Sender.AGENT)
    return web.json_response({"done": True})


async def _transfer(request: web.Request) -> web.Response:
    operator, desk, view = _held(request)
    to = (await _body(request)).get("to")
    if not isinstance(to, str) or to not in desk.desks:
        raise BadRequest('"to" is an agent with the chat desk open now')
    moved = await desk.hub.transfer(view.chat_id, operator.name, to)
    detail = {"chat_id": view.chat_id, "call_id": view.call_id, "to": to}
    desk.audit.record(operator.name, DeskAudit.CHAT_TRANSFERRED, detail)
    return web.json_response(moved.to_json())


async def _close(request: web.Request) -> web.Response:
    operator, desk, view = _held(request)
    given = (await _body(request)).get("outcome")
    try:
        outcome = ChatOutcome(str(given))
    except ValueError:
        known = ", ".join(o.value for o in ChatOutcome)
        raise BadRequest(f'"outcome" is one of {known}') from None
    await desk.hub.close_chat(view.chat_id, outcome, operator.name)
    detail = {"chat_id": view.chat_id, "call_id": view.call_id, "outcome": outcome.value}
    desk.audit.record(operator.name, DeskAudit.CHAT_CLOSED, detail)
    return web.json_response({"done": True})


async def _number(request: web.Request) -> web.Response:
    operator, desk, view = _held(request)
    if not view.callback_requested:
        raise NotHeld("the caller has not asked for a callback in this chat")
    number = await desk.links.number_for(view.chat_id)
    detail = {"chat_id": view.chat_id, "call_id": view.call_id}
    desk.audit.record(operator.name, DeskAudit.NUMBER_SHOWN, detail)
    return web.json_response({"number": number})


# --- helpers -------------------------------------------------------------------------------


def _held(request: web.Request) -> tuple[Operator, AgentDesk, ChatView]:
    """The agent, the desk, and the chat named in the path, which the agent holds."""
    operator = chat_agent(request)
    desk = request.app[DESK]
    view = desk.hub.view(request.match_info["chat_id"][:64])
    if view.agent != operator.name:
        raise NotHeld("you do not hold this chat: take it first")
    return operator, desk, view


async def _body(request: web.Request) -> Mapping[str, Any]:
    return await json_object(request, empty_ok=True)


def _schemas(doc: ApiDocument) -> None:
    obj = "object"
    view = {"type": obj, "description": "ChatView.to_json (ivr.chat.feed)"}
    message = {"type": obj, "description": "seq, sender, author, body, at, client_id"}
    doc.schema("ChatView", view)
    doc.schema("ChatMessage", message)
    doc.schema(
        "ChatDesk",
        {
            "type": obj,
            "properties": {
                "me": {"type": "string"},
                "signed_in": {"type": "boolean"},
                "per_agent": {"type": "integer"},
                "queue": {"type": "array", "items": view},
                "mine": {"type": "array", "items": view},
                "agents": {"type": "array", "items": {"type": "string"}},
            },
        },
    )
    doc.schema(
        "ChatMessages",
        {
            "type": obj,
            "properties": {"chat": view, "messages": {"type": "array", "items": message}},
        },
    )
    doc.schema("ChatDone", {"type": obj, "properties": {"done": {"type": "boolean"}}})
    doc.schema("ChatNumber", {"type": obj, "properties": {"number": {"type": "string"}}})
    doc.schema("ChatTake", {"type": obj, "properties": {"chat_id": {"type": "string"}}})
    doc.schema(
        "ChatSay",
        {
            "type": obj,
            "required": ["body"],
            "properties": {
                "body": {"type": "string", "maxLength": 2000},
                "client_id": {"type": "string", "maxLength": MAX_CLIENT_ID},
            },
        },
    )
    doc.schema(
        "ChatSeen", {"type": obj, "required": ["seq"], "properties": {"seq": {"type": "integer"}}}
    )
    doc.schema(
        "ChatTransfer", {"type": obj, "required": ["to"], "properties": {"to": {"type": "string"}}}
    )
    outcomes = {"type": "string", "enum": [o.value for o in ChatOutcome]}
    doc.schema(
        "ChatClose", {"type": obj, "required": ["outcome"], "properties": {"outcome": outcomes}}
    )
