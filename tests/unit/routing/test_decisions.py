"""The shipped ruleset end to end: the decisions table, and properties over any input."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.decisions import Hypothesis
from ivr.routing.bundle import RoutingBundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import CallerContext, Override, RoutingInputs
from ivr.yamlfile import line_of, load_yaml

HERE = Path(__file__).parent / "fixtures"
LONDON = ZoneInfo("Europe/London")
DEFAULT_AT = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
TABLE: list[dict[str, Any]] = load_yaml(HERE / "decisions.yaml")


def inputs_of(row: dict[str, Any]) -> RoutingInputs:
    at = (
        datetime.fromisoformat(str(row["at"])).replace(tzinfo=LONDON) if "at" in row else DEFAULT_AT
    )
    pairs = [str(pair).split("=", 1) for pair in row.get("overrides", [])]
    overrides = tuple(Override(source, target, "table") for source, target in pairs)
    return RoutingInputs(
        at=at,
        hypotheses=(Hypothesis(row["text"]),) if "text" in row else (),
        digits=row.get("digits"),
        caller=CallerContext("01234567890", frozenset(row.get("flags", []))),
        queue_waits={k: v * 60 for k, v in row.get("waits", {}).items()},
        overrides=overrides,
        attempt=row.get("attempt", 1),
        confirmed=row.get("confirmed"),
    )


def row_id(row: dict[str, Any]) -> str:
    said = f"keys {row['digits']}" if "digits" in row else row.get("text")
    return f"{line_of(row)}:{said or row.get('confirmed') or 'silence'}"[:60]


@pytest.mark.parametrize("row", TABLE, ids=[row_id(r) for r in TABLE])
def test_decisions_table(engine: RoutingEngine, row: dict[str, Any]) -> None:
    decision = engine.decide(inputs_of(row))
    got = decision.to_json()
    expect = dict(row["expect"])
    fragment = expect.pop("reason_has", None)
    for key, value in expect.items():
        assert got[key] == value, f"{key}: {got[key]!r} != {value!r}\n{decision.reason}"
    if fragment:
        assert fragment in decision.reason


# --- properties ---------------------------------------------------------------------------

WORDS = [
    "pc", "johnson", "report", "crime", "burglary", "knife", "please", "stroke", "four",
    "two", "42", "/", "update", "lost", "phone", "someone", "not", "nobody", "hurt", "fire",
    "firearms", "licensing", "now", "help", "speak", "to", "the", "a", "smith", "999", "#",
]  # fmt: skip
TEXT = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join),
)
WHEN = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2032, 12, 31), timezones=st.just(LONDON)
)
FLAGS = st.frozensets(st.sampled_from(["repeat", "vulnerable", "nuisance", "hate-incident"]))
WAITS = st.dictionaries(
    st.sampled_from(["rc", "fcr", "online", "switchboard"]), st.floats(0, 7200), max_size=4
)
OVERRIDES = st.lists(
    st.builds(
        Override,
        st.sampled_from(["rc", "fcr", "online", "switchboard", "directory:sarah-johnson"]),
        st.sampled_from(["rc", "fcr", "online", "switchboard", "emergency", "nonsense"]),
        st.just("prop"),
    ),
    max_size=3,
).map(tuple)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    texts=st.lists(TEXT, max_size=3),
    confidences=st.lists(st.floats(0, 1), min_size=3, max_size=3),
    digits=st.one_of(st.none(), st.text("0123456789*#", max_size=14), st.text(max_size=5)),
    at=WHEN,
    flags=FLAGS,
    waits=WAITS,
    overrides=OVERRIDES,
    attempt=st.integers(1, 6),
    confirmed=st.one_of(st.none(), st.sampled_from(["rc", "directory:x", "directory:", "?"])),
)
def test_decide_never_raises(
    engine: RoutingEngine,
    texts: list[str],
    confidences: list[float],
    digits: str | None,
    at: datetime,
    flags: frozenset[str],
    waits: dict[str, float],
    overrides: tuple[Override, ...],
    attempt: int,
    confirmed: str | None,
) -> None:
    decision = engine.decide(
        RoutingInputs(
            at=at,
            hypotheses=tuple(Hypothesis(t, c) for t, c in zip(texts, confidences, strict=False)),
            digits=digits,
            caller=CallerContext("x", flags),
            queue_waits=waits,
            overrides=overrides,
            attempt=attempt,
            confirmed=confirmed,
        )
    )
    assert decision.rule and decision.reason
    if decision.action in ("route", "confirm"):
        assert decision.destination
    if decision.action == "route" and decision.destination == "emergency":
        assert decision.message == "emergency_advice"
    if decision.action == "reprompt":
        assert attempt < engine.thresholds.reprompt_limit or decision.rule == "keypad-ask"


def _cues(bundle: RoutingBundle) -> list[str]:
    cues: list[str] = list(getattr(bundle.intents, "cues", ()))
    assert cues, "the emergency intent lists its cues"
    return cues


@FAST
@given(data=st.data(), before=TEXT, after=TEXT, at=WHEN, flags=FLAGS, overrides=OVERRIDES)
def test_a_clear_emergency_cue_never_routes_to_rc_online_or_a_directory_entry(
    engine: RoutingEngine,
    bundle: RoutingBundle,
    data: st.DataObject,
    before: str,
    after: str,
    at: datetime,
    flags: frozenset[str],
    overrides: tuple[Override, ...],
) -> None:
    cue = data.draw(st.sampled_from(_cues(bundle)))
    other = data.draw(st.sampled_from(["PC Sarah Johnson", "report a burglary", "42/18734/24"]))
    said = f"{before} {cue} {after}"
    if bundle.intents.emergency_cue([Hypothesis(said)]) is None:
        return  # the words around make it no cue ("lost my little boy to": a bereavement)
    hypotheses = (Hypothesis(other, 0.9), Hypothesis(said, 0.1))
    digits = data.draw(st.sampled_from([None, "1", "4", "5", "4218734#24"]))
    decision = engine.decide(
        RoutingInputs(
            at=at,
            hypotheses=hypotheses,
            digits=digits,
            caller=CallerContext("x", flags),
            overrides=overrides,
        )
    )
    if "negated_cue" in decision.evidence:
        # "nobody is hurt, I want to report a burglary": routed as asked, never 999 advice.
        assert decision.destination != "emergency" and not decision.is_danger_check
        assert decision.evidence["negated_cue"]["score"] < 1.0
        return
    if "cleared_cue" in decision.evidence:
        # An all-clear said of the cue ("a bump, nobody's hurt": ivr.routing.emergency
        # UNHURT_RULE) is routed as asked too, never 999 advice; a cue it cannot clear
        # ("nobody's hurt, they're trying to get in") stays an emergency (test_danger.py).
        assert decision.destination != "emergency" and not decision.is_danger_check
        assert "nobody-hurt" in decision.evidence["cleared_cue"]["context"]["context"]
        return
    assert decision.destination not in ("rc", "online")
    assert not (decision.destination or "").startswith("directory:")
    if decision.rule in ("negated-emergency-cue", "nobody-hurt-emergency-cue"):
        # "nobody is hurt" with nothing else to route by (a key pressed, "quick, nobody's
        # hurt"): a control room judges
        assert decision.destination == "fcr", decision.reason
    elif decision.is_danger_check:
        # Asked first (yes or 9: 999 handling): a cue read beside a time or a distance, or
        # a negated cue ("no ... breaking in") whose words still mean danger.
        raised_by = decision.evidence["raised_by"]
        assert raised_by.endswith("emergency-cue") or raised_by == "danger-meaning", raised_by
    elif decision.rule != "emergency-cue" and decision.rule.endswith("-emergency-cue"):
        # Read in context, no present danger heard ("999, nobody outside now": the
        # offender gone): a control room assesses the risk (test_danger.py).
        assert decision.destination == "fcr", decision.reason
    else:
        assert decision.destination == "emergency", decision.reason
