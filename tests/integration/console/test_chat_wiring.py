"""[chat] enabled adds the public chat and the desk to the app, every /api/chat route
documented; the public paths are open, the desk's are not; off, neither is there."""

from __future__ import annotations

from pathlib import Path

from ivr.app import build_app
from ivr.config import Settings
from ivr.console.auth import OPEN_PATHS, OPEN_PREFIXES
from ivr.console.openapi import API_DOCUMENT, undocumented


def _paths(enabled: bool, tmp_path: Path) -> tuple[set[str], set[tuple[str, str]]]:
    settings = Settings().overridden(
        {"store.db_path": str(tmp_path / "calls.db"), "chat.enabled": enabled}
    )
    app = build_app(settings)
    assert undocumented(app, app[API_DOCUMENT]) == (set(), set())
    paths = {
        r.get_info().get("path") or r.get_info().get("formatter", "")
        for r in app.router.resources()
    }
    return paths, app[API_DOCUMENT].operations()


def test_chat_on_adds_the_pages_and_documented_actions(tmp_path: Path) -> None:
    paths, operations = _paths(True, tmp_path)
    assert {"/chat/", "/chat/ws", "/chat/{token}", "/desk/chat", "/desk/chat/ws"} <= paths
    assert ("POST", "/api/chat/take") in operations


def test_chat_off_adds_nothing(tmp_path: Path) -> None:
    paths, operations = _paths(False, tmp_path)
    assert not {p for p in paths if "chat" in p}
    assert not {o for o in operations if "chat" in o[1]}


def test_the_public_chat_is_open_and_the_desk_is_not() -> None:
    def is_open(path: str) -> bool:
        return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)

    assert is_open("/chat/") and is_open("/chat/ws") and is_open("/chat/abc.def")
    assert not is_open("/desk/chat") and not is_open("/desk/chat/ws")
    assert not is_open("/api/chat/take")
