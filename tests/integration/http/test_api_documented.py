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


def test_the_rules_drafts_routes_are_documented(tmp_path: Path) -> None:
    """Issue 13's contract (the pages are built against it): every draft route is there."""
    settings = Settings().overridden({"store.db_path": str(tmp_path / "calls.db")})
    documented = build_app(settings)[API_DOCUMENT].operations()
    draft = "/api/rules/draft"
    assert {
        ("GET", draft),
        ("DELETE", draft),
        ("GET", f"{draft}/files/{{name}}"),
        ("PUT", f"{draft}/files/{{name}}"),
        ("POST", f"{draft}/check"),
        ("POST", f"{draft}/directory"),
        ("POST", f"{draft}/try"),
        ("POST", f"{draft}/replay"),
        ("GET", "/api/rules/replays/{id}"),
        ("DELETE", "/api/rules/replays/{id}"),
        ("POST", f"{draft}/publish"),
        ("GET", "/api/rules/suggestions"),
        ("POST", "/api/rules/suggestions/accept"),
    } <= documented
