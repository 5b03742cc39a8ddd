"""Replaying the draft on the app's own calls, and publishing it.

POST /api/rules/draft/replay starts a job (one at a time: 409 while one runs) over the
last ``[rulesets] replay_days`` unless told a period; GET and DELETE
/api/rules/replays/{id} follow and cancel it. A publish needs a valid draft and a finished
replay of these very files (the same digest) that moved at most ``publish_warn_share``
of the decisions, unless the admin accepts the moves; it then goes the way a rollback
goes (ivr.rulesets.live_write: staged, swapped whole, stored as a new version, audited,
published in this app: calls in progress keep their rules), and the draft is emptied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from ivr.clock import UK
from ivr.console.bodies import json_object
from ivr.console.errors import BadRequest, Conflict, NotFound
from ivr.console.identity import Audit, Role, require
from ivr.replay.source import Period
from ivr.rulesets.admin import Refused, RulesetAction
from ivr.rulesets.draft_builds import DraftWorkspace
from ivr.rulesets.draft_http import Invalid
from ivr.rulesets.draft_replay import Busy, JobState, ReplayJobs
from ivr.rulesets.live_write import LiveWriter
from ivr.rulesets.store import VersionKind
from ivr.rulesets_settings import RulesetSettings

LONDON = UK
MAX_COMMENT = 500


class PublishApi:
    def __init__(
        self,
        workspace: DraftWorkspace,
        jobs: ReplayJobs,
        writer: LiveWriter,
        audit: Audit,
        settings: RulesetSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.workspace = workspace
        self.jobs = jobs
        self.writer = writer
        self.audit = audit
        self.settings = settings
        self.clock = clock

    async def replay(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        body = await json_object(request, empty_ok=True)
        now = self.clock()
        start = _when(body.get("from"), "from") or now - timedelta(days=self.settings.replay_days)
        end = _when(body.get("to"), "to") or now
        if start >= end:
            raise BadRequest("from must be before to")
        if self.jobs.running is not None:
            raise Conflict("a replay is running: wait for it or cancel it")
        draft = await self.workspace.current()
        build = await self.workspace.built(draft)
        if build.engine is None:
            raise Invalid("the draft has errors: fix them to replay it", build.errors)
        try:
            job = self.jobs.start(build.engine, draft.digest, Period(start, end))
        except Busy as exc:
            raise Conflict(str(exc)) from None
        return web.json_response({"id": job.id, **job.to_json()}, status=202)

    async def show_replay(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        job = self.jobs.get(request.match_info["id"])
        if job is None:
            raise NotFound("no such replay (only the latest are kept)")
        return web.json_response(job.to_json())

    async def cancel_replay(self, request: web.Request) -> web.Response:
        require(request, Role.ADMIN)
        job = self.jobs.get(request.match_info["id"])
        if job is None:
            raise NotFound("no such replay (only the latest are kept)")
        if job.state is not JobState.RUNNING:
            raise Conflict(f"the replay has already {job.state.value.replace('done', 'finished')}")
        job.cancel.set()
        await job.finished.wait()
        return web.json_response(job.to_json())

    async def publish(self, request: web.Request) -> web.Response:
        who = require(request, Role.ADMIN).name
        body = await json_object(request)
        comment, accept = body.get("comment", ""), body.get("accept_moves", False)
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            raise BadRequest(f"comment must be text of at most {MAX_COMMENT} characters")
        if not isinstance(accept, bool):
            raise BadRequest("accept_moves must be true or false")
        if self.workspace.routing.folder is None:
            raise Conflict("no rules folder is configured: the shipped rules are not published")
        if self.writer.busy:
            raise Conflict("a publish is running: try again when it has finished")
        draft = await self.workspace.current()
        if not draft.changed:
            raise Conflict("the draft is the live rules: there is nothing to publish")
        build = await self.workspace.built(draft)
        if build.errors:
            raise Invalid("the draft has errors: fix them to publish it", build.errors)
        share = self._moves(draft.digest, accept)
        async with self.writer.lock:
            try:
                added = await self.writer.write(
                    draft.files,
                    who,
                    VersionKind.PUBLISH,
                    comment.strip(),
                    before="the folder as it was before a publish from the browser",
                    invalid="the draft is not valid in the rules folder",
                )
            except Refused as exc:
                raise Invalid(str(exc), exc.errors) from None
            await self.workspace.discard()
            self.audit.record(
                who,
                RulesetAction.PUBLISHED,
                {
                    "version": added.version,
                    "comment": comment.strip(),
                    "moved_share": share,
                    "accepted_moves": accept,
                    "files": sorted(draft.edits),
                    "via": "console",
                },
            )
            errors = await self.workspace.routing.publish()
        return web.json_response(
            {
                "version": added.version,
                "live": self.workspace.routing.version,
                "publish_errors": errors,
            }
        )

    def _moves(self, digest: str, accept: bool) -> float | None:
        """The share the latest replay of these files moved; 409 unless it is within the
        limit or the admin accepts the moves."""
        job = self.jobs.latest_done(digest)
        share = job.moved_share if job is not None else None
        limit = self.settings.publish_warn_share
        if accept or (share is not None and share <= limit):
            return share
        why = (
            "replay this draft first (or accept its moves unseen)"
            if share is None
            else f"the replay moved {share:.1%} of decisions, over the {limit:.1%} limit"
        )
        raise Invalid(why, None, status=409, more={"moved_share": share, "limit": limit})


def _when(value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BadRequest(f"{name} must be an ISO time like 2026-01-12T10:00")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} {value!r} is not an ISO time like 2026-01-12T10:00") from None
    return at.replace(tzinfo=LONDON) if at.tzinfo is None else at
