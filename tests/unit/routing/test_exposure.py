"""A vulnerable person missing out in the cold, the dark or by water is asked about."""

from __future__ import annotations

import pytest

from ivr.decisions import Hypothesis
from ivr.routing.exposure import RULE, ExposedPerson


@pytest.mark.parametrize(
    "said",
    [
        "my dad's got dementia and he's gone out in his pyjamas, it's minus three",
        "me mam's got Alzheimer's and she's wandered off, it's baltic out there",
        "my seventeen year old went out in the boat this morning and he's not back, "
        "it's getting dark",
        # said plainly, in a second language: cold and dark are enough
        "my father, he has dementia, he go out for walk three hours ago, it is very cold and"
        " dark, we cannot find him",
    ],
)
def test_someone_vulnerable_missing_and_exposed_is_asked_about(said: str) -> None:
    doubt = ExposedPerson().doubt((Hypothesis(said),))
    assert doubt is not None and doubt.rule == RULE
    assert "a life may be at risk" in doubt.reason


@pytest.mark.parametrize(
    "said",
    [
        # missing and vulnerable, nothing exposing them: the control room, unasked
        "my nan's got dementia and she's gone out and we can't find her, two hours now",
        # cold and missing, nobody said to be vulnerable
        "my bike's gone missing from the shed, it's freezing so I hadn't been out",
        # vulnerable and cold, nobody missing
        "my dad's got dementia and his heating's broken, it's freezing in there",
    ],
)
def test_one_or_two_of_the_three_are_not_enough(said: str) -> None:
    assert ExposedPerson().doubt((Hypothesis(said),)) is None


def test_only_the_best_alternative_is_read() -> None:
    heard = (Hypothesis("my dad's got a new coat"), Hypothesis("dementia wandered off freezing"))
    assert ExposedPerson().doubt(heard) is None
