"""Prepared messages through the aiohttp test client: the pick list, admins adding one as
text (rendered for real with espeak-ng and sox), hearing it, retiring it; who may do
what, and every refusal as JSON."""

from __future__ import annotations

import io
import logging
import wave
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ivr.console import message_routes
from ivr.console.errors import Conflict
from ivr.console.identity import OPERATOR, Operator, Role
from ivr.console.message_prompts import MessagePrompts, PromptAudit, PromptRows
from ivr.console.messages import IncidentMessages
from ivr.console.openapi import ApiDocument
from ivr.media.synth import missing_tools
from ivr.message_settings import MessageSettings
from ivr.prompts import Prompt, PromptCatalogue
from ivr.session.model import CallInfo
from ivr.session.session import CallSession
from ivr.shipped import PROMPT_CATALOGUE
from ivr.verbs import Hangup
from ivr.verbs.incident import Notice, NoticeMedia, NoticePlay, PlayNotices
from tests.fakes import FakeControl, FakePrompts, MemoryCallLog
from tests.unit.console.support import ANN, START, HandClock, ListAudit

Client = TestClient[Any, Any]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
ROOT = Operator("root", Role.ADMIN)
PEOPLE = {"ann": ANN, "root": ROOT}
FLOOD = {"id": "flood_high_street", "text": "The High Street is closed by flooding."}

needs_tools = pytest.mark.skipif(
    bool(missing_tools()), reason="espeak-ng and sox are not installed (scripts/install_system.sh)"
)


@web.middleware
async def signed_in(request: web.Request, handler: Any) -> web.StreamResponse:
    who = PEOPLE.get(request.headers.get("X-Test-User", ""))
    if who is not None:
        request[OPERATOR] = who
    response: web.StreamResponse = await handler(request)
    return response


class Desk:
    def __init__(
        self, client: Client, prompts: MessagePrompts, messages: IncidentMessages, audit: ListAudit
    ) -> None:
        self.client, self.prompts, self.messages, self.audit = client, prompts, messages, audit

    async def call(
        self, method: str, path: str, body: Any = None, *, user: str = "root"
    ) -> tuple[int, Any]:
        async with self.client.request(
            method, path, json=body, headers={"X-Test-User": user}
        ) as resp:
            assert resp.content_type == "application/json", await resp.text()
            return resp.status, await resp.json()


@pytest.fixture
def catalogue() -> PromptCatalogue:
    return PromptCatalogue.load(PROMPT_CATALOGUE)


@pytest.fixture
async def desk(
    tmp_path: Path, db_location: str, aiohttp_client: ClientFactory, catalogue: PromptCatalogue
) -> AsyncIterator[Desk]:
    clock, audit, db = HandClock(), ListAudit(), db_location
    settings = MessageSettings(sounds_dir=tmp_path / "sounds")
    prompts = MessagePrompts(db, catalogue, settings, audit, clock)
    messages = IncidentMessages(db, catalogue.ids, audit, clock, added=prompts)
    await prompts.open()
    await messages.open()
    app = web.Application(middlewares=[signed_in])
    message_routes.register(app, prompts, messages, audit, ApiDocument())
    try:
        yield Desk(await aiohttp_client(app), prompts, messages, audit)
    finally:
        await messages.close()
        await prompts.close()


async def test_operators_pick_from_the_catalogues_prepared_messages(desk: Desk) -> None:
    status, listed = await desk.call("GET", "/api/messages/prompts", user="ann")
    assert status == 200
    assert {(p["id"], p["source"]) for p in listed} == {
        ("incident_major", "catalogue"),
        ("outage_online", "catalogue"),
    }
    assert all(p["text"] and p["seconds"] for p in listed)
    assert (await desk.call("GET", "/api/messages/prompts", user=""))[0] == 401


