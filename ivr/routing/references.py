"""Crime references from speech, typed text or keyed digits.

A reference is ``FF/SSSSS/YY``: a 2-digit force code, a 4 to 7 digit serial
and a 2-digit year, canonically written ``42/18734/24``. Callers say it in
many ways ("forty two stroke one eight seven three four stroke twenty
four"), ASR splits or glues the digits unpredictably, and the keypad has no
"/" so ``*`` or ``#`` stand in. The parser therefore looks at runs of digits
separated only by separators or spaces and:

1. if explicit separators ("/", "*", "#", "stroke", "slash") cut the run into
   exactly three groups, the groups must be 2 / 4-7 / 2 (or a 4-digit year
   "2024", whose last two digits are kept);
   Three marked groups of the wrong shape ("4/18734/24") are not re-cut.
2. otherwise all digits of the run are joined and, if there are 8 to 11,
   read as force (first 2), year (last 2) and serial (the rest), which is
   how "4218734#24" or "forty two one eight seven three four two four" end
   up. An 11-digit run starting with 0 is a UK phone number, not a reference.

Anything else is not a reference (None). It never raises: it runs on
whatever a caller says or keys.

Speech is read first as ivr.routing.spoken_refs reads it (digit homophones
where a number is being said, pauses, corrections); ``reference_readings``
also gives the other readings (every homophone a digit, none, the plain
number words), which the case book takes as near misses only.
"""

from __future__ import annotations

import re

from ivr.routing.spoken_refs import Homophones, spoken_digits
from ivr.text import words_to_digits

__all__ = ["digit_runs", "is_reference", "parse_reference", "reference_readings"]

_CANONICAL = re.compile(r"[0-9]{2}/[0-9]{4,7}/[0-9]{2}")
# A run: digit groups joined by separators or single spaces, nothing else.
_RUN = re.compile(r"[0-9]+(?:\s*[/*#]\s*[0-9]+|\s+[0-9]+)*")
_SEPARATORS = re.compile(r"\s*[/*#]\s*")


def is_reference(value: str) -> bool:
    """True for a canonical reference such as "42/18734/24"."""
    return _CANONICAL.fullmatch(value) is not None


def _from_groups(groups: list[str]) -> str | None:
    if len(groups) != 3 or not all(g.isdigit() for g in groups):
        return None  # ("42 1873/24 12": a marked group inside a spaced one)
    force, serial, year = groups
    if len(year) == 4 and year.startswith("20"):
        year = year[2:]
    if len(force) == 2 and 4 <= len(serial) <= 7 and len(year) == 2:
        return f"{force}/{serial}/{year}"
    return None


def _from_digits(digits: str) -> str | None:
    if not 8 <= len(digits) <= 11:
        return None
    if len(digits) == 11 and digits.startswith("0"):
        return None  # 01234 567890, 07700 900123: a phone number
    return f"{digits[:2]}/{digits[2:-2]}/{digits[-2:]}"


def _parse_run(run: str) -> str | None:
    run = run.strip()
    if _SEPARATORS.search(run):
        marked = [g for g in _SEPARATORS.split(run) if g.strip()]
        groups = [re.sub(r"\s+", "", g) for g in marked]
        if len(groups) == 3:
            # The caller marked the groups; trust them rather than re-cut, but a number
            # said next to them is no part of them ("it's 53/04418/26. Four four one
            # eight": the serial said again after the year).
            edges = [marked[0].split()[-1], groups[1], marked[2].split()[0]]
            return _from_groups(groups) or _from_groups(edges)
        # Only one separator (e.g. "4218734#24", or a trailing "#"): the
        # digits alone decide.
    spaced = run.split()
    if len(spaced) == 3:
        found = _from_groups(spaced)
        if found is not None:
            return found
    return _from_digits(re.sub(r"[^0-9]", "", run))


# A caller taking back a whole reference for another ("71/15530/26, no sorry, not that
# one, that's my dad's, mine's 71/22456/26", "oh hang on, that's my sister's, mine is
# ..."): the one after the correction is meant.
_TAKEN_BACK = re.compile(
    r"\b(?:no|sorry|not that one|wrong one|i mean|actually|correction|scratch that|hang on"
    r"|hold on)\b",
    re.I,
)


