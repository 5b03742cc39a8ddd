"""Publish, diff, roll back and history, through `ivr rules` and RulesetAdmin."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.console.audit import AuditStore
from ivr.prompts import PromptCatalogue
from ivr.routing.snapshot import read_ruleset
from ivr.rulesets.admin import Refused, RulesetAdmin
from ivr.rulesets.store import RulesetStore, VersionKind
from ivr.shipped import REPO_ROOT
from ivr.store.db import CallStore

SHIPPED = REPO_ROOT / "routing_rules"
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path: Path, db_location: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED, rules)
    monkeypatch.setenv("IVR_RULES", str(rules))
    monkeypatch.setenv("IVR_DB", db_location)
    return rules


def test_publish_diff_rollback_and_history_round_trip(
    folder: Path, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = folder / "rules.yaml"
    original = rules.read_bytes()
    assert main(["rules", "publish", "--comment", "as shipped", "--as", "alice"]) == 0
    assert "published version 1" in capsys.readouterr().out
    rules.write_text(original.decode().replace("reprompt_limit: 2", "reprompt_limit: 3"))
    assert main(["rules", "publish", "--comment", "one more try", "--as", "bob"]) == 0
    out = capsys.readouterr().out
    assert "published version 2" in out and "kill -HUP" in out

    assert main(["rules", "diff", "1", "2"]) == 0
    diff = capsys.readouterr().out
    assert "--- 1/rules.yaml\n+++ 2/rules.yaml" in diff
    assert "-  reprompt_limit: 2" in diff and "+  reprompt_limit: 3" in diff
    assert main(["rules", "diff", "2", "live"]) == 0
    assert capsys.readouterr().out == ""

    assert main(["rules", "rollback", "1", "--comment", "too many tries", "--as", "carol"]) == 0
    assert "the folder now holds version 3" in capsys.readouterr().out
    assert rules.read_bytes() == original
    assert read_ruleset(folder).files == read_ruleset(SHIPPED).files
    hidden = [p.name for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert hidden == [".rules.prev"], "no staging left; the replaced folder kept"

    assert main(["rules", "history"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split()[0] for line in lines] == ["3", "2", "1"]
    assert "carol" in lines[0] and "rollback" in lines[0] and "rollback to 1: too many" in lines[0]
    calls = CallStore(db_location)
    audit = AuditStore(calls.db).since(datetime(2000, 1, 1, tzinfo=UTC))
    assert [(e.who, e.action, e.detail["version"]) for e in audit] == [
        ("alice", "rules-published", 1),
        ("bob", "rules-published", 2),
        ("carol", "rules-rolled-back", 3),
    ]
    assert RulesetStore(calls.db).get(3).digest == RulesetStore(calls.db).get(1).digest
    calls.close()


def test_publishing_an_unchanged_folder_stores_nothing(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "publish"]) == 0
    assert main(["rules", "publish"]) == 0
    assert "unchanged: the folder is version 1 already" in capsys.readouterr().out


def test_an_invalid_folder_is_refused_with_its_line_numbered_errors(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text() + "  - not a rule\n")
    assert main(["rules", "publish"]) == 1
    out = capsys.readouterr().out
    assert f"{rules}:" in out and "not a rule" in out
    assert main(["rules", "history"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == []


@pytest.fixture
def store(db_location: str) -> Iterator[RulesetStore]:
    calls = CallStore(db_location)
    yield RulesetStore(calls.db)
    calls.close()


def test_a_rollback_to_a_version_that_no_longer_validates_is_refused(
    tmp_path: Path, store: RulesetStore
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    catalogue = set(PromptCatalogue.load(REPO_ROOT / "prompts" / "catalogue.yaml").ids)
    clock = lambda: AT  # noqa: E731
    assert RulesetAdmin(store, folder, catalogue, clock).publish("alice", "").version.version == 1
    rules = folder / "rules.yaml"
    rules.write_text(rules.read_text().replace("message: online_sms_offer", "message: no_input"))
    assert RulesetAdmin(store, folder, catalogue, clock).publish("bob", "").version.version == 2
    live = read_ruleset(folder)

    # online_sms_offer is since gone from the catalogue: version 1 would play silence.
    admin = RulesetAdmin(store, folder, catalogue - {"online_sms_offer"}, clock)
    with pytest.raises(Refused) as refused:
        admin.rollback(1, "carol", "")
    errors = [e for e in refused.value.errors if "online_sms_offer" in e]
    shipped = (SHIPPED / "rules.yaml").read_text().splitlines()
    starts = [str(n) for n, line in enumerate(shipped, 1) if line.startswith("  - name:")]
    assert len(errors) == 2 and all(e.startswith(f"{rules}:") for e in errors)
    assert {e.split(":")[1] for e in errors} <= set(starts), "each names its rule's line"
    assert all(e.endswith("[prompt-unknown]") for e in errors)
    assert read_ruleset(folder).files == live.files, "the folder is untouched"
    assert [v.version for v in store.history()] == [2, 1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_rollback_keeps_a_hand_edited_folder_as_a_version_first(
    tmp_path: Path, store: RulesetStore
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    admin = RulesetAdmin(store, folder, None, lambda: AT)
    admin.publish("alice", "")
    rules = folder / "rules.yaml"
    original = rules.read_bytes()
    rules.write_bytes(original + b"# edited by hand\n")
    (folder / "notes.txt").write_text("no part of the rules\n")
    os.chmod(rules, 0o600)
    added = admin.rollback(1, "bob", "")
    kept = store.get(2)
    assert kept.kind is VersionKind.ADOPTED and "before the rollback to 1" in kept.comment
    assert store.files(2).files["rules.yaml"].endswith(b"# edited by hand\n")
    assert "notes.txt" not in store.files(2).files
    assert added.version.version == 3 and rules.read_bytes() == original
    assert (folder / "notes.txt").read_text() == "no part of the rules\n", "left as it was"
    assert (folder / "rules.yaml").stat().st_mode & 0o777 == 0o600, "modes are kept"


def test_bad_requests_are_refused_plainly(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["rules", "diff", "1", "x"]) == 2
    assert "'x' is not a version number or 'live'" in capsys.readouterr().err
    assert main(["rules", "rollback", "7"]) == 2
    assert "no ruleset version 7" in capsys.readouterr().err
    monkeypatch.delenv("IVR_RULES")
    assert main(["rules", "publish"]) == 2
    assert "no rules folder is configured" in capsys.readouterr().err
