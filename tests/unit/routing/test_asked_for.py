"""Who or what the caller asked for, against what their words are near (the engine)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Decision, Hypothesis
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
HERE = Path(__file__).parent / "fixtures" / "aldbridge"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> RoutingEngine:
    folder = tmp_path_factory.mktemp("aldbridge")
    shutil.copyfile(HERE / "directory.yaml", folder / "directory.yaml")
    return RoutingEngine(load_bundle(folder))  # the shipped rules, intents and cases


def said(engine: RoutingEngine, text: str) -> Decision:
    return engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text),)))


def offered(decision: Decision) -> str | None:
    if decision.action == "route":
        return decision.destination
    return decision.candidates[0].destination if decision.candidates else None


def test_a_person_described_with_their_case_is_offered_not_the_update_intent(
    engine: RoutingEngine,
) -> None:
    decision = said(
        engine, "can I speak to Tomasz in CID please, he's the one looking after my case"
    )
    assert decision.action in ("route", "confirm"), decision.reason
    assert offered(decision) == "directory:tomasz-nowak", decision.reason


def test_a_unit_asked_for_by_what_it_does_is_offered(engine: RoutingEngine) -> None:
    decision = said(
        engine, "the team that looks after property the police took off me, I want my strimmer back"
    )
    assert decision.action in ("route", "confirm"), decision.reason
    assert offered(decision) == "directory:property-store", decision.reason


def test_a_minor_bump_with_nobody_hurt_is_routed_as_asked(engine: RoutingEngine) -> None:
    decision = said(
        engine,
        "we had a little bump in the car park, swapped details, nobody's hurt, do I report it",
    )
    assert decision.destination != "emergency" and not decision.is_danger_check
    assert decision.rule != "nobody-hurt-emergency-cue", decision.reason
    assert decision.evidence["cleared_cue"]["matched"]
    assert "emergency cue cleared" in decision.reason


def test_an_officer_asked_for_by_what_they_did_is_someone_not_a_department(
    tmp_path: Path,
) -> None:
    # "The officer who came round, I didn't get her name" is near "complain about how an
    # officer treated me" by meaning; the caller wants her, whom a person finds.
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: professional-standards, kind: department, name: Professional Standards"
        " Department, aliases: [PSD, Complaints, Police Complaints], extension: '3100'}\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4100'}\n"
        "- {id: kwame-mensah, kind: person, name: Kwame Mensah, rank: PC,"
        " team: Roads Policing, extension: '2001'}\n"
    )
    engine = RoutingEngine(load_bundle(tmp_path))
    text = (
        "Can I speak to the officer who came round yesterday about the car, I didn't get her"
        " name, she had blonde hair."
    )
    decision = engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text),)))
    assert decision.destination == "switchboard", decision.reason
