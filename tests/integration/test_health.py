"""/health tells an operator what is wrong, without Asterisk reachable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import build_app
from ivr.ari.settings import AriSettings
from ivr.callers.settings import CallerSettings
from ivr.config import Settings
from ivr.speech.settings import SpeechEngine, SpeechSettings
from ivr.store.settings import StoreSettings

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


async def test_health_is_503_and_explains_when_asterisk_is_down(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    settings = Settings(
        ari=AriSettings(url="http://127.0.0.1:9"),  # nothing listens there
        store=StoreSettings(db_path=str(tmp_path / "calls.db")),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
        callers=CallerSettings(key=""),
    )
    client = await aiohttp_client(build_app(settings))
    resp = await client.get("/health")
    body = await resp.json()
    assert resp.status == 503
    assert body["ari_connected"] is False
    assert body["speech"] is False
    assert body["call_log_healthy"] is True
    assert body["caller_key_configured"] is False
