"""A rollback writes only a ruleset's own parts: the rest of the folder stays, the shipped
defaults stay defaults, the old folder is kept, and a failed swap puts the live one back."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.cli import main
from ivr.routing.snapshot import PARTS, RulesetFiles, read_ruleset
from ivr.rulesets import folder as folder_module
from ivr.rulesets.admin import RulesetAdmin
from ivr.rulesets.folder import FolderUnwritable, previous_of, stage, swap_in
from ivr.rulesets.store import NoSuchVersion, RulesetStore, pack, unpack
from ivr.shipped import REPO_ROOT
from ivr.store.db import CallStore

SHIPPED = REPO_ROOT / "routing_rules"
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    return folder


def admin_of(tmp_path: Path, folder: Path) -> RulesetAdmin:
    return RulesetAdmin(RulesetStore(CallStore(tmp_path / "calls.db").db), folder, None, lambda: AT)


def add_strays(folder: Path) -> None:
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / ".env.local").write_text("SECRET=1\n")
    (folder / "hr-export.csv").write_text("name,salary\n")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "rules.yaml").write_text("# a draft\n")
    os.symlink("rules.yaml", folder / "current")


def test_a_swap_keeps_hidden_files_and_everything_else_the_snapshot_leaves_out(
    rules: Path,
) -> None:
    add_strays(rules)
    with stage(rules, read_ruleset(rules)) as staged:
        swap_in(staged, rules)
    assert (rules / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (rules / ".env.local").read_text() == "SECRET=1\n"
    assert (rules / "hr-export.csv").read_text() == "name,salary\n"
    assert (rules / "drafts" / "rules.yaml").read_text() == "# a draft\n"
    assert os.readlink(rules / "current") == "rules.yaml"


def test_a_rollback_keeps_the_old_folder_beside_it_as_prev(rules: Path, tmp_path: Path) -> None:
    admin = admin_of(tmp_path, rules)
    admin.publish("alice", "")
    original = (rules / "rules.yaml").read_text()
    edited = original.replace("reprompt_limit: 2", "reprompt_limit: 3")
    (rules / "rules.yaml").write_text(edited)
    admin.publish("bob", "")
    admin.rollback(1, "carol", "")
    assert (rules / "rules.yaml").read_text() == original
    assert previous_of(rules) == tmp_path / ".rules.prev"
    assert (previous_of(rules) / "rules.yaml").read_text() == edited
    admin.rollback(2, "carol", "")  # the one before goes; the last one is kept
    assert (previous_of(rules) / "rules.yaml").read_text() == original
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".rules.prev"]


def test_only_the_parts_of_a_ruleset_are_versioned(rules: Path) -> None:
    add_strays(rules)
    (rules / "sub").mkdir()
    (rules / "sub" / "x.yaml").write_text("x: 1\n")
    files = read_ruleset(rules)
    assert set(files.files) <= PARTS
    assert set(files.files) == {p.name for p in rules.iterdir() if p.name in PARTS}
    assert files.digest == read_ruleset(SHIPPED).digest


def test_shipped_defaults_are_marked_and_not_written_back(rules: Path, tmp_path: Path) -> None:
    (rules / "intents.yaml").unlink()
    (rules / "queues.yaml").unlink()
    admin = admin_of(tmp_path, rules)
    admin.publish("alice", "")
    stored = admin.store.files(1)
    assert stored.defaults == {"intents.yaml", "queues.yaml"}
    assert stored.files["intents.yaml"] == (SHIPPED / "intents.yaml").read_bytes()
    assert unpack(pack(stored)) == stored
    (rules / "rules.yaml").write_text(
        (rules / "rules.yaml").read_text().replace("reprompt_limit: 2", "reprompt_limit: 3")
    )
    admin.publish("bob", "")
    added = admin.rollback(1, "carol", "")
    assert not (rules / "intents.yaml").exists() and not (rules / "queues.yaml").exists()
    assert added.version.digest == stored.digest == read_ruleset(rules).digest


def test_a_default_part_and_the_same_bytes_of_the_folder_own_differ() -> None:
    data = {"intents.yaml": b"x"}
    assert RulesetFiles(data).digest != RulesetFiles(data, frozenset(data)).digest


def test_an_old_versions_strays_are_not_written_back(rules: Path, tmp_path: Path) -> None:
    old = {**read_ruleset(rules).files, "notes.txt": b"old\n", "x/y.txt": b"y\n"}
    with stage(rules, RulesetFiles(old)) as staged:
        assert {p.name for p in staged.iterdir()} == {p.name for p in rules.iterdir()}


def test_the_live_folder_comes_back_if_the_second_rename_fails(
    rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = read_ruleset(rules)
    monkeypatch.setattr(folder_module, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(src)).name.startswith(".rules.staged-"):
            raise OSError(errno.EBUSY, "Device or resource busy", str(src))
        real_rename(str(src), str(dst))

    monkeypatch.setattr(os, "rename", rename)
    files = RulesetFiles({**before.files, "rules.yaml": b"# other\n"})
    with pytest.raises(FolderUnwritable) as failed, stage(rules, files) as staged:
        swap_in(staged, rules)
    assert "busy" in str(failed.value) and str(tmp_path) in str(failed.value)
    assert read_ruleset(rules) == before, "the live folder is back where it was"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_folder_that_cannot_be_written_beside_says_what_it_needs(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(rules.parent))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(FolderUnwritable) as failed, stage(rules, read_ruleset(rules)):
        pass
    message = str(failed.value)
    assert "Permission denied" in message and "same file system" in message


def test_a_version_number_too_large_for_the_database_is_simply_unknown(db_location: str) -> None:
    calls = CallStore(db_location)
    store = RulesetStore(calls.db)
    try:
        for lookup in (store.get, store.files):
            for number in (10**20, 0, -1):
                with pytest.raises(NoSuchVersion):
                    lookup(number)
    finally:
        calls.close()


def test_the_cli_says_when_queues_yaml_needs_a_restart(
    rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IVR_RULES", str(rules))
    monkeypatch.setenv("IVR_DB", str(tmp_path / "calls.db"))
    assert main(["rules", "publish"]) == 0
    assert "restart" not in capsys.readouterr().out
    (rules / "queues.yaml").write_text((rules / "queues.yaml").read_text() + "# more\n")
    assert main(["rules", "publish"]) == 0
    assert "queues.yaml changed: a running app reads it at start-up only" in capsys.readouterr().out
    assert main(["rules", "rollback", "1"]) == 0
    assert "queues.yaml changed" in capsys.readouterr().out
