"""The n-best's agreement on an intent: weights, shares, and what it does to scores."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.decisions import Hypothesis
from ivr.routing.intents import IntentMatcher
from ivr.routing.support import SUPPORT_MODEL, NBestSupport, Support, SupportModel

ROOT = Path(__file__).resolve().parents[3]
INTENTS = ROOT / "routing_rules" / "intents.yaml"
W, PS = "whisper", "pocketsphinx"
BURGLARY = "I want to report a burglary at my house last night"
LOST = "I lost my wallet on the bus"


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(INTENTS)


def test_one_engines_ranks_decay_and_sum_to_one() -> None:
    support = NBestSupport(SupportModel(gain=1.0, even=0.5, decay=0.5))
    weights = support.weights([Hypothesis("a", 0.4), Hypothesis("b", 0.3), Hypothesis("c", 0.1)])
    assert weights == pytest.approx([4 / 7, 2 / 7, 1 / 7])


def test_two_engines_weigh_their_tops_confidence_and_a_shared_text_carries_both() -> None:
    support = NBestSupport(SupportModel(gain=1.0, even=0.5, decay=0.5))
    heard = [
        Hypothesis("a", 0.9, ((W, 0), (PS, 1))),
        Hypothesis("b", 0.3, ((PS, 0),)),
    ]
    # Whisper's n-best weighs 0.9 (its top's confidence), PocketSphinx's 0.3: b is 2/3 of it.
    assert support.weights(heard) == pytest.approx([0.9 + 0.1, 0.2])


def test_an_unsure_top_still_leaves_the_ranks() -> None:
    # One engine whose top was heard at 0: the weights are the ranks', not all zero.
    support = NBestSupport(SupportModel(gain=1.0, even=0.5, decay=0.5))
    assert support.weights([Hypothesis("a", 0.0), Hypothesis("b", 0.0)]) == pytest.approx(
        [2 / 3, 1 / 3]
    )


def test_fewer_than_two_texts_have_no_support() -> None:
    support = NBestSupport()
    readings = [[0.9, 0.1]]
    assert support.of([Hypothesis("a")], readings) == [None, None]
    twice = [Hypothesis("Report a crime", 0.6), Hypothesis("report a crime ", 0.5)]
    assert support.of(twice, [[0.9, 0.1], [0.9, 0.1]]) == [None, None]


def test_share_readers_tops_and_shift() -> None:
    support = NBestSupport(SupportModel(gain=2.0, even=0.5, decay=1.0))
    heard = [
        Hypothesis("a", 0.8, ((W, 0),)),
        Hypothesis("b", 0.8, ((PS, 0),)),
        Hypothesis("c", 0.5, ((PS, 1),)),
    ]
    readings = [[0.9, 0.1, math.nan], [0.7, 0.2, math.nan], [0.1, 0.6, math.nan]]
    first, second, emergency = support.of(heard, readings)
    assert first is not None and second is not None and emergency is not None
    assert first.share == pytest.approx(0.75) and first.readers == 2
    assert first.tops == (W, PS) and first.shift == pytest.approx(0.5)
    assert second.share == pytest.approx(0.25) and second.tops == ()
    assert second.shift == pytest.approx(-0.5)
    assert emergency.readers == 0  # NaN: never a reading (its cues decide it)


def test_one_engines_agreement_only_takes_away() -> None:
    support = NBestSupport(SupportModel(gain=2.0, even=0.5, decay=1.0))
    heard = [Hypothesis("a", 0.5), Hypothesis("b", 0.4)]
    agreed, unread = support.of(heard, [[0.9, 0.1], [0.8, 0.1]])
    assert agreed is not None and unread is not None
    assert agreed.share == 1.0 and agreed.shift == 0.0
    assert unread.shift == pytest.approx(-1.0)
    gains = NBestSupport(SupportModel(gain=2.0, even=0.5, decay=1.0, one_engine_gains=True))
    agreed = gains.of(heard, [[0.9, 0.1], [0.8, 0.1]])[0]
    assert agreed is not None and agreed.shift == pytest.approx(1.0)


def test_an_unreadable_alternative_reads_nothing_but_weighs() -> None:
    support = NBestSupport(SupportModel(gain=2.0, even=0.5, decay=1.0, floor=0.2))
    found = support.of([Hypothesis("a"), Hypothesis("b")], [[0.9, 0.1], [0.1, 0.15]])
    assert [s.share if s else None for s in found] == [0.5, 0.0]


@given(st.floats(0.0, 1.0), st.floats(-5.0, 5.0))
def test_apply_moves_log_odds_and_stays_a_probability(score: float, shift: float) -> None:
    moved = Support(0.5, 1, 2, (), shift).apply(score)
    assert 0.0 <= moved <= 1.0
    if 0.0 < score < 1.0 and shift > 0:
        assert moved >= score * (1 - 1e-9)  # up to rounding
    if 0.0 < score < 1.0 and shift < 0:
        assert moved <= score * (1 + 1e-9)
    if score in (0.0, 1.0) or shift == 0.0:
        assert moved == score


def test_typed_text_and_one_alternative_are_scored_as_before(matcher: IntentMatcher) -> None:
    for heard in ([Hypothesis(BURGLARY)], [Hypothesis(BURGLARY, 0.4), Hypothesis(BURGLARY, 0.3)]):
        for match in matcher.match(heard):
            assert match.support is None and match.alone is None and match.agreement == ""


def test_both_engines_agreeing_gains(matcher: IntentMatcher) -> None:
    heard = [
        Hypothesis(BURGLARY, 0.5, ((W, 0),)),
        Hypothesis("i want to report a burglary at my house last nice", 0.4, ((PS, 0),)),
    ]
    top = matcher.match(heard)[0]
    assert top.intent == "report_crime" and top.support is not None
    assert top.support.tops == (W, PS) and top.support.share == 1.0
    assert top.alone is not None and top.score > top.alone
    assert top.score == pytest.approx(top.support.apply(top.alone))
    assert "read best by 2 of 2 alternatives" in top.agreement
    assert top.to_json()["support"]["alone"] == round(top.alone, 4)


def test_a_lone_low_alternative_loses(matcher: IntentMatcher) -> None:
    heard = [
        Hypothesis(BURGLARY, 0.9, ((W, 0),)),
        Hypothesis("i want to report a burglary at my house last night", 0.5, ((PS, 0),)),
        Hypothesis(LOST, 0.2, ((PS, 1),)),
    ]
    found = {m.intent: m for m in matcher.match(heard)}
    online = found["online"]
    assert online.matched == LOST and online.support is not None
    assert online.support.readers == 1 and online.support.tops == ()
    assert online.alone is not None and online.score < online.alone
    plain = {m.intent: m for m in matcher.match([Hypothesis(h.text, h.confidence) for h in heard])}
    assert plain["online"].alone == online.alone  # the same reading, weighed otherwise


def test_the_emergency_intent_is_left_to_its_cues(matcher: IntentMatcher) -> None:
    heard = [
        Hypothesis("he's got a knife and he's coming at me", 0.9, ((W, 0),)),
        Hypothesis("he's got a life and he's coming at me", 0.4, ((PS, 0),)),
    ]
    for match in matcher.match(heard):
        if match.emergency:
            assert match.support is None and match.alone is None
    cue = matcher.emergency_cue(heard)
    assert cue is not None and cue.score == 1.0


def test_the_shipped_model_gains_only_across_engines() -> None:
    assert SUPPORT_MODEL.gain > 0 and not SUPPORT_MODEL.one_engine_gains
    assert SUPPORT_MODEL.shift(1.0, engines=1) == 0.0
    assert SUPPORT_MODEL.shift(1.0, engines=2) > 0 > SUPPORT_MODEL.shift(0.0, engines=1)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([BURGLARY, LOST, "um", "the dog section please"]),
            st.floats(0.0, 1.0),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_scores_stay_probabilities_best_first(
    matcher: IntentMatcher, pairs: list[tuple[str, float]]
) -> None:
    found = matcher.match([Hypothesis(t, c) for t, c in pairs])
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert all(0.0 <= m.score <= 1.0 for m in found)
