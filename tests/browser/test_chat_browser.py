"""Live chat in a real browser (Debian's chromium): a caller opens their texted link on a
phone-sized screen and writes; an agent at the chat desk, in a second browser, takes the
chat, sees what the caller told the phone line, and replies; the caller sees "an officer
has joined" and the reply. Then the caller's connection drops while the agent writes,
and after it comes back every message is on the caller's screen exactly once."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from playwright.async_api import Browser, Page, ViewportSize, WebSocketRoute, expect

from ivr.chat.links import ChatLinks
from ivr.chat.model import ChatContext
from ivr.chat.store import ChatRecords
from ivr.chat.tokens import TokenSigner
from ivr.console.identity import Role, Skill
from ivr.console.people import add_person
from tests.browser.conftest import SCREEN
from tests.browser.test_console_browser import PASSWORD, sign_in
from tests.integration.app.stack import office_hours_clock, running_stack

PHONE: ViewportSize = {"width": 360, "height": 740}
SECRET = secrets.token_urlsafe(32)
CONTEXT = ChatContext(
    call_id="call-chat-1",
    intent="report-theft",
    destination="rc",
    heard=("someone took my bike from outside the station",),
    reference="AB/12345/26",
    flags=("repeat-victim",),
)
SLOW = 30_000  # ms: the page's next try after the line is back (its backoff, under 16 s)


class PhoneLine:
    """The phone's chat socket, routed through Playwright so the test can cut it: while
    cut, the open connection is closed at both ends and every new try is refused."""

    def __init__(self) -> None:
        self.up = True
        self.open: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    async def route(self, page_side: WebSocketRoute) -> None:
        if not self.up:
            await page_side.close()
            return
        self.open.append((page_side, page_side.connect_to_server()))

    async def cut(self) -> None:
        self.up = False
        for page_side, server_side in self.open:
            await server_side.close()
            await page_side.close()
        self.open.clear()

    def restore(self) -> None:
        self.up = True


async def texted_link(db_path: str, app_url: str) -> str:
    """What the IVR side does when a caller says yes to chat: a stored, signed link.
    Issued here through the same records and secret as the app's own ChatLinks."""
    records = ChatRecords(db_path)
    await records.open()
    try:
        links = ChatLinks(
            records, TokenSigner(SECRET), office_hours_clock(), public_url=app_url, minutes=30
        )
        return (await links.issue(CONTEXT, "07700900123")).url
    finally:
        await records.close()


async def open_desk(page: Page, url: str) -> None:
    await sign_in(page, url, "ann")
    await page.goto(f"{url}/desk/chat")
    await expect(page.locator("#feed-state")).to_have_text("Live: chats can come to you")


async def transcript(page: Page) -> list[str]:
    return await page.locator("#messages li .body").all_text_contents()


async def test_a_caller_chats_with_an_agent_and_loses_nothing_over_a_dropped_connection(
    tmp_path: Path, browser: Browser, artifacts: Path
) -> None:
    settings = {"chat.enabled": True, "chat.secret": SECRET}
    async with running_stack(tmp_path, settings=settings) as stack:
        db = stack.runtime.settings.store.db_path
        await asyncio.to_thread(
            add_person, db, "ann", Role.OPERATOR, PASSWORD, by="test", skills=[Skill.CHAT]
        )
        agent_context = await browser.new_context(viewport=SCREEN)
        phone = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            agent = await agent_context.new_page()
            await open_desk(agent, stack.app_url)  # an agent at a desk: chat can be offered

            caller = await phone.new_page()
            line = PhoneLine()
            await caller.route_web_socket("**/chat/ws*", line.route)
            await caller.goto(await texted_link(db, stack.app_url))
            await expect(caller).to_have_url(f"{stack.app_url}/chat/")
            await expect(caller.locator(".banner-999")).to_contain_text("call 999")
            await expect(caller.locator("#state")).to_contain_text("Waiting for an officer")
            fits = "document.documentElement.scrollWidth <= window.innerWidth"
            assert await caller.evaluate(fits)  # no sideways scrolling at 360 px
            await caller.get_by_label("Your message").fill("it was a red bike")
            await caller.keyboard.press("Enter")
            mine = caller.locator("#messages li.caller")
            await expect(mine).to_have_count(1)
            await expect(mine).to_contain_text("Sent")
            await caller.screenshot(path=artifacts / "1-caller-waiting.png")

            row = agent.locator("#queue-rows tr")
            await expect(row).to_contain_text("report-theft")
            await expect(row).to_contain_text("FIRST")  # a repeat victim goes first
            await row.get_by_role("button", name="Take").click()
            panel = agent.locator("article.chat")
            await expect(panel.locator(".intent")).to_have_text("report-theft")
            await expect(panel.locator(".heard")).to_contain_text("someone took my bike")
            await expect(panel.locator(".reference")).to_have_text("AB/12345/26")
            await expect(panel.locator(".transcript")).to_contain_text("it was a red bike")
            await panel.get_by_label("Message").fill("Thanks, I can see what you told us.")
            await panel.get_by_role("button", name="Send").click()
            await agent.screenshot(path=artifacts / "2-agent-desk.png")

            await expect(caller.locator("#state")).to_have_text("An officer has joined the chat.")
            await expect(caller.locator("#messages")).to_contain_text("has joined the chat")
            await expect(caller.locator("#messages li.agent")).to_contain_text(
                "Thanks, I can see what you told us."
            )
            await expect(mine).to_contain_text("Seen by the officer")
            await caller.screenshot(path=artifacts / "3-caller-joined.png")

            # The phone's connection drops: the page says so; the agent goes on writing,
            # and the caller writes too (sent when the connection is back).
            await line.cut()
            await expect(caller.locator("#state")).to_contain_text("Connection lost")
            for text in ("Are you still there?", "Where was it taken from?"):
                await panel.get_by_label("Message").fill(text)
                await panel.get_by_role("button", name="Send").click()
                await expect(panel.locator(".transcript")).to_contain_text(text)
            await caller.get_by_label("Your message").fill("outside the station")
            await caller.keyboard.press("Enter")
            await expect(mine.last).to_contain_text("Sending")
            await caller.screenshot(path=artifacts / "4-caller-offline.png")

            line.restore()
            await expect(caller.locator("#messages li.agent").last).to_contain_text(
                "Where was it taken from?", timeout=SLOW
            )
            await expect(mine.last).not_to_contain_text("Sending", timeout=SLOW)
            await expect(panel.locator(".transcript")).to_contain_text("outside the station")
            await caller.screenshot(path=artifacts / "5-caller-back.png")

            said = await transcript(caller)
            expected = [
                "it was a red bike",
                "Officer 1 has joined the chat.",
                "Thanks, I can see what you told us.",
                "Are you still there?",
                "Where was it taken from?",
                "outside the station",
            ]
            assert [s.strip() for s in said] == expected  # each once, in order
            seqs = await caller.locator("#messages li").evaluate_all(
                "items => items.map(li => Number(li.dataset.seq))"
            )
            assert seqs == list(range(1, len(expected) + 1))
        finally:
            await phone.close()
            await agent_context.close()
