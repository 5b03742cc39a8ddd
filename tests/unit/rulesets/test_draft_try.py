"""Try it: the draft's decision beside the live one, for words, keys or a recording
heard by the real PocketSphinx engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import FormData

from ivr.routing.bundle import load_bundle
from ivr.rulesets.draft_wiring import DraftOptions
from ivr.speech.pool import SpeechPool
from ivr.speech.sphinx import PocketSphinxRecognizer
from ivr.speech.vocabulary import vocabulary_from_bundle
from tests.unit.rulesets.draft_support import (
    KEY_5_ONLINE,
    KEY_5_RC,
    Admin,
    ClientFactory,
    admin_app,
)

WAVS = Path(__file__).resolve().parents[2] / "unit" / "speech" / "fixtures"
MONDAY_10AM = "2026-01-12T10:00"


@pytest.fixture
async def admin(tmp_path: Path, aiohttp_client: ClientFactory) -> AsyncIterator[Admin]:
    async with admin_app(tmp_path, aiohttp_client) as admin:
        yield admin


async def test_keys_the_draft_routes_elsewhere_are_shown_beside_the_live_decision(
    admin: Admin,
) -> None:
    await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
    tried = await admin.ok("POST", "/api/rules/draft/try", {"digits": "5", "at": MONDAY_10AM})
    assert tried["same"] is False and tried["heard"] == []
    live, draft = tried["live"], tried["draft"]
    assert (live["destination"], live["ruleset_version"]) == ("online", 1)
    assert (draft["destination"], draft["rule"], draft["ruleset_version"]) == ("rc", "keypad", None)
    assert draft["destination_label"] == "Resolution Centre"
    assert live["destination_label"] == "Online reporting"
    assert any("5 (rc)" in line for line in draft["explanation"])
    assert any(line.startswith("rules: ") for line in live["explanation"])


async def test_words_with_caller_flags_and_a_time(admin: Admin) -> None:
    body = {
        "text": "can I speak to sergeant Priya Patel",
        "at": MONDAY_10AM,
        "flags": ["vulnerable"],
        "dialled": "101",
    }
    tried = await admin.ok("POST", "/api/rules/draft/try", body)
    assert tried["same"] is True
    assert tried["heard"] == [{"text": body["text"], "confidence": 1.0}]
    draft = tried["draft"]
    assert draft["destination"] == "directory:priya-patel"
    assert draft["destination_label"] == "Priya Patel"
    assert draft["confidence"] is not None and 0 < draft["confidence"] <= 1
    assert tried["live"]["explanation"] == draft["explanation"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "give text, digits or an audio"),
        ({"digits": "5x"}, "digits must be keys"),
        ({"text": 5}, "text must be"),
        ({"text": "hi", "at": "monday"}, "not an ISO time"),
        ({"text": "hi", "flags": "vulnerable"}, "flags must be a list"),
    ],
)
async def test_bad_tries_are_refused(admin: Admin, body: dict[str, object], says: str) -> None:
    status, answer = await admin.call("POST", "/api/rules/draft/try", body)
    assert status == 400 and says in answer["error"], answer


async def test_a_draft_with_errors_cannot_be_tried(admin: Admin) -> None:
    await admin.edit_rules("message: online_sms_offer", "message: nothing_recorded")
    status, answer = await admin.call("POST", "/api/rules/draft/try", {"digits": "5"})
    assert status == 400 and answer["errors"][0].startswith("rules.yaml:")


async def test_a_recording_is_heard_by_the_apps_speech_engine(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    recognizer = PocketSphinxRecognizer(vocabulary_from_bundle(load_bundle(None)))
    pool = SpeechPool(recognizer, workers=1, processes=False)
    options = DraftOptions(speech=lambda: pool)
    try:
        async with admin_app(tmp_path, aiohttp_client, options=options) as admin:
            form = FormData()
            wav = (WAVS / "priya_patel_slt.wav").read_bytes()
            form.add_field("audio", wav, filename="caller.wav", content_type="audio/wav")
            form.add_field("at", MONDAY_10AM)
            form.add_field("flags", "repeat, vulnerable")
            tried = await admin.ok("POST", "/api/rules/draft/try", form)
    finally:
        await pool.close()
    assert tried["heard"] and "patel" in tried["heard"][0]["text"].lower()
    assert all(0 <= h["confidence"] <= 1 for h in tried["heard"])
    assert tried["draft"]["destination"] == tried["live"]["destination"]
    assert tried["draft"]["destination"] == "directory:priya-patel"


async def test_a_recording_without_speech_or_that_is_no_wav_is_refused(admin: Admin) -> None:
    form = FormData()
    form.add_field("audio", b"RIFF....not a wav", filename="x.wav")
    status, answer = await admin.call("POST", "/api/rules/draft/try", form)
    assert status == 409 and "speech is off" in answer["error"]


async def test_a_file_that_is_no_wav_is_refused(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    recognizer = PocketSphinxRecognizer(vocabulary_from_bundle(load_bundle(None)))
    pool = SpeechPool(recognizer, workers=1, processes=False)
    try:
        async with admin_app(
            tmp_path, aiohttp_client, options=DraftOptions(speech=lambda: pool)
        ) as admin:
            form = FormData()
            form.add_field("audio", b"RIFF....not a wav", filename="x.wav")
            status, answer = await admin.call("POST", "/api/rules/draft/try", form)
    finally:
        await pool.close()
    assert status == 400 and "not a WAV" in answer["error"]


PAST_THREAT = "my neighbour threatened me last week"
REPORT_CRIME_RC = "  - name: report_crime\n    destination: rc\n"
REPORT_CRIME_FCR = "  - name: report_crime\n    destination: fcr\n"


async def test_a_danger_check_whose_no_goes_elsewhere_under_the_draft_is_not_the_same(
    admin: Admin,
) -> None:
    """Both ask the danger check first; only where a "no" goes differs, and that counts."""
    answer = await admin.ok("GET", "/api/rules/draft/files/intents.yaml")
    assert REPORT_CRIME_RC in answer["text"]
    edited = answer["text"].replace(REPORT_CRIME_RC, REPORT_CRIME_FCR)
    await admin.ok("PUT", "/api/rules/draft/files/intents.yaml", {"text": edited})
    tried = await admin.ok("POST", "/api/rules/draft/try", {"text": PAST_THREAT, "at": MONDAY_10AM})
    live, draft = tried["live"], tried["draft"]
    for side in (live, draft):
        assert (side["action"], side["destination"], side["rule"]) == (
            "confirm",
            "emergency",
            "danger-check",
        )
    assert (live["otherwise"]["destination"], draft["otherwise"]["destination"]) == ("rc", "fcr")
    assert draft["otherwise"]["destination_label"] == "Force Control Room"
    assert tried["same"] is False


async def test_a_danger_check_the_draft_leaves_alone_is_the_same(admin: Admin) -> None:
    tried = await admin.ok("POST", "/api/rules/draft/try", {"text": PAST_THREAT, "at": MONDAY_10AM})
    assert tried["live"]["otherwise"]["destination"] == "rc"
    assert tried["same"] is True
