"""Publishing rules to a running app: a bad file never replaces the live ruleset."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from ivr.routing.model import RoutingInputs
from ivr.routing.service import RoutingService

SHIPPED = Path(__file__).resolve().parents[3] / "routing_rules"
AT = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def test_a_bad_publish_keeps_the_live_rules_and_a_good_one_replaces_them(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    service = RoutingService(folder)
    live = service.engine
    rules = folder / "rules.yaml"
    good = rules.read_text()

    rules.write_text(good + "\nnot_a_section: true\n")
    errors = service.reload()
    assert errors and all("rules.yaml" in e for e in errors)
    assert service.engine is live and service.generation == 1
    assert service.decide(RoutingInputs(at=AT, digits="1")).destination == "rc"

    rules.write_text(good.replace("reprompt_limit: 2", "reprompt_limit: 3"))
    assert service.reload() == []
    assert service.engine is not live and service.generation == 2
    assert service.bundle.rules.thresholds.reprompt_limit == 3


def test_a_rule_playing_a_prompt_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED, folder)
    prompts = {"online_sms_offer", "emergency_advice", "rc_closed", "no_input", "invalid_choice"}
    service = RoutingService(folder, prompts=prompts | {"x"})
    rules = folder / "rules.yaml"
    text = rules.read_text()
    assert "message: online_sms_offer" in text
    rules.write_text(text.replace("message: online_sms_offer", "message: online_sms_ofer", 1))
    errors = service.reload()
    assert errors and "online_sms_ofer" in errors[0] and "catalogue" in errors[0]
    assert service.generation == 1
