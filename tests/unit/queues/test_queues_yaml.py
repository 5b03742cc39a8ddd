"""queues.yaml: every section names a misspelt key or a number out of range on its line."""

from __future__ import annotations

import pytest

from ivr.queues.model import HandlingTime, QueuesConfigError
from ivr.queues.queues_yaml import parse_queues_config
from ivr.yamlfile import parse_yaml


def errors_of(text: str) -> list[str]:
    with pytest.raises(QueuesConfigError) as caught:
        parse_queues_config(parse_yaml(text), "q.yaml")
    return caught.value.errors


def test_a_misspelt_key_in_any_section_is_named_on_its_line() -> None:
    text = "defaults:\n  wrapup_s: 5\nqueues: {rc: {}}\nday:\n  cals: 10\n"
    assert errors_of(text) == [
        "q.yaml:2: defaults: unknown key 'wrapup_s' (expected one of callback_offer_above_s,"
        " capacity, handling, wrap_up_s)",
        "q.yaml:5: day: unknown key 'cals' (expected one of announce_every_s, arrivals_by_hour,"
        " calls, emergency_share, intents, mix, patience_median_s, patience_sigma,"
        " priority_share, redial_share, redial_within_s)",
    ]


def test_a_number_out_of_range_names_its_range_and_value() -> None:
    text = "queues:\n  rc:\n    capacity: 0\ncallback:\n  promise_factor: 9\n"
    assert errors_of(text) == [
        "q.yaml:3: queue 'rc'.capacity: expected a number >= 1, not 0",
        "q.yaml:5: callback.promise_factor: expected a number from 1 to 4, not 9",
    ]


def test_defaults_fill_what_a_queue_leaves_out_and_an_empty_handling_keeps_them() -> None:
    text = (
        "defaults: {wrap_up_s: 30, handling: {median_s: 200, p90_s: 400}}\n"
        "queues:\n  rc: {capacity: 5, handling: }\n  fcr: {handling: {median_s: 100}}\n"
    )
    config = parse_queues_config(parse_yaml(text), "q.yaml")
    rc, fcr = config.queue("rc"), config.queue("fcr")
    assert (rc.wrap_up_s, rc.capacity, rc.handling) == (30.0, 5, HandlingTime(200.0, 400.0))
    assert (fcr.capacity, fcr.handling) == (100, HandlingTime(100.0, 400.0))