async def test_only_an_admin_adds_or_retires_a_message(desk: Desk) -> None:
    status, answer = await desk.call("POST", "/api/messages/prompts", FLOOD, user="ann")
    assert (status, answer) == (403, {"error": "this needs the admin role"})
    status, _ = await desk.call("DELETE", "/api/messages/prompts/incident_major", user="ann")
    assert status == 403
    assert not (desk.prompts.folder / "flood_high_street.wav").exists()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"id": "Flood", "text": "Hello."}, 400, "id must be"),
        ({"id": "ab", "text": "Hello."}, 400, "id must be"),
        ({"id": "../etc", "text": "Hello."}, 400, "id must be"),
        ({"id": "x" * 42, "text": "Hello."}, 400, "id must be"),
        ({"id": "flood_a", "text": ""}, 400, "text is required"),
        ({"id": "flood_a", "text": 7}, 400, "text is required"),
        ({"id": "flood_a", "text": "word " * 121}, 400, "longer than 600 characters"),
        ({"id": "welcome", "text": "Hello."}, 409, "a prompt of the catalogue"),
        ({"id": "incident_major", "text": "Hello."}, 409, "a prompt of the catalogue"),
    ],
)
async def test_a_bad_message_is_refused_before_anything_is_rendered(
    desk: Desk, body: dict[str, Any], status: int, message: str
) -> None:
    answer = await desk.call("POST", "/api/messages/prompts", body)
    assert answer[0] == status and message in answer[1]["error"]
    assert not desk.prompts.folder.exists()
    assert desk.audit.entries == []


