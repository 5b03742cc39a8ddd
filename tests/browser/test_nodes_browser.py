"""Another Asterisk node's call on the board, in a real browser: it appears in "Calls on
other nodes" (pushed, no reload), read-only, and leaves when that node ends it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Page, ViewportSize, expect

from ivr.console.identity import Role
from ivr.console.people import add_person
from ivr.store.db import CallStore, iso
from tests.browser.conftest import SCREEN
from tests.browser.test_console_browser import PASSWORD, sign_in
from tests.integration.app.stack import running_stack

THERE = "ari:http://10.0.0.2:8088:ivr101"
PHONE: ViewportSize = {"width": 390, "height": 844}


def other_node_writes(db: str, call_id: str, fields: dict[str, str] | None = None) -> None:
    """What the other node's app writes to the shared database: its call, then its end."""
    store = CallStore(db)
    try:
        if fields is None:
            now = iso(datetime.now(UTC))
            store.call_started(
                {
                    "call_id": call_id,
                    "channel_id": f"chan-{call_id}",
                    "caller_number": "07700900123",
                    "dialled": "101",
                    "started_at": now,
                    "outcome": "in-progress",
                    "destination": "rc",
                    "origin": THERE,
                }
            )
            store.add_event(call_id, now, "queue-joined", {"queue": "rc", "position": 1})
        else:
            store.call_updated(call_id, fields)
    finally:
        store.close()


async def test_another_nodes_call_is_listed_read_only_and_leaves_when_it_ends(
    tmp_path: Path, page: Page, artifacts: Path
) -> None:
    async with running_stack(tmp_path) as stack:
        db = stack.runtime.settings.store.db_path
        await asyncio.to_thread(add_person, db, "ann", Role.OPERATOR, PASSWORD, by="test")
        await sign_in(page, stack.app_url, "ann")
        others = page.locator("#others")
        await expect(others.get_by_role("heading")).to_have_text("Calls on other nodes (0)")
        await expect(page.locator("#no-others")).to_be_visible()
        await expect(others).to_contain_text("use the console of the node it is on")

        await asyncio.to_thread(other_node_writes, db, "elsewhere-1")
        row = page.locator("#other-elsewhere-1")
        await expect(row).to_be_visible()  # pushed by the feed, no reload
        cells = row.get_by_role("cell")
        await expect(cells.nth(0)).to_have_text(THERE)
        await expect(cells.nth(1)).to_have_text("07•••••••23")
        await expect(cells.nth(4)).to_have_text("rc")
        await expect(cells.nth(5)).to_contain_text("queue-joined")
        await expect(others.get_by_role("heading")).to_have_text("Calls on other nodes (1)")
        await expect(page.locator("#no-others")).to_be_hidden()
        await expect(others.get_by_role("button")).to_have_count(0)  # acted on at its node
        await expect(page.locator("#call-rows tr")).to_have_count(0)  # not one of this node's
        await page.screenshot(path=artifacts / "other-nodes-call.png")
        await page.set_viewport_size(PHONE)  # a supervisor's phone: one column
        await expect(row).to_be_visible()
        listed, queues = await others.bounding_box(), await page.locator("aside").bounding_box()
        assert listed is not None and queues is not None
        assert queues["y"] >= listed["y"] + listed["height"]  # below the calls, not over them
        assert queues["x"] + queues["width"] <= PHONE["width"]  # nothing off the screen
        await page.screenshot(path=artifacts / "other-nodes-call-phone.png", full_page=True)
        await page.set_viewport_size(SCREEN)

        ended = {"outcome": "abandoned", "ended_at": iso(datetime.now(UTC))}
        await asyncio.to_thread(other_node_writes, db, "elsewhere-1", ended)
        await expect(row).to_have_count(0)
        await expect(page.locator("#no-others")).to_be_visible()
