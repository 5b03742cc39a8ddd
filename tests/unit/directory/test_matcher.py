"""The matcher against the shipped directory, from a table of utterances."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.decisions import Hypothesis
from ivr.directory import Directory, DirectoryMatcher
from ivr.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[3]
CASES: list[dict[str, Any]] = list(
    load_yaml(Path(__file__).parent / "fixtures/utterances.yaml")["cases"]
)
MARGIN, LOW, HIGH = 0.05, 0.6, 0.85


@pytest.fixture(scope="module")
def matcher() -> DirectoryMatcher:
    return DirectoryMatcher(Directory.load_yaml(ROOT / "routing_rules/directory.yaml"))


def _hyps(case: dict[str, Any]) -> list[Hypothesis]:
    if "nbest" in case:
        return [Hypothesis(h["text"], float(h["confidence"])) for h in case["nbest"]]
    return [Hypothesis(case["say"])]


def _verdict(case: dict[str, Any], matcher: DirectoryMatcher) -> str | None:
    """None when the case passes, else what went wrong."""
    found = matcher.match(_hyps(case), limit=10)
    ids = [c.destination.removeprefix("directory:") for c in found]
    shown = [(i, c.score) for i, c in zip(ids, found, strict=True)][:4]
    if case.get("none"):
        return None if not found or found[0].score < 0.5 else f"expected no match, got {shown}"
    if not found or found[0].score < LOW:
        return f"nothing above {LOW}: {shown}"
    close = [i for i, c in zip(ids, found, strict=True) if found[0].score - c.score <= MARGIN]
    if "top" in case:
        if ids[0] != case["top"] or len(close) > 1:
            return f"expected {case['top']} clearly first, got {shown}"
        if case.get("route") and found[0].score < HIGH:
            return f"expected a score >= {HIGH}, got {shown}"
        return None
    expected = set(case["ambiguous"])
    if len(close) < 2 or not set(close) <= expected:
        return f"expected a tie among {sorted(expected)}, got {shown}"
    return None


@pytest.mark.parametrize(
    "case", CASES, ids=[str(c.get("say") or c["nbest"][0]["text"]) for c in CASES]
)
def test_utterance(case: dict[str, Any], matcher: DirectoryMatcher) -> None:
    problem = _verdict(case, matcher)
    assert problem is None, problem


def test_evidence_names_field_and_kind(matcher: DirectoryMatcher) -> None:
    best = matcher.match([Hypothesis("pc jonson")])
    assert "surname 'Johnson'" in best[0].evidence and "phonetic" in best[0].evidence
    assert "rank PC" in best[0].evidence
    exact = matcher.match([Hypothesis("gun licence")])[0]
    assert exact.evidence.startswith("alias 'gun licence' exact")
    assert exact.name == "Firearms Licensing"


def test_sound_alike_below_exact(matcher: DirectoryMatcher) -> None:
    # "jonson" is nobody's name here: a sound-alike of Johnson, below the name itself...
    said = {c.destination: c.score for c in matcher.match([Hypothesis("johnson")])}
    heard = {c.destination: c.score for c in matcher.match([Hypothesis("jonson")])}
    assert said["directory:sarah-johnson"] > heard["directory:sarah-johnson"] >= 0.7


def test_another_spelling_of_a_name_here_fits_as_well_as_its_own(
    matcher: DirectoryMatcher,
) -> None:
    # ...but "smith" is John Smith's name and Rachel Smyth's sound: which one the
    # recogniser spelt says nothing about which of them the caller wants.
    scores = {c.destination: c.score for c in matcher.match([Hypothesis("smith")])}
    assert scores["directory:john-smith"] == scores["directory:rachel-smyth"]


def test_lower_confidence_alternative_counts_less(matcher: DirectoryMatcher) -> None:
    alone = matcher.match([Hypothesis("pc johnston", 1.0)])
    weak = matcher.match([Hypothesis("pc johnson", 1.0), Hypothesis("pc johnston", 0.25)])
    johnston = {c.destination: c.score for c in weak}["directory:mark-johnston"]
    assert johnston < alone[0].score


def test_names_in_and_vocabulary(matcher: DirectoryMatcher) -> None:
    assert matcher.names_in("can I speak to sergeant Patel")
    assert matcher.names_in("firearms licensing please")
    assert not matcher.names_in("my car was broken into")
    assert {"johnston", "sergeant", "firearms", "burglary"} <= matcher.vocabulary


def test_empty_and_limit(matcher: DirectoryMatcher) -> None:
    assert matcher.match([]) == []
    assert matcher.match([Hypothesis("   ")]) == []
    assert len(matcher.match([Hypothesis("patel")], limit=2)) == 2


def test_fixture_accuracy_is_reported(matcher: DirectoryMatcher) -> None:
    passed = sum(_verdict(c, matcher) is None for c in CASES)
    assert passed == len(CASES)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=80), st.floats(allow_nan=True, allow_infinity=True)),
        max_size=4,
    )
)
def test_never_raises_scores_in_range(alternatives: list[tuple[str, float]]) -> None:
    matcher = _shared()
    found = matcher.match([Hypothesis(t, c) for t, c in alternatives])
    assert all(0.0 <= c.score <= 1.0 for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


_MATCHER: list[DirectoryMatcher] = []


def _shared() -> DirectoryMatcher:
    if not _MATCHER:
        _MATCHER.append(
            DirectoryMatcher(Directory.load_yaml(ROOT / "routing_rules/directory.yaml"))
        )
    return _MATCHER[0]


def test_a_clearly_named_person_survives_the_callers_other_words(
    matcher: DirectoryMatcher,
) -> None:
    # Surname and rank heard exactly: the rest of the sentence ("she dealt with my case
    # last month") costs at most 30 %, not 0.7 a word, so the caller is at least asked.
    found = matcher.match(
        [Hypothesis("can I speak to DC Smyth please, she dealt with my case last month")]
    )
    assert found[0].destination == "directory:rachel-smyth" and found[0].score >= LOW
    assert "unexplained" in found[0].evidence
    # A surname alone, with no rank or first name, is not named so surely.
    loose = matcher.match([Hypothesis("smyth was the name of the road where my car was taken")])
    assert not loose or loose[0].score < LOW


def test_a_department_named_whole_survives_the_callers_other_words(
    matcher: DirectoryMatcher,
) -> None:
    # Its full name said: the rest of the sentence costs little, so the caller is asked.
    said = "missing persons unit please, I'm the social worker for a girl who keeps going missing"
    found = matcher.match([Hypothesis(said)])
    assert found[0].destination == "directory:missing-persons-unit" and found[0].score >= LOW
    # A person named with the department's name is the person, not the department.
    named = matcher.match([Hypothesis("can I speak to Bethan Fletcher in public protection")])
    assert named[0].destination == "directory:bethan-fletcher"


def test_a_word_that_says_what_was_asked_for_is_no_persons_name() -> None:
    # "unit" sounds like Anita, but beside a team said whole it only says "the unit":
    # the caller asked for Missing Persons, and their other words are their reason.
    directory = Directory.from_data(
        {
            "entries": [
                {
                    "id": "mpu",
                    "kind": "department",
                    "name": "Missing Persons Coordination Unit",
                    "teams": ["Missing Persons"],
                    "extension": "4550",
                },
                {"id": "anita-rowe", "kind": "person", "name": "Anita Rowe", "extension": "4551"},
            ]
        },
        "test",
    )
    said = "missing persons unit please, I'm calling from the children's home on Tor View"
    found = DirectoryMatcher(directory).match([Hypothesis(said)])
    assert found[0].destination == "directory:mpu" and found[0].score >= LOW, found


@pytest.mark.parametrize(
    "said",
    [
        "I'm the secretary of the Jain temple, I want the community cohesion people about"
        " security for our festival",
        "I'm from St Jane's church, can I talk to community cohesion about our open day",
    ],
)
def test_a_name_said_just_before_a_place_of_worship_names_the_place(said: str) -> None:
    # "Jain" sounds like Jane, but "the Jain temple" is where the caller is from: it
    # takes nothing from the unit asked for by its full name.
    matcher = _people_and_places(
        {"id": "cohesion", "kind": "department", "name": "Community Cohesion Team"},
        {"id": "jane-ellery", "kind": "person", "name": "Jane Ellery", "rank": "Ms"},
    )
    found = matcher.match([Hypothesis(said)])
    assert found[0].destination == "directory:cohesion" and found[0].score >= LOW, found


def test_a_rest_that_says_which_of_two_same_named_people_is_part_of_the_request() -> None:
    # "PC Andrew Cowie please, the one at Rattray": the ask alone ties the two Andrew
    # Cowies; the rest, by one's team, says which, so the ask is not read on its own.
    matcher = _people_and_places(
        {
            "id": "cowie-r",
            "kind": "person",
            "name": "Andrew Cowie",
            "rank": "PC",
            "team": "Rattray",
        },
        {"id": "cowie-s", "kind": "person", "name": "Andrew Cowie", "rank": "PC", "team": "Ross"},
        {"id": "jo-reid", "kind": "person", "name": "Jo Reid", "rank": "PC", "team": "Ross"},
    )
    assert matcher.restated("PC Andrew Cowie please", "the one at Rattray")
    assert not matcher.restated("PC Andrew Cowie please", "he came about my car")
    # one person so named: the rest is the caller's story, whatever team it names
    assert not matcher.restated("PC Jo Reid please", "it's about the Rattray burglary")


def test_a_plural_of_a_directory_word_says_that_word() -> None:
    # "lorries" for the Lorry Park Team: the spelling of a plural hides its singular.
    directory = Directory.from_data(
        {
            "entries": [
                {
                    "id": "freight",
                    "kind": "department",
                    "name": "Commercial Vehicle Unit",
                    "aliases": ["Lorry Park Team"],
                    "extension": "2300",
                },
            ]
        },
        "test",
    )
    found = DirectoryMatcher(directory).match([Hypothesis("the lorry park team")])
    plural = DirectoryMatcher(directory).match([Hypothesis("the lorries park team")])
    assert plural and "plural" in plural[0].evidence
    assert plural[0].score >= 0.9 * found[0].score


def _people_and_places(*entries: dict[str, Any]) -> DirectoryMatcher:
    """A matcher over these entries, each given an extension of its own."""
    numbered = [{"extension": str(4700 + n), **entry} for n, entry in enumerate(entries)]
    return DirectoryMatcher(Directory.from_data({"entries": numbered}, "test"))


@pytest.mark.parametrize(
    "said",
    [
        "put me through to the Chief Constable's office please",
        "the chief officers office",
        "can I have the Chief Constable's office, I've been passed around enough",
    ],
)
def test_rank_words_before_office_name_the_office_not_a_rank(said: str) -> None:
    # "Chief" and "constable's" are rank words, but said before "office" they are the
    # department's name: read as a rank they left no word to match it by.
    matcher = _people_and_places(
        {
            "id": "chief-officers",
            "kind": "department",
            "name": "Chief Officers Office",
            "aliases": ["Chief Constable's office"],
        },
        {"id": "ann-cole", "kind": "person", "name": "Ann Cole", "rank": "CI"},
    )
    found = matcher.match([Hypothesis(said)])
    assert found[0].destination == "directory:chief-officers" and found[0].score >= LOW, found
    # The rank alone still names its holder.
    ranked = matcher.match([Hypothesis("chief inspector cole please")])
    assert ranked[0].destination == "directory:ann-cole"


@pytest.mark.parametrize("said", ["PC Welsh please", "can I get hold of PC Welsh"])
def test_a_describing_word_said_right_after_a_rank_is_a_name(said: str) -> None:
    # "Welsh" describes an officer ("the Welsh lady officer"); after "PC" it is his name.
    matcher = _people_and_places(
        {"id": "owen-welsh", "kind": "person", "name": "Owen Welsh", "rank": "PC"},
        {"id": "amy-lloyd", "kind": "person", "name": "Amy Lloyd", "rank": "PC"},
    )
    found = matcher.match([Hypothesis(said)])
    assert found and found[0].destination == "directory:owen-welsh", found
    assert found[0].score >= HIGH


@pytest.mark.parametrize(
    "said", ["Ms Almasri from witness care please", "Lina Almasri", "almasri in witness care"]
)
def test_a_surname_of_parts_heard_as_one_word_is_that_surname(said: str) -> None:
    # "Al-Masri" is often written "Almasri": heard so, it is her surname said whole, not a
    # near miss of it that loses to the DC whose surname is spelt that way.
    matcher = _people_and_places(
        {"id": "wcu", "kind": "department", "name": "Witness Care", "teams": ["Witness Care"]},
        {
            "id": "lina",
            "kind": "person",
            "name": "Lina Al-Masri",
            "rank": "Ms",
            "team": "Witness Care",
        },
        {"id": "khaled", "kind": "person", "name": "Khaled Almasri", "rank": "DC", "team": "CID"},
    )
    found = matcher.match([Hypothesis(said)])
    assert found[0].destination == "directory:lina" and found[0].score >= LOW, found
    assert "surname 'Al-Masri' exact" in found[0].evidence
    # The one spelt that way is still his own surname said.
    assert matcher.match([Hypothesis("DC Almasri")])[0].destination == "directory:khaled"


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("PC Sam Hughes, the one in the traffic unit, not Westhaven", "sam-roads"),
        ("Sam Hughes, not the traffic one", "sam-westhaven"),
        ("Sam Hughes, not the one in Westhaven", "sam-roads"),
    ],
)
def test_a_team_said_as_not_meant_tells_two_of_one_name_apart(said: str, meant: str) -> None:
    matcher = _people_and_places(
        {"id": "roads", "kind": "department", "name": "Roads Policing Unit",
         "aliases": ["Traffic"], "teams": ["Roads Policing"]},
        {"id": "sam-roads", "kind": "person", "name": "Sam Hughes", "rank": "PC",
         "team": "Roads Policing"},
        {"id": "sam-westhaven", "kind": "person", "name": "Sam Hughes", "rank": "PC",
         "team": "Westhaven"},
    )  # fmt: skip
    found = matcher.match([Hypothesis(said)])
    assert found[0].destination == f"directory:{meant}", found
    assert found[0].score - found[1].score >= 0.1, found


@pytest.mark.parametrize(
    "said",
    [
        "I'm not sure, Sam Hughes at Surrey Road",
        # words after "not" that are no name word at all
        "it's not for me, it's for Sam Hughes at Surrey Road",
    ],
)
def test_not_said_of_anything_else_denies_no_team(said: str) -> None:
    matcher = _people_and_places(
        {"id": "sam-surrey", "kind": "person", "name": "Sam Hughes", "team": "Surrey Road"},
    )
    found = matcher.match([Hypothesis(said)])
    assert found and found[0].destination == "directory:sam-surrey", found
    assert "said as not meant" not in found[0].evidence
