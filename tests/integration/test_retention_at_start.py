"""The server applies the retention policy as it starts, without Asterisk reachable."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import RUNTIME, build_app
from ivr.ari.settings import AriSettings
from ivr.config import Settings
from ivr.console.sessions import SessionPolicy
from ivr.console.store import ConsoleStore
from ivr.console_settings import ConsoleSettings
from ivr.speech.settings import SpeechEngine, SpeechSettings
from ivr.store.db import CallStore, iso
from ivr.store.settings import StoreSettings

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_calls_past_the_policy_are_purged_at_start_up(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    path = tmp_path / "calls.db"
    store = CallStore(path)
    for call_id, days in (("gone", 11), ("blanked", 3), ("kept", 1)):
        store.call_started(
            {
                "call_id": call_id,
                "channel_id": call_id,
                "caller_number": "07700900123",
                "started_at": iso(NOW - timedelta(days=days)),
            }
        )
    store.close()
    settings = Settings(
        ari=AriSettings(url="http://127.0.0.1:9"),
        store=StoreSettings(db_path=str(path), numbers_days=2, records_days=10),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
    )
    app = build_app(settings, clock=lambda: NOW)
    await aiohttp_client(app)
    await asyncio.wait_for(app[RUNTIME].retention.ran.wait(), 10)
    store = CallStore(path)
    rows = {r["call_id"]: r["caller_number"] for r in store.recent_calls()}
    store.close()
    assert rows == {"blanked": "", "kept": "07700900123"}


async def test_the_audit_trail_past_audit_days_is_purged_at_start_up(
    aiohttp_client: ClientFactory, tmp_path: Path
) -> None:
    path = tmp_path / "calls.db"
    store = ConsoleStore(path, SessionPolicy(timedelta(minutes=30), timedelta(hours=12)))
    store.audit.append(NOW - timedelta(days=91), "old", "sign-in", {})
    store.audit.append(NOW - timedelta(days=89), "recent", "sign-in", {})
    store.close()
    settings = Settings(
        ari=AriSettings(url="http://127.0.0.1:9"),
        store=StoreSettings(db_path=str(path)),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
        console=ConsoleSettings(audit_days=90),
    )
    app = build_app(settings, clock=lambda: NOW)
    await aiohttp_client(app)
    await asyncio.wait_for(app[RUNTIME].retention.ran.wait(), 10)
    store = ConsoleStore(path, SessionPolicy(timedelta(minutes=30), timedelta(hours=12)))
    try:
        assert [e.who for e in store.audit.since(NOW - timedelta(days=1000))] == ["recent"]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute("DELETE FROM audit")
    finally:
        store.close()
