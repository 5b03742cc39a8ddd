"""An audit row that cannot be written is loud: logged as an error naming the action,
counted, and /health says the audit trail is failing until a row is written again."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.app import build_app
from ivr.callers.settings import CallerSettings
from ivr.config import Settings
from ivr.console.access import ACCESS
from ivr.console.audit import AuditLog, AuditStore
from ivr.speech.settings import SpeechEngine, SpeechSettings
from ivr.store.settings import StoreSettings
from tests.unit.console.fixtures import MovingClock

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


class Outcomes:
    """A store thread whose writes fail while ``failing`` (as a schema it lacks would)."""

    def __init__(self) -> None:
        self.failing = True

    def submit(self, fn: Any) -> Future[Any]:
        done: Future[Any] = Future()
        if self.failing:
            done.set_exception(sqlite3.OperationalError("table audit has no column named x"))
        else:
            done.set_result(None)
        return done


def health(audit: AuditLog) -> tuple[bool, int]:
    return audit.healthy, audit.failed


def test_a_failed_write_is_logged_as_an_error_and_marks_the_log_unhealthy(
    caplog: pytest.LogCaptureFixture,
) -> None:
    thread = Outcomes()
    audit = AuditLog(thread, MovingClock())
    assert health(audit) == (True, 0)
    with caplog.at_level(logging.ERROR, logger="ivr.console.audit"):
        audit.record("alice", "call-rerouted", {"call_id": "c1"})
    assert health(audit) == (False, 1)
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "call-rerouted by alice NOT recorded" in record.getMessage()
    assert record.exc_info is not None and "no column named x" in str(record.exc_info[1])
    thread.failing = False
    audit.record("alice", "call-rerouted", {"call_id": "c2"})
    assert health(audit) == (True, 1), "healthy again; the lost row still counted"


async def test_health_shows_a_failing_audit_trail(
    aiohttp_client: ClientFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        store=StoreSettings(db_path=str(tmp_path / "calls.db")),
        speech=SpeechSettings(engine=SpeechEngine.NONE),
        callers=CallerSettings(key=""),
    )
    app = build_app(settings)
    client = await aiohttp_client(app)
    body = await (await client.get("/health")).json()
    assert (body["audit_healthy"], body["audit_failed"]) == (True, 0)

    def broken(self: AuditStore, *args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("table audit has no column named session")

    monkeypatch.setattr(AuditStore, "append", broken)
    app[ACCESS].audit.record("root", "user-added", {"name": "ann"})
    await app[ACCESS].db.flush()
    body = await (await client.get("/health")).json()
    assert (body["audit_healthy"], body["audit_failed"]) == (False, 1)
