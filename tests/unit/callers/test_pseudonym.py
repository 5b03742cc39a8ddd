"""Pseudonyms: one caller in every presented form, keyed, and nobody for withheld numbers."""

from __future__ import annotations

import logging

import pytest

from ivr.callers.pseudonym import Pseudonymiser, normalise_number


@pytest.mark.parametrize(
    "presented",
    [
        "07700900123",
        "07700 900 123",
        "+447700900123",
        "+44 (0)7700 900123",
        "00447700900123",
        "447700900123",
        "7700900123",
    ],
)
def test_every_usual_form_of_a_uk_number_is_one_caller(presented: str) -> None:
    assert normalise_number(presented) == "+447700900123"
    keyed = Pseudonymiser("k1")
    assert keyed.pseudonym(presented) == keyed.pseudonym("07700900123")


@pytest.mark.parametrize(
    "presented",
    ["", "anonymous", "Anonymous", "WITHHELD", "unknown", "private", "0", "199", "2001", "+1"],
)
def test_withheld_unknown_and_short_numbers_have_no_pseudonym(presented: str) -> None:
    assert Pseudonymiser("k1").pseudonym(presented) is None


def test_pseudonyms_are_stable_keyed_and_do_not_contain_the_number() -> None:
    one, same, other = Pseudonymiser("k1"), Pseudonymiser("k1"), Pseudonymiser("k2")
    p = one.pseudonym("07700900123")
    assert p is not None and len(p) == 64
    assert p == same.pseudonym("07700900123")
    assert p != other.pseudonym("07700900123")
    assert p != one.pseudonym("07700900124")
    assert "7700900123" not in p and "k1" not in repr(one)


def test_a_missing_key_is_random_per_process_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        first = Pseudonymiser.from_setting("")
        second = Pseudonymiser.from_setting("")
    assert first.pseudonym("07700900123") != second.pseudonym("07700900123")
    assert "IVR_CALLER_KEY" in caplog.text and "restart" in caplog.text
    with pytest.raises(ValueError):
        Pseudonymiser("")
