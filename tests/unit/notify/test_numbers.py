"""UK mobile numbers: one stored form, and a clear refusal for what cannot take a text."""

from __future__ import annotations

import pytest

from ivr.notify.numbers import InvalidNumber, normalise_uk_callback, normalise_uk_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "07700 900123",
        "07700900123",
        "+447700900123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "00447700900123",
        "447700900123",
        "7700900123",
        "07700-900-123",
    ],
)
def test_mobile_numbers_in_any_usual_form_become_e164(raw: str) -> None:
    assert normalise_uk_mobile(raw) == "+447700900123"


def test_isle_of_man_mobiles_are_mobiles() -> None:
    assert normalise_uk_mobile("07624 123456") == "+447624123456"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("01632 960123", "landline"),
        ("020 7946 0123", "landline"),
        ("+44 20 7946 0123", "landline"),
        ("0300 123 1212", "non-geographic"),
        ("0800 123456", "freephone"),
        ("07000 123456", "personal number"),
        ("07600 123456", "pager"),
        ("", "withheld"),
        ("anonymous", "withheld"),
        ("+33 6 12 34 56 78", "not a UK number"),
        ("0770090012", "10 digits"),
        ("077009001234", "12 digits"),
        ("07700 9OO123", "not a phone number"),
    ],
)
def test_numbers_that_cannot_take_an_sms_are_refused_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNumber, match=reason):
        normalise_uk_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "national"),
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("01632 960123", "01632960123"),
        ("+44 20 7946 0123", "02079460123"),
        ("(020) 7946-0123", "02079460123"),
        ("0300 123 1212", "03001231212"),
        ("016977 4321", "0169774321"),  # a 10-digit geographic number
    ],
)
def test_callback_numbers_are_uk_landlines_and_mobiles_in_national_form(
    raw: str, national: str
) -> None:
    assert normalise_uk_callback(raw) == national


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "no caller number"),
        ("Withheld", "no caller number"),
        ("999", "not a UK phone number"),
        ("7700900123", "not a UK phone number"),
        ("+33 6 12 34 56 78", "not a UK phone number"),
        ("07700 9OO123", "not a UK phone number"),
        ("0800 123456", "not a number we can ring back"),
        ("0845 4647000", "not a number we can ring back"),
        ("0906 1234567", "not a number we can ring back"),
        ("07000 123456", "not a number we can ring back"),
        ("07600 123456", "not a number we can ring back"),
        ("0161 123", "7 digits"),
        ("077009001234", "12 digits"),
    ],
)
def test_numbers_a_callback_must_not_ring_are_refused(raw: str, reason: str) -> None:
    with pytest.raises(InvalidNumber, match=reason):
        normalise_uk_callback(raw)
