"""Label values we let into a metric: short names from the ruleset, never personal data.

A label value becomes a time series for ever (in Prometheus and every dashboard), so
each must be (1) a name, not free text or a number: lower-case letters, digits and
``_ . : / -``, at most 64 characters, no run of five or more digits (a phone number or a
crime reference would have one); and (2) one of a bounded set: after ``limit`` distinct
values a label's new ones are all counted as ``other``, and after ``MAX_SERIES`` label
combinations a metric's new ones are all ``other`` too (``SeriesCap``). A destination is
labelled by its route category (ivr.analysis.kpis.route_of): a directory entry names a
person, so it never becomes a label. Either cap, once hit, is logged (once per guard):
``other`` then hides figures, which someone should know.
"""

from __future__ import annotations

import logging
import re
from typing import Final

log = logging.getLogger(__name__)

OTHER: Final = "other"
NONE: Final = "none"
MAX_VALUES: Final = 200
MAX_SERIES: Final = 1000  # label combinations per metric
_NAME = re.compile(r"[a-z0-9][a-z0-9_.:/-]{0,63}")
_DIGITS = re.compile(r"\d{5,}")


def is_name(value: str) -> bool:
    """A value fit for a label: a short name with no long number in it."""
    return _NAME.fullmatch(value) is not None and _DIGITS.search(value) is None


class LabelValues:
    """The values one label has taken: bounded, and only names."""

    def __init__(self, limit: int = MAX_VALUES, name: str = "a label") -> None:
        self._limit = limit
        self._name = name
        self._seen: set[str] = set()
        self.full = False  # the limit was hit: new values are counted as OTHER

    def __call__(self, value: object) -> str:
        text = str(value).strip().lower() if value is not None else ""
        if not text:
            return NONE
        if not is_name(text):
            return OTHER
        if text not in self._seen:
            if len(self._seen) >= self._limit:
                if not self.full:
                    log.warning(
                        "metrics: %s has %d values; new ones count as other",
                        self._name,
                        self._limit,
                    )
                self.full = True
                return OTHER
            self._seen.add(text)
        return text


class SeriesCap:
    """The label combinations one metric has taken: at most ``limit``, then all OTHER.

    Each label is bounded on its own, but their product need not be (action x
    destination x rule): this bounds the series a metric can create."""

    def __init__(self, metric: str, limit: int = MAX_SERIES) -> None:
        self._metric = metric
        self._limit = limit
        self._seen: set[tuple[str, ...]] = set()
        self.full = False

    def __call__(self, *values: str) -> tuple[str, ...]:
        if values in self._seen:
            return values
        if len(self._seen) >= self._limit:
            if not self.full:
                log.warning(
                    "metrics: %s has %d series; new ones count as other", self._metric, self._limit
                )
            self.full = True
            values = (OTHER,) * len(values)
        self._seen.add(values)
        return values


def step_kind(step: str) -> str:
    """A call's step by its verb (``queue:fcr`` → ``queue``, ``play:welcome`` → ``play``):
    a handful of values, whatever the prompts and destinations are called."""
    return step.partition(":")[0]
