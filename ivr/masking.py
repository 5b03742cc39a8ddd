"""Caller numbers never reach a log in clear: ``077009•••01`` is enough to tell calls apart.

The console shows less (``mask_for_console``: ``07•••••••01``): a log mask leaves 1,000
candidates, few enough to guess a number without the audited reveal.

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
_CONSOLE_HEAD: Final = 2  # 07: a mobile, 01/02: a landline; +44 with its plus
_CONSOLE_HIDDEN: Final = 7  # at least ten million candidates, or all of it hidden

# A phone number as the app meets them: +447700900001, 447700900001, 07700900001,
# 00447700900001, spaced or hyphenated as people write them (+44 7700 900001, 07700 900001,
# 07700-900-001), or URL-encoded in a query or path (%2B447700900001, %2F07700900001).
# Not Asterisk's channel ids (epoch seconds: 1732456789.42), our ids (leg-00123456789,
# cb-<hex>-<n>: a hex id can be all digits), dates and times, ports or durations.
#
# _RUN finds a run of digit groups joined by single spaces or hyphens, perhaps after a plus;
# _masked_run decides which groups of it form numbers. A run starts where a number can: not
# inside a word, an id or a decimal, but after a URL escape. Possessive, so a run is read
# once however it ends: a log line is masked in time linear in its length.
_RUN = re.compile(
    r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![\w.%-]))(?P<plus>\+|%2[Bb])?(?P<run>\d++(?:[ -]\d++)*+)"
)
_GROUP = re.compile(r"\d+")
_GLUED = re.compile(r"\w|\.\d")  # what a number's last digit is never followed by
_MAX_GROUPS: Final = 6  # +44 20 7946 0000: more groups than any number is written in


def mask_number(number: str) -> str:
    """``07700900001`` → ``077009•••01``: at most 6 leading and 2 trailing characters."""
    if not number:
        return "?"
    if len(number) <= _TAIL + 3:
        return MASK * len(number)
    head = number[: min(_HEAD, len(number) - _TAIL - 3)]
    return head + MASK * (len(number) - len(head) - _TAIL) + number[-_TAIL:]


def mask_for_console(number: str) -> str:
    """``07700900001`` → ``07•••••••01``: the kind of number (its prefix, ``+44`` for an
    international one) and the last two digits, to tell callers apart on the board; a
    short number (an extension) wholly masked."""
    if not number:
        return "?"
    head = _CONSOLE_HEAD + 1 if number.startswith("+") else _CONSOLE_HEAD
    if len(number) < head + _TAIL + _CONSOLE_HIDDEN:
        return MASK * len(number)
    return number[:head] + MASK * (len(number) - head - _TAIL) + number[-_TAIL:]


def mask_numbers(text: str) -> str:
    """Every phone number in ``text`` masked; the rest unchanged."""
    return _RUN.sub(_masked_run, text)


def _is_number(digits: str, plus: bool) -> bool:
    """Whether these digits (separators removed) have the length of a phone number."""
    if plus:
        return 8 <= len(digits) <= 15
    if digits.startswith("00") and 10 <= len(digits) <= 17:
        return True
    if digits.startswith("0"):
        return 9 <= len(digits) <= 12
    return digits.startswith("44") and 11 <= len(digits) <= 12


def _masked_run(match: re.Match[str]) -> str:
    """The run with the numbers in it masked: the longest ones, left to right.

    A number starts at the run's start (with its plus) or after a space, never after a
    hyphen (leg-00123456789), and ends at the run's end or before a space, never before a
    hyphen (an id or a date goes on). Its groups after the first have two digits or more
    (``0 12 calls`` is not a number). A run that runs into a word or a decimal
    (``07700900001abc``, ``…T09``) ends before its last group.
    """
    plus, run = match["plus"] or "", match["run"]
    groups = [(g.start(), g.end()) for g in _GROUP.finditer(run)]
    if _GLUED.match(match.string, match.end()):
        groups.pop()

    def separator_after(index: int) -> str:
        """The separator after group ``index``, "" after the last."""
        end = groups[index][1]
        return run[end] if end < len(run) else ""

    out: list[str] = [plus]
    done = 0  # characters of run already in out
    i = 0
    while i < len(groups):
        if i > 0 and separator_after(i - 1) != " ":
            i += 1
            continue
        for j in range(min(len(groups), i + _MAX_GROUPS), i, -1):
            if separator_after(j - 1) == "-":
                continue
            if any(b - a < 2 for a, b in groups[i + 1 : j]):
                continue
            digits = "".join(run[a:b] for a, b in groups[i:j])
            if _is_number(digits, plus=bool(plus) and i == 0):
                begin, end = groups[i][0], groups[j - 1][1]
                number = run[begin:end]
                if i == 0 and plus:
                    out.pop()
                    masked = mask_number("+" + number)
                    number_out = plus + masked[1:]
                else:
                    number_out = mask_number(number)
                out += [run[done:begin], number_out]
                done, i = end, j
                break
        else:
            i += 1
    out.append(run[done:])
    return "".join(out)


class MaskingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments, traceback) has its numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_numbers(super().format(record))
