"""The board's "Said": long numbers, typed or spoken, masked; short ones readable."""

from __future__ import annotations

import pytest

from ivr.console.said import MASKED_FROM, mask_said


@pytest.mark.parametrize(
    ("heard", "shown"),
    [
        ("call me on 07700 900123 please", "call me on ••••••••••• please"),
        ("07700-900-123", "•••••••••••"),
        ("+44 7700 900123", "+••••••••••••"),
        ("card 4929 1234 5678 9012.", "card ••••••••••••••••."),
        ("born 12/03/1985", "born ••••••••"),
        ("born 12.03.85", "born ••••••"),
        # Spoken, as a recogniser writes it: digits, "oh", doubles, teens and tens.
        (
            "my number is oh seven seven oh oh nine oh oh one two three",
            "my number is •••••••••••",
        ),
        ("double seven double oh nine", "•••••"),
        ("born twelve oh three nineteen eighty five", "born ••••••••"),
        ("oh seven seven, oh oh nine", "••••••"),
        ("0, 7, 7, 0, 0, 9, 0, 0, 1, 2, 3.", "•••••••••••."),  # Whisper, digit by digit
        ("Seven Seven Oh Oh Nine", "•••••"),
        # Two numbers with a word between are two numbers: each is judged alone.
        ("flat 12 number 1234", "flat 12 number 1234"),
        ("07700900123 or 4", "••••••••••• or 4"),
    ],
)
def test_long_numbers_are_masked_one_dot_per_digit(heard: str, shown: str) -> None:
    assert mask_said(heard) == shown


@pytest.mark.parametrize(
    "heard",
    [
        "2 men at 42 High Street",
        "three men in a blue car",
        "flat 12 at 1234",  # a year, a PIN-length number: under MASKED_FROM digits
        "oh no he's back",  # "oh" is only zero among other digits
        "the twelfth of march",
        "one two three four",
        "it's 10.30 at number 7",
        "",
        "my bike was stolen",
    ],
)
def test_short_numbers_and_words_stay_as_heard(heard: str) -> None:
    assert mask_said(heard) == heard


def test_the_threshold_is_a_count_of_digits_not_of_words() -> None:
    assert MASKED_FROM == 5
    assert mask_said("1234") == "1234"
    assert mask_said("12345") == "•••••"
    assert mask_said("twenty twenty") == "twenty twenty"  # 2020
    assert mask_said("nineteen eighty four oh") == "•••••"  # 19840


def test_every_number_of_a_long_text_is_masked() -> None:
    heard = "ring 07700900123 " * 2_000
    assert mask_said(heard) == "ring ••••••••••• " * 2_000
