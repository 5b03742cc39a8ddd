"""The console's API contract: a hand-written OpenAPI 3.1 document at /api/openapi.json.

Each module that registers /api routes adds its operations to one ``ApiDocument``; the
test ``undocumented`` runs compares the document with the routes the app registered,
both ways, so the contract cannot drift from the code.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from aiohttp import web

Json = dict[str, Any]
API_PREFIX = "/api/"

ERROR = {"$ref": "#/components/schemas/Error"}


def error_responses(*statuses: int) -> Json:
    """The JSON ``{"error": ...}`` answers an operation may give, besides 401 and 403."""
    texts = {
        400: "the request is wrong (the message says what)",
        401: "not signed in",
        403: "signed in without the role this needs, or no CSRF token",
        404: "no such object",
        409: "the call cannot take this now (ended, talking to a person, not waiting,"
        " or moved on from what the operator saw)",
    }
    return {
        str(status): {
            "description": texts[status],
            "content": {"application/json": {"schema": ERROR}},
        }
        for status in sorted({401, 403, *statuses})
    }


class ApiDocument:
    def __init__(self, title: str = "ivr101 console API", version: str = "1") -> None:
        self._doc: Json = {
            "openapi": "3.1.0",
            "info": {"title": title, "version": version},
            "paths": {},
            "components": {
                "schemas": {
                    "Error": {
                        "type": "object",
                        "required": ["error"],
                        "properties": {"error": {"type": "string"}},
                    }
                },
                "securitySchemes": {
                    "session": {"type": "apiKey", "in": "cookie", "name": "ivr_console"},
                    "token": {"type": "http", "scheme": "bearer"},
                },
            },
            "security": [{"session": []}, {"token": []}],
        }

    def add(self, method: str, path: str, operation: Mapping[str, Any]) -> None:
        self._doc["paths"].setdefault(path, {})[method.lower()] = dict(operation)

    def schema(self, name: str, schema: Mapping[str, Any]) -> None:
        self._doc["components"]["schemas"][name] = dict(schema)

    def document(self) -> Json:
        return copy.deepcopy(self._doc)

    def operations(self) -> set[tuple[str, str]]:
        """(METHOD, path) of every documented operation."""
        return {(m.upper(), p) for p, ops in self._doc["paths"].items() for m in ops}

    def serve(self, app: web.Application) -> None:
        """GET /api/openapi.json (documented too)."""
        self.add(
            "get",
            "/api/openapi.json",
            {
                "summary": "This document",
                "responses": {"200": {"description": "the OpenAPI document"}},
            },
        )

        async def handler(request: web.Request) -> web.Response:
            return web.json_response(self.document())

        app.router.add_get("/api/openapi.json", handler)
        app[API_DOCUMENT] = self  # the other console modules add their operations to it


API_DOCUMENT = web.AppKey("api_document", ApiDocument)


def registered_api_routes(app: web.Application) -> set[tuple[str, str]]:
    """(METHOD, path) of every /api route the app has (HEAD, which GET brings, left out)."""
    found: set[tuple[str, str]] = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or ""
        if path.startswith(API_PREFIX) and route.method not in ("HEAD", "*"):
            found.add((route.method, path))
    return found


def undocumented(app: web.Application, doc: ApiDocument) -> tuple[set[tuple[str, str]], ...]:
    """(routes the document lacks, documented operations no route serves)."""
    routes = registered_api_routes(app)
    documented = doc.operations()
    return routes - documented, documented - routes
