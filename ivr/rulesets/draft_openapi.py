"""The draft's operations in the console's OpenAPI document (ivr.console.openapi)."""

from __future__ import annotations

from typing import Any

from ivr.console.openapi import ApiDocument, Json, error_responses

TEXT = {"type": "string"}
INT = {"type": "integer"}
TEXTS = {"type": "array", "items": TEXT}
NULL_INT = {"type": ["integer", "null"]}
ERRORS = {"type": "array", "items": TEXT, "description": "file:line: message, as `ivr rules check`"}
REFUSED = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": TEXT, "errors": ERRORS},
}
DECISION = {
    "type": "object",
    "properties": {
        "action": {"enum": ["route", "confirm", "disambiguate", "reprompt"]},
        "destination": {"type": ["string", "null"]},
        "destination_label": TEXT,
        "rule": TEXT,
        "reason": TEXT,
        "intent": {"type": ["string", "null"]},
        "confidence": {"type": ["number", "null"]},
        "explanation": TEXTS,
        "ruleset_version": NULL_INT,
        "otherwise": {  # a danger check's "no": where the call goes when nobody is in danger
            "type": ["object", "null"],
            "properties": {
                "action": {"enum": ["route", "confirm", "disambiguate", "reprompt"]},
                "destination": {"type": ["string", "null"]},
                "destination_label": TEXT,
                "rule": TEXT,
            },
        },
    },
}
D = {"$ref": "#/components/schemas/RulesDecision"}
CALL = {
    "type": "object",
    "properties": {
        "call_id": TEXT,
        "at": TEXT,
        "heard": TEXT,
        "old": D,
        "new": D,
    },
}


def _json(description: str, schema: Json) -> Json:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: Json, *more: tuple[str, Json]) -> Json:
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    content.update(dict(more))
    return {"required": True, "content": content}


def _obj(**properties: Any) -> Json:
    return {"type": "object", "properties": properties}


def _op(summary: str, ok: Json, *statuses: int, body: Json | None = None, **more: Json) -> Json:
    op: Json = {"summary": f"{summary} (admins)", "responses": {**error_responses(*statuses), **ok}}
    op["responses"].update(more)
    if body is not None:
        op["requestBody"] = body
    return op


def _name(what: str) -> list[Json]:
    return [
        {
            "name": "name" if what == "file" else "id",
            "in": "path",
            "required": True,
            "schema": TEXT,
            "description": what,
        }
    ]


