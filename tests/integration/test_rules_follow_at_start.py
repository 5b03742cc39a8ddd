"""The server follows the ruleset published through another node: at start-up, before its
first call (Asterisk unreachable)."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import RUNTIME, build_app
from ivr.ari.settings import AriSettings
from ivr.config import Settings
from ivr.routing.settings import RoutingSettings
from ivr.routing.snapshot import read_ruleset
from ivr.rulesets.admin import RulesetAdmin
from ivr.rulesets.store import RulesetStore
from ivr.shipped import REPO_ROOT
from ivr.speech.settings import SpeechEngine, SpeechSettings
from ivr.store.db import CallStore
from ivr.store.settings import StoreSettings

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def publish(folder: Path, db: str) -> int:
    """`ivr rules publish` of ``folder``: its version."""
    store = CallStore(db)
    try:
        admin = RulesetAdmin(RulesetStore(store.db), folder, None, lambda: NOW)
        return admin.publish("alice", "").version.version
    finally:
        store.close()


async def test_a_node_started_after_a_publish_elsewhere_serves_it_from_the_start(
    aiohttp_client: ClientFactory, tmp_path: Path, db_location: str
) -> None:
    here, elsewhere = tmp_path / "here" / "rules", tmp_path / "there" / "rules"
    shutil.copytree(REPO_ROOT / "routing_rules", here)
    assert publish(here, db_location) == 1  # both nodes in step, then this one stopped
    shutil.copytree(here, elsewhere)
    rules = elsewhere / "rules.yaml"
    rules.write_text(rules.read_text().replace("reprompt_limit: 2", "reprompt_limit: 3"))
    assert publish(elsewhere, db_location) == 2
    settings = Settings(
        ari=AriSettings(url="http://127.0.0.1:9"),
        store=StoreSettings(db_path=db_location),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
        routing=RoutingSettings(rules_dir=here),
    )
    app = build_app(settings, clock=lambda: NOW)

    await aiohttp_client(app)

    routing = app[RUNTIME].routing
    assert routing.version == 2
    assert routing.bundle.rules.thresholds.reprompt_limit == 3
    assert read_ruleset(here).digest == read_ruleset(elsewhere).digest
