"""The app as built documents every /api route it serves, and nothing it does not."""

from __future__ import annotations

from pathlib import Path

from ivr.app import build_app
from ivr.config import Settings
from ivr.console.openapi import API_DOCUMENT, undocumented


def test_every_api_route_of_the_built_app_is_in_its_openapi_document(tmp_path: Path) -> None:
    settings = Settings().overridden({"store.db_path": str(tmp_path / "calls.db")})
    app = build_app(settings)
    assert undocumented(app, app[API_DOCUMENT]) == (set(), set())
