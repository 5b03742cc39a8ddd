"""Replay the draft on the app's own logged calls (written through the real writer), then
publish it: refused unreplayed or over the share, accepted with accept_moves, live for
the next decision while a call in progress keeps its version."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from ivr.rulesets.draft_replay import ReplayJob
from ivr.rulesets.draft_wiring import DraftOptions
from tests.unit.console.support import HandClock
from tests.unit.replay.support import MONDAY_10AM, fixture_log, keyed
from tests.unit.rulesets.draft_support import (
    KEY_5_ONLINE,
    KEY_5_RC,
    Admin,
    ClientFactory,
    admin_app,
)

LATER = MONDAY_10AM + timedelta(hours=2)  # the replay's default 7 days hold every call


async def write_calls(db: Path) -> None:
    """Six calls: key 5 went online (the draft sends it to rc), one an operator moved to
    rc, one moved from fcr to the switchboard, and one logged before inputs were stored."""
    at = [MONDAY_10AM + timedelta(minutes=n) for n in range(6)]
    async with fixture_log(db) as log:
        log.decided("c1", keyed("1", at[0]))
        log.decided("c2", keyed("5", at[1]))
        log.decided("c3", keyed("5", at[2]))
        log.moved("c3", at[2] + timedelta(seconds=30), "online", "rc")
        log.decided("c4", keyed("2", at[3]))
        log.moved("c4", at[3] + timedelta(seconds=30), "fcr", "switchboard")
        log.decided_before_inputs_were_stored("c5", keyed("5", at[4]))
        log.decided("c6", keyed("1", at[5]))


@pytest.fixture
async def admin(tmp_path: Path, aiohttp_client: ClientFactory) -> AsyncIterator[Admin]:
    await write_calls(tmp_path / "calls.db")
    async with admin_app(tmp_path, aiohttp_client, clock=HandClock(LATER)) as admin:
        yield admin


async def replayed(admin: Admin, body: object = None) -> dict[str, object]:
    started = await admin.ok("POST", "/api/rules/draft/replay", body or {})
    job = admin.desk.jobs.get(started["id"])
    assert job is not None and started["state"] == "running"
    await job.finished.wait()
    answer: dict[str, object] = await admin.ok("GET", f"/api/rules/replays/{job.id}")
    return answer


async def test_a_replay_shows_the_changes_with_both_explanations_and_the_moved_calls(
    admin: Admin,
) -> None:
    await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
    draft = await admin.ok("GET", "/api/rules/draft")
    job = await replayed(admin)
    assert job["state"] == "done" and job["draft_digest"] == draft["digest"]
    assert (job["done"], job["total"]) == (6, 6)
    result = job["result"]
    assert isinstance(result, dict)
    assert (result["decisions"], result["changed"], result["approximate"]) == (6, 3, 1)
    assert result["moved_share"] == pytest.approx(0.5)
    assert result["table"][0] == {"from": "online", "to": "rc", "count": 3}
    assert {"from": "rc", "to": "rc", "count": 2} in result["table"]
    changes = {c["call_id"]: c for c in result["changes"]}
    assert sorted(changes) == ["c2", "c3", "c5"]
    c2 = changes["c2"]
    assert (c2["heard"], c2["old"]["destination"], c2["new"]["destination"]) == (
        "keyed 5",
        "online",
        "rc",
    )
    assert c2["old"]["rule"] == "online-by-sms" and c2["new"]["rule"] == "keypad"
    assert any("5 (rc)" in line for line in c2["new"]["explanation"])
    assert any(line.startswith("rules: ") for line in c2["new"]["explanation"])
    assert c2["old"]["destination_label"] == "Online reporting"
    assert changes["c5"]["fidelity"] == "approximate"
    overrides = result["overrides"]
    assert (overrides["now_right"], overrides["still_wrong"], overrides["newly_wrong"]) == (1, 1, 0)
    judged = {c["call_id"]: c["judgement"] for c in overrides["calls"]}
    assert judged == {"c3": "now right", "c4": "still wrong"}
    c3 = next(c for c in overrides["calls"] if c["call_id"] == "c3")
    assert (c3["operator_sent"], c3["moved_by"], c3["new"]["destination"]) == ("rc", "ann", "rc")


async def test_a_period_bounds_the_replay(admin: Admin) -> None:
    await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
    job = await replayed(admin, {"from": "2026-01-12T10:02", "to": "2026-01-12T10:04"})
    result = job["result"]
    assert isinstance(result, dict) and (result["decisions"], result["changed"]) == (2, 1)
    status, answer = await admin.call(
        "POST", "/api/rules/draft/replay", {"from": "2026-01-12T10:04", "to": "2026-01-12T10:02"}
    )
    assert status == 400 and "before" in answer["error"]


async def test_publish_is_refused_unreplayed_and_over_the_share_then_accepted(
    admin: Admin,
) -> None:
    await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
    status, answer = await admin.call("POST", "/api/rules/draft/publish", {"comment": "key 5"})
    assert status == 409 and answer["moved_share"] is None and answer["limit"] == 0.05
    assert "replay this draft first" in answer["error"]

    await replayed(admin)
    status, answer = await admin.call("POST", "/api/rules/draft/publish", {"comment": "key 5"})
    assert status == 409 and answer["moved_share"] == pytest.approx(0.5)
    assert (admin.folder / "rules.yaml").read_text().count(KEY_5_RC) == 0

    in_progress = admin.routing.pinned()  # a call that started before the publish
    answer = await admin.ok(
        "POST", "/api/rules/draft/publish", {"comment": "key 5", "accept_moves": True}
    )
    assert answer["version"] == 2 == answer["live"] == admin.routing.version
    assert answer["publish_errors"] == []
    assert KEY_5_RC in (admin.folder / "rules.yaml").read_text()
    next_call = admin.routing.decide(keyed("5"))
    assert (next_call.destination, next_call.ruleset_version) == ("rc", 2)
    same_call = in_progress.decide(keyed("5"))
    assert (same_call.destination, same_call.ruleset_version) == ("online", 1)
    draft = await admin.ok("GET", "/api/rules/draft")
    assert draft["based_on"] == 2 and not any(f["changed"] for f in draft["files"])
    versions = await admin.ok("GET", "/api/rules/versions")
    assert versions["versions"][0]["kind"] == "publish"
    assert versions["versions"][0]["comment"] == "key 5"
    ((who, action, detail),) = admin.audit.entries
    assert (who, action, detail["version"], detail["accepted_moves"]) == (
        "root",
        "rules-published",
        2,
        True,
    )
    assert detail["moved_share"] == pytest.approx(0.5) and detail["files"] == ["rules.yaml"]


async def test_a_draft_that_moves_no_call_publishes_after_its_replay(admin: Admin) -> None:
    await admin.edit_rules("reprompt_limit: 2", "reprompt_limit: 3")
    job = await replayed(admin)
    assert isinstance(job["result"], dict) and job["result"]["changed"] == 0
    answer = await admin.ok("POST", "/api/rules/draft/publish", {"comment": "one more try"})
    assert answer["version"] == 2 and admin.routing.bundle.rules.thresholds.reprompt_limit == 3


async def test_a_replay_of_other_files_does_not_count(admin: Admin) -> None:
    await admin.edit_rules("reprompt_limit: 2", "reprompt_limit: 3")
    await replayed(admin)
    await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
    status, answer = await admin.call("POST", "/api/rules/draft/publish", {})
    assert status == 409 and answer["moved_share"] is None


async def test_an_invalid_draft_or_no_change_is_not_published(admin: Admin) -> None:
    status, answer = await admin.call("POST", "/api/rules/draft/publish", {"accept_moves": True})
    assert status == 409 and "nothing to publish" in answer["error"]
    await admin.edit_rules("message: online_sms_offer", "message: nothing_recorded")
    status, answer = await admin.call("POST", "/api/rules/draft/publish", {"accept_moves": True})
    assert status == 400 and answer["errors"][0].startswith("rules.yaml:")
    status, answer = await admin.call("POST", "/api/rules/draft/replay", {})
    assert status == 400 and answer["errors"]
    assert admin.routing.version == 1 and admin.audit.entries == []


async def test_one_replay_at_a_time_and_a_cancel_stops_it(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    await write_calls(tmp_path / "calls.db")
    loop = asyncio.get_running_loop()
    reached = asyncio.Event()

    def hold(job: ReplayJob) -> None:
        """On the replay's thread, after its first batch: wait to be cancelled."""
        loop.call_soon_threadsafe(reached.set)
        job.cancel.wait(10)

    options = DraftOptions(watch=hold)
    async with admin_app(tmp_path, aiohttp_client, HandClock(LATER), options) as admin:
        await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
        started = await admin.ok("POST", "/api/rules/draft/replay", {})
        await reached.wait()
        running = await admin.ok("GET", f"/api/rules/replays/{started['id']}")
        assert running["state"] == "running" and running["result"] is None
        status, answer = await admin.call("POST", "/api/rules/draft/replay", {})
        assert status == 409 and "running" in answer["error"]
        cancelled = await admin.ok("DELETE", f"/api/rules/replays/{started['id']}")
        assert cancelled["state"] == "cancelled"
        status, answer = await admin.call("DELETE", f"/api/rules/replays/{started['id']}")
        assert status == 409
        status, answer = await admin.call("POST", "/api/rules/draft/publish", {})
        assert status == 409 and answer["moved_share"] is None, "a cancelled replay is no replay"
