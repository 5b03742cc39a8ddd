"""rules.yaml: the good fixtures load, every bad one fails with the exact file:line."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.routing.bundle import DEFAULT_FOLDER, check_bundle
from ivr.routing.rules import Facts, RulesError, RuleSet
from ivr.routing.rules_yaml import load_rules, parse_rules
from ivr.routing.schedules import SchedulesError
from ivr.routing.schedules_yaml import load_schedules

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
GOOD = sorted((FIXTURES / "good").glob("*.yaml"))
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (.+)$", re.M)


def _errors_of(path: Path, tmp_path: Path) -> list[str]:
    if path.name.startswith("schedules_"):
        with pytest.raises(SchedulesError) as sinfo:
            load_schedules(path)
        return sinfo.value.errors
    if path.name.startswith("bundle_"):
        folder = tmp_path / "rules"
        folder.mkdir()
        shutil.copy(path, folder / "rules.yaml")
        errors = check_bundle(folder)
        return [e.replace(str(folder / "rules.yaml"), str(path)) for e in errors]
    with pytest.raises(RulesError) as info:
        load_rules(path)
    return info.value.errors


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_good_files_load(path: Path) -> None:
    if path.name.startswith("schedules_"):
        assert load_schedules(path).names
    else:
        assert isinstance(load_rules(path), RuleSet)


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_bad_files_report_every_error_with_its_line(path: Path, tmp_path: Path) -> None:
    expected = EXPECT.findall(path.read_text())
    assert expected, f"{path.name} lists no '# expect: LINE: text'"
    errors = _errors_of(path, tmp_path)
    for line, text in expected:
        prefix = f"{path}:{line}: "
        assert any(e.startswith(prefix) and text in e for e in errors), (
            f"missing {prefix}...{text}...; got:\n" + "\n".join(errors)
        )
    assert len(errors) == len(expected), "\n".join(errors)


def test_shipped_rules_load() -> None:
    rules = load_rules(DEFAULT_FOLDER / "rules.yaml")
    assert rules.rules and rules.keypad["9"].destination == "emergency"
    assert rules.thresholds.low < rules.thresholds.high


def test_not_a_mapping_and_bad_yaml() -> None:
    with pytest.raises(RulesError, match=r"x.yaml:1: expected a mapping"):
        parse_rules("- 1\n", "x.yaml")
    with pytest.raises(RulesError, match=r"x.yaml:3: "):
        parse_rules("rules:\n  - [unclosed\n", "x.yaml")


def _facts(**kw: object) -> Facts:
    base: dict[str, object] = dict(
        at=datetime(2030, 1, 8, 10, tzinfo=ZoneInfo("Europe/London")),
        action="route",
        destination="rc",
        intent="report_crime",
        source="intent",
        flags=frozenset(),
        recent_calls=0,
        waits={},
        override=False,
        dialled="101",
        is_open=lambda name: name == "rc-hours",
        bank_holiday=False,
    )
    base.update(kw)
    return Facts(**base)  # type: ignore[arg-type]  # test helper: keyword overrides


RULES = """
rules:
  - name: vulnerable-wait
    when: {caller_any: [vulnerable, repeat], caller_not: nuisance, wait_above: 10}
    then: {offer: callback}
  - name: any-directory
    when: {destination: "directory:*"}
    then: {confirm: true}
  - name: rc-open-short
    when: {open: rc-hours, destination: rc, wait_below: 2}
    then: {message: rc_open}
  - name: wait-other-queue
    when: {wait_above: 30, queue: fcr}
    then: {route: switchboard}
"""


def test_conditions_match_and_explain_themselves() -> None:
    rules = parse_rules(RULES)
    f = _facts(flags=frozenset({"vulnerable"}), waits={"rc": 14 * 60})
    found = rules.next_match(f)
    assert found is not None
    index, rule, why = found
    assert (index, rule.name) == (0, "vulnerable-wait")
    assert why == ["caller vulnerable", "rc wait 14 min > 10 min"]
    # nuisance vetoes; unknown wait never matches a wait condition
    assert rules.first_match(_facts(flags=frozenset({"vulnerable", "nuisance"}))) is None
    assert rules.first_match(_facts(destination="directory:x")).name == "any-directory"  # type: ignore[union-attr]
    short = rules.first_match(_facts(waits={"rc": 30}))
    assert short is not None and short.name == "rc-open-short"
    other = rules.next_match(_facts(waits={"fcr": 31 * 60}))
    assert other is not None and other[2] == ["fcr wait 31 min > 30 min"]


def test_first_match_can_start_later() -> None:
    rules = parse_rules(RULES)
    f = _facts(flags=frozenset({"repeat"}), waits={"rc": 60, "fcr": 3600})
    assert [r.name for r in rules.rules if r.when.explain(f) is not None] == [
        "rc-open-short",
        "wait-other-queue",
    ]
    later = rules.next_match(f, start=3)
    assert later is not None and later[1].name == "wait-other-queue"