async def test_without_espeak_ng_and_sox_adding_is_a_503_that_says_so(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    status, answer = await desk.call("POST", "/api/messages/prompts", FLOOD)
    assert status == 503
    assert answer == {"error": "espeak-ng and sox are not installed on this server"}
    assert [p["id"] for p in (await desk.call("GET", "/api/messages/prompts"))[1]] == [
        "incident_major",
        "outage_online",
    ]


@needs_tools
async def test_an_added_message_is_offered_heard_switched_on_and_then_retired(
    desk: Desk, tmp_path: Path
) -> None:
    status, entry = await desk.call("POST", "/api/messages/prompts", FLOOD)
    assert status == 201, entry
    assert (entry["id"], entry["source"], entry["created_by"]) == (FLOOD["id"], "added", "root")
    assert entry["seconds"] > 1
    wav = tmp_path / "sounds" / "en" / "ivr101-messages" / "flood_high_street.wav"
    assert wav.is_file()
    listed = (await desk.call("GET", "/api/messages/prompts", user="ann"))[1]
    assert listed[-1]["id"] == FLOOD["id"] and listed[-1]["text"] == FLOOD["text"]
    assert (await desk.call("POST", "/api/messages/prompts", FLOOD))[0] == 409  # twice

    async with desk.client.get(
        "/api/messages/prompts/flood_high_street/audio", headers={"X-Test-User": "ann"}
    ) as resp:
        assert (resp.status, resp.content_type) == (200, "audio/wav")
        with wave.open(io.BytesIO(await resp.read()), "rb") as heard:
            assert (heard.getframerate(), heard.getnchannels()) == (8000, 1)

    until = (START + timedelta(hours=1)).isoformat()
    on = await desk.messages.add(FLOOD["id"], "all", until, ANN)
    (notice,) = desk.messages.to_play(START, matched=False)
    assert notice.media is not None
    assert notice.media.uri == "sound:ivr101-messages/flood_high_street"
    status, answer = await desk.call("DELETE", "/api/messages/prompts/flood_high_street")
    assert status == 409 and "switch the message off first" in answer["error"]

    await desk.messages.cancel(on.id, ANN)
    status, retired = await desk.call("DELETE", "/api/messages/prompts/flood_high_street")
    assert (status, retired["id"]) == (200, FLOOD["id"])
    assert not wav.exists()
    assert [p["id"] for p in (await desk.call("GET", "/api/messages/prompts"))[1]] == [
        "incident_major",
        "outage_online",
    ]
    status, answer = await desk.call("POST", "/api/messages/prompts", FLOOD)
    assert status == 409 and "used before" in answer["error"]  # past calls' records name it
    assert (await desk.call("DELETE", "/api/messages/prompts/flood_high_street"))[0] == 404
    assert (await desk.call("GET", "/api/messages/prompts/flood_high_street/audio"))[0] == 404
    assert [a for a in desk.audit.actions() if a.startswith("message-prompt")] == [
        PromptAudit.ADDED,
        PromptAudit.RETIRED,
    ]


@needs_tools
async def test_added_messages_are_kept_across_a_restart(
    desk: Desk, tmp_path: Path, db_location: str, catalogue: PromptCatalogue
) -> None:
    assert (await desk.call("POST", "/api/messages/prompts", FLOOD))[0] == 201
    settings = MessageSettings(sounds_dir=tmp_path / "sounds")
    again = MessagePrompts(db_location, catalogue, settings, ListAudit())
    await again.open()
    try:
        (kept,) = [p for p in again.listed() if p.id == FLOOD["id"]]
        assert kept.text == FLOOD["text"] and kept.created_by == "root"
        assert kept.seconds is not None and kept.seconds > 1
    finally:
        await again.close()


async def test_the_catalogues_messages_can_be_heard_but_not_retired(desk: Desk) -> None:
    async with desk.client.get(
        "/api/messages/prompts/outage_online/audio", headers={"X-Test-User": "ann"}
    ) as resp:
        assert (resp.status, resp.content_type) == (200, "audio/wav")
    status, answer = await desk.call("DELETE", "/api/messages/prompts/outage_online")
    assert status == 409 and "catalogue" in answer["error"]
    assert (await desk.call("GET", "/api/messages/prompts/welcome/audio"))[0] == 404
    assert (await desk.call("GET", "/api/messages/prompts/no_such/audio"))[0] == 404
    assert (await desk.call("GET", "/api/messages/prompts/Bad..Id/audio"))[0] == 400


async def test_the_admin_page_is_for_admins_and_plays_its_previews(desk: Desk) -> None:
    async with desk.client.get("/admin/messages", allow_redirects=False) as resp:
        assert (resp.status, resp.headers["Location"]) == (303, "/login")
    async with desk.client.get("/admin/messages", headers={"X-Test-User": "ann"}) as resp:
        assert resp.status == 403
    async with desk.client.get("/admin/messages", headers={"X-Test-User": "root"}) as resp:
        assert resp.status == 200
        page = await resp.text()
        assert "media-src 'self'" in resp.headers["Content-Security-Policy"]
    assert '<audio controls preload="none" src="/api/messages/prompts/outage_online/audio"' in page
    assert 'for="add-id"' in page and 'for="add-text"' in page
    assert "<script>" not in page and "style=" not in page


class TwoNotices:
    """A catalogue message and an added one, in force for everyone."""

    def to_play(
        self, at: datetime, *, matched: bool, intent: str = "", heard: Sequence[str] = ()
    ) -> tuple[Notice, ...]:
        added = NoticeMedia("sound:ivr101-messages/flood_a1", 40.0)
        return (
            Notice(1, "outage_online", "all", "ann"),
            Notice(2, "flood_a1", "all", "bob", added),
        )


async def test_an_added_message_plays_by_its_own_uri_and_its_length_sets_the_watchdog() -> None:
    control = FakeControl(auto_finish=True)
    call_log = MemoryCallLog()
    prompts = FakePrompts({"outage_online": 6.0})
    session = CallSession(
        CallInfo("call-1", control.channel_id, "07700900123", "Test", "101"),
        control,
        prompts,
        call_log,
        [PlayNotices(TwoNotices()), Hangup(None)],
        lambda: [Hangup("technical_difficulty")],
        HandClock(),
    )
    await session.run()
    assert (
        "play",
        ["sound:ivr101/outage_online", "sound:ivr101-messages/flood_a1"],
    ) in control.calls
    played = [d["set_by"] for _, kind, d in call_log.events if kind == "incident-message"]
    assert played == ["ann", "bob"]
    notices = TwoNotices().to_play(START, matched=False)
    assert NoticePlay(notices).expected_seconds(session) == 46.0  # not a guess per URI


# --- how long callers wait, and ids a later catalogue also uses ------------------------


AT = START.isoformat()


async def open_desk(
    tmp_path: Path, db: str, catalogue: PromptCatalogue, **settings: Any
) -> tuple[MessagePrompts, IncidentMessages]:
    clock, audit = HandClock(), ListAudit()
    chosen = MessageSettings(sounds_dir=tmp_path / "sounds", **settings)
    prompts = MessagePrompts(db, catalogue, chosen, audit, clock)
    messages = IncidentMessages(db, catalogue.ids, audit, clock, added=prompts)
    await prompts.open()
    await messages.open()
    return prompts, messages


async def close_desk(prompts: MessagePrompts, messages: IncidentMessages) -> None:
    await messages.close()
    await prompts.close()


async def test_messages_for_all_callers_may_not_keep_them_longer_than_the_setting(
    tmp_path: Path, db_location: str, catalogue: PromptCatalogue
) -> None:
    """incident_major (8 s) and outage_online (6 s): 14 s before the menu, over a 10 s
    limit. The second is refused for all callers, allowed for callers of an intent."""
    prompts, messages = await open_desk(tmp_path, db_location, catalogue, all_callers_max_s=10.0)
    until = (START + timedelta(hours=1)).isoformat()
    try:
        await messages.add("incident_major", "all", until, ANN)
        with pytest.raises(Conflict) as refused:
            await messages.add("outage_online", "all", until, ANN)
        assert str(refused.value) == (
            "callers would hear 14 s of messages before the menu; at most 10 s for all"
            " callers ([messages] all_callers_max_s): switch one off, choose a shorter one,"
            " or scope it to an intent or a place"
        )
        await messages.add("outage_online", "intent:burglary", until, ANN)
    finally:
        await close_desk(prompts, messages)


def test_the_limit_is_a_setting_of_30_seconds_by_default() -> None:
    assert MessageSettings().all_callers_max_s == 30.0


async def test_a_message_without_audio_is_timed_by_its_text(
    tmp_path: Path, db_location: str, catalogue: PromptCatalogue
) -> None:
    """An added message whose WAV is missing on this host (a restore): 15 characters a
    second, as the prompts' voice speaks, so 600 characters are refused for all callers."""
    await close_desk(*await open_desk(tmp_path, db_location, catalogue))  # the tables made
    rows = PromptRows(db_location)
    text = ("word " * 120).strip()
    rows.insert(
        {"id": "long_notice", "text": text, "created_by": "root", "created_at": START.isoformat()}
    )
    rows.close()
    prompts, messages = await open_desk(tmp_path, db_location, catalogue)
    try:
        assert prompts.seconds_of("long_notice") == pytest.approx(599 / 15)
        with pytest.raises(Conflict, match="callers would hear 40 s"):
            await messages.add("long_notice", "all", (START + timedelta(hours=1)).isoformat(), ANN)
    finally:
        await close_desk(prompts, messages)


async def test_an_added_id_a_later_catalogue_also_uses_plays_the_added_message(
    tmp_path: Path, db_location: str, catalogue: PromptCatalogue, caplog: pytest.LogCaptureFixture
) -> None:
    """Added first (the id was free), then an upgrade's catalogue brought a prompt of that
    id: the operator switched on the added message, so that is what callers hear; open()
    warns, the pick list offers it once, and an admin may still retire it."""
    await close_desk(*await open_desk(tmp_path, db_location, catalogue))  # the tables made
    rows = PromptRows(db_location)
    rows.insert(
        {
            "id": "incident_flood",
            "text": "Our flood.",
            "created_by": "root",
            "created_at": START.isoformat(),
        }
    )
    rows.close()
    upgraded = replace(
        catalogue,
        prompts={**catalogue.prompts, "incident_flood": Prompt("incident_flood", "Theirs.")},
    )
    with caplog.at_level(logging.WARNING, logger="ivr.console.message_prompts"):
        prompts, messages = await open_desk(tmp_path, db_location, upgraded)
    try:
        assert any(
            "incident_flood" in r.getMessage() and "catalogue" in r.getMessage()
            for r in caplog.records
        )
        assert [p.source for p in prompts.listed() if p.id == "incident_flood"] == ["added"]
        await messages.add("incident_flood", "all", (START + timedelta(hours=1)).isoformat(), ANN)
        (notice,) = messages.to_play(START, matched=False)
        assert notice.media is not None
        assert notice.media.uri == "sound:ivr101-messages/incident_flood"
    finally:
        await close_desk(prompts, messages)
    prompts, messages = await open_desk(tmp_path, db_location, upgraded)
    try:
        await prompts.retire("incident_flood", ROOT, in_force=())
        assert [p.source for p in prompts.listed() if p.id == "incident_flood"] == ["catalogue"]
    finally:
        await close_desk(prompts, messages)


def test_an_id_once_used_is_refused_by_the_store_even_retired(db_location: str) -> None:
    """Past calls' records name a message by its id: a retired id is never reused."""
    rows = PromptRows(db_location)
    try:
        first = {"id": "flood_a", "text": "One.", "created_by": "root", "created_at": AT}
        assert rows.insert(first) is True
        assert rows.insert({**first, "text": "Two."}) is False
        rows.retire("flood_a", AT, "root")
        assert rows.active() == []
        assert rows.insert({**first, "text": "Three."}) is False
        assert [r["text"] for r in rows.db.rows_where("message_prompts")] == ["One."]
    finally:
        rows.close()
