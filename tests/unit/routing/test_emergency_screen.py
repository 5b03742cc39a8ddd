"""The EmergencyScreen shared by worker-thread decisions and event-loop break-outs."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ivr.decisions import Decision, Hypothesis
from ivr.routing.danger import _stands_for
from ivr.routing.emergency import MEMO_SIZE, EmergencyScreen
from ivr.routing.engine import RoutingEngine
from ivr.routing.memo import BoundedMemo
from ivr.routing.model import CallerContext, RoutingInputs
from ivr.routing.phrases import NEGATED_MARK, Hit, Phrase, PhraseScanner, hit_name
from tests.unit.routing.fakes import FakeIntents, Match, fake_bundle

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
FIRE_OUT = "someone set fire to the bins yesterday, it's out now"
KNIFE = "he has a knife in his hand"


class Meddling(str):
    """Words whose every hashing first runs MEMO_SIZE scans of other words through the
    same screen: another thread's scans, landing between any check of a memo and its
    read (each lookup hashes its key). Never while already meddling."""

    screen: EmergencyScreen | None = None
    fillers = itertools.count()

    def __hash__(self) -> int:
        screen, Meddling.screen = Meddling.screen, None
        if screen is not None:
            for _ in range(MEMO_SIZE):
                screen.check((Hypothesis(f"a knife {next(Meddling.fillers)}"),), None)
            Meddling.screen = screen
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other)


def test_a_scan_survives_other_scans_evicting_its_memo_between_check_and_read() -> None:
    screen = EmergencyScreen(fake_bundle())
    Meddling.screen = screen
    try:
        decision = screen.check((Hypothesis(Meddling(KNIFE)),), None)
    finally:
        Meddling.screen = None
    assert isinstance(decision, Decision) and decision.destination == "emergency"
    assert decision.rule == "emergency-cue"


def test_the_memo_is_bounded_and_forgets_the_least_recently_used() -> None:
    memo: BoundedMemo[str, int] = BoundedMemo(2)
    calls: list[str] = []

    def value(key: str) -> int:
        def compute() -> int:
            calls.append(key)
            return len(calls)

        return memo.get(key, compute)

    assert [value("a"), value("b"), value("a")] == [1, 2, 1]  # the second "a" remembered
    value("c")  # "b" was used least recently: it goes
    assert len(memo) == 2
    assert value("a") == 1 and value("b") == 4
    memo.clear()
    assert len(memo) == 0
    assert calls == ["a", "b", "c", "b"]
    with pytest.raises(ValueError, match="at least 1"):
        BoundedMemo(0)


@dataclass
class NoMatching(FakeIntents):
    """Cues as FakeIntents; the intent matcher (the sentence model) must not be asked."""

    asked: int = 0

    def match(self, hypotheses: Sequence[Hypothesis]) -> list[Match]:
        self.asked += 1
        return [Match("report_crime", "rc", 0.8, "example", hypotheses[0].text)]


def test_a_breakout_never_asks_the_intent_matcher_and_decide_still_releases() -> None:
    bundle = fake_bundle()
    intents = NoMatching()
    engine = RoutingEngine(replace(bundle, intents=intents))
    # A past fire with the all-clear: only ``decide`` may release it (by the intent).
    assert engine.breakout([Hypothesis(FIRE_OUT)], None) is None
    assert engine.breakout([Hypothesis(FIRE_OUT), Hypothesis(KNIFE, 0.2)], None) is not None
    assert intents.asked == 0
    decided = engine.decide(
        RoutingInputs(at=AT, hypotheses=(Hypothesis(FIRE_OUT),), caller=CallerContext("1"))
    )
    assert intents.asked > 0
    assert (decided.destination, "discounted_cue" in decided.evidence) == ("rc", True)


def test_a_negated_hit_is_named_with_the_mark_the_screen_leaves_out() -> None:
    phrase = Phrase("hurt", ("hurt",), (), True)
    assert hit_name(Hit(phrase, True)) == "hurt" + NEGATED_MARK
    assert not hit_name(Hit(phrase, False)).endswith(NEGATED_MARK)


@pytest.mark.parametrize("token", ["attack", "nife", "knif", "follow", "gum", "gun", "stabb"])
def test_the_reader_locates_cues_as_the_scanner_matches_them(token: str) -> None:
    words = ("attacked", "knife", "followed", "gun", "stabbed")
    scanner = PhraseScanner({w: [(0, 1.0)] for w in words}, frozenset(words))
    for word in words:
        assert _stands_for(token, word) == (word in scanner.word_matches(token)), word
