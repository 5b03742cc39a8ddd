"""Normalisation and spoken numbers."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ivr.text import digits_to_words, normalise, tokens, words_to_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He's got a KNIFE!", "hes got a knife"),
        ("  don\u2019t   know ", "dont know"),
        ("P.C. Johnson", "pc johnson"),
        ("p c johnson", "pc johnson"),
        ("d c i smith", "dci smith"),
        ("is it a p c", "is it a pc"),
        ("i am", "i am"),
        ("Zoë O'Brien", "zoe obrien"),
        # letters with no accent to drop: "Łukasz" must not lose its L
        ("Łukasz Wiśniewski", "lukasz wisniewski"),
        ("Søren Dæhlie", "soren daehlie"),
        ("break-in", "break in"),
        ("42/18734/24", "42 18734 24"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("she cannae breathe", "she cant breathe"),
        ("I didnae pay what I owe", "i didnt pay what i owe"),
        ("a boy wi' a blade", "a boy with a blade"),
        ("he's no breathing", "hes not breathing"),
        ("my dad's no breathing", "my dads not breathing"),
        ("they're no doing anything", "theyre not doing anything"),
        ("that's no like him", "thats not like him"),
        # "no" of "no one", "no longer", "no bother": not "not"
        ("there's no one here", "theres no one here"),
        ("he is no longer there", "he is no longer there"),
        ("it's no bother", "its no bother"),
        ("there's no breathing problem", "theres no breathing problem"),
        ("there is no parking", "there is no parking"),
        ("the wean's no waking up", "the child not waking up"),
    ],
)
def test_scots_is_read_as_the_english_the_rules_are_written_in(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_keeps_number_words() -> None:
    """Intents match on words: "someone"/"one" must not become digits."""
    assert normalise("no one is hurt") == "no one is hurt"
    assert tokens("No-one, is HURT") == ["no", "one", "is", "hurt"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("four two", "42"),
        ("forty two", "42"),
        ("twenty", "20"),
        ("double seven", "77"),
        ("triple oh", "000"),
        ("seven oh one", "701"),
        ("oh no", "oh no"),
        ("nineteen eighty four", "1984"),
        ("one hundred and five", "105"),
        ("three hundred", "300"),
        ("four two stroke one eight seven three four stroke two four", "42/18734/24"),
        ("forty two slash eighteen seven three four forward slash twenty four", "42/18734/24"),
        ("42 18734 24", "42 18734 24"),
        ("42*18734*24#", "42*18734*24#"),
        ("my number is four two", "my number is 42"),
        ("PC one two three four", "pc 1234"),
    ],
)
def test_words_to_digits(text: str, expected: str) -> None:
    assert words_to_digits(text) == expected


def test_digits_to_words() -> None:
    assert digits_to_words("42/18734/24") == (
        "four two stroke one eight seven three four stroke two four"
    )
    assert words_to_digits(digits_to_words("42/18734/24")) == "42/18734/24"


@given(st.text())
@example("W:I")  # spelt letters joined into a word normalise reads again ("wi": "with")
def test_never_raise(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)
    words_to_digits(text)
    assert all(t for t in tokens(text))


def test_a_stammer_keeps_only_its_word() -> None:
    assert normalise("Th-the ref-reference is s-seven, b-b-but") == "the reference is seven but"
    # A hyphen between two words is no stammer.
    assert normalise("x-ray co-operate") == "x ray co operate"
