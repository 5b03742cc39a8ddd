"""The draft in the browser: edits saved with line-numbered errors, checks as the admin
types, discard, and a directory export through the importer, all or nothing."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import FormData

from ivr.directory import Directory
from ivr.directory.model import CSV_COLUMNS
from ivr.rulesets.draft_wiring import DraftOptions
from ivr.rulesets_settings import RulesetSettings
from ivr.shipped import Shipped, shipped_folder
from tests.unit.rulesets.draft_support import (
    KEY_5_ONLINE,
    KEY_5_RC,
    Admin,
    ClientFactory,
    admin_app,
)

ROUTES = [
    ("GET", "/api/rules/draft"),
    ("DELETE", "/api/rules/draft"),
    ("GET", "/api/rules/draft/files/rules.yaml"),
    ("PUT", "/api/rules/draft/files/rules.yaml"),
    ("POST", "/api/rules/draft/check"),
    ("POST", "/api/rules/draft/directory"),
    ("POST", "/api/rules/draft/try"),
    ("POST", "/api/rules/draft/replay"),
    ("GET", "/api/rules/replays/abc"),
    ("DELETE", "/api/rules/replays/abc"),
    ("POST", "/api/rules/draft/publish"),
    ("GET", "/api/rules/suggestions"),
    ("POST", "/api/rules/suggestions/accept"),
]


@pytest.fixture
async def admin(
    tmp_path: Path, db_location: str, aiohttp_client: ClientFactory
) -> AsyncIterator[Admin]:
    async with admin_app(tmp_path, aiohttp_client, db=db_location) as admin:
        yield admin


async def test_an_operator_reaches_no_draft_route_and_nobody_signed_in_none(admin: Admin) -> None:
    before = (admin.folder / "rules.yaml").read_text()
    for method, path in ROUTES:
        status, body = await admin.call(method, path, {"text": "x", "key": "k"}, user="ann")
        assert (status, body) == (403, {"error": "this needs the admin role"}), (method, path)
        status, _ = await admin.call(method, path, {"text": "x"}, user="nobody")
        assert status == 401, (method, path)
    assert (admin.folder / "rules.yaml").read_text() == before
    assert admin.audit.entries == []


async def test_the_draft_starts_as_the_live_version(admin: Admin) -> None:
    draft = await admin.ok("GET", "/api/rules/draft")
    assert draft["based_on"] == admin.routing.version == 1
    assert draft["errors"] == []
    names = {f["name"] for f in draft["files"]}
    assert {"rules.yaml", "intents.yaml", "directory.yaml", "schedules.yaml"} <= names
    assert not any(f["changed"] for f in draft["files"])
    rules = next(f for f in draft["files"] if f["name"] == "rules.yaml")
    assert rules["size"] == (admin.folder / "rules.yaml").stat().st_size
    text = await admin.rules_text()
    assert text == (admin.folder / "rules.yaml").read_text()


async def test_an_edit_with_an_error_is_saved_with_its_line_and_a_fix_clears_it(
    admin: Admin,
) -> None:
    text = await admin.rules_text()
    broken = text.replace("message: online_sms_offer", "message: online_sms_ofer", 1)
    lines = broken.splitlines()
    line = lines.index(next(x for x in lines if "online-chat-closed" in x)) + 1  # the rule's
    saved = await admin.ok("PUT", "/api/rules/draft/files/rules.yaml", {"text": broken})
    assert saved["saved"] is True
    assert len(saved["errors"]) == 1
    assert saved["errors"][0].startswith(f"rules.yaml:{line}: ")
    assert "online_sms_ofer" in saved["errors"][0] and "[prompt-unknown]" in saved["errors"][0]

    draft = await admin.ok("GET", "/api/rules/draft")
    assert draft["errors"] == saved["errors"]
    assert [f["name"] for f in draft["files"] if f["changed"]] == ["rules.yaml"]
    shown = await admin.ok("GET", "/api/rules/draft/files/rules.yaml")
    assert (shown["text"], shown["changed"]) == (broken, True)
    assert "online_sms_ofer" not in (admin.folder / "rules.yaml").read_text(), "never live"

    # As the admin types the fix: checked, nothing saved.
    checked = await admin.ok("POST", "/api/rules/draft/check", {"name": "rules.yaml", "text": text})
    assert checked["errors"] == []
    assert (await admin.ok("GET", "/api/rules/draft"))["errors"] == saved["errors"]

    fixed = await admin.ok("PUT", "/api/rules/draft/files/rules.yaml", {"text": text})
    assert fixed["errors"] == []
    draft = await admin.ok("GET", "/api/rules/draft")
    assert draft["errors"] == [] and not any(f["changed"] for f in draft["files"])


async def test_a_check_reports_errors_without_saving(admin: Admin) -> None:
    text = await admin.rules_text()
    checked = await admin.ok(
        "POST",
        "/api/rules/draft/check",
        {"name": "rules.yaml", "text": text + "\n  - nonsense: [\n"},
    )
    assert checked["errors"] and all(e.startswith("rules.yaml:") for e in checked["errors"])
    assert (await admin.ok("GET", "/api/rules/draft"))["errors"] == []


async def test_discard_goes_back_to_the_live_rules(admin: Admin) -> None:
    await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
    draft = await admin.ok("DELETE", "/api/rules/draft")
    assert draft["discarded"] == 1 and not any(f["changed"] for f in draft["files"])
    assert KEY_5_ONLINE in await admin.rules_text()
    assert admin.audit.actions() == ["rules-draft-discarded"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("GET", "/api/rules/draft/files/nope.yaml", None, 404, "no file 'nope.yaml'"),
        ("PUT", "/api/rules/draft/files/nope.yaml", {"text": ""}, 404, "no file"),
        ("PUT", "/api/rules/draft/files/rules.yaml", {"text": 5}, 400, "text must be"),
        ("PUT", "/api/rules/draft/files/rules.yaml", [1], 400, "JSON object"),
        ("POST", "/api/rules/draft/check", {"name": "x.yaml", "text": ""}, 404, "no file"),
        ("POST", "/api/rules/draft/check", {"text": ""}, 400, "name must be"),
        ("POST", "/api/rules/draft/directory", b"", 400, "empty"),
        ("GET", "/api/rules/replays/nope", None, 404, "no such replay"),
    ],
)
async def test_bad_requests_are_refused_as_json(
    admin: Admin, method: str, path: str, body: object, status: int, says: str
) -> None:
    got, answer = await admin.call(method, path, body)
    assert got == status and says in answer["error"], answer


async def test_a_file_over_the_size_limit_is_refused_413(
    tmp_path: Path, aiohttp_client: ClientFactory
) -> None:
    small = DraftOptions(settings=RulesetSettings(max_file_mb=0.01))  # 10 kB
    async with admin_app(tmp_path, aiohttp_client, options=small) as admin:
        status, body = await admin.call(
            "PUT", "/api/rules/draft/files/rules.yaml", {"text": "#" * 20_000}
        )
        assert status == 413 and "limit" in body["error"]
        assert not any(f["changed"] for f in (await admin.ok("GET", "/api/rules/draft"))["files"])


def export(extra: list[dict[str, str]] | None = None) -> str:
    """The shipped directory as a force's CSV export, with ``extra`` rows."""
    directory = Directory.load_yaml(shipped_folder(Shipped.ROUTING_RULES) / "directory.yaml")
    out = io.StringIO()
    writer = csv.DictWriter(out, [*CSV_COLUMNS, "first_name", "surname"], lineterminator="\n")
    writer.writeheader()
    for e in directory.entries:
        writer.writerow(
            {
                "id": e.id, "kind": e.kind, "name": e.name, "rank": e.rank,
                "aliases": "; ".join(e.aliases), "extension": e.extension, "hours": e.hours,
                "team": e.team, "first_name": e.first_name, "surname": e.surname,
            }
        )  # fmt: skip
    for row in extra or []:
        writer.writerow(row)
    return out.getvalue()


