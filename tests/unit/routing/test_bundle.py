"""A ruleset folder loads whole or not at all, with shipped defaults for missing files."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Hypothesis
from ivr.routing.bundle import DEFAULT_FOLDER, BundleError, check_bundle, load_bundle
from ivr.routing.limits import SizeLimits
from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService


def test_the_shipped_bundle_is_valid() -> None:
    assert check_bundle(DEFAULT_FOLDER) == []
    bundle = load_bundle(None)
    assert len(bundle.directory) > 0 and len(bundle.cases) > 0
    assert {"rc-hours", "switchboard", "firearms-licensing", "live-chat"} <= bundle.schedules.names
    assert "rules" in bundle.summary()


def test_a_folder_with_one_file_uses_the_defaults_for_the_rest(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("thresholds: {high: 0.99}\nrules: []\n")
    bundle = load_bundle(tmp_path)
    assert bundle.rules.thresholds.high == 0.99
    assert len(bundle.directory) == len(load_bundle(None).directory)
    assert bundle.source == str(tmp_path)


def test_every_error_of_every_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules:\n  - name: x\n    then: {route: nowhere}\n")
    (tmp_path / "schedules.yaml").write_text("schedules:\n  a: {hours: {funday: '9:00-10:00'}}\n")
    (tmp_path / "cases.csv").write_text("reference,officer_id,status\nnot-a-ref,x,open\n")
    errors = check_bundle(tmp_path)
    assert any(e.startswith(f"{tmp_path}/rules.yaml:3: ") and "nowhere" in e for e in errors)
    assert any(e.startswith(f"{tmp_path}/schedules.yaml:2: ") for e in errors)
    assert any(e.startswith(f"{tmp_path}/cases.csv:2: ") for e in errors)
    with pytest.raises(BundleError) as info:
        load_bundle(tmp_path)
    assert info.value.errors == errors and info.value.error_id == "routing-bundle-invalid"


def test_cross_file_names_are_checked(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_FOLDER / "schedules.yaml", tmp_path / "schedules.yaml")
    text = (tmp_path / "schedules.yaml").read_text().replace("office-hours:", "office-times:")
    (tmp_path / "schedules.yaml").write_text(text)
    errors = check_bundle(tmp_path)
    # directory entries name office-hours, which no longer exists
    assert any(
        e.startswith(f"{DEFAULT_FOLDER}/directory.yaml:") and "unknown schedule 'office-hours'" in e
        for e in errors
    )
    assert not any(":0: entry" in e for e in errors), "directory errors carry the entry's line"


def test_both_directory_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "directory.yaml").write_text("[]\n")
    (tmp_path / "directory.csv").write_text("id,kind,name,extension\n")
    assert any("both directory.yaml and directory.csv" in e for e in check_bundle(tmp_path))


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    assert check_bundle(tmp_path / "nope") == [f"{tmp_path / 'nope'}:0: not a folder"]


def test_a_bad_reload_keeps_the_live_ruleset(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text((DEFAULT_FOLDER / "rules.yaml").read_text())
    service = RoutingService(tmp_path)
    at = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Europe/London"))
    before = service.decide(RoutingInputs(at=at, digits="1"))
    (tmp_path / "rules.yaml").write_text("rules: [oops\n")
    errors = service.reload()
    assert errors and errors[0].startswith(f"{tmp_path}/rules.yaml:")
    assert service.generation == 1
    assert service.decide(RoutingInputs(at=at, digits="1")) == before
    (tmp_path / "rules.yaml").write_text("rules: []\nthresholds: {high: 0.9}\n")
    assert service.reload() == [] and service.generation == 2
    decision = service.decide(RoutingInputs(at=at, hypotheses=(Hypothesis("Sarah Johnson"),)))
    assert decision.destination == "directory:sarah-johnson"


def test_an_empty_directory_is_a_clear_error_not_an_assertion(tmp_path: Path) -> None:
    (tmp_path / "directory.yaml").write_text("entries: []\n")
    errors = check_bundle(tmp_path)
    assert any(
        e.startswith(f"{tmp_path}/directory.yaml:1: ") and e.endswith("[directory-empty]")
        for e in errors
    ), errors


def test_a_case_list_with_only_a_header_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_text("reference,officer_id,status\n")
    errors = check_bundle(tmp_path)
    assert [e for e in errors if e.endswith("[cases-empty]")] == [
        f"{tmp_path}/cases.csv:1: no cases, only a header (no crime reference could reach"
        " its officer) [cases-empty]"
    ]


def test_a_file_over_its_size_limit_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text("rules: [oops\n" + "#" * 5000 + "\n")
    errors = check_bundle_with(tmp_path, SizeLimits(rules=4096))
    assert errors == [
        f"{tmp_path}/rules.yaml:0: 4.9 KB is over the 4.0 KB limit for rules.yaml;"
        " not read [file-too-large]"
    ], "only the size is reported: the broken YAML inside was never parsed"


def check_bundle_with(folder: Path, limits: SizeLimits) -> list[str]:
    with pytest.raises(BundleError) as info:
        load_bundle(folder, limits=limits)
    return info.value.errors
