"""The operator API shows callers' numbers and flags: a bearer token or nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import build_app
from ivr.ari.settings import AriSettings
from ivr.config import ConfigError, Settings, load_settings
from ivr.http_settings import HttpSettings
from ivr.speech.settings import SpeechEngine, SpeechSettings
from ivr.store.settings import StoreSettings

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
TOKEN = "s3cret-operator-token-0123"


def _settings(tmp_path: Path, token: str) -> Settings:
    return Settings(
        # Nothing listens there: no calls, an empty list.
        ari=AriSettings(url="http://127.0.0.1:9"),
        store=StoreSettings(db_path=str(tmp_path / "calls.db")),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
        http=HttpSettings(api_token=token),
    )


async def test_live_calls_answer_the_right_bearer_token(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await aiohttp_client(build_app(_settings(tmp_path, TOKEN)))
    resp = await client.get("/api/calls", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status == 200
    assert await resp.json() == []


@pytest.mark.parametrize(
    "header",
    [None, f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN[:-1]}"],
)
async def test_live_calls_refuse_a_missing_or_wrong_token(
    aiohttp_client: ClientFactory, tmp_path: Path, header: str | None
) -> None:
    client = await aiohttp_client(build_app(_settings(tmp_path, TOKEN)))
    headers = {"Authorization": header} if header is not None else {}
    resp = await client.get("/api/calls", headers=headers)
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"] == 'Bearer realm="ivr101"'
    expected = (
        "sign in first (POST /api/session), or send a bearer token"
        if header is None  # nothing at all: a person may sign in instead
        else "missing or wrong bearer token"
    )
    assert await resp.json() == {"error": expected}


async def test_without_a_configured_token_the_api_is_off_not_open(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await aiohttp_client(build_app(_settings(tmp_path, "")))
    resp = await client.get("/api/calls", headers={"Authorization": "Bearer "})
    assert resp.status == 403
    assert "IVR_API_TOKEN" in (await resp.json())["error"]


async def test_health_stays_open_for_load_balancers(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await aiohttp_client(build_app(_settings(tmp_path, TOKEN)))
    resp = await client.get("/health")
    assert resp.status == 503  # Asterisk is not reachable; not 401
    assert "ari_connected" in await resp.json()


def test_token_comes_from_the_environment_and_stays_out_of_reprs() -> None:
    settings = load_settings(env={"IVR_API_TOKEN": TOKEN})
    assert settings.http.api_token == TOKEN
    assert TOKEN not in repr(settings)


def test_a_short_token_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="at least 16 characters"):
        load_settings(env={"IVR_API_TOKEN": "short"})