def document_draft(doc: ApiDocument) -> None:
    doc.schema("RulesDecision", DECISION)
    draft = _obj(
        based_on=NULL_INT,
        digest=TEXT,
        files={"type": "array", "items": _obj(name=TEXT, size=INT, changed={"type": "boolean"})},
        errors=ERRORS,
    )
    invalid = {"400": _json("a bad request, or the draft has errors (listed)", REFUSED)}
    saved = _obj(saved={"type": "boolean"}, errors=ERRORS, digest=TEXT)
    path = "/api/rules/draft"
    doc.add(
        "get",
        path,
        _op(
            "The shared draft: the live files with the edits on top, and its errors",
            {"200": _json("the draft", draft)},
        ),
    )
    doc.add(
        "delete",
        path,
        _op(
            "Discard the draft (back to the live rules; audited)",
            {"200": _json("the draft now", draft)},
        ),
    )
    file_path = f"{path}/files/{{name}}"
    doc.add(
        "get",
        file_path,
        {
            **_op(
                "One file of the draft",
                {"200": _json("the file", _obj(name=TEXT, text=TEXT, changed={"type": "boolean"}))},
                400,
                404,
            ),
            "parameters": _name("file"),
        },
    )
    put = _op(
        "Save a file's text into the draft, even with errors (listed)",
        {"200": _json("saved", saved)},
        400,
        404,
        body=_body(_obj(text=TEXT)),
        **{
            "413": _json(
                "the text is over [rulesets] max_file_mb", {"$ref": "#/components/schemas/Error"}
            )
        },
    )
    doc.add("put", file_path, {**put, "parameters": _name("file")})
    doc.add(
        "post",
        f"{path}/check",
        _op(
            "The errors the draft would have with this text (nothing saved)",
            {"200": _json("the errors", _obj(errors=ERRORS, digest=TEXT))},
            400,
            404,
            body=_body(_obj(name=TEXT, text=TEXT)),
        ),
    )
    upload = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
    doc.add(
        "post",
        f"{path}/directory",
        _op(
            "A directory export through the importer into the draft, all or nothing (audited)",
            {
                "200": _json(
                    "imported",
                    _obj(
                        saved={"type": "boolean"},
                        people=INT,
                        departments=INT,
                        schedules_added=TEXTS,
                        warnings=TEXTS,
                        errors=ERRORS,
                    ),
                )
            },
            409,
            body={
                "required": True,
                "content": {
                    "text/csv": {"schema": TEXT},
                    "multipart/form-data": {"schema": upload},
                },
            },
            **invalid,
        ),
    )
    try_body = _obj(text=TEXT, digits=TEXT, at=TEXT, flags=TEXTS, dialled=TEXT)
    audio = _obj(audio={"type": "string", "format": "binary"}, at=TEXT, flags=TEXT, dialled=TEXT)
    doc.add(
        "post",
        f"{path}/try",
        _op(
            "What the draft and the live rules decide for words, keys or a WAV",
            {
                "200": _json(
                    "both decisions",
                    _obj(
                        heard={
                            "type": "array",
                            "items": _obj(text=TEXT, confidence={"type": "number"}),
                        },
                        draft=D,
                        live=D,
                        same={"type": "boolean"},
                    ),
                )
            },
            409,
            body=_body(try_body, ("multipart/form-data", {"schema": audio})),
            **invalid,
        ),
    )
    job = _obj(
        id=TEXT,
        state={"enum": ["running", "done", "failed", "cancelled"]},
        done=INT,
        total=INT,
        draft_digest=TEXT,
        result={
            "type": ["object", "null"],
            "properties": {
                "decisions": INT,
                "changed": INT,
                "moved_share": {"type": "number"},
                "approximate": INT,
                "table": {
                    "type": "array",
                    "items": _obj(**{"from": TEXT, "to": TEXT, "count": INT}),
                },
                "changes": {"type": "array", "items": CALL},
                "overrides": _obj(
                    now_right=INT,
                    still_wrong=INT,
                    newly_wrong=INT,
                    calls={"type": "array", "items": CALL},
                ),
            },
        },
    )
    doc.add(
        "post",
        f"{path}/replay",
        _op(
            "Replay the app's logged calls under the draft (default: the last [rulesets]"
            " replay_days); one at a time",
            {"202": _json("started", job)},
            409,
            body={
                "required": False,
                "content": {"application/json": {"schema": _obj(**{"from": TEXT, "to": TEXT})}},
            },
            **invalid,
        ),
    )
    replay_path = "/api/rules/replays/{id}"
    doc.add(
        "get",
        replay_path,
        {
            **_op("A replay's progress and result", {"200": _json("the replay", job)}, 404),
            "parameters": _name("replay"),
        },
    )
    doc.add(
        "delete",
        replay_path,
        {
            **_op("Cancel a running replay", {"200": _json("cancelled", job)}, 404, 409),
            "parameters": _name("replay"),
        },
    )
    doc.add(
        "post",
        f"{path}/publish",
        _op(
            "Publish the draft: a new version, swapped in whole, live for the next calls (audited)",
            {"200": _json("published", _obj(version=INT, live=NULL_INT, publish_errors=TEXTS))},
            body=_body(_obj(comment=TEXT, accept_moves={"type": "boolean"})),
            **invalid,
            **{
                "409": _json(
                    "a publish is running, nothing to publish, or the draft was not"
                    " replayed / moved more than [rulesets] publish_warn_share",
                    _obj(
                        error=TEXT,
                        moved_share={"type": ["number", "null"]},
                        limit={"type": "number"},
                    ),
                )
            },
        ),
    )
    suggestion = _obj(
        key=TEXT,
        in_draft={"type": "boolean"},
        kind={"enum": ["alias", "example"]},
        target=TEXT,
        text=TEXT,
        headline=TEXT,
        why=TEXT,
        count=INT,
        calls={"type": "array", "items": {"type": "object"}},
    )
    doc.add(
        "get",
        "/api/rules/suggestions",
        _op(
            "What operators' moves suggest the rules learn, with the calls",
            {
                "200": _json(
                    "the suggestions", _obj(suggestions={"type": "array", "items": suggestion})
                )
            },
            409,
        ),
    )
    doc.add(
        "post",
        "/api/rules/suggestions/accept",
        _op(
            "Put a suggestion into the draft (never live; audited with its calls)",
            {"200": _json("accepted", _obj(accepted=TEXT, file=TEXT, errors=ERRORS))},
            404,
            409,
            body=_body(_obj(key=TEXT)),
            **invalid,
        ),
    )
