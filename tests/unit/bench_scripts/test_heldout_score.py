"""What the held-out benches count as right, a silent misroute, an emergency miss.

Hand-built Decisions: the scoring must say what the caller lived through (put
through, asked a question, asked again), whatever engine made the Decision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.heldout_score import Outcome, Scored, Tally, first_offer, judge
from bench.heldout_sets import Request, SetError, is_dev, load_set, parse_requests
from ivr.decisions import Candidate, Decision
from ivr.shipped import ROUTING_RULES
from ivr.yamlfile import parse_yaml


def route(destination: str) -> Decision:
    return Decision("route", destination, "intent", "test")


def ask(action: Any, *destinations: str, choices: tuple[str, ...] = ()) -> Decision:
    candidates = tuple(Candidate(d, d, 0.7 - i / 10) for i, d in enumerate(destinations))
    evidence = {"choices": list(choices)} if choices else {}
    return Decision(action, None, "directory-confirm", "test", candidates=candidates,
                    evidence=evidence)  # fmt: skip


REPROMPT = Decision("reprompt", None, "no-match", "test")


def test_a_route_to_expect_or_also_is_right() -> None:
    assert judge(route("rc"), "rc").outcome is Outcome.RIGHT
    assert judge(route("fcr"), "rc", also=("fcr",)).right


def test_a_route_elsewhere_is_a_silent_misroute() -> None:
    verdict = judge(route("online"), "rc", also=("fcr",))
    assert verdict.outcome is Outcome.MISROUTE
    assert verdict.landed == "online"
    assert not verdict.emergency_miss and not verdict.false_emergency


def test_a_question_about_an_accepted_destination_first_is_right() -> None:
    assert judge(ask("confirm", "directory:a", "directory:b"), "directory:a").right
    assert judge(ask("disambiguate", "directory:b", "directory:a"), "directory:a",
                 also=("directory:b",)).right  # fmt: skip


def test_a_question_about_something_else_first_is_a_wrong_offer_not_a_misroute() -> None:
    verdict = judge(ask("confirm", "directory:b", "directory:a"), "directory:a")
    assert verdict.outcome is Outcome.WRONG_OFFER
    assert verdict.landed == "directory:b"


def test_a_disambiguation_offers_the_engines_choices_first_as_the_flow_does() -> None:
    decision = ask("disambiguate", "directory:x", "directory:a", "directory:b",
                   choices=("directory:a", "directory:b"))  # fmt: skip
    assert first_offer(decision) == "directory:a"
    assert judge(decision, "directory:a").right
    assert not judge(decision, "directory:x").right


def test_a_confirm_with_nothing_to_offer_is_a_reprompt() -> None:
    assert judge(ask("confirm"), "rc").outcome is Outcome.REPROMPT
    assert judge(REPROMPT, "rc").outcome is Outcome.REPROMPT


@pytest.mark.parametrize(
    ("decision", "missed"),
    [
        (route("emergency"), False),
        (ask("confirm", "emergency", "fcr"), False),
        (route("fcr"), True),
        (ask("confirm", "fcr", "emergency"), True),  # emergency only second: a miss
        (REPROMPT, True),
    ],
)
def test_emergency_miss_unless_routed_or_first_offered_to_emergency(
    decision: Decision, missed: bool
) -> None:
    assert judge(decision, "emergency").emergency_miss is missed


def test_false_emergency_only_where_emergency_is_not_accepted() -> None:
    assert judge(route("emergency"), "rc").false_emergency
    assert judge(route("emergency"), "rc").outcome is Outcome.MISROUTE
    assert judge(ask("confirm", "emergency"), "fcr").false_emergency
    assert not judge(route("emergency"), "fcr", also=("emergency",)).false_emergency
    assert not judge(route("emergency"), "fcr", also=("emergency",)).emergency_miss
    assert not judge(REPROMPT, "rc").false_emergency


def test_tally_counts_each_kind() -> None:
    cases = [
        (Request("a", "rc"), route("rc")),
        (Request("b", "rc"), route("online")),
        (Request("c", "emergency"), route("fcr")),
        (Request("d", "fcr"), route("emergency")),
        (Request("e", "rc"), REPROMPT),
        (Request("f", "directory:a"), ask("confirm", "directory:b")),
    ]
    t = Tally.of(Scored(r, d, judge(d, r.expect, r.also)) for r, d in cases)
    assert (t.n, t.right, t.misroutes, t.reprompts, t.wrong_offers) == (6, 1, 3, 1, 1)
    assert (t.emergencies, t.emergency_misses, t.false_emergencies) == (1, 1, 1)


def check(otherwise: Decision) -> Decision:
    """A danger check whose "no" is ``otherwise`` (ivr.routing.danger_check.ask_first)."""
    return Decision("confirm", "emergency", "danger-check", "test",
                    candidates=(Candidate("emergency", "999 handling", 1.0),),
                    otherwise=otherwise)  # fmt: skip


def test_a_danger_check_is_right_for_an_emergency_and_scored_on_its_no_otherwise() -> None:
    asked = check(route("rc"))
    emergency = judge(asked, "emergency")
    assert emergency.right and emergency.checked and not emergency.emergency_miss
    calm = judge(asked, "rc")
    assert calm.right and calm.checked and not calm.false_emergency
    wrong = judge(check(route("online")), "rc")
    assert (wrong.outcome, wrong.checked) == (Outcome.MISROUTE, True)
    assert not wrong.false_emergency  # nobody heard 999 advice: they were asked


def test_tally_counts_danger_checks_apart_for_emergencies_and_others() -> None:
    cases = [
        (Request("a", "emergency"), check(route("fcr"))),
        (Request("b", "rc"), check(route("rc"))),
        (Request("c", "fcr"), check(ask("confirm", "fcr"))),
        (Request("d", "emergency"), route("emergency")),
    ]
    t = Tally.of(Scored(r, d, judge(d, r.expect, r.also)) for r, d in cases)
    assert (t.right, t.checked_emergencies, t.checked_others) == (4, 1, 2)


def test_requests_accept_strings_or_lists_and_say_what_is_wrong() -> None:
    text = (
        "- {text: '  my bike  was stolen ', expect: rc, also: fcr, tags: [theft]}\n"
        "- {text: hi, expect: directory:pc-smith, tags: person}\n"
    )
    requests = parse_requests(parse_yaml(text, "r.yaml"), "r.yaml")
    assert requests[0] == Request("my bike was stolen", "rc", ("fcr",), ("theft",))
    assert requests[1].tags == ("person",) and requests[1].accepted == {"directory:pc-smith"}
    bad = "- {text: hi, expect: police}\n- {expect: rc}\n- {text: x, expect: rc, also: [7]}\n"
    with pytest.raises(SetError) as caught:
        parse_requests(parse_yaml(bad, "b.yaml"), "b.yaml")
    assert [e.split(":")[1] for e in caught.value.errors] == ["1", "2", "3"]
    assert "'police' is not a destination" in caught.value.errors[0]


def test_only_dev_sets_and_the_tuning_table_are_not_held_out() -> None:
    assert is_dev("dev_c") and is_dev("tuning")
    assert not is_dev("set_a") and not is_dev("set_b") and not is_dev("anything_else")


def _write_set(folder: Path, requests: str) -> None:
    folder.mkdir()
    shipped = yaml.safe_load((ROUTING_RULES / "directory.yaml").read_text(encoding="utf-8"))
    for entry in shipped["entries"]:
        if entry["id"] == "firearms-licensing":
            entry["teams"] = ["Firearms Enquiries"]  # the format the set writers were promised
    (folder / "directory.yaml").write_text(yaml.safe_dump(shipped), encoding="utf-8")
    (folder / "cases.csv").write_bytes((ROUTING_RULES / "cases.csv").read_bytes())
    (folder / "requests.yaml").write_text(requests, encoding="utf-8")


def test_a_set_loads_with_its_own_directory_teams_and_all(tmp_path: Path) -> None:
    _write_set(
        tmp_path / "set_z",
        "- {text: firearms licensing please, expect: 'directory:firearms-licensing'}\n"
        "- {text: PC Nobody please, expect: 'directory:no-such-person'}\n",
    )
    loaded = load_set(tmp_path / "set_z")
    assert loaded.held_out and len(loaded.requests) == 2
    assert loaded.bundle.directory.get("firearms-licensing") is not None
    assert any("directory:no-such-person" in note for note in loaded.notes)


def test_a_set_without_the_shipped_alternatives_unit_loads_without_it(tmp_path: Path) -> None:
    _write_set(tmp_path / "dev_z", "- {text: hello, expect: switchboard}\n")
    (tmp_path / "dev_z" / "directory.yaml").write_text(
        "entries:\n- {id: gun-branch, kind: department, name: Firearms Branch, extension: '1'}\n",
        encoding="utf-8",
    )
    loaded = load_set(tmp_path / "dev_z")
    assert loaded.bundle.directory.get("gun-branch") is not None
    assert any("left out: firearms-licensing" in note for note in loaded.notes)


def test_a_set_with_a_broken_directory_says_where(tmp_path: Path) -> None:
    _write_set(tmp_path / "dev_z", "- {text: hello, expect: switchboard}\n")
    (tmp_path / "dev_z" / "directory.yaml").write_text(
        "entries:\n- {id: Bad Id, kind: person, name: X, extension: '1'}\n", encoding="utf-8"
    )
    with pytest.raises(SetError) as caught:
        load_set(tmp_path / "dev_z")
    assert any(str(tmp_path / "dev_z" / "directory.yaml") in e for e in caught.value.errors)
