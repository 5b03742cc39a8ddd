"""The draft's JSON routes: read it, edit a file, check as the admin types, discard it,
and upload a directory export through ``ivr directory import``'s importer.

Edits are saved even when the draft then has errors (no work is lost), and every answer
that follows an edit carries the draft's errors, line-numbered as ``ivr rules check``
prints them with the file's name ("rules.yaml:12: ..."). A publish refuses while there
are any (ivr.rulesets.draft_publish).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp import web

from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.identity import Audit, Role, require
from ivr.directory_import import ImportReport, import_csv
from ivr.routing.snapshot import RulesetFiles
from ivr.rulesets.draft import DraftAction, DraftFiles, NotText, materialised, relative
from ivr.rulesets.draft_builds import DraftWorkspace
from ivr.rulesets.draft_http import (
    Invalid,
    form_parts,
    is_multipart,
    large_json,
    read_body,
)
from ivr.rulesets_settings import RulesetSettings

DIRECTORY = "directory.yaml"
SCHEDULES = "schedules.yaml"
UPLOAD = "upload.csv"  # what the importer's messages call the uploaded export


class DraftApi:
    def __init__(self, workspace: DraftWorkspace, audit: Audit, settings: RulesetSettings) -> None:
        self.workspace = workspace
        self.audit = audit
        self.settings = settings

    async def _answer(self, draft: DraftFiles, **more: Any) -> web.Response:
        build = await self.workspace.built(draft)
        return web.json_response({**more, **draft.to_json(build.errors)})

    async def show(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        return await self._answer(await self.workspace.current())

    async def file(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        name = request.match_info["name"]
        draft = await self.workspace.current()
        return web.json_response(
            {"name": name, "text": _text(draft, name), "changed": draft.is_changed(name)}
        )

    async def save(self, request: web.Request) -> web.Response:
        who = require(request, Role.ADMIN).name
        name = request.match_info["name"]
        _text(await self.workspace.current(), name)  # 404 / 400 before reading a big body
        text = _required_text(await large_json(request, self.settings.max_file_bytes))
        draft = await self.workspace.save({name: text}, who)
        build = await self.workspace.built(draft)
        return web.json_response({"saved": True, "errors": build.errors, "digest": draft.digest})

    async def check(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        body = await large_json(request, self.settings.max_file_bytes)
        name, text = body.get("name"), _required_text(body)
        if not isinstance(name, str):
            raise BadRequest("name must be the file's name")
        draft = await self.workspace.current()
        _text(draft, name)
        typed = await asyncio.to_thread(draft.with_text, name, text)
        build = await self.workspace.built(typed)
        return web.json_response({"errors": build.errors, "digest": build.digest})

    async def discard(self, request: web.Request) -> web.Response:
        who = require(request, Role.ADMIN).name
        dropped = await self.workspace.discard()
        self.audit.record(who, DraftAction.DISCARDED, {"files": dropped, "via": "console"})
        return await self._answer(await self.workspace.current(), discarded=dropped)

    async def directory(self, request: web.Request) -> web.Response:
        """The export, all or nothing: every bad row refuses the lot (400, each listed)."""
        who = require(request, Role.ADMIN).name
        limit = self.settings.max_file_bytes
        if is_multipart(request):
            data = (await form_parts(request, limit)).get("file")
            if data is None:
                raise BadRequest('send the export as the form\'s "file"')
        else:
            data = await read_body(request, limit)
        if not data.strip():
            raise BadRequest("the export is empty")
        draft = await self.workspace.current()
        if "directory.csv" in draft.files.files:
            raise Conflict(
                "these rules keep their directory as directory.csv: edit that file instead"
            )
        report, texts = await asyncio.to_thread(_imported, draft.files, data)
        if not report.ok:
            raise Invalid(f"{len(report.errors)} error(s): the draft is unchanged", report.errors)
        draft = await self.workspace.save(texts, who)
        detail = {
            "people": report.people,
            "departments": report.departments,
            "schedules_added": list(report.schedules_added),
            "warnings": report.warnings,
        }
        self.audit.record(who, DraftAction.DIRECTORY_IMPORTED, {**detail, "via": "console"})
        build = await self.workspace.built(draft)
        return web.json_response({"saved": True, **detail, "errors": build.errors})


def _imported(files: RulesetFiles, data: bytes) -> tuple[ImportReport, dict[str, str | None]]:
    """The importer run on a copy of the draft; the files it wrote, as text."""
    with materialised(files) as folder, tempfile.TemporaryDirectory() as upload:
        src = Path(upload) / UPLOAD
        src.write_bytes(data)
        report = import_csv(src, folder / DIRECTORY)

        def shown(lines: list[str]) -> list[str]:
            return relative(relative(lines, folder), Path(upload))

        report = replace(report, errors=shown(report.errors), warnings=shown(report.warnings))
        if not report.ok:
            return report, {}
        texts: dict[str, str | None] = {DIRECTORY: (folder / DIRECTORY).read_text("utf-8")}
        if report.schedules_added:
            texts[SCHEDULES] = (folder / SCHEDULES).read_text("utf-8")
        return report, texts


def _text(draft: DraftFiles, name: str) -> str:
    if not draft.knows(name):
        raise NotFound(f"the rules have no file {name[:80]!r}")
    try:
        return draft.text(name)
    except NotText as exc:
        raise BadRequest(str(exc)) from None


def _required_text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str):
        raise BadRequest("text must be the file's whole text")
    return text
