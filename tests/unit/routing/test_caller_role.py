"""A caller's own role can name the unit they need: a reporter wants the press office
(ivr.routing.caller_role), whatever their story is about."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Hypothesis
from ivr.routing.bundle import load_bundle
from ivr.routing.caller_role import CallerRole
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
DIRECTORY = (
    "entries:\n"
    "- {id: firearms-licensing, kind: department, name: Firearms Licensing, extension: '4100'}\n"
    "- {id: comms, kind: department, name: Corporate Communications, aliases: [Press Office],"
    " extension: '4580'}\n"
    "- {id: sarah-collins, kind: person, name: Sarah Collins, rank: Ms, team: Press Office,"
    " extension: '4581'}\n"
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> RoutingEngine:
    folder: Path = tmp_path_factory.mktemp("role")
    (folder / "directory.yaml").write_text(DIRECTORY)
    return RoutingEngine(load_bundle(folder))


def decide(engine: RoutingEngine, text: str) -> tuple[str, str | None, str]:
    d = engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 0.9),)))
    return d.action, d.destination, d.reason


@pytest.mark.parametrize(
    "said",
    [
        "Hi, I'm a reporter at the Evening Mail, I'm after a comment on the shooting",
        "hi, I'm a journalist with the Echo, it's about the crash this morning",
        "reporter from the Gazette here, about last night's fire",
    ],
)
def test_a_reporter_is_offered_the_press_office_whatever_the_story(
    engine: RoutingEngine, said: str
) -> None:
    action, destination, reason = decide(engine, said)
    assert (action, destination) == ("confirm", "directory:comms"), reason
    assert "the caller's role" in reason


def test_a_person_named_outranks_the_role(engine: RoutingEngine) -> None:
    said = "I'm a reporter with the Echo, can I speak to Sarah Collins in the press office?"
    assert decide(engine, said)[1] == "directory:sarah-collins"


def test_danger_outranks_the_role(engine: RoutingEngine) -> None:
    said = "I'm a reporter, there's a man with a knife outside our office right now"
    assert decide(engine, said)[1] == "emergency"


@pytest.mark.parametrize(
    "said",
    [
        "I saw a reporter outside my house taking pictures",  # someone else's role
        "the reporter from the paper was outside my house again",
        "my bike was stolen from the station",
    ],
)
def test_no_role_said_names_no_unit(said: str) -> None:
    assert CallerRole().said((Hypothesis(said),)) is None


def test_a_force_with_no_press_office_gets_nothing_from_the_role(tmp_path: Path) -> None:
    (tmp_path / "directory.yaml").write_text(DIRECTORY.split("- {id: comms")[0])
    engine = RoutingEngine(load_bundle(tmp_path))
    said = "Hi, I'm a reporter at the Evening Mail, I'm after a comment on the shooting"
    assert decide(engine, said)[1] != "directory:comms"
