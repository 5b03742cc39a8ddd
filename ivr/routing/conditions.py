"""When a rule holds, and what it does: each condition explains itself.

Split from ``rules`` (which loads rules.yaml and orders the rules) so the
reasons a Decision gives are read in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime


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
