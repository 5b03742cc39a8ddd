"""Reading intents.yaml: what an intent is, its shape declared once, then its own checks.

Kept apart from the matcher (``intents``) so that module is about scoring
words, and every error an admin can make is found here, on its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ivr.decisions import is_destination
from ivr.text import normalise
from ivr.yamlfile import DataFileError, LineDict, line_of
from ivr.yamlshape import Kind, Problems, Shape

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP = Shape({"intents": Kind.LIST}, required=frozenset({"intents"}), hint="with 'intents:'")
_INTENT = Shape(
    {
        "name": Kind.ANY,  # checked below, with a clearer word than "text"
        "destination": Kind.TEXT,
        "description": Kind.TEXT,
        "emergency": Kind.FLAG,
        "examples": Kind.LIST,
        "keywords": Kind.ANY,  # a mapping of weights or a list of words
        "cues": Kind.LIST,
        "not_cues": Kind.LIST,
    },
    required=frozenset({"name", "destination", "examples"}),
    hint="with name, destination, examples",
)


class IntentsError(DataFileError):
    """intents.yaml is invalid; ``errors`` lists every 'file:line: message'."""

    error_id = "intents-invalid"


@dataclass(frozen=True)
class Intent:
    name: str
    destination: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    emergency: bool = False
    description: str = ""
    weights: tuple[float, ...] = ()  # parallel to keywords
    cues: tuple[str, ...] = ()  # emergency intent only
    # Phrases whose words are no cue ("gun licence", "shotgun certificate"): firearms
    # licensing calls must not be sent to 999 handling by the word "gun".
    not_cues: tuple[str, ...] = ()
    line: int = 0


def _strings(items: list[Any], err: Problems, what: str) -> list[tuple[str, int]]:
    """The non-empty phrases of a list (the shape has made it one), each with its line."""
    out: list[tuple[str, int]] = []
    for i, item in enumerate(items):
        line = line_of(items, i)
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            err.add(line, f"{what} must be text, not {type(item).__name__}")
        elif not normalise(str(item)):
            err.add(line, f"empty {what}")
        else:
            out.append((str(item), line))
    return out


def _keywords(node: Any, line: int, err: Problems) -> list[tuple[str, float, int]]:
    """keywords: a mapping word -> weight, or a list of words (weight 1)."""
    if isinstance(node, list):
        return [(text, 1.0, kline) for text, kline in _strings(node, err, "keyword")]
    if not isinstance(node, dict):
        err.add(line, "keywords must be a mapping of keyword: weight")
        return []
    out: list[tuple[str, float, int]] = []
    seen: dict[str, int] = {}
    for word, weight in node.items():
        kline = line_of(node, word)
        if not normalise(word):
            err.add(kline, "empty keyword")
            continue
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
            err.add(kline, f"keyword {word!r}: weight must be a number in (0, 1], not {weight!r}")
            continue
        key = normalise(word)
        if key in seen:
            err.add(kline, f"keyword {word!r} repeats line {seen[key]} once normalised")
            continue
        seen[key] = kline
        out.append((word, float(weight), kline))
    return out


class _Reader:
    """One pass over the file; names, examples and the emergency intent are file-wide."""

    def __init__(self, source: str) -> None:
        self.err = Problems(source)
        self.names: dict[str, int] = {}
        self.examples: dict[str, tuple[str, int]] = {}
        self.emergency_line = 0

    def name(self, node: LineDict, given: Any, index: int) -> str:
        if "name" not in node:
            return f"#{index + 1}"
        if not isinstance(given, str) or not _NAME.match(given):
            self.err.add(node.line_of("name"), f"bad intent name {given!r} (use lower_case_words)")
            return str(given)
        if given in self.names:
            first = self.names[given]
            self.err.add(
                node.line_of("name"), f"duplicate intent {given!r} (first on line {first})"
            )
        else:
            self.names[given] = node.line_of("name")
        return given

    def intent(self, raw: Any, line: int, index: int) -> Intent | None:
        given = raw.get("name") if isinstance(raw, dict) else None
        what = f"intent {given!r}" if isinstance(given, str) and _NAME.match(given) else "intent"
        node = _INTENT.check(raw, self.err, what, line)
        if node is None:
            return None
        name = self.name(node, given, index)
        destination = node.get("destination", "")
        if destination and not is_destination(destination):
            self.err.add(
                node.line_of("destination"),
                f"intent {name!r}: bad destination {destination!r}"
                " (emergency, fcr, rc, online, switchboard or directory:<id>)",
            )
        emergency = node.get("emergency", False)
        if emergency and self.emergency_line:
            self.err.add(
                node.line_of("emergency"),
                "only one intent may be the emergency intent"
                f" (first on line {self.emergency_line})",
            )
        elif emergency:
            self.emergency_line = node.line_of("emergency")
        keywords = (
            _keywords(node["keywords"], node.line_of("keywords"), self.err)
            if "keywords" in node
            else []
        )
        return Intent(
            name=name,
            destination=destination,
            examples=tuple(self.examples_of(node, name)),
            keywords=tuple(word for word, _, _ in keywords),
            emergency=emergency,
            description=node.get("description", "").strip(),
            weights=tuple(weight for _, weight, _ in keywords),
            cues=tuple(self.cues(node, "cues", emergency)),
            not_cues=tuple(self.cues(node, "not_cues", emergency)),
            line=line,
        )

    def examples_of(self, node: LineDict, name: str) -> list[str]:
        """Examples, each said once in the whole file (a repeat would score two intents)."""
        if "examples" in node and not node["examples"]:
            self.err.add(node.line_of("examples"), f"intent {name!r} needs at least 1 example")
        examples: list[str] = []
        for text, line in _strings(node.get("examples", []), self.err, "example"):
            key = normalise(text)
            if key in self.examples:
                other, other_line = self.examples[key]
                self.err.add(line, f"example {text!r} repeats line {other_line} (intent {other!r})")
                continue
            self.examples[key] = (name, line)
            examples.append(text)
        return examples

    def cues(self, node: LineDict, key: str, emergency: bool) -> list[str]:
        if key not in node:
            return []
        if not emergency:
            where = (
                "on the intent marked emergency: true"
                if key == "cues"
                else "on the emergency intent"
            )
            self.err.add(node.line_of(key), f"{key} belong {where}")
        return [text for text, _ in _strings(node[key], self.err, key[:-1])]


def read_intents(data: Any, source: str) -> tuple[Intent, ...]:
    """Check parsed intents.yaml (LineDict/LineList); every problem as 'file:line: message'."""
    reader = _Reader(source)
    top = _TOP.check(data, reader.err, line=1)
    if top is not None and "intents" in top and not top["intents"]:
        reader.err.add(top.line_of("intents"), "'intents' must be a non-empty list")
    if top is None or not top.get("intents"):
        raise IntentsError(reader.err.items)
    items = top["intents"]
    intents = [reader.intent(item, line_of(items, i), i) for i, item in enumerate(items)]
    reader.err.raise_if_any(IntentsError)
    return tuple(intent for intent in intents if intent is not None)
