"""The draft's routes on the app (admins only): made by ``ivr.rulesets.api.register``.

The settings and the speech engine come from the app's Runtime when it has one (the
running app); an app built without one (a test) gets the defaults and no speech.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from ivr.console.identity import Audit
from ivr.console.openapi import API_DOCUMENT, ApiDocument
from ivr.routing.service import RoutingService
from ivr.rulesets.book import RulesetBook
from ivr.rulesets.draft_api import DraftApi
from ivr.rulesets.draft_builds import DraftWorkspace
from ivr.rulesets.draft_http import Handler, guarded
from ivr.rulesets.draft_openapi import document_draft
from ivr.rulesets.draft_publish import PublishApi
from ivr.rulesets.draft_replay import ReplayJob, ReplayJobs
from ivr.rulesets.draft_suggest import SuggestApi
from ivr.rulesets.draft_try import SpeechSource, TryApi
from ivr.rulesets.live_write import LiveWriter
from ivr.rulesets_settings import RulesetSettings
from ivr.runtime import RUNTIME
from ivr.suggest.settings import SuggestSettings

DRAFT = "/api/rules/draft"


@dataclass(frozen=True)
class DraftOptions:
    """What the app's Runtime would give (tests give their own)."""

    settings: RulesetSettings = field(default_factory=RulesetSettings)
    suggest: SuggestSettings = field(default_factory=SuggestSettings)
    speech: SpeechSource = lambda: None
    watch: Callable[[ReplayJob], None] | None = None  # each replay's progress (tests)


@dataclass(frozen=True)
class DraftDesk:
    """Everything the draft's routes share."""

    workspace: DraftWorkspace
    jobs: ReplayJobs
    edit: DraftApi
    tries: TryApi
    publishing: PublishApi
    suggestions: SuggestApi

    def routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", DRAFT, self.edit.show),
            ("DELETE", DRAFT, self.edit.discard),
            ("GET", f"{DRAFT}/files/{{name}}", self.edit.file),
            ("PUT", f"{DRAFT}/files/{{name}}", self.edit.save),
            ("POST", f"{DRAFT}/check", self.edit.check),
            ("POST", f"{DRAFT}/directory", self.edit.directory),
            ("POST", f"{DRAFT}/try", self.tries.try_it),
            ("POST", f"{DRAFT}/replay", self.publishing.replay),
            ("GET", "/api/rules/replays/{id}", self.publishing.show_replay),
            ("DELETE", "/api/rules/replays/{id}", self.publishing.cancel_replay),
            ("POST", f"{DRAFT}/publish", self.publishing.publish),
            ("GET", "/api/rules/suggestions", self.suggestions.list),
            ("POST", "/api/rules/suggestions/accept", self.suggestions.accept),
        ]


def options_of(app: web.Application) -> DraftOptions:
    runtime = app.get(RUNTIME)
    if runtime is None:
        return DraftOptions()
    return DraftOptions(runtime.settings.rulesets, runtime.settings.suggest, lambda: runtime.speech)


def register_draft(
    app: web.Application,
    routing: RoutingService,
    book: RulesetBook,
    writer: LiveWriter,
    audit: Audit,
    *,
    db_path: str,
    clock: Callable[[], datetime],
    options: DraftOptions | None = None,
) -> DraftDesk:
    options = options or options_of(app)
    workspace = DraftWorkspace(routing, book)
    jobs = ReplayJobs(db_path, options.watch)
    desk = DraftDesk(
        workspace,
        jobs,
        DraftApi(workspace, audit, options.settings),
        TryApi(workspace, options.speech, clock),
        PublishApi(workspace, jobs, writer, audit, options.settings, clock),
        SuggestApi(workspace, audit, db_path, options.suggest, clock),
    )
    for method, path, handler in desk.routes():
        app.router.add_route(method, path, guarded(handler))
    doc: ApiDocument | None = app.get(API_DOCUMENT)
    if doc is not None:
        document_draft(doc)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        yield
        await jobs.close()

    app.cleanup_ctx.append(lifetime)
    return desk
