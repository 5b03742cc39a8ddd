"""Playwright driving Debian's chromium, headless (a browser download cannot work here).

``make test`` installs the chromium package (scripts/install_system.sh); a run without
it fails here with that message rather than skipping. Screenshots go to
test-artifacts/ (IVR_TEST_ARTIFACTS), kept by CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from ivr.shipped import REPO_ROOT

# Without the background-networking flags chromium keeps calling Google's hosts, which
# this machine's closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREEN: ViewportSize = {"width": 1366, "height": 768}  # a switchboard's screen


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("no chromium: run scripts/install_system.sh (make test does)")
    return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=SCREEN)
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where a test's screenshots go (one folder per test)."""
    root = Path(os.environ.get("IVR_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts"))
    folder = root / str(request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
