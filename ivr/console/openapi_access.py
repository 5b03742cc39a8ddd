"""The OpenAPI operations of sign-in (ivr.console.session_routes) and the board
(ivr.console.board_routes): added to the one document the console serves."""

from __future__ import annotations

from typing import Any

from ivr.console.openapi import ApiDocument, Json, error_responses


def _json(description: str, schema: Json | None = None) -> Json:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or {"type": "object"}}},
    }


def _body(required: list[str], properties: dict[str, Any]) -> Json:
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


TEXT = {"type": "string"}
CALL_ID = {"name": "call_id", "in": "path", "required": True, "schema": TEXT}
SESSION = {
    "type": "object",
    "properties": {"user": TEXT, "role": TEXT, "csrf_token": TEXT},
}


def document_access(doc: ApiDocument) -> None:
    """POST/GET/DELETE /api/session."""
    doc.add(
        "post",
        "/api/session",
        {
            "summary": "Sign in: sets the session cookie; send csrf_token as X-CSRF-Token",
            "security": [],
            "requestBody": _body(["user", "password"], {"user": TEXT, "password": TEXT}),
            "responses": {
                "200": _json("signed in", SESSION),
                "400": _json("not JSON, or fields missing"),
                "401": _json("wrong user name or password (the same answer for both)"),
                "429": _json("too many failed sign-ins: try again after Retry-After seconds"),
            },
        },
    )
    doc.add(
        "get",
        "/api/session",
        {"summary": "Who is signed in", "responses": {"200": _json("signed in", SESSION)}},
    )
    doc.add(
        "delete",
        "/api/session",
        {"summary": "Sign out", "responses": {"200": _json("signed out"), **error_responses()}},
    )


def document_board(doc: ApiDocument) -> None:
    """The board's snapshot and live feed, the queues panel, callbacks' actions."""
    doc.add(
        "get",
        "/api/board",
        {
            "summary": "Every live call as the board shows it, and other nodes' (read-only)",
            "responses": {
                "200": _json("calls, this node's name, and other nodes' calls in progress"),
                **error_responses(),
            },
        },
    )
    doc.add(
        "get",
        "/api/board/events",
        {
            "summary": (
                "Server-sent events: a snapshot, then changed and removed calls, the queues"
                " panel, and other nodes' calls when they change"
            ),
            "responses": {
                "200": {"description": "text/event-stream"},
                **error_responses(),
            },
        },
    )
    doc.add(
        "get",
        "/api/queues",
        {
            "summary": "Agents, waiting callers and booked callbacks",
            "responses": {"200": _json("the queues panel"), **error_responses()},
        },
    )
    doc.add(
        "post",
        "/api/callbacks/{call_id}/cancel",
        {
            "summary": "Cancel a booked callback, with a reason",
            "parameters": [CALL_ID],
            "requestBody": _body(["reason"], {"reason": TEXT}),
            "responses": {"200": _json("cancelled"), **error_responses(400, 404)},
        },
    )
    doc.add(
        "post",
        "/api/callbacks/{call_id}/now",
        {
            "summary": "Place a booked callback as soon as an agent is free",
            "parameters": [CALL_ID],
            "responses": {"200": _json("ready now"), **error_responses(404)},
        },
    )
