"""The stored form of RoutingInputs: every value reads back as it was written, the caller's
number is never in it, and what cannot be read is refused with StoredInputsError."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.decisions import Hypothesis
from ivr.replay.codec import SCHEMA_VERSION, StoredInputsError, from_json, to_json
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import CallerContext, Override, RoutingInputs

ZONES = st.sampled_from(
    [UTC, ZoneInfo("Europe/London"), ZoneInfo("Asia/Kolkata"), timezone(timedelta(hours=-3))]
)
# Real clocks never read a wall time that does not exist (the spring-forward gap).
TIMES = st.datetimes(timezones=ZONES, allow_imaginary=False)
NUMBERS = st.floats(allow_nan=False)
FLAGS = st.frozensets(st.sampled_from(["repeat", "vulnerable", "nuisance", "hate-incident"]))

hypotheses = st.builds(
    Hypothesis,
    st.text(),
    NUMBERS,
    st.lists(st.tuples(st.text(), st.integers(0, 9)), max_size=3).map(tuple),
)
overrides = st.builds(Override, st.text(), st.text(), st.text(), st.none() | TIMES)
inputs = st.builds(
    RoutingInputs,
    at=TIMES,
    hypotheses=st.lists(hypotheses, max_size=4).map(tuple),
    digits=st.none() | st.text(),
    caller=st.builds(CallerContext, st.just(""), FLAGS | st.frozensets(st.text()), st.integers()),
    queue_waits=st.dictionaries(st.text(), NUMBERS, max_size=4),
    overrides=st.lists(overrides, max_size=3).map(tuple),
    attempt=st.integers(),
    dialled=st.text(),
    confirmed=st.none() | st.text(),
)


def _zone(at: datetime) -> object:
    return getattr(at.tzinfo, "key", at.utcoffset())


@given(inputs)
@settings(max_examples=300)
def test_every_routing_input_reads_back_as_it_was_written(original: RoutingInputs) -> None:
    again = from_json(to_json(original))
    assert again == original
    assert (again.at.utcoffset(), _zone(again.at)) == (original.at.utcoffset(), _zone(original.at))
    for was, now in zip(original.overrides, again.overrides, strict=True):
        assert (now.until and now.until.utcoffset()) == (was.until and was.until.utcoffset())


def test_the_callers_number_is_not_stored() -> None:
    stored = to_json(
        RoutingInputs(
            at=datetime(2026, 1, 12, 10, tzinfo=UTC),
            caller=CallerContext("07700900123", frozenset({"repeat"}), 3),
        )
    )
    assert "07700900123" not in stored and "number" not in stored
    assert from_json(stored).caller == CallerContext("", frozenset({"repeat"}), 3)


SAID = st.sampled_from(
    ["i want to report a crime", "sarah johnson", "custody", "", "my car was stolen", "help"]
)
ENGINE = RoutingEngine(load_bundle(None))


@given(
    at=TIMES,
    said=SAID,
    digits=st.sampled_from([None, "1", "5", "9", "0", "7"]),
    flags=FLAGS,
    recent=st.integers(0, 20),
    number=st.sampled_from(["07700900123", "anonymous", "", "+441632960001", "withheld"]),
)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_the_engine_decides_the_same_whatever_the_callers_number(
    at: datetime, said: str, digits: str | None, flags: frozenset[str], recent: int, number: str
) -> None:
    """Why the number need not be stored: nothing the engine does reads it."""
    base = RoutingInputs(
        at=at,
        hypotheses=(Hypothesis(said, 0.8),) if said else (),
        digits=digits,
        caller=CallerContext("", flags, recent),
    )
    with_number = replace(base, caller=replace(base.caller, number=number))
    assert ENGINE.decide(with_number) == ENGINE.decide(base)


def _stored(**changes: object) -> str:
    body = json.loads(to_json(RoutingInputs(at=datetime(2026, 1, 12, 10, tzinfo=UTC))))
    body.update(changes)
    return json.dumps(body)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"at": "2026-01-12T10:00:00+00:00"}), "no schema version"),
        (_stored(v=True), "no schema version"),
        (_stored(v=SCHEMA_VERSION + 1), f"schema version {SCHEMA_VERSION + 1}"),
        (_stored(at="2026-01-12T10:00:00"), "without a zone"),
        (_stored(at="yesterday"), "unreadable"),
        (_stored(attempt="2"), "attempt: not an integer"),
        (_stored(caller={"flags": "repeat", "recent_calls": 0}), "not a list"),
        (_stored(queue_waits={"rc": "long"}), "wait: not a number"),
        (_stored(hypotheses=[{"text": "hi", "confidence": 1.0}]), "missing 'heard_by'"),
        (_stored(overrides=[{"source": "rc"}]), "missing 'target'"),
    ],
)
def test_what_cannot_be_read_back_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(StoredInputsError, match=says):
        from_json(text)


def test_an_unknown_zone_name_keeps_the_stored_offset() -> None:
    stored = _stored(at="2026-07-01T10:00:00+01:00", zone="Nowhere/Atlantis")
    assert from_json(stored).at.utcoffset() == timedelta(hours=1)
