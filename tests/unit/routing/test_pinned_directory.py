"""A call keeps the rules it started with, but not its directory: an operator's move to
an entry added since, or a person's new extension, reaches the live directory's entry."""

from __future__ import annotations

import shutil
from pathlib import Path

from ivr.flow_settings import FlowSettings
from ivr.flows import FlowBuilder
from ivr.routing.service import RoutingService
from ivr.shipped import REPO_ROOT
from ivr.verbs.transfer import Transfer
from tests.fakes import FakePrompts

NEW_ENTRY = "- {id: new-desk, kind: department, name: New Desk, extension: '4999'}\n"


def edit_directory(folder: Path) -> None:
    directory = folder / "directory.yaml"
    text = directory.read_text().replace("extension: '4101'", "extension: '4201'")
    directory.write_text(text.replace("entries:\n", "entries:\n" + NEW_ENTRY, 1))


def endpoints_of(flows: FlowBuilder, destination: str) -> list[str]:
    transfers = [v for v in flows.route_to(destination) if isinstance(v, Transfer)]
    return [t.endpoint for transfer in transfers for t in transfer.targets]


def test_a_pinned_call_reaches_the_live_directory(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(REPO_ROOT / "routing_rules", folder)
    routing = RoutingService(folder)
    pinned = routing.pinned()
    flows = FlowBuilder(FlowSettings(), routing, FakePrompts()).for_call(pinned)
    assert pinned.directory_entry("new-desk") is None
    edit_directory(folder)
    assert routing.reload() == []

    assert pinned.directory_entry("new-desk") is not None
    new_desk = endpoints_of(flows, "directory:new-desk")
    assert "dir-4999" in new_desk[0], new_desk  # then the switchboard, if unanswered
    moved = endpoints_of(flows, "directory:sarah-johnson")
    assert "dir-4201" in moved[0], moved


def test_an_entry_gone_from_the_live_directory_is_still_reached_by_its_pinned_call(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(REPO_ROOT / "routing_rules", folder)
    edit_directory(folder)
    routing = RoutingService(folder)
    pinned = routing.pinned()
    shutil.copy(REPO_ROOT / "routing_rules" / "directory.yaml", folder / "directory.yaml")
    assert routing.reload() == []
    assert routing.directory_entry("new-desk") is None
    entry = pinned.directory_entry("new-desk")
    assert entry is not None and entry.extension == "4999"
