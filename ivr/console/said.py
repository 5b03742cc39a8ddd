"""What the board shows of a caller's words: long numbers masked, the rest as heard.

Callers say their phone number, a card number or a date of birth, and the board is on
screens in a control room. A run of digits, typed ("07700 900123", "12/03/1985") or
spoken as the recogniser writes it ("oh seven seven oh oh ...", "double seven"), is
shown as one dot per digit once it holds ``MASKED_FROM`` digits or more. Shorter
numbers stay readable ("2 men", "42 High Street", "flat 12"): they say what happened,
not who the caller is. Only the board's copy is masked; the call's record keeps the
words for those allowed to read it.
"""

from __future__ import annotations

import re
from typing import Final

from ivr.masking import MASK
from ivr.text import DIGIT_WORDS, words_to_digits

MASKED_FROM: Final = 5  # digits: longer than a house number, shorter than any phone number

# Words a recogniser writes inside a spoken number (ivr.text.words_to_digits reads them).
_NUMBER_WORDS: Final = frozenset(
    (
        *DIGIT_WORDS,
        *("oh", "o", "double", "triple", "treble", "hundred"),
        *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
        *("seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fourty"),
        *("fifty", "sixty", "seventy", "eighty", "ninety"),
    )
)
_TOKEN: Final = re.compile(r"[^\W_]+")
# Between two pieces of one number: spaces and at most one of - , . / ("07700-900 123",
# "12/03/85", "oh seven, seven oh oh"). Any other word or mark ends the number.
_GAP: Final = re.compile(r"\s*[-,./]?\s*")


def mask_said(text: str) -> str:
    """``text`` with every run of ``MASKED_FROM`` or more digits (typed or spoken) as dots."""
    out: list[str] = []
    kept_to = 0  # text[:kept_to] is already in out
    run_start = run_end = -1  # the span of the number being read, if any
    for token in _TOKEN.finditer(text):
        numeric = token[0].isdigit() or token[0].lower() in _NUMBER_WORDS
        joins = run_start >= 0 and _GAP.fullmatch(text, run_end, token.start()) is not None
        if numeric and joins:
            run_end = token.end()
            continue
        if run_start >= 0:
            kept_to = _flush(text, out, kept_to, run_start, run_end)
            run_start = -1
        if numeric:
            run_start, run_end = token.span()
    if run_start >= 0:
        kept_to = _flush(text, out, kept_to, run_start, run_end)
    out.append(text[kept_to:])
    return "".join(out)


def _flush(text: str, out: list[str], kept_to: int, start: int, end: int) -> int:
    """Mask ``text[start:end]`` if it holds enough digits; where the text is kept up to."""
    digits = sum(ch.isdigit() for ch in words_to_digits(text[start:end]))
    if digits < MASKED_FROM:
        return kept_to
    out.append(text[kept_to:start])
    out.append(MASK * digits)
    return end
