"""The Resolution Centre or the Force Control Room asked for by name goes there
(ivr.routing.own_service), whatever the force's directory lists."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import FCR, RC, Hypothesis
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from ivr.routing.own_service import SERVICE_ASKED, OwnService

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("said", "service"),
    [
        ("Put me through to the Resolution Centre please.", RC),
        ("Control room please.", FCR),
        ("um, can I speak to the force control room?", FCR),
        ("is this the resolution centre?", RC),
    ],
)
def test_a_request_for_the_service_by_name_is_read(said: str, service: str) -> None:
    assert OwnService().asked((Hypothesis(said),)) == service


@pytest.mark.parametrize(
    "said",
    [
        "Inspector Marlow in the control room.",  # a person there
        "The CCTV control room please.",  # someone else's control room
        "Hello, this is the control room at Northumbria Police, we need your duty inspector",
        "I rang the resolution centre last week about my bike",  # not asked for now
    ],
)
def test_other_words_about_a_control_room_are_not_read(said: str) -> None:
    assert OwnService().asked((Hypothesis(said),)) is None


def test_a_force_without_them_in_its_directory_still_routes_there(tmp_path: Path) -> None:
    (tmp_path / "directory.yaml").write_text(
        "entries:\n- {id: cid, kind: department, name: CID, extension: '4100'}\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4200'}\n"
    )
    engine = RoutingEngine(load_bundle(tmp_path))
    said = Hypothesis("Put me through to the Resolution Centre please.", 0.9)
    decision = engine.decide(RoutingInputs(at=AT, hypotheses=(said,)))
    assert (decision.action, decision.destination, decision.rule) == ("route", RC, SERVICE_ASKED)
