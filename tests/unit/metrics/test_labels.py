from __future__ import annotations

import pytest

from ivr.metrics.labels import NONE, OTHER, LabelValues, is_name, step_kind


@pytest.mark.parametrize(
    "value", ["fcr", "directory:ps-smith", "closed-hours-divert", "whisper", "rule_2.b"]
)
def test_ruleset_names_are_label_values(value: str) -> None:
    assert is_name(value)
    assert LabelValues()(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "07700900123",  # a number
        "directory:07700900123",
        "ref:12345/24",  # a crime reference
        "my neighbour's dog",  # free text
        "x" * 65,
        "Émilie",
    ],
)
def test_numbers_and_free_text_never_become_label_values(value: str) -> None:
    assert LabelValues()(value) == OTHER


def test_empty_is_none_and_case_is_folded() -> None:
    guard = LabelValues()
    assert guard("") == NONE and guard(None) == NONE
    assert guard("FCR") == "fcr"


def test_past_the_limit_new_values_are_other_and_known_ones_stay() -> None:
    guard = LabelValues(limit=2)
    assert [guard("a"), guard("b"), guard("c"), guard("a")] == ["a", "b", OTHER, "a"]


def test_a_step_is_named_by_its_verb() -> None:
    assert step_kind("queue:fcr") == "queue"
    assert step_kind("play:welcome+menu") == "play"
    assert step_kind("resume") == "resume"
