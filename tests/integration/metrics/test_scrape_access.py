"""/metrics: who may scrape it, and one registry per app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import RUNTIME, build_app
from ivr.ari.settings import AriSettings
from ivr.callers.settings import CallerSettings
from ivr.config import ConfigError, Settings, load_settings
from ivr.decisions import Decision
from ivr.http_settings import HttpSettings
from ivr.metrics_settings import MetricsSettings
from ivr.speech.settings import SpeechEngine, SpeechSettings
from ivr.store.settings import StoreSettings
from tests.unit.metrics.scrape import parse, value

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
TOKEN = "0123456789abcdef-metrics"


SCRAPE_TOKEN = "scrape-only-0123456789"


def app_settings(
    tmp_path: Path,
    name: str,
    *,
    scrapers: tuple[str, ...] = (),
    token: str = "",
    scrape_token: str = "",
) -> Settings:
    return Settings(
        ari=AriSettings(url="http://127.0.0.1:9"),  # nothing listens there
        store=StoreSettings(db_path=str(tmp_path / f"{name}.db")),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
        callers=CallerSettings(key=""),
        http=HttpSettings(api_token=token),
        metrics=MetricsSettings(scrapers=scrapers, token=scrape_token),
    )


async def test_a_listed_address_scrapes_without_a_token(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await aiohttp_client(build_app(app_settings(tmp_path, "a", scrapers=("127.0.0.0/8",))))
    resp = await client.get("/metrics")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    got = parse(await resp.text())
    assert value(got, "ivr_event_loop_lag_last_seconds") is not None


async def test_anyone_else_needs_the_bearer_token(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await aiohttp_client(
        build_app(app_settings(tmp_path, "a", scrapers=("10.9.9.9",), token=TOKEN))
    )
    refused = await client.get("/metrics", allow_redirects=False)
    assert refused.status == 401
    assert (await refused.json())["error_id"] == "metrics-unauthorised"
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status == 401
    right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status == 200
    assert value(parse(await right.text()), "ivr_event_loop_lag_last_seconds") is not None


async def test_the_scrape_token_opens_metrics_and_nothing_else(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    settings = app_settings(tmp_path, "a", token=TOKEN, scrape_token=SCRAPE_TOKEN)
    client = await aiohttp_client(build_app(settings))
    bearer = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}
    scraped = await client.get("/metrics", headers=bearer)
    assert scraped.status == 200
    assert value(parse(await scraped.text()), "ivr_event_loop_lag_last_seconds") is not None
    api = await client.get("/api/board", headers=bearer, allow_redirects=False)
    assert api.status in (401, 403)  # no operator powers
    near = {"Authorization": f"Bearer {SCRAPE_TOKEN[:-1]}x"}
    assert (await client.get("/metrics", headers=near)).status in (401, 403)


def test_the_scrape_token_is_read_from_the_environment_only() -> None:
    settings = load_settings(None, env={"IVR_METRICS_TOKEN": f"{SCRAPE_TOKEN}\n"})
    assert settings.metrics.token == SCRAPE_TOKEN
    assert SCRAPE_TOKEN not in repr(settings.metrics)
    with pytest.raises(ConfigError):
        load_settings(None, env={"IVR_METRICS_TOKEN": "short"})


async def test_without_a_token_or_a_list_nobody_scrapes(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await aiohttp_client(build_app(app_settings(tmp_path, "a")))
    assert (await client.get("/metrics", allow_redirects=False)).status == 401
    bearer = await client.get("/metrics", headers={"Authorization": "Bearer anything-at-all-1"})
    assert bearer.status == 403  # the token is off: the console's own answer


async def test_the_openmetrics_format_when_asked_for(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    client = await aiohttp_client(build_app(app_settings(tmp_path, "a", scrapers=("127.0.0.1",))))
    resp = await client.get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert resp.headers["Content-Type"].startswith("application/openmetrics-text")
    assert (await resp.text()).rstrip().endswith("# EOF")


async def test_two_apps_count_apart(aiohttp_client: ClientFactory, tmp_path: Path) -> None:
    first = build_app(app_settings(tmp_path, "a", scrapers=("127.0.0.1",)))
    second = build_app(app_settings(tmp_path, "b", scrapers=("127.0.0.1",)))
    one, two = await aiohttp_client(first), await aiohttp_client(second)
    log = first[RUNTIME].session_log
    assert log is not None
    log.decision("c1", datetime.now(UTC), Decision("route", "rc", rule="keypad", reason="key 1"))
    decided = {"action": "route", "destination": "rc", "rule": "keypad"}
    got_one = parse(await (await one.get("/metrics")).text())
    got_two = parse(await (await two.get("/metrics")).text())
    assert value(got_one, "ivr_decisions_total", **decided) == 1
    assert value(got_two, "ivr_decisions_total", **decided) is None
