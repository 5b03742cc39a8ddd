"""Reading rules.yaml: its shapes declared once, then the checks only rules need.

Kept apart from ``rules`` (what a rule set is and how it matches) because
reading an admin's file, with every error on its line, is most of the code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ivr.decisions import DIRECTORY_PREFIX, EMERGENCY, Ask, is_destination
from ivr.routing.conditions import Condition, Then
from ivr.routing.rules import (
    ACTIONS,
    ASKS,
    DEFAULT_KEYPAD,
    OFFERS,
    SOURCES,
    KeyOption,
    Reference,
    Rule,
    RulesError,
    RuleSet,
    Thresholds,
)
from ivr.yamlfile import LineDict, load_data, parse_data
from ivr.yamlshape import Kind, Number, Problems, Shape

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PROMPT = re.compile(r"^[a-z0-9][a-z0-9_]*$")

_SHARE, _MINUTES = Number(0, 1), Number(0, 24 * 60, unit="minutes")
_TOP = Shape(
    {
        "thresholds": Kind.MAPPING,
        "keypad": Kind.MAPPING,
        "alternatives": Kind.MAPPING,
        "rules": Kind.LIST,
    },
    required=frozenset({"rules"}),
    hint="with 'rules:'",
    may_be_empty=frozenset({"thresholds", "keypad", "alternatives"}),
)
_THRESHOLDS = Shape(
    {
        "high": _SHARE,
        "low": _SHARE,
        "margin": _SHARE,
        "intent": _SHARE,
        "intent_route": _SHARE,
        "intent_margin": _SHARE,
        "reprompt_limit": Number(1, 10, whole=True),
    }
)
_RULE = Shape(
    {"name": Kind.ANY, "description": Kind.ANY, "when": Kind.MAPPING, "then": Kind.MAPPING},
    required=frozenset({"then"}),
    hint="with name:, when: and then:",
)
_WHEN = Shape(
    {
        **dict.fromkeys(
            (
                "intent",
                "destination",
                "action",
                "source",
                "caller",
                "caller_any",
                "caller_not",
                "open",
                "closed",
            ),
            Kind.NAMES,
        ),
        "dialled": Kind.ANY,  # numbers too: dialled: 101
        "calls_at_least": Number(1, whole=True),
        "bank_holiday": Kind.FLAG,
        "override": Kind.FLAG,
        "wait_above": _MINUTES,
        "wait_below": _MINUTES,
        "queue": Kind.TEXT,
    }
)
_THEN = Shape(
    {
        "route": Kind.TEXT,
        "divert": Kind.TEXT,
        "confirm": Kind.FLAG,
        "offer": Kind.NAMES,
        "message": Kind.TEXT,
        "reason": Kind.ANY,
        "continue": Kind.FLAG,
    }
)


class _Parser:
    def __init__(self, source: str) -> None:
        self.problems = Problems(source)
        self.refs: list[Reference] = []

    def err(self, line: int, message: str) -> None:
        self.problems.add(line, message)

    @staticmethod
    def names(node: LineDict, key: str) -> tuple[str, ...]:
        """A Kind.NAMES value as a tuple, one name or many."""
        raw = node[key]
        return tuple(raw) if isinstance(raw, list) else (raw,)

    def destination(self, value: str, line: int, what: str, pattern: bool = False) -> bool:
        if pattern and value.endswith("*") and value[:-1] in ("", DIRECTORY_PREFIX):
            return True
        if not is_destination(value):
            self.err(
                line,
                f"{what}: bad destination {value!r} (emergency, fcr, rc, online,"
                " switchboard or directory:<id>)",
            )
            return False
        if value.startswith(DIRECTORY_PREFIX):
            self.refs.append(Reference("directory", value[len(DIRECTORY_PREFIX) :], line))
        return True


def load_rules(path: Path) -> RuleSet:
    """rules.yaml at ``path``; RulesError lists every problem as file:line."""
    return read_rules(load_data(path, RulesError), str(path))


def parse_rules(text: str, name: str = "rules.yaml") -> RuleSet:
    return read_rules(parse_data(text, name, RulesError), name)


def read_rules(data: Any, source: str) -> RuleSet:
    """Check parsed rules.yaml (LineDict/LineList); every problem as 'file:line: message'."""
    p = _Parser(source)
    top = _TOP.check(data, p.problems, line=1)
    if top is None:
        raise RulesError(p.problems.items)
    thresholds = _thresholds(p, top.get("thresholds"))
    keypad = _keypad(p, top.get("keypad"), top.line_of("keypad"))
    alternatives = _alternatives(p, top.get("alternatives", LineDict()))
    rules: list[Rule] = []
    node = top.get("rules", [])
    seen: dict[str, int] = {}
    for i, item in enumerate(node):
        rule = _rule(p, item, node.line_of(i))
        if rule is None:
            continue
        if rule.name in seen:
            p.err(
                rule.line, f"rule {rule.name!r}: duplicate name (first on line {seen[rule.name]})"
            )
        seen.setdefault(rule.name, rule.line)
        rules.append(rule)
    p.problems.raise_if_any(RulesError)
    return RuleSet(tuple(rules), thresholds, keypad, alternatives, tuple(p.refs), source)


def _thresholds(p: _Parser, raw: LineDict | None) -> Thresholds:
    node = _THRESHOLDS.check(raw, p.problems, "thresholds") if raw is not None else None
    if node is None:
        return Thresholds()
    values: dict[str, Any] = {k: v if k == "reprompt_limit" else float(v) for k, v in node.items()}
    result = Thresholds(**values)
    if result.low > result.high:
        p.err(node.line_of("low"), f"thresholds: low {result.low:g} is above high {result.high:g}")
    if result.margin > 0.5:
        p.err(node.line_of("margin"), "thresholds.margin: at most 0.5")
    if result.intent > result.intent_route:
        p.err(
            node.line_of("intent"),
            f"thresholds: intent {result.intent:g} is above intent_route {result.intent_route:g}",
        )
    if result.intent_margin > 0.5:
        p.err(node.line_of("intent_margin"), "thresholds.intent_margin: at most 0.5")
    return result


def _keypad(p: _Parser, node: LineDict | None, line: int) -> dict[str, KeyOption]:
    raw: Mapping[str, Any] = DEFAULT_KEYPAD if node is None else node
    result: dict[str, KeyOption] = {}
    for key, value in raw.items():
        kline = node.line_of(key) if node is not None else line
        key = str(key)
        if not re.fullmatch(r"[0-9*#]", key):
            p.err(kline, f"keypad: {key!r} is not a single key (0-9, * or #)")
            continue
        if not isinstance(value, str):
            p.err(kline, f"keypad {key}: expected a destination or ask:name|ask:reference")
            continue
        if value.startswith("ask:"):
            ask = value[4:]
            if ask not in ASKS:
                p.err(kline, f"keypad {key}: can ask for {' or '.join(sorted(ASKS))}, not {ask!r}")
                continue
            result[key] = KeyOption(key, None, Ask(ask), kline)
        elif p.destination(value, kline, f"keypad {key}"):
            result[key] = KeyOption(key, value, None, kline)
    nine = result.get("9")
    if nine is None or nine.destination != EMERGENCY:
        p.err(line, "keypad: 9 must be emergency (999 always outranks 101)")
    return result


def _alternatives(p: _Parser, node: LineDict) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in node.items():
        kline = node.line_of(key)
        p.refs.append(Reference("alternative", key, kline))
        if not isinstance(value, str):
            p.err(kline, f"alternatives {key}: expected a destination")
        elif p.destination(value, kline, f"alternatives {key}"):
            result[key] = value
    return result


def _rule(p: _Parser, raw: Any, line: int) -> Rule | None:
    given = raw.get("name") if isinstance(raw, dict) else None
    name = given if isinstance(given, str) and _NAME.match(given) else None
    node = _RULE.check(raw, p.problems, f"rule {name!r}" if name else "rule", line)
    if node is None:
        return None
    if name is None:
        p.err(node.line_of("name"), f"rule: name {given!r} must be lower-case-with-dashes")
        name = f"rule-line-{line}"
    what = f"rule {name!r}"
    if "then" in node and not node["then"]:
        p.err(node.line_of("then"), f"{what}: then: expected actions")
    when = _when(p, node.get("when", LineDict()), what + " when")
    then = _then(p, node.get("then", LineDict()), what + " then")
    return Rule(name, line, when, then, str(node.get("description", "")))


def _when(p: _Parser, raw: LineDict, what: str) -> Condition:
    node = _WHEN.check(raw, p.problems, what)
    assert node is not None  # the rule's shape let only a mapping through
    c: dict[str, Any] = {}
    if "intent" in node:
        names = p.names(node, "intent")
        c["intents"] = frozenset(names)
        p.refs.extend(Reference("intent", n, node.line_of("intent")) for n in names)
    if "destination" in node:
        dests = p.names(node, "destination")
        c["destinations"] = tuple(
            d for d in dests if p.destination(d, node.line_of("destination"), what, pattern=True)
        )
    for key, allowed in (("action", ACTIONS), ("source", SOURCES)):
        if key in node:
            vals = p.names(node, key)
            for v in vals:
                if v not in allowed:
                    p.err(node.line_of(key), f"{what}.{key}: {v!r} is not one of {sorted(allowed)}")
            c[key + "s"] = frozenset(vals)
    for key in ("caller", "caller_any", "caller_not"):
        if key in node:
            c[key] = frozenset(p.names(node, key))
    if "dialled" in node:
        raw_dialled = node["dialled"]
        listed = raw_dialled if isinstance(raw_dialled, list) else [raw_dialled]
        c["dialled"] = frozenset(str(d) for d in listed)
    for key in ("open", "closed"):
        if key in node:
            names = p.names(node, key)
            c[key] = names
            p.refs.extend(Reference("schedule", n, node.line_of(key)) for n in names)
    for key in ("bank_holiday", "override"):
        if key in node:
            c[key] = node[key]
    for key in ("wait_above", "wait_below"):
        if key in node:
            c[key] = float(node[key])
    if "queue" in node:
        if p.destination(node["queue"], node.line_of("queue"), what + ".queue"):
            c["queue"] = node["queue"]
        if "wait_above" not in raw and "wait_below" not in raw:
            p.err(node.line_of("queue"), f"{what}.queue: only with wait_above or wait_below")
    if "calls_at_least" in node:
        c["calls_at_least"] = node["calls_at_least"]
    return Condition(**{k: v for k, v in c.items() if v is not None})


def _then(p: _Parser, raw: LineDict, what: str) -> Then:
    node = _THEN.check(raw, p.problems, what)
    assert node is not None  # the rule's shape let only a mapping through
    t: dict[str, Any] = {}
    if "route" in node and "divert" in node:
        p.err(node.line_of("divert"), f"{what}: give route: or divert:, not both")
    for key in ("route", "divert"):
        if key in node:
            value = node[key]
            if value == EMERGENCY:
                p.err(
                    node.line_of(key),
                    f"{what}.{key}: rules cannot send calls to emergency"
                    " (only the caller's words or key 9 do)",
                )
            elif p.destination(value, node.line_of(key), f"{what}.{key}"):
                t["route"], t["divert"] = value, key == "divert"
    if "confirm" in node:
        t["confirm"] = node["confirm"]
    if "offer" in node:
        offers = p.names(node, "offer")
        for o in offers:
            if o not in OFFERS:
                p.err(node.line_of("offer"), f"{what}.offer: {o!r} is not one of {sorted(OFFERS)}")
        t["offers"] = tuple(o for o in offers if o in OFFERS)
    if "message" in node:
        if not _PROMPT.match(node["message"]):
            p.err(node.line_of("message"), f"{what}.message: expected a prompt id like rc_closed")
        else:
            t["message"] = node["message"]
    if "reason" in node:
        t["reason"] = str(node["reason"])
    if "continue" in node:
        t["continue_"] = node["continue"]
    return Then(**t)
