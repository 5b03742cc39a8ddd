"""The rules admin pages in a real browser (Debian's chromium): an admin edits rules.yaml
with a mistake, follows the line-numbered message to fix it, tries an utterance (keyboard
only), replays the draft over a call the simulator made, publishes through the warning,
sees the new version and rolls it back. An operator gets the 403 page. Screenshots of
every page at 1366x768 and at a phone's width go to the test's artifacts."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

from playwright.async_api import FilePayload, Page, ViewportSize, expect

from ivr.console.identity import Role
from ivr.console.people import add_person
from ivr.shipped import ROUTING_RULES
from tests.browser.test_console_browser import IN_MENU, PASSWORD, sign_in
from tests.integration.app.stack import Stack, running_stack

PHONE: ViewportSize = {"width": 390, "height": 844}
# Appended to rules.yaml: crime reports (rc) to the control room, first with a
# destination that does not exist (line 6 of this text).
NEW_RULE = (
    "\n  - name: crime-to-fcr\n"
    "    when:\n"
    "      destination: rc\n"
    "    then:\n"
    "      route: nowhere\n"
    "      reason: crime reports go to the control room\n"
)
FIXED_LINE = "      route: fcr"
BAD_CSV = b"id,kind,name\npriya,nonsense,Priya Patel\n"
# Each admin page, and what shows once its script has filled it in.
PAGES = {
    "rules": "#file-list button",
    "rules/try": "#try-form",
    "rules/replay": "#replay-form",
    "rules/versions": "#version-rows tr",
    "rules/suggestions": "#suggestions-state:not(:text('Loading'))",
    "messages": "#prompt-rows tr",
}
# ms: a check as typed, a save, a replay or a publish builds the rules in a process of its
# own (seconds on a busy 2-core machine, more when checks of earlier keystrokes queue)
SLOW = 30_000


def rules_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROUTING_RULES, folder)
    return folder


async def person(stack: Stack, name: str, role: Role) -> None:
    db = stack.runtime.settings.store.db_path
    await asyncio.to_thread(add_person, db, name, role, PASSWORD, by="test")


async def focus_is_visible(page: Page) -> None:
    style = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert style == "solid"


async def test_an_admin_edits_tries_replays_publishes_and_rolls_back(
    tmp_path: Path, page: Page, artifacts: Path
) -> None:
    folder = rules_folder(tmp_path)
    async with running_stack(tmp_path, settings={"routing.rules_dir": folder}) as stack:
        url = stack.app_url
        await person(stack, "root", Role.ADMIN)
        # A logged call for the replay: key 1, the Resolution Centre.
        call_id = await stack.place([{"wait": IN_MENU}, {"dtmf": "1"}])
        await stack.call_row(call_id, timeout=30.0)
        await sign_in(page, url, "root")
        live_before = stack.runtime.routing.version

        # The draft: a directory export that does not import leaves it as it was.
        await page.goto(f"{url}/admin/rules")
        # (the draft's first load checks the whole bundle: its intents' examples embedded)
        await expect(page.locator("#draft-state")).to_contain_text(
            "0 file(s) changed", timeout=SLOW
        )
        export: FilePayload = {"name": "export.csv", "mimeType": "text/csv", "buffer": BAD_CSV}
        await page.locator("#directory-file").set_input_files(files=[export])
        await page.locator("#directory-submit").click()
        await expect(page.locator("#notice")).to_contain_text("Not imported (nothing changed)")
        await expect(page.locator("#directory-errors li").first).to_be_visible()
        await expect(page.locator("#draft-state")).to_contain_text(
            "0 file(s) changed", timeout=SLOW
        )

        # rules.yaml: a rule with a mistake, checked as it is typed.
        await page.locator('#file-list button[data-file="rules.yaml"]').click()
        editor = page.locator("#editor")
        await expect(editor).to_be_focused()
        await page.keyboard.press("Control+End")
        await page.keyboard.type(NEW_RULE)
        error = page.locator("#errors a", has_text="rules.yaml, line ")
        await expect(error).to_be_visible(timeout=SLOW)
        await expect(page.locator("#errors")).to_contain_text("bad destination 'nowhere'")
        line = int(await error.get_attribute("data-line") or 0)
        await page.screenshot(path=artifacts / "1-draft-error.png")
        await error.click()  # to the line, selected: typing replaces it
        await expect(editor).to_be_focused()
        await expect(page.locator("#cursor-line")).to_contain_text(f"Line {line} of")
        await page.keyboard.type(FIXED_LINE)
        await expect(page.locator("#check-state")).to_have_text(
            "No problems as typed (not saved yet).", timeout=SLOW
        )
        await page.locator("#save").click()
        await expect(page.locator("#notice")).to_have_text("Saved rules.yaml.", timeout=SLOW)
        await expect(page.locator('button[data-file="rules.yaml"]')).to_contain_text("changed")
        await page.screenshot(path=artifacts / "2-draft-saved.png")

        # Try an utterance, keyboard only: skip link → the form → submit from a field.
        await page.goto(f"{url}/admin/rules/try")
        await page.keyboard.press("Tab")
        await expect(page.locator("a.skip")).to_be_focused()
        await page.keyboard.press("Enter")
        await page.keyboard.press("Tab")
        await expect(page.locator("#try-text")).to_be_focused()
        await focus_is_visible(page)
        await page.keyboard.type("I want to report a burglary")
        await page.keyboard.press("Tab")  # the recording
        await page.keyboard.press("Tab")  # the keys
        await expect(page.locator("#try-digits")).to_be_focused()
        await page.keyboard.press("Enter")
        same = page.locator("#try-same")
        await expect(same).to_be_focused()
        await expect(same).to_contain_text("Different")
        await expect(page.locator("#try-draft")).to_contain_text(
            "Force Control Room (fcr) (differs)"
        )
        await expect(page.locator("#try-live")).to_contain_text("Resolution Centre (rc) (differs)")
        await page.screenshot(path=artifacts / "3-try.png")

        # Replay the draft over the logged call.
        await page.goto(f"{url}/admin/rules/replay")
        await page.locator("#replay-start").click()
        await expect(page.locator("#replay-result")).to_be_visible(timeout=SLOW)
        await expect(page.locator("#replay-count")).to_have_text(
            re.compile(r"^(\d+) of \1 decisions replayed \(done\)\.$")
        )
        moved = page.locator("#replay-rows tr.moved")
        await expect(moved).to_contain_text("fcr (moved)")
        await expect(moved.locator("td").first).to_have_text("rc")
        await expect(page.locator("#replay-changes")).to_contain_text(
            "Resolution Centre (rc) → Force Control Room (fcr)"
        )
        await page.screenshot(path=artifacts / "4-replay.png")

        # Publish: the draft moves more than the limit, so a warning first.
        await page.locator("#publish-comment").fill("crime reports to the control room")
        await page.locator("#publish-submit").click()
        await expect(page.locator("#publish-warning")).to_be_visible(timeout=SLOW)
        await expect(page.locator("#publish-warning-text")).to_contain_text("limit")
        await expect(page.locator("#publish-accept")).to_be_focused()
        await page.screenshot(path=artifacts / "5-publish-warning.png")
        await page.locator("#publish-submit").click()  # not ticked: not sent
        await expect(page.locator("#notice")).to_contain_text("Tick")
        await page.locator("#publish-accept").check()
        await page.locator("#publish-submit").click()
        await expect(page.locator("#publish-errors")).to_contain_text(
            "Published as version", timeout=SLOW
        )
        published = stack.runtime.routing.version
        assert published is not None and published != live_before
        assert "crime-to-fcr" in (folder / "rules.yaml").read_text(encoding="utf-8")

        # The new version, its diff, and the rollback.
        await page.goto(f"{url}/admin/rules/versions")
        await expect(page.locator("#live-version")).to_have_text(f"Version {published} is live.")
        await expect(page.locator("#version-rows")).to_contain_text(
            "crime reports to the control room"
        )
        await page.get_by_role("button", name="Show the differences").click()
        await expect(page.locator("pre.diff span.add", has_text=FIXED_LINE)).to_be_visible()
        await page.screenshot(path=artifacts / "6-versions-diff.png")
        await page.get_by_role("button", name=f"Roll back to {live_before}…").click()
        await expect(page.locator("#rollback-comment")).to_be_focused()
        await page.keyboard.type("back to how it was")
        await page.locator("#rollback-sure").check()
        await page.screenshot(path=artifacts / "7-rollback.png")
        await page.locator("#rollback-submit").click()
        await expect(page.locator("#notice")).to_contain_text("Rolled back", timeout=SLOW)
        rolled = stack.runtime.routing.version
        assert rolled is not None and rolled > published
        await expect(page.locator("#live-version")).to_have_text(f"Version {rolled} is live.")
        assert "crime-to-fcr" not in (folder / "rules.yaml").read_text(encoding="utf-8")

        # Every admin page at a phone's width: nothing wider than the screen.
        await page.set_viewport_size(PHONE)
        for path, ready in PAGES.items():
            await page.goto(f"{url}/admin/{path}")
            await expect(page.locator("nav.admin-nav")).to_be_visible()
            # the rules page builds the draft first: as slow as a check
            await expect(page.locator(ready).first).to_be_visible(timeout=SLOW)
            if path == "rules":
                await page.locator('#file-list button[data-file="rules.yaml"]').click()
                await expect(editor).to_be_focused()
            await page.screenshot(
                path=artifacts / f"phone-{path.replace('/', '-')}.png", full_page=True
            )
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], path


async def test_an_operator_gets_the_403_page_on_the_rules_pages(
    tmp_path: Path, page: Page, artifacts: Path
) -> None:
    async with running_stack(tmp_path) as stack:
        await person(stack, "ann", Role.OPERATOR)
        await sign_in(page, stack.app_url, "ann")
        await expect(page.locator('a[href="/admin/rules"]')).to_have_count(0)
        for path in PAGES:
            response = await page.goto(f"{stack.app_url}/admin/{path}")
            assert response is not None and response.status == 403, path
            await expect(page.locator("#forbidden")).to_contain_text("needs the admin role")
        await page.screenshot(path=artifacts / "403.png")
        answer = await page.request.get(f"{stack.app_url}/api/rules/versions")
        assert answer.status == 403
