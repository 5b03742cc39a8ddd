"""Caller numbers never reach a log in clear: ``077009•••01`` is enough to tell calls apart.

Logs are kept and shipped beyond the retention the database keeps (``[store]
numbers_days``), so a number in a log line outlives its blanking. Log the call id where
there is one; where a number must show, ``mask_number`` it. ``mask_numbers`` masks any
phone number inside free text (a provider's error, an ARI message, a traceback), and
``MaskingFormatter`` applies it to every line the ``ivr`` command logs, as a net under
the call sites.
"""

from __future__ import annotations

import logging
import re
from typing import Final

MASK: Final = "•"
_HEAD: Final = 6  # 07700 9: the kind of number (mobile, area), not whose
_TAIL: Final = 2

# A phone number as the app meets them: +447700900001, 447700900001, 07700900001,
# 00447700900001. Not Asterisk's channel ids (epoch seconds: 1732456789.42) nor our
# ids (leg-00123456789: a hex id can be all digits).
_NUMBER = re.compile(r"(?<![\w.-])(?:\+\d{8,15}|00\d{8,15}|0\d{8,11}|44\d{9,10})(?![\w])")


def mask_number(number: str) -> str:
    """``07700900001`` → ``077009•••01``: at most 6 leading and 2 trailing characters."""
    if not number:
        return "?"
    if len(number) <= _TAIL + 3:
        return MASK * len(number)
    head = number[: min(_HEAD, len(number) - _TAIL - 3)]
    return head + MASK * (len(number) - len(head) - _TAIL) + number[-_TAIL:]


def mask_numbers(text: str) -> str:
    """Every phone number in ``text`` masked; the rest unchanged."""
    return _NUMBER.sub(lambda m: mask_number(m.group(0)), text)


class MaskingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments, traceback) has its numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))
