"""The rules draft's replay job (ivr.rulesets.draft_replay) reads the app's own call
database, a SQLite file or PostgreSQL (``db_location``), read-only: the decisions to
decide again, then the stored rows of the changed ones, shown as they were logged."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ivr.replay.source import Period
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.rulesets.draft_replay import JobState, ReplayJobs
from ivr.rulesets.draft_view import logged_decision, view
from ivr.store.db import CallStore
from tests.unit.replay.support import MONDAY_10AM, draft_rules, fixture_log, keyed


async def test_a_job_replays_the_log_and_shows_the_changed_calls_as_logged(
    db_location: str, tmp_path: Path
) -> None:
    async with fixture_log(db_location) as log:
        log.decided("c1", keyed("1", MONDAY_10AM))  # rc either way
        log.decided("c2", keyed("5", MONDAY_10AM + timedelta(minutes=1)))  # online → rc
    engine = RoutingEngine(load_bundle(draft_rules(tmp_path)))
    jobs = ReplayJobs(db_location)
    job = jobs.start(engine, "draft-digest", Period())
    await job.finished.wait()
    await jobs.close()
    assert job.state is JobState.DONE, job.error
    assert job.result is not None and (job.done, job.total) == (2, 2)
    (change,) = job.result["changes"]
    assert change["call_id"] == "c2" and change["new"]["destination"] == "rc"
    store = CallStore(db_location)
    (row,) = store.db.rows_where("decisions", "call_id = ?", ["c2"])
    store.close()
    assert change["old"] == view(logged_decision(row), engine.bundle.directory)
    assert change["old"]["explanation"]  # from the stored row's evidence, not the verdict
