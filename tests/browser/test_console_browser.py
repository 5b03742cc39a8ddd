"""The switchboard console in a real browser (Debian's chromium), keyboard only: sign in,
watch a simulated call arrive on the board, re-route it with a reason, see it leave."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Page, expect

from ivr.console.identity import Role
from ivr.console.people import add_person
from ivr.simulator import AgentProfile
from tests.integration.app.stack import running_stack, sim_seconds

IN_MENU = sim_seconds("welcome") + 1.0
PASSWORD = "a-long-test-password"


async def sign_in(page: Page, url: str, user: str) -> None:
    await page.goto(f"{url}/")  # signed out: sent to the sign-in page
    await expect(page).to_have_url(f"{url}/login")
    await expect(page.locator("#user")).to_be_focused()  # autofocus: type at once
    await page.keyboard.type(user)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{url}/")
    await expect(page.locator("#feed-state")).not_to_have_text("Connecting to live updates…")


async def test_an_operator_re_routes_a_live_call_by_keyboard(
    tmp_path: Path, page: Page, artifacts: Path
) -> None:
    ringing_rc = {"Local/rc@ivr-agents": AgentProfile(answer_after=600.0)}
    async with running_stack(tmp_path, agents=ringing_rc) as stack:
        db = stack.runtime.settings.store.db_path
        await asyncio.to_thread(add_person, db, "ann", Role.OPERATOR, PASSWORD, by="test")
        await sign_in(page, stack.app_url, "ann")
        await page.screenshot(path=artifacts / "1-board-empty.png")

        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        row = page.locator(f'tr[data-call="{call_id}"]')
        await expect(row).to_be_visible()  # pushed to the board, no reload
        await stack.step_reached(call_id, "transfer:rc")
        await expect(row).to_contain_text("transfer:rc")
        await page.screenshot(path=artifacts / "2-call-on-the-board.png")

        await row.locator('button[data-action="route"]').focus()
        await page.keyboard.press("Enter")
        await expect(page.locator("#action-destination")).to_be_focused()
        # What the operator acts on: the masked caller, where the call is and is going.
        await expect(page.locator("#action-caller")).to_contain_text("•")
        await expect(page.locator("#action-step")).to_have_text("transfer:rc")
        await expect(page.locator("#action-going")).to_have_text("rc")
        await page.keyboard.press("s")  # the first destination starting with s: switchboard
        await expect(page.locator("#action-destination")).to_have_value("switchboard")
        await page.keyboard.press("Tab")  # the reason code: the list's first
        await page.keyboard.press("Tab")
        await page.keyboard.type("caller asked for the switchboard")
        await page.screenshot(path=artifacts / "3-re-route-dialog.png")
        await page.keyboard.press("Enter")
        await expect(page.locator("#notice")).to_contain_text("done")

        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call_id))
        last = decisions[-1]
        assert (last["destination"], last["rule"]) == ("switchboard", "operator-move")
        assert last["evidence"]["by"] == "ann"
        assert last["evidence"]["reason"] == "caller asked for the switchboard"
        await stack.call_row(call_id, timeout=30.0)  # put through, talked, ended
        await expect(row).to_have_count(0)  # gone from the board
        await page.screenshot(path=artifacts / "4-call-gone.png")
        await stack.nothing_left()


async def test_an_operator_signed_out_cannot_see_the_board(tmp_path: Path, page: Page) -> None:
    async with running_stack(tmp_path) as stack:
        response = await page.goto(f"{stack.app_url}/api/board")
        assert response is not None and response.status == 401
        await page.goto(f"{stack.app_url}/")
        await expect(page).to_have_url(f"{stack.app_url}/login")