NEW_DESK = {"id": "new-desk", "kind": "department", "name": "New Desk", "extension": "4999",
            "hours": "Mon-Fri 07:15-15:45"}  # fmt: skip


async def test_a_directory_export_goes_into_the_draft_through_the_importer(admin: Admin) -> None:
    answer = await admin.ok("POST", "/api/rules/draft/directory", export([NEW_DESK]))
    assert answer["saved"] is True and answer["errors"] == []
    assert answer["departments"] >= 1 and answer["schedules_added"]
    draft = await admin.ok("GET", "/api/rules/draft")
    assert {f["name"] for f in draft["files"] if f["changed"]} == {
        "directory.yaml",
        "schedules.yaml",
    }
    directory = (await admin.ok("GET", "/api/rules/draft/files/directory.yaml"))["text"]
    assert (
        "new-desk" in directory and "new-desk" not in (admin.folder / "directory.yaml").read_text()
    )
    assert admin.audit.actions() == ["rules-draft-directory-imported"]


async def test_a_directory_export_with_one_bad_row_changes_nothing(admin: Admin) -> None:
    bad = {"id": "broken", "kind": "robot", "name": "Broken", "extension": "4998"}
    form = FormData()
    form.add_field("file", export([NEW_DESK, bad]).encode(), filename="export.csv")
    status, answer = await admin.call("POST", "/api/rules/draft/directory", form)
    assert status == 400, answer
    assert answer["errors"] and all(e.startswith("upload.csv:") for e in answer["errors"])
    draft = await admin.ok("GET", "/api/rules/draft")
    assert not any(f["changed"] for f in draft["files"])
    assert admin.audit.entries == []


async def test_an_export_missing_an_entry_the_rules_use_is_refused_with_a_fix(
    admin: Admin,
) -> None:
    intents = (await admin.ok("GET", "/api/rules/draft/files/intents.yaml"))["text"]
    custody = intents.replace("destination: rc\n", "destination: directory:custody-enquiries\n", 1)
    saved = await admin.ok("PUT", "/api/rules/draft/files/intents.yaml", {"text": custody})
    assert saved["errors"] == []
    without = "\n".join(
        line for line in export().splitlines() if not line.startswith("custody-enquiries,")
    )
    status, answer = await admin.call("POST", "/api/rules/draft/directory", without + "\n")
    assert status == 400
    assert any("custody-enquiries" in e for e in answer["errors"]), answer
    draft = await admin.ok("GET", "/api/rules/draft")
    assert [f["name"] for f in draft["files"] if f["changed"]] == ["intents.yaml"]


async def test_a_draft_is_built_once_per_digest_however_many_ask(admin: Admin) -> None:
    workspace = admin.desk.workspace
    draft = await workspace.current()
    first, second = await asyncio.gather(workspace.built(draft), workspace.built(draft))
    assert first is second and first.engine is not None
    assert await workspace.built(await workspace.current()) is first
    await admin.edit_rules(KEY_5_ONLINE, KEY_5_RC)
    changed = await workspace.built(await workspace.current())
    assert changed is not first and changed.digest != first.digest
