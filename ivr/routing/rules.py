"""Admin-edited routing rules: ordered, first match wins, each with a reason.

The engine first finds what the caller asked for (emergency, keypad,
crime reference, directory name, intent); ``rules.yaml`` then adjusts that
with local policy (divert when a team is closed, offer a callback when the
wait is long, keep vulnerable callers away from self-service). Rules are
data so admins change policy without a release, and each condition explains
itself so every Decision says why it was made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.routing.model import DIRECTORY_PREFIX, EMERGENCY, is_destination
from ivr.yamlfile import (
    DataFileError,
    LineDict,
    LineList,
    load_data,
    parse_data,
)

OFFERS = frozenset({"callback", "deflect-sms"})
SOURCES = frozenset({"keypad", "reference", "directory", "intent", "fallback", "confirmed"})
ACTIONS = frozenset({"route", "confirm", "disambiguate", "reprompt"})
ASKS = frozenset({"name", "reference"})
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PROMPT = re.compile(r"^[a-z0-9][a-z0-9_]*$")

DEFAULT_KEYPAD: Mapping[str, str] = {
    "1": "rc",
    "2": "fcr",
    "3": "ask:reference",
    "4": "ask:name",
    "5": "online",
    "0": "switchboard",
    "9": EMERGENCY,
}


class RulesError(DataFileError):
    """rules.yaml (or the bundle) is invalid; ``errors`` lists every 'file:line: message'."""

    error_id = "rules-invalid"


@dataclass(frozen=True)
class Thresholds:
    """Directory bands: >= high routes, [low, high) confirms, within margin of the top asks."""

    high: float = 0.85
    low: float = 0.6
    margin: float = 0.05
    intent: float = 0.5  # an intent match below this is not evidence
    reprompt_limit: int = 2  # after this many failed attempts, a person (switchboard)


@dataclass(frozen=True)
class Facts:
    """What a rule may look at: the engine's provisional decision and the call's context."""

    at: datetime
    action: str
    destination: str | None
    intent: str | None
    source: str
    flags: frozenset[str]
    recent_calls: int
    waits: Mapping[str, float]  # destination -> seconds
    override: bool
    dialled: str
    is_open: Callable[[str], bool]
    bank_holiday: bool


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _fmt(limit: float) -> str:
    return f"{limit:g}"


@dataclass(frozen=True)
class Condition:
    """All given parts must hold (AND); a list inside one part means any of them (OR)."""

    intents: frozenset[str] | None = None
    destinations: tuple[str, ...] | None = None  # exact, or a prefix ending in '*'
    actions: frozenset[str] | None = None
    sources: frozenset[str] | None = None
    caller: frozenset[str] = frozenset()  # all of these flags
    caller_any: frozenset[str] = frozenset()
    caller_not: frozenset[str] = frozenset()
    calls_at_least: int | None = None
    open: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    bank_holiday: bool | None = None
    wait_above: float | None = None  # minutes
    wait_below: float | None = None
    queue: str | None = None  # whose wait; default the provisional destination
    override: bool | None = None
    dialled: frozenset[str] | None = None

    def explain(self, f: Facts) -> list[str] | None:
        """The reasons this condition holds for ``f``, or None when it does not."""
        why: list[str] = []
        if self.actions is not None and f.action not in self.actions:
            return None
        if self.sources is not None and f.source not in self.sources:
            return None
        if self.intents is not None:
            if f.intent not in self.intents:
                return None
            why.append(f"intent {f.intent}")
        if self.destinations is not None and not any(
            _dest_matches(p, f.destination or "") for p in self.destinations
        ):
            return None
        if self.caller or self.caller_any or self.caller_not:
            if not self.caller <= f.flags or (self.caller_any and not self.caller_any & f.flags):
                return None
            if self.caller_not & f.flags:
                return None
            shown = sorted(self.caller | (self.caller_any & f.flags))
            if shown:
                why.append("caller " + "+".join(shown))
        if self.calls_at_least is not None:
            if f.recent_calls < self.calls_at_least:
                return None
            why.append(f"{f.recent_calls} recent calls >= {self.calls_at_least}")
        if self.dialled is not None and f.dialled not in self.dialled:
            return None
        for name in self.open:
            if not f.is_open(name):
                return None
            why.append(f"{name} open")
        for name in self.closed:
            if f.is_open(name):
                return None
            why.append(f"{name} closed")
        if self.bank_holiday is not None:
            if f.bank_holiday != self.bank_holiday:
                return None
            why.append("bank holiday" if f.bank_holiday else "not a bank holiday")
        if self.wait_above is not None or self.wait_below is not None:
            queue = self.queue or f.destination
            wait = f.waits.get(queue) if queue else None
            if wait is None:
                return None
            if self.wait_above is not None:
                if wait <= self.wait_above * 60:
                    return None
                why.append(f"{queue} wait {_minutes(wait)} > {_fmt(self.wait_above)} min")
            if self.wait_below is not None:
                if wait >= self.wait_below * 60:
                    return None
                why.append(f"{queue} wait {_minutes(wait)} < {_fmt(self.wait_below)} min")
        if self.override is not None:
            if f.override != self.override:
                return None
            why.append("operator override active" if f.override else "no operator override")
        return why


def _dest_matches(pattern: str, destination: str) -> bool:
    if not destination:
        return False
    if pattern.endswith("*"):
        return destination.startswith(pattern[:-1])
    return destination == pattern


@dataclass(frozen=True)
class Then:
    """What a matching rule does to the provisional decision."""

    route: str | None = None  # send here instead
    divert: bool = False  # route was given as 'divert:' (said so in the reason)
    confirm: bool | None = None  # ask the caller to confirm before transferring
    offers: tuple[str, ...] = ()
    message: str | None = None
    reason: str = ""
    continue_: bool = False  # keep evaluating later rules after this one

    def describe(self) -> str:
        parts: list[str] = []
        if self.route:
            verb = "divert" if self.divert else "route"
            parts.append(f"{verb} to {self.route}")
        if self.confirm:
            parts.append("confirm first")
        if self.offers:
            parts.append("offer " + " + ".join(self.offers))
        if self.message:
            parts.append(f"play {self.message}")
        return ", ".join(parts) or "annotate"


@dataclass(frozen=True)
class Rule:
    name: str
    line: int
    when: Condition
    then: Then
    description: str = ""


@dataclass(frozen=True)
class KeyOption:
    key: str
    destination: str | None  # None when the key asks for something (a name, a reference)
    ask: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Reference:
    """A name used in rules.yaml that another file must define (checked by check_bundle)."""

    kind: str  # "schedule" | "intent" | "directory" | "alternative"
    value: str
    line: int


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    thresholds: Thresholds = Thresholds()
    keypad: Mapping[str, KeyOption] = field(default_factory=dict)
    alternatives: Mapping[str, str] = field(default_factory=dict)  # entry id or team -> dest
    references: tuple[Reference, ...] = ()
    source: str = ""

    @classmethod
    def load(cls, path: Path) -> RuleSet:
        data = load_data(path, RulesError)
        return _parse(data, str(path))

    @classmethod
    def parse(cls, text: str, name: str = "rules.yaml") -> RuleSet:
        data = parse_data(text, name, RulesError)
        return _parse(data, name)

    def first_match(self, facts: Facts, start: int = 0) -> Rule | None:
        found = self.next_match(facts, start)
        return found[1] if found else None

    def next_match(self, facts: Facts, start: int = 0) -> tuple[int, Rule, list[str]] | None:
        """The first rule at or after ``start`` whose condition holds, with its reasons."""
        for index in range(start, len(self.rules)):
            rule = self.rules[index]
            why = rule.when.explain(facts)
            if why is not None:
                return index, rule, why
        return None

    def cross_check(
        self,
        schedules: frozenset[str],
        intents: frozenset[str],
        directory_ids: frozenset[str],
        teams: frozenset[str] = frozenset(),
    ) -> list[str]:
        """Errors for names this file uses that the other files of the bundle lack."""
        errors: list[str] = []
        for ref in self.references:
            where = f"{self.source}:{ref.line}: "
            if ref.kind == "schedule" and ref.value not in schedules:
                errors.append(where + f"unknown schedule {ref.value!r} (not in schedules.yaml)")
            elif ref.kind == "intent" and ref.value not in intents:
                errors.append(where + f"unknown intent {ref.value!r} (not in intents.yaml)")
            elif ref.kind == "directory" and ref.value not in directory_ids:
                errors.append(where + f"unknown directory entry {ref.value!r}")
            elif ref.kind == "alternative" and ref.value not in directory_ids | teams:
                errors.append(where + f"alternatives: {ref.value!r} is no directory entry or team")
        return errors


# --- parsing -------------------------------------------------------------------------------

_TOP_KEYS = {"thresholds", "keypad", "alternatives", "rules"}
_THRESHOLD_KEYS = {"high", "low", "margin", "intent", "reprompt_limit"}
_RULE_KEYS = {"name", "description", "when", "then"}
_WHEN_KEYS = {
    "intent",
    "destination",
    "action",
    "source",
    "caller",
    "caller_any",
    "caller_not",
    "calls_at_least",
    "open",
    "closed",
    "bank_holiday",
    "wait_above",
    "wait_below",
    "queue",
    "override",
    "dialled",
}
_THEN_KEYS = {"route", "divert", "confirm", "offer", "message", "reason", "continue"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []
        self.refs: list[Reference] = []

    def err(self, line: int, message: str) -> None:
        self.errors.append(f"{self.source}:{line}: {message}")

    def unknown_keys(self, node: LineDict, allowed: set[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                self.err(
                    node.line_of(key),
                    f"{what}: unknown key {key!r} (expected one of {', '.join(sorted(allowed))})",
                )

    def names(self, node: LineDict, key: str, what: str) -> tuple[str, ...]:
        raw = node[key]
        items = raw if isinstance(raw, list) else [raw]
        if not items or not all(isinstance(i, str) and i for i in items):
            self.err(node.line_of(key), f"{what}.{key}: expected a name or a list of names")
            return ()
        return tuple(items)

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

    def number(
        self, node: LineDict, key: str, what: str, lo: float, hi: float, unit: str = ""
    ) -> float | None:
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            self.err(
                node.line_of(key),
                f"{what}.{key}{unit}: expected a number from {lo:g} to {hi:g}",
            )
            return None
        return float(value)


def _parse(data: Any, source: str) -> RuleSet:
    p = _Parser(source)
    if not isinstance(data, LineDict):
        raise RulesError([f"{source}:1: expected a mapping with 'rules:'"])
    p.unknown_keys(data, _TOP_KEYS, "rules file")
    thresholds = _thresholds(p, data.get("thresholds"), data.line_of("thresholds"))
    keypad = _keypad(p, data.get("keypad"), data.line_of("keypad"))
    alternatives = _alternatives(p, data.get("alternatives"), data.line_of("alternatives"))
    rules: list[Rule] = []
    node = data.get("rules")
    if not isinstance(node, LineList):
        p.err(data.line_of("rules"), "rules: expected a list of rules")
    else:
        seen: dict[str, int] = {}
        for i, item in enumerate(node):
            rule = _rule(p, item, node.line_of(i))
            if rule is None:
                continue
            if rule.name in seen:
                p.err(
                    rule.line,
                    f"rule {rule.name!r}: duplicate name (first on line {seen[rule.name]})",
                )
            seen.setdefault(rule.name, rule.line)
            rules.append(rule)
    if p.errors:
        raise RulesError(p.errors)
    return RuleSet(tuple(rules), thresholds, keypad, alternatives, tuple(p.refs), source)


def _thresholds(p: _Parser, node: Any, line: int) -> Thresholds:
    if node is None:
        return Thresholds()
    if not isinstance(node, LineDict):
        p.err(line, "thresholds: expected a mapping")
        return Thresholds()
    p.unknown_keys(node, _THRESHOLD_KEYS, "thresholds")
    values: dict[str, Any] = {}
    for key in ("high", "low", "margin", "intent"):
        if key in node:
            value = p.number(node, key, "thresholds", 0.0, 1.0)
            if value is not None:
                values[key] = value
    if "reprompt_limit" in node:
        limit = node["reprompt_limit"]
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10:
            p.err(node.line_of("reprompt_limit"), "thresholds.reprompt_limit: a whole number 1-10")
        else:
            values["reprompt_limit"] = limit
    result = Thresholds(**values)
    if result.low > result.high:
        p.err(node.line_of("low"), f"thresholds: low {result.low:g} is above high {result.high:g}")
    if result.margin > 0.5:
        p.err(node.line_of("margin"), "thresholds.margin: at most 0.5")
    return result


def _keypad(p: _Parser, node: Any, line: int) -> dict[str, KeyOption]:
    raw: Any = DEFAULT_KEYPAD if node is None else node
    if not isinstance(raw, Mapping):
        p.err(line, "keypad: expected a mapping of key -> destination or ask:name|reference")
        raw = DEFAULT_KEYPAD
    result: dict[str, KeyOption] = {}
    for key, value in raw.items():
        kline = raw.line_of(key) if isinstance(raw, LineDict) else line
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
            result[key] = KeyOption(key, None, ask, kline)
        elif p.destination(value, kline, f"keypad {key}"):
            result[key] = KeyOption(key, value, None, kline)
    nine = result.get("9")
    if nine is None or nine.destination != EMERGENCY:
        p.err(line, "keypad: 9 must be emergency (999 always outranks 101)")
    return result


def _alternatives(p: _Parser, node: Any, line: int) -> dict[str, str]:
    if node is None:
        return {}
    if not isinstance(node, LineDict):
        p.err(line, "alternatives: expected a mapping of entry id or team -> destination")
        return {}
    result: dict[str, str] = {}
    for key, value in node.items():
        kline = node.line_of(key)
        p.refs.append(Reference("alternative", key, kline))
        if not isinstance(value, str):
            p.err(kline, f"alternatives {key}: expected a destination")
        elif p.destination(value, kline, f"alternatives {key}"):
            result[key] = value
    return result


def _rule(p: _Parser, node: Any, line: int) -> Rule | None:
    if not isinstance(node, LineDict):
        p.err(line, "rule: expected a mapping with name:, when: and then:")
        return None
    p.unknown_keys(node, _RULE_KEYS, "rule")
    name = node.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        p.err(node.line_of("name"), f"rule: name {name!r} must be lower-case-with-dashes")
        name = f"rule-line-{line}"
    what = f"rule {name!r}"
    when_node = node.get("when", LineDict())
    then_node = node.get("then")
    if not isinstance(when_node, LineDict):
        p.err(node.line_of("when"), f"{what}: when: expected a mapping of conditions")
        when_node = LineDict()
    if not isinstance(then_node, LineDict) or not then_node:
        p.err(node.line_of("then") if "then" in node else line, f"{what}: then: expected actions")
        then_node = LineDict()
    when = _when(p, when_node, what + " when")
    then = _then(p, then_node, what + " then")
    return Rule(name, line, when, then, str(node.get("description", "")))


def _when(p: _Parser, node: LineDict, what: str) -> Condition:
    p.unknown_keys(node, _WHEN_KEYS, what)
    c: dict[str, Any] = {}
    if "intent" in node:
        names = p.names(node, "intent", what)
        c["intents"] = frozenset(names)
        p.refs.extend(Reference("intent", n, node.line_of("intent")) for n in names)
    if "destination" in node:
        dests = p.names(node, "destination", what)
        c["destinations"] = tuple(
            d for d in dests if p.destination(d, node.line_of("destination"), what, pattern=True)
        )
    for key, allowed in (("action", ACTIONS), ("source", SOURCES)):
        if key in node:
            vals = p.names(node, key, what)
            for v in vals:
                if v not in allowed:
                    p.err(node.line_of(key), f"{what}.{key}: {v!r} is not one of {sorted(allowed)}")
            c[key + "s"] = frozenset(vals)
    for key in ("caller", "caller_any", "caller_not"):
        if key in node:
            c[key] = frozenset(p.names(node, key, what))
    if "dialled" in node:
        raw = node["dialled"]
        c["dialled"] = frozenset(str(d) for d in (raw if isinstance(raw, list) else [raw]))
    for key in ("open", "closed"):
        if key in node:
            names = p.names(node, key, what)
            c[key] = names
            p.refs.extend(Reference("schedule", n, node.line_of(key)) for n in names)
    for key in ("bank_holiday", "override"):
        if key in node:
            if not isinstance(node[key], bool):
                p.err(node.line_of(key), f"{what}.{key}: expected true or false")
            else:
                c[key] = node[key]
    for key in ("wait_above", "wait_below"):
        if key in node:
            c[key] = p.number(node, key, what, 0, 24 * 60, " (minutes)")
    if "queue" in node:
        queue = node["queue"]
        if isinstance(queue, str) and p.destination(queue, node.line_of("queue"), what + ".queue"):
            c["queue"] = queue
        elif not isinstance(queue, str):
            p.err(node.line_of("queue"), f"{what}.queue: expected a destination")
        if "wait_above" not in node and "wait_below" not in node:
            p.err(node.line_of("queue"), f"{what}.queue: only with wait_above or wait_below")
    if "calls_at_least" in node:
        n = node["calls_at_least"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            p.err(node.line_of("calls_at_least"), f"{what}.calls_at_least: a whole number >= 1")
        else:
            c["calls_at_least"] = n
    return Condition(**{k: v for k, v in c.items() if v is not None})


def _then(p: _Parser, node: LineDict, what: str) -> Then:
    p.unknown_keys(node, _THEN_KEYS, what)
    t: dict[str, Any] = {}
    if "route" in node and "divert" in node:
        p.err(node.line_of("divert"), f"{what}: give route: or divert:, not both")
    for key in ("route", "divert"):
        if key in node:
            value = node[key]
            if not isinstance(value, str):
                p.err(node.line_of(key), f"{what}.{key}: expected a destination")
            elif value == EMERGENCY:
                p.err(
                    node.line_of(key),
                    f"{what}.{key}: rules cannot send calls to emergency"
                    " (only the caller's words or key 9 do)",
                )
            elif p.destination(value, node.line_of(key), f"{what}.{key}"):
                t["route"], t["divert"] = value, key == "divert"
    if "confirm" in node:
        if not isinstance(node["confirm"], bool):
            p.err(node.line_of("confirm"), f"{what}.confirm: expected true or false")
        else:
            t["confirm"] = node["confirm"]
    if "offer" in node:
        offers = p.names(node, "offer", what)
        for o in offers:
            if o not in OFFERS:
                p.err(node.line_of("offer"), f"{what}.offer: {o!r} is not one of {sorted(OFFERS)}")
        t["offers"] = tuple(o for o in offers if o in OFFERS)
    if "message" in node:
        msg = node["message"]
        if not isinstance(msg, str) or not _PROMPT.match(msg):
            p.err(node.line_of("message"), f"{what}.message: expected a prompt id like rc_closed")
        else:
            t["message"] = msg
    if "reason" in node:
        t["reason"] = str(node["reason"])
    if "continue" in node:
        if not isinstance(node["continue"], bool):
            p.err(node.line_of("continue"), f"{what}.continue: expected true or false")
        else:
            t["continue_"] = node["continue"]
    return Then(**t)
