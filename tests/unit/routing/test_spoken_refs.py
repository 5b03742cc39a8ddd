"""Spoken references as recognisers write them (issue 16 item 4): homophones of digits,
grouping, "double", "oh", separators and self-corrections; and sentences that stay words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.routing.references import parse_reference, reference_readings
from ivr.routing.spoken_refs import Homophones, spoken_digits


@pytest.mark.parametrize(
    ("said", "reference"),
    [
        # homophones of digits inside a run or tight at its edge
        ("forty two stroke one eight seven three for stroke twenty for", "42/18734/24"),
        ("four to stroke one eight seven three four stroke two four", "42/18734/24"),
        ("for two stroke one eight seven three four stroke two four", "42/18734/24"),
        ("it's for two stroke one eight seven three four stroke two four", "42/18734/24"),
        ("four two stroke one ate seven three four stroke two four", "42/18734/24"),
        ("four two stroke won eight seven three four stroke two four", "42/18734/24"),
        ("fore two slash one eight seven three four slash two four", "42/18734/24"),
        ("forty too stroke one eight seven three four stroke twenty four", "42/18734/24"),
        ("42/1873 for/24", "42/18734/24"),
        ("42 stroke 18734 stroke twenty for", "42/18734/24"),
        ("four two one eight seven three four to four", "42/18734/24"),
        ("um forty two stroke one eight seven three four stroke twenty for please", "42/18734/24"),
        ("forty two stroke one eight seven three four stroke twenty for, thank you", "42/18734/24"),
        # grouping and pauses
        ("Forty-two, stroke, one eight seven three four, stroke, twenty-four.", "42/18734/24"),
        ("four two, one eight seven, three four, two four", "42/18734/24"),
        ("four two, one eight seven three four, two four", "42/18734/24"),
        ("4 2, 1 8 7 3 4, 2 4", "42/18734/24"),
        ("I'm ringing about forty two one eight seven three four twenty four", "42/18734/24"),
        ("forty two stroke eighteen seven thirty four stroke twenty twenty four", "42/18734/24"),
        ("forty two stroke one eight seven three four stroke two oh two four", "42/18734/24"),
        # separators
        ("four two dash one eight seven three four dash two four", "42/18734/24"),
        ("four two oblique one eight seven three four oblique two four", "42/18734/24"),
        ("four two forward slash one eight seven three four slash two four", "42/18734/24"),
        # a line drawn between the groups, read off a letter
        ("four two line one eight seven three four line two four", "42/18734/24"),
        (
            "four, two, then a line, one, eight, seven, three, four, then another line, two, four",
            "42/18734/24",
        ),
        # double, oh, nought
        ("four two stroke one eight seven double three stroke two four", "42/18733/24"),
        ("double four stroke one eight seven three four stroke two four", "44/18734/24"),
        ("four two stroke one double oh four five stroke two three", "42/10045/23"),
        ("four two stroke one oh oh four five stroke two three", "42/10045/23"),
        ("four two stroke one nought nought four five stroke two three", "42/10045/23"),
        ("four two stroke one zero o four five stroke two three", "42/10045/23"),
        ("oh one stroke nine nine nine nine stroke two five", "01/9999/25"),
        ("oh won stroke nine nine nine nine stroke two five", "01/9999/25"),
        # self-corrections replace the last group (or its last digits)
        (
            "four two, no, four three stroke one eight seven three four stroke two four",
            "43/18734/24",
        ),
        (
            "four two stroke one eight seven three five, sorry, one eight seven three four"
            " stroke two four",
            "42/18734/24",
        ),
        ("four two stroke one eight seven three five, no, four stroke two four", "42/18734/24"),
        (  # the corrected group said again in full
            "seven six stroke two oh seven five six, no, five five, two oh seven five five,"
            " stroke two six",
            "76/20755/26",
        ),
        (
            "four two stroke one eight seven, I mean, one eight six three four stroke two four",
            "42/18634/24",
        ),
        (  # the group begun again, longer, after "hang on"
            "eight four, oh six two oh, no, hang on, oh six two oh seven, stroke two six",
            "84/06207/26",
        ),
        ("eight four oh six two oh, wait, oh six two oh seven, stroke two six", "84/06207/26"),
        # ... but a hesitation that only pauses the reading keeps what was said
        ("forty two stroke one eight seven, hold on, three four stroke two four", "42/18734/24"),
        ("four two stroke one eight, wait, seven three four stroke two four", "42/18734/24"),
        (
            "forty two stroke one eight seven three four stroke two five no sorry two four",
            "42/18734/24",
        ),
        (
            "my crime number is forty two stroke one eight seven three four stroke twenty four",
            "42/18734/24",
        ),
        # the middle group said as a number, and "then" between groups
        ("forty two, fifty five thousand five hundred and seventeen, twenty six", "42/55517/26"),
        (
            "forty-two slash twenty thousand nine hundred and sixty-two slash twenty-five",
            "42/20962/25",
        ),
        ("four two stroke twenty thousand and five stroke two four", "42/20005/24"),
        ("it's four two, then three oh one two six, then two four", "42/30126/24"),
        (
            "it starts forty-two and then it's three four oh eight five stroke two five",
            "42/34085/25",
        ),
        # as Whisper prints a spoken reference: figures, an ordinal, a thousands comma,
        # "flash" for slash, "forty two" as "40 to"
        ("The reference is 42nd slash 10,056.26 about the van", "42/10056/26"),
        ("reference number 40 to slash 15520 slash 26", "42/15520/26"),
        ("Reference 42. Flash 02719. Flash 26.", "42/02719/26"),
        ("Reference 40 2 slash 29640 slash 24", "42/29640/24"),
    ],
)
def test_spoken_references(said: str, reference: str) -> None:
    assert parse_reference(said) == reference
    assert reference_readings(said)[0] == reference


@pytest.mark.parametrize(
    ("said", "words"),
    [
        ("I want to report it for my mum", "i want to report it for my mum"),
        ("can I speak to one of your officers", "can i speak to 1 of your officers"),
        ("I need to talk to someone about it", "i need to talk to someone about it"),
        ("oh no, someone took my car", "oh no someone took my car"),
        ("it was for two weeks", "it was for 2 weeks"),
        ("I ate too much", "i ate too much"),
        ("put me through to PC Smith", "put me through to pc smith"),
        ("is it too late to report it", "is it too late to report it"),
        ("I waited for twenty minutes for a call back", "i waited for 20 minutes for a call back"),
        ("no one won anything", "no 1 won anything"),
        ("my reference is 42/18734/24, to be honest", "my reference is 42/18734/24 to be honest"),
        ("no, sorry, I mean the other one", "no sorry i mean the other 1"),
        ("I waited in line for two hours", "i waited in line for 2 hours"),
        ("bus number one then a line of cars", "bus number 1 then a line of cars"),
    ],
)
def test_ordinary_words_stay_words(said: str, words: str) -> None:
    assert spoken_digits(said) == words


@pytest.mark.parametrize(
    "said",
    [
        "I want to report it for my mum",
        "call me on oh seven seven double oh nine double oh one two three",  # a phone number
        "it was for two weeks to the day",
        "no one is hurt",
        "it happened on the 22nd, I paid 1,500 pounds for it",
        "I was 40 2 years ago, the camera flash went off",
    ],
)
def test_not_references(said: str) -> None:
    assert parse_reference(said) is None
    assert reference_readings(said) == []


def test_other_readings_follow_the_likeliest() -> None:
    """ "twenty for" then a word: 24 (a compound number) first, 20 offered as a near miss."""
    assert reference_readings("42 stroke 18734 stroke twenty for my burglary") == [
        "42/18734/24",
        "42/18734/20",
    ]


def test_homophones_by_reading() -> None:
    said = "forty two stroke one eight seven three for stroke twenty for"
    assert spoken_digits(said, Homophones.NONE) == "42/1873 for /20 for"
    assert spoken_digits(said, Homophones.ALL) == "42/18734/24"
    assert spoken_digits("through to 4218734 24", Homophones.ALL) == "through 2 4218734 24"
    assert spoken_digits("through to 4218734 24") == "through to 4218734 24"


@given(st.text(), st.sampled_from(list(Homophones)))
def test_never_raises(text: str, homophones: Homophones) -> None:
    spoken_digits(text, homophones)
    for reading in reference_readings(text):
        assert parse_reference(reading) == reading


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        (
            "five two slash one four four zero two slash twenty six, no, hang on, it starts"
            " eight two, not five two",
            "82/14402/26",
        ),
        ("82/14402/25, sorry, it ends in 26", "82/14402/26"),
        (
            "four six stroke one five three three six stroke two six, oh no sorry, it's eight"
            " six at the start, eight six",
            "86/15336/26",
        ),
    ],
)
def test_a_group_put_right_by_where_it_is_replaces_that_end(said: str, expected: str) -> None:
    assert parse_reference(spoken_digits(said)) == expected


def test_a_number_after_starts_that_fits_no_group_changes_nothing() -> None:
    assert spoken_digits("82/14402/26 and it starts at nine") == "82/14402/26 and it starts at 9"
    said = "82/14402/26 and the car was at the end of the road"
    assert spoken_digits(said) == said
