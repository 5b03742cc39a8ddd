"""The rulesets' operations in the console's OpenAPI document (ivr.console.openapi)."""

from __future__ import annotations

from ivr.console.openapi import ApiDocument, Json, error_responses
from ivr.rulesets.store import MAX_VERSION

TEXT = {"type": "string"}
VERSION = {
    "type": "object",
    "properties": {
        "version": {"type": "integer"},
        "at": TEXT,
        "author": TEXT,
        "kind": {"enum": ["publish", "rollback", "adopted"]},
        "comment": TEXT,
        "digest": TEXT,
        "size": {"type": "integer"},
    },
}
REF = {"oneOf": [{"type": "integer", "minimum": 1}, {"const": "live"}]}


def _json(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, description: str) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def document_rules(doc: ApiDocument) -> None:
    """GET /api/rules/versions, GET /api/rules/diff, POST /api/rules/rollback (admins)."""
    doc.schema("RulesetVersion", VERSION)
    version = {"$ref": "#/components/schemas/RulesetVersion"}
    live = {"type": ["integer", "null"], "description": "the version this app routes by"}
    restart = {  # ivr.rulesets.restart
        "restart_needed": {
            "type": "array",
            "items": TEXT,
            "description": "parts read at start-up only (queues.yaml) that differ from"
            " those the app started with: restart it for them to apply",
        },
        "note": TEXT,
    }
    doc.add(
        "get",
        "/api/rules/versions",
        {
            "summary": "Every ruleset version, newest first (admins)",
            "responses": {
                "200": _json(
                    "the versions",
                    {
                        "type": "object",
                        "properties": {
                            "live": live,
                            "versions": {"type": "array", "items": version},
                            **restart,
                        },
                    },
                ),
                **error_responses(),
            },
        },
    )
    diff = {
        "type": "object",
        "properties": {
            "path": TEXT,
            "change": {"enum": ["added", "removed", "changed"]},
            "diff": {"type": "string", "description": "unified diff"},
            "lines_left_out": {"type": "integer"},
        },
    }
    doc.add(
        "get",
        "/api/rules/diff",
        {
            "summary": "A unified diff per changed file between two versions (admins)",
            "parameters": [
                _query("a", "a version number, or live (the version this app routes by)"),
                _query("b", "a version number, or live"),
            ],
            "responses": {
                "200": _json(
                    "the files that differ",
                    {
                        "type": "object",
                        "properties": {
                            "a": REF,
                            "b": REF,
                            "files": {"type": "array", "items": diff},
                        },
                    },
                ),
                **error_responses(400, 404),
            },
        },
    )
    refused = {
        "type": "object",
        "required": ["error"],
        "properties": {"error": TEXT, "errors": {"type": "array", "items": TEXT}},
    }
    doc.add(
        "post",
        "/api/rules/rollback",
        {
            "summary": "Write an earlier version back into the rules folder and publish it"
            " (admins; audited)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["version"],
                            "properties": {
                                "version": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "maximum": MAX_VERSION,
                                },
                                "comment": TEXT,
                            },
                        }
                    }
                },
            },
            "responses": {
                **error_responses(404, 409),
                "200": _json(
                    "rolled back: the new version, and the live one after the publish",
                    {
                        "type": "object",
                        "properties": {
                            "version": version,
                            "live": live,
                            "publish_errors": {"type": "array", "items": TEXT},
                            **restart,
                        },
                    },
                ),
                "400": _json(
                    "a bad request, or the version is not valid now (errors:"
                    " file:line: message, as `ivr rules check`)",
                    refused,
                ),
                "500": _json(
                    "the rules folder could not be written (the message says why and"
                    " what a rollback needs); the live folder is as it was",
                    refused,
                ),
                "503": _json("the versions store is down", refused),
            },
        },
    )
