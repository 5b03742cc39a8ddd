"""Overrides teach, in the browser: the miner's suggestions from the app's own call log,
and accepting one into the draft (never live), with its evidence in the audit trail.

Suggestions are mined against the live rules over the last ``[suggest] days`` (the call
database read-only, on a thread), each named by a stable ``key``; ``in_draft`` says an
admin already accepted it. Accepting edits a copy of the draft with ivr.suggest's own
``accept`` (a textual edit, then the bundle's checks) and saves the file it changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from ivr.console.bodies import json_object
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.identity import Audit, Role, require
from ivr.routing.bundle import RoutingBundle
from ivr.routing.intents import IntentMatcher
from ivr.routing.snapshot import RulesetFiles
from ivr.rulesets.draft import DraftAction, materialised, relative
from ivr.rulesets.draft_builds import DraftWorkspace
from ivr.rulesets.draft_http import Invalid
from ivr.store.readonly import Location
from ivr.suggest.accept import AcceptError, accept
from ivr.suggest.calls import CallLogError, CallLogReader
from ivr.suggest.miner import RulesInForce, SuggestionMiner
from ivr.suggest.model import Suggestion, SuggestionKind
from ivr.suggest.settings import SuggestSettings
from ivr.text import normalise


def key_of(suggestion: Suggestion) -> str:
    return f"{suggestion.kind.value}:{suggestion.target}:{normalise(suggestion.text)}"


def holds(bundle: RoutingBundle, suggestion: Suggestion) -> bool:
    """Whether ``bundle``'s rules already say it (the alias, or the example)."""
    wanted = normalise(suggestion.text)
    if suggestion.kind is SuggestionKind.ALIAS:
        entry = bundle.directory.get(suggestion.target)
        texts: Sequence[str] = entry.aliases if entry is not None else ()
    else:
        intent = (
            bundle.intents.get(suggestion.target)
            if isinstance(bundle.intents, IntentMatcher)
            else None
        )
        texts = intent.examples if intent is not None else ()
    return any(normalise(text) == wanted for text in texts)


class SuggestApi:
    def __init__(
        self,
        workspace: DraftWorkspace,
        audit: Audit,
        db_path: Location,
        settings: SuggestSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.workspace = workspace
        self.audit = audit
        self.db_path = db_path
        self.settings = settings
        self.clock = clock

    async def _mined(self) -> list[Suggestion]:
        until = self.clock()
        since = until - timedelta(days=self.settings.days)
        bundle = self.workspace.routing.bundle
        try:
            return await asyncio.to_thread(self._mine, bundle, since, until)
        except CallLogError as exc:
            raise Conflict(f"the call log cannot be read: {exc}") from None

    def _mine(self, bundle: RoutingBundle, since: datetime, until: datetime) -> list[Suggestion]:
        intents = bundle.intents.intents if isinstance(bundle.intents, IntentMatcher) else ()
        miner = SuggestionMiner(RulesInForce(bundle.directory, intents), self.settings)
        reader = CallLogReader(self.db_path)
        try:
            return miner.suggest(reader.calls(since, until))
        finally:
            reader.close()

    async def _draft_bundle(self) -> RoutingBundle | None:
        build = await self.workspace.built(await self.workspace.current())
        return None if build.engine is None else build.engine.bundle

    async def list(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        found = await self._mined()
        draft = await self._draft_bundle()
        return web.json_response(
            {"suggestions": [_json(s, draft is not None and holds(draft, s)) for s in found]}
        )

    async def accept(self, request: web.Request) -> web.Response:
        who = require(request, Role.ADMIN).name
        key = (await json_object(request)).get("key")
        if not isinstance(key, str) or not key:
            raise BadRequest("key must name a suggestion (from GET /api/rules/suggestions)")
        suggestion = next((s for s in await self._mined() if key_of(s) == key), None)
        if suggestion is None:
            raise NotFound("no such suggestion now (the calls behind it may have aged out)")
        draft_bundle = await self._draft_bundle()
        if draft_bundle is not None and holds(draft_bundle, suggestion):
            raise Conflict("the draft already has it")
        draft = await self.workspace.current()
        try:
            name, text = await asyncio.to_thread(_accepted, draft.files, suggestion)
        except AcceptError as exc:
            raise Invalid("it cannot go into the draft as it is", exc.errors) from None
        saved = await self.workspace.save({name: text}, who)
        self.audit.record(
            who,
            DraftAction.SUGGESTION_ACCEPTED,
            {"key": key, "file": name, "via": "console", **suggestion.to_json()},
        )
        build = await self.workspace.built(saved)
        return web.json_response({"accepted": key, "file": name, "errors": build.errors})


def _accepted(files: RulesetFiles, suggestion: Suggestion) -> tuple[str, str]:
    """The file ``accept`` changed in a copy of the draft, and its new text."""
    with materialised(files) as folder:
        try:
            done = accept(suggestion, folder)
        except AcceptError as exc:
            raise AcceptError(relative(list(exc.errors), folder)) from None
        return done.file.name, done.file.read_text("utf-8")


def _json(suggestion: Suggestion, in_draft: bool) -> dict[str, Any]:
    return {"key": key_of(suggestion), "in_draft": in_draft, **suggestion.to_json()}
