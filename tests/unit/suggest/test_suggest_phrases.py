"""The words the miner compares: phrases, closeness to examples, groups and medoids."""

from __future__ import annotations

from ivr.suggest.phrases import closest, contains, groups, phrases, representative


def test_phrases_have_no_filler_at_either_end_and_no_numbers() -> None:
    found = phrases("Can I speak to someone in the Custody Suite about 42 prisoners")
    assert {"custody", "custody suite", "suite", "prisoners"} <= found
    assert not {p for p in found if p.split()[0] in {"in", "the", "about", "someone"}}
    assert not {p for p in found if p.split()[-1] in {"the", "about", "in"}}
    assert "42" not in found and "suite about 42" not in found
    assert "custody suite about" not in found
    assert "report a crime" in phrases("I want to report a crime")


def test_contains_is_whole_words() -> None:
    assert contains("custody suite", "custody")
    assert not contains("custodyx suite", "custody")


def test_closest_scores_as_the_matcher_does_on_content_words() -> None:
    score, example = closest("I'd like to report a burglary please", ["report a burglary", "x"])
    assert (score, example) == (100.0, "report a burglary")
    assert closest("anything", []) == (0.0, "")


def test_alike_utterances_group_and_the_medoid_speaks_for_them() -> None:
    said = [
        "there's a fight outside the takeaway",
        "my cat is stuck up a tree",
        "a fight going on outside the takeaway",
        "fight outside the kebab takeaway now",
    ]
    assert groups(said, 60) == [[0, 2, 3], [1]]
    assert representative([said[i] for i in (0, 2, 3)]) == "there's a fight outside the takeaway"
