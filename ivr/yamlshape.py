"""The shape of admin-edited YAML, declared once per mapping.

Each loader used to hand-write its own unknown-key and type checks, each
worded its own way. A ``Shape`` declares the keys a mapping may have, the
kind of value each takes and which must be there; ``Shape.check`` reports
every misspelt key, wrong kind and missing key as 'file:line: message' and
hands back only what fits. The loader then makes only the checks that are
its own (a destination, a date, a range) and never re-tests a type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeAlias

from ivr.yamlfile import DataFileError, LineDict, line_of


class Kind(Enum):
    """The kind of value a key takes; the value is how a message names it."""

    ANY = "anything"
    TEXT = "text"
    FLAG = "true or false"
    NUMBER = "a number"
    WHOLE = "a whole number"
    MAPPING = "a mapping"
    LIST = "a list"
    NAMES = "a name or a list of names"  # a rule's "destination: rc" or "[rc, fcr]"

    def holds(self, value: Any) -> bool:
        if self is Kind.ANY:
            return True
        if self is Kind.TEXT:
            return isinstance(value, str)
        if self is Kind.FLAG:
            return isinstance(value, bool)
        if self is Kind.NAMES:
            names = value if isinstance(value, list) else [value]
            return bool(names) and all(isinstance(name, str) and name for name in names)
        if isinstance(value, bool):  # YAML's yes/no is no number
            return False
        if self is Kind.NUMBER:
            return isinstance(value, int | float)
        if self is Kind.WHOLE:
            return isinstance(value, int)
        if self is Kind.MAPPING:
            return isinstance(value, dict)
        return isinstance(value, list)


@dataclass(frozen=True)
class Number:
    """A number within [low, high] (a whole one if ``whole``); ``unit`` names what it counts."""

    low: float = 0.0
    high: float = math.inf
    whole: bool = False
    unit: str = ""

    def holds(self, value: Any) -> bool:
        kind = Kind.WHOLE if self.whole else Kind.NUMBER
        return kind.holds(value) and self.low <= value <= self.high

    @property
    def value(self) -> str:
        """How a message names it: 'a whole number from 1 to 10', 'a number >= 0'."""
        what = ("a whole number" if self.whole else "a number") + (
            f" of {self.unit}" if self.unit else ""
        )
        if self.high == math.inf:
            return f"{what} >= {self.low:g}"
        return f"{what} from {self.low:g} to {self.high:g}"


# What a key takes: a kind, or a number within a range.
Spec: TypeAlias = Kind | Number


class Problems:
    """Every 'file:line: message' of one file, so an admin fixes the file in one go."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(f"{self.source}:{line}: {message}")

    def raise_if_any(self, error: type[DataFileError]) -> None:
        if self.items:
            raise error(self.items)


def _prefixed(what: str, message: str) -> str:
    return f"{what}: {message}" if what else message


def _shown(value: Any) -> str:
    """The wrong value itself, when it is short enough to say (a scalar)."""
    return "" if isinstance(value, dict | list) else f", not {value!r}"


@dataclass(frozen=True)
class Shape:
    """The keys a mapping may have (key -> kind or number), those it must have, a hint.

    ``hint`` follows "expected a mapping" when the value is no mapping at all,
    e.g. "with name:, when: and then:". A key left empty is a value of the
    wrong kind, unless it ``may_be_empty``: an empty ``destination:`` must not
    quietly widen a rule, an empty ``keypad:`` may keep the default keypad.
    """

    keys: Mapping[str, Spec]
    required: frozenset[str] = field(default_factory=frozenset)
    hint: str = ""
    # Keys an admin may leave empty ("keypad:" and nothing after it): as if not given.
    may_be_empty: frozenset[str] = field(default_factory=frozenset)

    def check(
        self, node: Any, problems: Problems, what: str = "", line: int = 0
    ) -> LineDict | None:
        """The keys of ``node`` that fit, with their lines; None when it is no mapping.

        ``what`` names the mapping in messages ("rule 'x' when", "queue 'rc'");
        ``line`` is where it is when ``node`` cannot say (a scalar, a missing key).
        """
        if not isinstance(node, dict):
            hint = f" {self.hint}" if self.hint else ""
            problems.add(line, _prefixed(what, f"expected a mapping{hint}{_shown(node)}"))
            return None
        fitting = LineDict()
        fitting.line = line_of(node) or line
        fitting.key_lines = {}
        for key, value in node.items():
            key_line = line_of(node, key) or fitting.line
            spec = self.keys.get(key)
            if value is None and key in self.may_be_empty:
                continue
            if spec is None:
                expected = ", ".join(sorted(self.keys))
                problems.add(
                    key_line, _prefixed(what, f"unknown key {key!r} (expected one of {expected})")
                )
            elif not spec.holds(value):
                dotted = f"{what}.{key}" if what else key
                problems.add(key_line, f"{dotted}: expected {spec.value}{_shown(value)}")
            else:
                fitting[key] = value
                fitting.key_lines[key] = key_line
        for key in sorted(self.required - set(node)):
            problems.add(fitting.line, _prefixed(what, f"missing '{key}:'"))
        return fitting
