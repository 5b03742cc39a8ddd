"""Overrides teach, in the browser: the app's own moves suggest an alias; accepting it
lands in the draft (never live), audited with its calls, and only once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.unit.console.support import HandClock
from tests.unit.rulesets.draft_support import ClientFactory, admin_app
from tests.unit.suggest.logged import START, prisoner_calls, write_log


async def test_a_suggestion_accepted_lands_in_the_draft_with_its_evidence(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    await write_log(tmp_path / "calls.db", prisoner_calls())
    clock = HandClock(START + timedelta(days=3))
    async with admin_app(tmp_path, aiohttp_client, clock=clock) as admin:
        live = (admin.folder / "directory.yaml").read_text()
        found = (await admin.ok("GET", "/api/rules/suggestions"))["suggestions"]
        (alias,) = found
        assert (alias["kind"], alias["target"], alias["text"], alias["count"]) == (
            "alias",
            "custody-enquiries",
            "prisoner",
            7,
        )
        assert alias["in_draft"] is False and "prisoner" in alias["headline"]
        assert [c["call_id"] for c in alias["calls"]] == [f"pris-{n}" for n in range(7)]

        accepted = await admin.ok("POST", "/api/rules/suggestions/accept", {"key": alias["key"]})
        assert accepted == {"accepted": alias["key"], "file": "directory.yaml", "errors": []}
        draft = await admin.ok("GET", "/api/rules/draft")
        assert [f["name"] for f in draft["files"] if f["changed"]] == ["directory.yaml"]
        text = (await admin.ok("GET", "/api/rules/draft/files/directory.yaml"))["text"]
        assert "prisoner" in text and "prisoner" not in live
        assert (admin.folder / "directory.yaml").read_text() == live, "never live"
        ((who, action, detail),) = admin.audit.entries
        assert (who, action, detail["key"], detail["target"]) == (
            "root",
            "rules-suggestion-accepted",
            alias["key"],
            "custody-enquiries",
        )
        assert len(detail["calls"]) == 7 and detail["why"] == alias["why"]

        again = (await admin.ok("GET", "/api/rules/suggestions"))["suggestions"]
        assert [s["in_draft"] for s in again] == [True]
        status, answer = await admin.call(
            "POST", "/api/rules/suggestions/accept", {"key": alias["key"]}
        )
        assert status == 409 and "already" in answer["error"]
        status, answer = await admin.call("POST", "/api/rules/suggestions/accept", {"key": "x"})
        assert status == 404
        status, answer = await admin.call("POST", "/api/rules/suggestions/accept", {})
        assert status == 400
