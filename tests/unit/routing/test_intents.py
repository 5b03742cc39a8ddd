"""Intent matching: the table of utterances, emergency recall, schema errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.decisions import SERVICE_DESTINATIONS, Hypothesis
from ivr.routing.intents import IntentMatcher, IntentsError
from ivr.routing.phrases import negated_before
from ivr.text import normalise

ROOT = Path(__file__).resolve().parents[3]
INTENTS = ROOT / "routing_rules" / "intents.yaml"
FIXTURES = Path(__file__).parent / "fixtures"


def _rows(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    return rows


TABLE = _rows("intents_table.yaml")
HELD_OUT = _rows("intents_heldout.yaml") + _rows("intents_heldout2.yaml")


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher.load(INTENTS)


def test_shipped_intents_cover_every_service_destination(matcher: IntentMatcher) -> None:
    names = {i.name for i in matcher.intents}
    assert names == {"emergency", "incident", "report_crime", "update", "online", "switchboard"}
    assert {i.destination for i in matcher.intents} <= SERVICE_DESTINATIONS
    for intent in matcher.intents:
        assert len(intent.examples) >= 20, intent.name
        assert intent.keywords and len(intent.weights) == len(intent.keywords)
    assert [i.name for i in matcher.intents if i.emergency] == ["emergency"]


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 80
    assert {row["intent"] for row in TABLE} == {
        "emergency",
        "incident",
        "report_crime",
        "update",
        "online",
        "switchboard",
    }


@pytest.mark.parametrize("row", TABLE, ids=[row["text"] for row in TABLE])
def test_table_top_intent(matcher: IntentMatcher, row: dict[str, Any]) -> None:
    results = matcher.match([Hypothesis(row["text"])])
    top = results[0]
    assert top.intent == row["intent"], [(m.intent, round(m.score, 2), m.example) for m in results]


@pytest.mark.parametrize("row", TABLE, ids=[row["text"] for row in TABLE])
def test_table_emergency_cue(matcher: IntentMatcher, row: dict[str, Any]) -> None:
    expected = row.get("cue", row["intent"] == "emergency")
    cue = matcher.emergency_cue([Hypothesis(row["text"])])
    if expected:
        assert cue is not None and cue.intent == "emergency" and cue.emergency
    else:
        assert cue is None, cue


def test_every_cue_appears_in_the_table(matcher: IntentMatcher) -> None:
    emergency_text = [
        f" {normalise(row['text'])} " for row in TABLE if row["intent"] == "emergency"
    ]
    missing = [c for c in matcher.cues if not any(f" {normalise(c)} " in t for t in emergency_text)]
    assert not missing


def test_held_out_accuracy_floor(matcher: IntentMatcher) -> None:
    """Phrasings never used for tuning: report, and guard against regressions."""
    right = sum(matcher.match([Hypothesis(r["text"])])[0].intent == r["intent"] for r in HELD_OUT)
    assert right / len(HELD_OUT) >= 0.85


def test_held_out_emergencies_always_cued(matcher: IntentMatcher) -> None:
    for row in HELD_OUT:
        if row["intent"] == "emergency":
            assert matcher.emergency_cue([Hypothesis(row["text"])]) is not None, row["text"]


def test_a_blade_is_a_cue_as_a_weapon_and_no_cue_as_a_blade_of_grass(
    matcher: IntentMatcher,
) -> None:
    assert matcher.emergency_cue([Hypothesis("he's got a blade and he's chasing us")])
    for text in ("he's got a blade of grass stuck in his eye", "he cut it with a razor blade"):
        assert matcher.emergency_cue([Hypothesis(text)]) is None, text


def test_someone_who_cannot_be_woken_is_a_cue_and_the_callers_own_waking_is_not(
    matcher: IntentMatcher,
) -> None:
    for text in ("I can't wake him up", "she's not waking up", "he isn't conscious"):
        assert matcher.emergency_cue([Hypothesis(text)]), text
    for text in (
        "I'm not waking the kids up to come to the phone",
        "I can't wake up early enough to get to the station",
        "my neighbour is not conscious of how loud his music is",
        "people are not waking up to the fact there's dealing on our street",
        "the noise from next door won't wake the baby, I just want it logged",
    ):
        assert matcher.emergency_cue([Hypothesis(text)]) is None, text


def test_a_fight_is_a_cue_in_any_form(matcher: IntentMatcher) -> None:
    # "there's a fight outside and someone is bleeding": a mis-heard "bleeding" must
    # not leave the fight itself unflagged ("fighting" was a cue, "fight" was not).
    for text in ("there's a fight outside", "they're fighting in the street"):
        assert matcher.emergency_cue([Hypothesis(text)]) is not None, text


def test_match_is_transparent(matcher: IntentMatcher) -> None:
    top = matcher.match([Hypothesis("my car was broke into last night")])[0]
    assert top.intent == "report_crime" and top.destination == "rc"
    assert top.example == "my car was broken into last night"
    assert top.matched == "my car was broke into last night"
    assert "broke into" in top.keywords and "last night" in top.keywords
    assert 0.8 < top.score <= 1.0
    assert top.to_json()["intent"] == "report_crime"


def test_results_best_first_and_one_per_intent(matcher: IntentMatcher) -> None:
    results = matcher.match([Hypothesis("lost my wallet")])
    assert [m.score for m in results] == sorted((m.score for m in results), reverse=True)
    assert len({m.intent for m in results}) == len(results) == len(matcher.intents)


def test_confidence_only_tempers_the_score(matcher: IntentMatcher) -> None:
    # A correct transcript heard at 0.5 is still a clear request: the recogniser's doubt
    # takes the score down by the directory's own factor (0.85 + 0.15 x confidence), it
    # does not halve it (which reprompted callers whose words were right).
    sure = matcher.match([Hypothesis("lost property", 1.0)])[0]
    unsure = matcher.match([Hypothesis("lost property", 0.5)])[0]
    assert unsure.intent == sure.intent == "online"
    assert unsure.score == pytest.approx(sure.score * 0.925)


def test_best_alternative_wins_per_intent(matcher: IntentMatcher) -> None:
    results = matcher.match([Hypothesis("lost my cat", 0.4), Hypothesis("lost my wallet", 0.9)])
    assert results[0].intent == "online" and results[0].matched == "lost my wallet"


def test_no_words_no_matches(matcher: IntentMatcher) -> None:
    assert matcher.match([]) == []
    assert matcher.match([Hypothesis("  ...  ")]) == []
    assert matcher.emergency_cue([Hypothesis("")]) is None


def test_emergency_cue_in_low_confidence_alternative(matcher: IntentMatcher) -> None:
    hyps = [Hypothesis("he's got a life", 0.9), Hypothesis("he's got a knife", 0.1)]
    cue = matcher.emergency_cue(hyps)
    assert cue is not None
    assert cue.example == "knife" and cue.matched == "he's got a knife" and cue.score == 1.0


def test_negation_lowers_but_never_hides_a_cue(matcher: IntentMatcher) -> None:
    cue = matcher.emergency_cue([Hypothesis("nobody is hurt")])
    assert cue is not None and cue.score == 0.5 and cue.keywords == ("hurt (negated)",)
    # A clear cue anywhere beats a negated one.
    cue = matcher.emergency_cue(
        [Hypothesis("he doesn't have a knife", 0.9), Hypothesis("he does have a knife", 0.2)]
    )
    assert cue is not None and cue.score == 1.0 and cue.matched == "he does have a knife"


def test_not_an_emergency_still_flags_for_confirmation(matcher: IntentMatcher) -> None:
    """The common 101 opener: flagged (so the engine can ask), but not top intent."""
    hyps = [Hypothesis("it's not an emergency but my shed was broken into last week")]
    cue = matcher.emergency_cue(hyps)
    assert cue is not None and cue.score < 1.0
    assert matcher.match(hyps)[0].intent == "report_crime"


def test_not_ringing_about_an_emergency_negates_it_as_not_an_emergency_does(
    matcher: IntentMatcher,
) -> None:
    # The call's own words ("ringing about") are not counted in the negation's reach.
    for said in ("I'm not ringing about an emergency", "I'm not calling regarding an emergency"):
        cue = matcher.emergency_cue([Hypothesis(f"{said}, I just heard a loud bang")])
        assert cue is not None and cue.score < 1.0, said
    # ... and only of "emergency": "no, I'm ringing about a stabbing" answers a question
    for said in (
        "I'm not ringing about that, he's stabbed my son",
        "no I'm ringing about a stabbing",
        "not phoning about myself, ringing about a fight outside",
    ):
        cue = matcher.emergency_cue([Hypothesis(said)])
        assert cue is not None and cue.score == 1.0, said


def test_cue_phrases_with_their_own_negation_are_clear(matcher: IntentMatcher) -> None:
    cue = matcher.emergency_cue([Hypothesis("my dad is not breathing")])
    assert cue is not None and cue.score == 1.0 and cue.example == "not breathing"


def test_asr_near_misses_hit_long_words_only(matcher: IntentMatcher) -> None:
    assert matcher.emergency_cue([Hypothesis("some one is braking in")]) is not None
    assert matcher.emergency_cue([Hypothesis("I've got some gum")]) is None  # not "gun"
    assert matcher.emergency_cue([Hypothesis("my car is insured")]) is None  # not "injured"


# --- properties -----------------------------------------------------------

_hypotheses = st.lists(
    st.builds(
        Hypothesis,
        text=st.text(max_size=80),
        confidence=st.floats(allow_nan=True, allow_infinity=True),
    ),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(_hypotheses)
def test_match_never_raises_and_scores_in_range(hyps: list[Hypothesis]) -> None:
    matcher = _MATCHER
    for result in matcher.match(hyps):
        assert 0.0 <= result.score <= 1.0
    cue = matcher.emergency_cue(hyps)
    assert cue is None or 0.0 < cue.score <= 1.0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(IntentMatcher.load(INTENTS).cues)), min_size=1, max_size=3),
    st.text(max_size=30),
)
def test_any_cue_in_any_text_is_found(cues: list[str], noise: str) -> None:
    text = f"{noise} {' '.join(cues)}"
    assert _MATCHER.emergency_cue([Hypothesis(noise, 0.9), Hypothesis(text, 0.01)]) is not None


_MATCHER = IntentMatcher.load(INTENTS)


# --- schema ---------------------------------------------------------------


def test_bad_file_lists_every_error_with_its_line() -> None:
    path = FIXTURES / "intents_bad.yaml"
    with pytest.raises(IntentsError) as caught:
        IntentMatcher.load(path)
    assert caught.value.error_id == "intents-invalid"
    assert caught.value.errors == [
        f"{path}:26: unknown key 'extra' (expected one of intents)",
        f"{path}:11: intent 'report_crime': unknown key 'colour' (expected one of cues,"
        " description, destination, emergency, examples, keywords, name, not_cues)",
        f"{path}:9: empty keyword",
        f"{path}:10: keyword 'theft': weight must be a number in (0, 1], not 2",
        f"{path}:12: duplicate intent 'report_crime' (first on line 3)",
        f"{path}:16: intent 'lost': bad destination 'lost-and-found'"
        " (emergency, fcr, rc, online, switchboard or directory:<id>)",
        f"{path}:17: intent 'lost' needs at least 1 example",
        f"{path}:18: intent 'chat': missing 'examples:'",
        f"{path}:24: empty example",
        f"{path}:23: example 'my car was stolen' repeats line 6 (intent 'report_crime')",
        f"{path}:25: cues belong on the intent marked emergency: true",
    ]


def test_yaml_errors_become_intents_errors(tmp_path: Path) -> None:
    path = tmp_path / "intents.yaml"
    path.write_text("intents:\n  - name: a\n    name: b\n", encoding="utf-8")
    with pytest.raises(IntentsError) as caught:
        IntentMatcher.load(path)
    assert caught.value.errors == [f"{path}:3: duplicate key 'name' (first on line 2)"]
    with pytest.raises(IntentsError) as caught:
        IntentMatcher.load(tmp_path / "missing.yaml")
    assert "cannot read" in caught.value.errors[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "<t>:1: expected a mapping with 'intents:'"),
        ("intents: []", "<t>:1: 'intents' must be a non-empty list"),
        (
            "intents:\n  - just text\n",
            "<t>:2: intent: expected a mapping with name, destination, examples",
        ),
        ("intents:\n  - {destination: rc, examples: [x]}\n", "<t>:2: intent: missing 'name:'"),
        (
            "intents:\n  - {name: Bad Name, destination: rc, examples: [x]}\n",
            "<t>:2: bad intent name",
        ),
        ("intents:\n  - {name: a, examples: [x]}\n", "<t>:2: intent 'a': missing 'destination:'"),
        (
            "intents:\n  - {name: a, destination: rc, examples: x}\n",
            "<t>:2: intent 'a'.examples: expected a list, not 'x'",
        ),
        (
            "intents:\n  - {name: a, destination: rc, examples: [x], keywords: 3}\n",
            "<t>:2: keywords must",
        ),
        (
            "intents:\n  - {name: a, destination: rc, examples: [x], keywords: ['']}\n",
            "<t>:2: empty keyword",
        ),
        (
            "intents:\n  - {name: a, destination: rc, examples: [x], emergency: 1}\n",
            "<t>:2: intent 'a'.emergency: expected true or false, not 1",
        ),
        (
            "intents:\n  - {name: a, destination: rc, examples: [x], emergency: true}\n"
            "  - {name: b, destination: rc, examples: [y], emergency: true}\n",
            "<t>:3: only one intent may be the emergency intent (first on line 2)",
        ),
        (
            "intents:\n  - {name: a, destination: rc, examples: [x], keywords: {Go: 1, go: 1}}\n",
            "<t>:2: keyword 'go' repeats line 2 once normalised",
        ),
    ],
)
def test_schema_errors(text: str, message: str) -> None:
    with pytest.raises(IntentsError) as caught:
        IntentMatcher.parse(text, "<t>")
    assert any(error.startswith(message) for error in caught.value.errors), caught.value.errors


def test_minimal_file_and_directory_destination() -> None:
    matcher = IntentMatcher.parse(
        "intents:\n"
        "  - name: firearms\n"
        "    destination: directory:firearms-licensing\n"
        "    examples: [firearms licensing, shotgun certificate renewal]\n"
        "    keywords: [firearms, licence]\n"
    )
    top = matcher.match([Hypothesis("firearms licence please")])[0]
    assert top.destination == "directory:firearms-licensing"
    assert top.keywords == ("firearms", "licence")
    assert matcher.emergency_cue([Hypothesis("knife")]) is None  # no emergency intent here


@pytest.mark.parametrize(
    "text",
    ["I need a shotgun certificate", "my gun licence renewal", "firearms licensing please"],
)
def test_firearms_licensing_words_are_no_emergency_cue(matcher: IntentMatcher, text: str) -> None:
    assert matcher.emergency_cue([Hypothesis(text)]) is None


def test_a_real_cue_beside_a_licence_still_counts(matcher: IntentMatcher) -> None:
    text = "I've got a gun licence and he is threatening me with a gun"
    cue = matcher.emergency_cue([Hypothesis(text)])
    assert cue is not None and cue.score == 1.0 and cue.matched == text


@pytest.mark.parametrize(
    ("before", "negated"),
    [
        (["nobody", "is"], True),
        (["he", "didnt"], True),
        (["dont", "pay", "hell"], False),  # "if I don't pay he'll hurt him"
        (["didnt", "see", "but"], False),
        ([], False),
    ],
)
def test_a_negation_counts_only_in_the_cues_own_clause(before: list[str], negated: bool) -> None:
    assert negated_before(before) is negated


@pytest.mark.parametrize(
    ("before", "window"),
    [
        ("oh", ["no", "my", "husbands"]),  # "oh no, my husband's hitting me"
        ("sorry", ["no", "my", "husbands"]),  # "lost property, sorry, no, my husband's ..."
        ("", ["no", "sorry", "hes"]),
        ("", ["no", "no", "hes"]),  # "no, no, he's got a knife"
    ],
)
def test_a_no_said_as_an_exclamation_or_a_correction_negates_nothing(
    before: str, window: list[str]
) -> None:
    assert not negated_before(window, before)
    # ... while "there's no knife" and "no, no one's hurt" still do
    assert negated_before(["theres", "no"])
    assert negated_before(["no", "no", "ones"])


def test_a_threat_after_a_negated_condition_is_an_emergency_cue(matcher: IntentMatcher) -> None:
    cue = matcher.emergency_cue(
        (Hypothesis("a man just phoned saying he's got my son and if I don't pay he'll hurt him"),)
    )
    assert cue is not None and cue.score >= 1.0


def test_words_that_are_only_filler_ask_for_nothing_but_a_person(matcher: IntentMatcher) -> None:
    # "Please." (a recogniser's "police") sits near "update please" in meaning, but asks for
    # nothing: only the switchboard (a person) may take it.
    for said in ("Please.", "yes please", "um, er, please"):
        found = [m for m in matcher.match([Hypothesis(said)]) if m.score >= 0.32]
        assert all(m.destination == "switchboard" for m in found), (said, found[:2])
    # An example said as it is still counts.
    assert matcher.match([Hypothesis("um")])[0].destination == "switchboard"
