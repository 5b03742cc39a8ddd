"""Label values we let into a metric: short names from the ruleset, never personal data.

A label value becomes a time series for ever (in Prometheus and every dashboard), so
each must be (1) a name, not free text or a number: lower-case letters, digits and
``_ . : / -``, at most 64 characters, no run of five or more digits (a phone number or a
crime reference would have one); and (2) one of a bounded set: after ``limit`` distinct
values a label's new ones are all counted as ``other``. Destinations, rule names, queue
names, engines and steps come from the ruleset and the code, so neither bound is hit in
practice; the guard is what makes that a promise rather than a hope.
"""

from __future__ import annotations

import re
from typing import Final

OTHER: Final = "other"
NONE: Final = "none"
MAX_VALUES: Final = 200
_NAME = re.compile(r"[a-z0-9][a-z0-9_.:/-]{0,63}")
_DIGITS = re.compile(r"\d{5,}")


def is_name(value: str) -> bool:
    """A value fit for a label: a short name with no long number in it."""
    return _NAME.fullmatch(value) is not None and _DIGITS.search(value) is None


class LabelValues:
    """The values one label has taken: bounded, and only names."""

    def __init__(self, limit: int = MAX_VALUES) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def __call__(self, value: object) -> str:
        text = str(value).strip().lower() if value is not None else ""
        if not text:
            return NONE
        if not is_name(text):
            return OTHER
        if text not in self._seen:
            if len(self._seen) >= self._limit:
                return OTHER
            self._seen.add(text)
        return text


def step_kind(step: str) -> str:
    """A call's step by its verb (``queue:fcr`` → ``queue``, ``play:welcome`` → ``play``):
    a handful of values, whatever the prompts and destinations are called."""
    return step.partition(":")[0]