def _serial_again(chosen: str, run: str) -> str | None:
    """``chosen`` with its serial said again differently after a correction ("76/14057/26,
    no wait, sorry, 14075"): a run of the serial's length and nothing else."""
    force, serial, year = chosen.split("/")
    digits = run.strip()
    if digits.isdigit() and len(digits) == len(serial) and digits != serial:
        return f"{force}/{digits}/{year}"
    return None


def _halves(run: str) -> tuple[str, str] | None:
    """The two groups of a run cut by one separator ("79/03388", "03390/26"), if so."""
    groups = [re.sub(r"\s+", "", g) for g in _SEPARATORS.split(run.strip()) if g.strip()]
    if len(groups) == 2 and all(g.isdigit() for g in groups):
        return groups[0], groups[1]
    return None


def _finished(started: tuple[str, str], run: str) -> str | None:
    """A reference begun as force and serial ("79/03388"), taken back, and said again as
    serial and year ("no sorry, I'm reading it wrong, 03390/26"): the force kept."""
    force, serial = started
    again = _halves(run)
    if again is None or len(force) != 2 or not 4 <= len(serial) <= 7:
        return None
    return _from_groups([force, *again]) if len(again[0]) == len(serial) else None


def _found(text: str) -> str | None:
    """The first reference in text whose numbers are already digits; the next one instead
    when a correction comes between them (``_TAKEN_BACK``), or the first with the serial
    the correction says, or one begun as force and serial and finished after a correction
    (``_finished``)."""
    chosen: str | None = None
    started: tuple[str, str] | None = None  # force and serial said, then taken back
    end = 0
    for match in _RUN.finditer(text):
        found = _parse_run(match.group())
        said_back = _TAKEN_BACK.search(text, end, match.start()) is not None
        if found is None and chosen is None and started is not None and said_back:
            found = _finished(started, match.group())
        taken_back = chosen is not None and said_back
        if found is None:
            serial = _serial_again(chosen, match.group()) if chosen and taken_back else None
            if serial is not None:
                chosen, end = serial, match.end()
            elif chosen is None:
                started, end = _halves(match.group()), match.end()
            continue
        if chosen is not None and not taken_back:
            break
        chosen, end = found, match.end()
    return chosen


def _texts(text_or_digits: str) -> tuple[str, ...]:
    """The words read with numbers as digits, the likeliest reading first."""
    return (
        spoken_digits(text_or_digits),
        words_to_digits(text_or_digits),
        spoken_digits(text_or_digits, Homophones.ALL),
        spoken_digits(text_or_digits, Homophones.NONE),
    )


def digit_runs(text_or_digits: str) -> list[str]:
    """The digits of every run one digit short or long of a reference (7 to 12), in any
    reading: what a reference with a digit dropped or doubled by the recogniser leaves.
    Phone numbers (11 digits from a 0) are left out."""
    runs: list[str] = []
    for text in _texts(text_or_digits):
        for match in _RUN.finditer(text):
            digits = re.sub(r"[^0-9]", "", match.group())
            phone = len(digits) == 11 and digits.startswith("0")
            if 7 <= len(digits) <= 12 and not phone and digits not in runs:
                runs.append(digits)
    return runs


def reference_readings(text_or_digits: str) -> list[str]:
    """Every reference the words can be read as, the likeliest first; empty if none.

    ``parse_reference``'s reading comes first when there is one; the others come
    from reading the digit homophones otherwise ("twenty for my burglary": 20, or
    24?) and are for near-miss matching only (ivr.routing.case_route confirms them).
    """
    readings: list[str] = []
    for text in _texts(text_or_digits):
        found = _found(text)
        if found is not None and found not in readings:
            readings.append(found)
    return readings


def parse_reference(text_or_digits: str) -> str | None:
    """The canonical reference in ``text_or_digits`` ("42/18734/24"), or None."""
    found = _found(spoken_digits(text_or_digits))
    return found if found is not None else _found(words_to_digits(text_or_digits))
