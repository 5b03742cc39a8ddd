"""Crime references from speech, text and keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.routing.references import is_reference, parse_reference
from ivr.text import digits_to_words


@pytest.mark.parametrize(
    "text",
    [
        "42/18734/24",
        "forty two stroke one eight seven three four stroke twenty four",
        "four two slash one eight seven three four slash two four",
        "four two forward slash one eight seven three four forward slash two four",
        "42 18734 24",
        "42*18734*24#",
        "42*18734*24",
        "4218734#24",
        "421873424",
        "my crime number is 42/18734/24 thanks",
        "it's forty two one eight seven three four two four",
        "reference 42 stroke 18734 stroke twenty twenty four",
        "four two stroke eighteen seven three four stroke two four",
        "42 187 34 24",
    ],
)
def test_spoken_typed_and_keyed_forms(text: str) -> None:
    assert parse_reference(text) == "42/18734/24"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("43/1234/23", "43/1234/23"),
        ("01*9999999*25#", "01/9999999/25"),
        ("forty two stroke one two three four five six seven stroke two five", "42/1234567/25"),
    ],
)
def test_serial_lengths(text: str, expected: str) -> None:
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I want to report a crime",
        "it happened on the 3rd of May",
        "42/123/24",  # serial too short
        "42/12345678/24",  # serial too long
        "4/18734/24",
        "call me on 07700 900123",
        "01234 567890",
        "1234",
        "#",
        "***",
        "no one is hurt",
    ],
)
def test_not_references(text: str) -> None:
    assert parse_reference(text) is None


def test_is_reference() -> None:
    assert is_reference("42/18734/24")
    assert not is_reference("42 18734 24")
    assert not is_reference("42/18734/2024")


@given(st.text())
def test_never_raises(text: str) -> None:
    result = parse_reference(text)
    assert result is None or is_reference(result)


@given(
    st.from_regex(r"[0-9]{2}", fullmatch=True),
    st.from_regex(r"[0-9]{4,7}", fullmatch=True),
    st.from_regex(r"[0-9]{2}", fullmatch=True),
)
def test_round_trip_through_speech_and_keys(force: str, serial: str, year: str) -> None:
    canonical = f"{force}/{serial}/{year}"
    assert parse_reference(canonical) == canonical
    assert parse_reference(digits_to_words(canonical)) == canonical
    assert parse_reference(f"{force}*{serial}*{year}#") == canonical


def test_a_number_said_again_beside_a_marked_reference_is_no_part_of_it() -> None:
    said = "it's 53/04418/26. Four four one eight."
    assert parse_reference(said) == "53/04418/26"
    assert parse_reference("my ref is 12 42/18734/24 and 3 more things") == "42/18734/24"
    assert parse_reference("4/18734/24") is None  # marked groups of the wrong shape stay wrong


def test_a_reference_taken_back_for_another_gives_the_one_after_the_correction() -> None:
    said = "it's 71/15530/26, no sorry, not that one, that's my dad's quad bike, mine's 71/22456/26"
    assert parse_reference(said) == "71/22456/26"
    said = "My reference is 78/13540/26, oh hang on, that's my sister's, mine is 78/13318/26."
    assert parse_reference(said) == "78/13318/26"
    # Two references with no correction between them: the first, as said, is the caller's.
    assert parse_reference("mine's 71/15530/26 and my dad's is 71/22456/26") == "71/15530/26"
    said = "his is 71/15530/26, mine is 71/22456/26 but I'm calling about his"
    assert parse_reference(said) == "71/15530/26"


def test_a_stammered_reference_is_read_without_the_stammer() -> None:
    said = "Th-the ref-reference is s-seven one, one eight eight five two, t-two six."
    assert parse_reference(said) == "71/18852/26"


def test_a_serial_said_again_after_a_correction_replaces_the_serial() -> None:
    said = "My reference is 76/14057/26, no wait, sorry, 14075, I had them the wrong way round"
    assert parse_reference(said) == "76/14075/26"
    # A number of another length, or with no correction before it, is no serial.
    assert parse_reference("76/14057/26, no sorry, it was 2026") == "76/14057/26"
    assert parse_reference("76/14057/26 and 14075 is my house number") == "76/14057/26"


def test_a_reference_begun_taken_back_and_finished_keeps_its_force_code() -> None:
    said = (
        "My reference is seven nine stroke oh three three eight eight, no sorry, I'm reading"
        " it wrong, oh three three nine oh, stroke two six"
    )
    assert parse_reference(said) == "79/03390/26"
    # Without a correction between them, no reference.
    assert parse_reference("79/03388 and then 03390/26") is None


def test_a_marked_group_inside_a_spaced_one_is_no_reference_and_raises_nothing() -> None:
    assert parse_reference("42 1873/24 12 no 03388") != "42/1873/24/12"
