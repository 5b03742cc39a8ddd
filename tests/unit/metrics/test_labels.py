from __future__ import annotations

import logging

import pytest

from ivr.metrics.labels import NONE, OTHER, LabelValues, SeriesCap, is_name, step_kind


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


def test_a_metric_keeps_at_most_its_cap_of_label_combinations(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cap = SeriesCap("ivr_test", limit=2)
    assert cap("a", "x") == ("a", "x") and cap("a", "y") == ("a", "y")
    with caplog.at_level(logging.WARNING):
        assert cap("b", "x") == (OTHER, OTHER)
        assert cap("b", "y") == (OTHER, OTHER)
    assert cap("a", "x") == ("a", "x")
    assert cap.full
    assert [r.getMessage() for r in caplog.records].count(
        "metrics: ivr_test has 2 series; new ones count as other"
    ) == 1


def test_a_label_past_its_cap_says_so(caplog: pytest.LogCaptureFixture) -> None:
    guard = LabelValues(limit=1, name="queue")
    guard("a")
    with caplog.at_level(logging.WARNING):
        assert guard("b") == OTHER
    assert guard.full
    assert "queue has 1 values" in caplog.text
