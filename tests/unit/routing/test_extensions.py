"""An extension number said or keyed reaches whoever has it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from ivr.decisions import Decision, Hypothesis
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from tests.unit.routing.fakes import fake_bundle, person

TUESDAY_10 = datetime(2026, 11, 24, 10, 0)


@pytest.fixture(scope="module")
def engine() -> RoutingEngine:
    entries = [
        replace(person("sandra-thwaite", "Sandra Thwaite"), extension="3203"),
        replace(person("colin-hart", "Colin Hart"), extension="3204"),
    ]
    return RoutingEngine(fake_bundle(entries=entries))


def said(engine: RoutingEngine, *texts: str) -> Decision:
    heard = tuple(Hypothesis(t) for t in texts)
    return engine.decide(RoutingInputs(at=TUESDAY_10, hypotheses=heard))


def test_an_extension_said_is_confirmed_with_the_name(engine: RoutingEngine) -> None:
    for text in ("extension three two zero three please", "can I have ext 3203"):
        decision = said(engine, text)
        assert (decision.action, decision.rule) == ("confirm", "extension-said"), decision.reason
        assert decision.candidates[0].destination == "directory:sandra-thwaite"
        assert "Sandra Thwaite" in decision.reason


def test_an_extension_only_another_alternative_holds_is_read_too(engine: RoutingEngine) -> None:
    decision = said(engine, "attention three two oh four", "extension three two oh four")
    assert decision.candidates[0].destination == "directory:colin-hart", decision.reason


def test_an_extension_nobody_has_or_the_word_alone_is_no_extension(engine: RoutingEngine) -> None:
    assert said(engine, "extension nine nine nine one").rule != "extension-said"
    assert said(engine, "a builder took eight grand for an extension").rule != "extension-said"


def test_an_extension_keyed_routes_and_a_menu_key_keeps_its_meaning(
    engine: RoutingEngine,
) -> None:
    for digits in ("3204", "*3204"):  # at the menu, after * as for a reference
        keyed = engine.decide(RoutingInputs(at=TUESDAY_10, digits=digits))
        assert (keyed.action, keyed.destination) == ("route", "directory:colin-hart")
        assert keyed.rule == "extension-keyed"
    menu = engine.decide(RoutingInputs(at=TUESDAY_10, digits="1"))
    assert menu.rule == "keypad"
