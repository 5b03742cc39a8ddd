"""The OpenAPI side of the console's JSON API (ivr.console.api): its operations' shape
and the schemas of what it takes and answers, added to the one document the console
serves."""

from __future__ import annotations

from ivr.console.openapi import ApiDocument, Json, error_responses
from ivr.console.reasons import MAX_REASON_CHARS, ReasonCode
from ivr.queues.model import PRIORITY_FLAGS


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def path_param(name: str, description: str, *, integer: bool = False) -> Json:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer" if integer else "string"},
    }


def operation(
    summary: str,
    answer: str,
    parameters: list[Json] | None = None,
    errors: tuple[int, ...] = (),
    request: str | None = None,
    status: int = 200,
) -> Json:
    op: Json = {
        "summary": summary,
        "responses": {
            str(status): {
                "description": "done",
                "content": {"application/json": {"schema": ref(answer)}},
            },
            **error_responses(*errors),
        },
    }
    if parameters:
        op["parameters"] = parameters
    if request is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(request)}},
        }
    return op


def add_schemas(doc: ApiDocument) -> None:
    text = {"type": "string", "maxLength": MAX_REASON_CHARS}
    time = {"type": "string", "format": "date-time"}
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    destination = {
        "type": "string",
        "description": "a service (rc, fcr, switchboard, online, emergency) or directory:<id>",
    }
    code = {"type": "string", "enum": [c.value for c in ReasonCode]}
    expected = {
        "type": "object",
        "properties": {"step": {"type": "string"}, "destination": {"type": "string"}},
        "additionalProperties": False,
        "description": "what the operator saw of the call (its step and destination, as"
        " GET /api/calls gives them): if the call has moved on since, the action is"
        " refused (409) so the operator looks again. Optional",
    }
    doc.schema(
        "ReasonRequest",
        {
            "type": "object",
            "required": ["reason_code"],
            "properties": {"reason_code": code, "reason": text, "expected": expected},
            "description": 'reason is required when reason_code is "other"',
        },
    )
    doc.schema(
        "RouteRequest",
        {
            "type": "object",
            "required": ["destination", "reason_code"],
            "properties": {
                "destination": destination,
                "reason_code": code,
                "reason": text,
                "expected": expected,
            },
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
                "expected": expected,
            },
        },
    )
    doc.schema(
        "RevealRequest",
        {
            "type": "object",
            "required": ["reason"],
            "properties": {"reason": {**text, "description": "why the number is needed"}},
        },
    )
    doc.schema(
        "Revealed",
        {
            "type": "object",
            "properties": {
                "call_id": {"type": "string"},
                "caller_number": {"type": "string", "description": "in full"},
                "reason": {"type": "string"},
                "by": {"type": "string"},
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
    doc.schema("DivertList", {"type": "array", "items": ref("Divert")})
    doc.schema("MessageList", {"type": "array", "items": ref("Message")})
    doc.schema(
        "Call",
        {
            "type": "object",
            "properties": {
                "call_id": {"type": "string"},
                "caller_number": {
                    "type": "string",
                    "description": "masked (07•••••••01): POST /api/calls/{call_id}/reveal"
                    " gives it in full",
                },
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
    doc.schema("CallList", {"type": "array", "items": ref("Call")})
