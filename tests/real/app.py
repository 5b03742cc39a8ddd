"""``ivr101``'s app, in the test's process, answering a real Asterisk.

The same composition root as `ivr serve` and the embedded demo (``ivr.embedded.serving``);
only the settings differ: the ARI URL and password of the test's Asterisk, the desks at
``Local/<desk>@test-agents`` (where the test answers them), keypad unless a test asks for
speech, a weekday morning on the app's clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from ivr.ari.settings import AriSettings
from ivr.config import Settings
from ivr.embedded import AppWatch, bound_socket, serving, shifted_clock
from ivr.speech.settings import SpeechEngine
from ivr.store.settings import StoreSettings
from tests.real.asterisk import RealAsterisk

TUESDAY_11AM = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
DESKS = ("emergency", "fcr", "rc", "switchboard")
SETTINGS: dict[str, Any] = {
    "flow.destinations": {desk: f"Local/{desk}@test-agents" for desk in DESKS},
    "flow.first_digit_timeout": 2.0,
    "flow.ring_timeout": 4,
    "speech.engine": SpeechEngine.NONE,
    "callers.key": "",
    "sms.url": "",
    "http.api_token": "",
}


@asynccontextmanager
async def real_app(
    asterisk: RealAsterisk, db_path: str, settings: Mapping[str, Any] | None = None
) -> AsyncIterator[AppWatch]:
    user, password = asterisk.credentials
    app_settings = Settings(
        ari=AriSettings(url=asterisk.ari_url, user=user, password=password),
        store=StoreSettings(db_path=db_path),
    ).overridden({**SETTINGS, **(settings or {})})
    async with serving(app_settings, shifted_clock(TUESDAY_11AM), bound_socket()) as runtime:
        yield AppWatch(runtime)
