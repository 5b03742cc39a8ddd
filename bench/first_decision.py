"""The first decision and the whole journey, per set, voices, line and engine (issue 16).

One row per (set, speech, engine): how often the FIRST decision is right (routed, or a
question whose first offer serves the caller: bench/heldout_score.py), how often it
is a silent misroute, where the spoken emergencies go at once (999 handling, a danger
check, 999 offered in a confirmation, a reprompt, anything else), then the journey
(bench/journey.py): the share that ends where it should, with a person, or elsewhere,
and the time from the first word to the right destination (p50/p95 of those who get
there, reprompts and questions included), and end of speech -> first decision p95.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bench.heldout_score import Scored, Tally
from bench.journey import End, Journey
from ivr.decisions import EMERGENCY, Decision


class Reach(StrEnum):
    """Where a spoken emergency's first decision sends it."""

    HANDLED = "999"  # routed to 999 handling
    CHECK = "check"  # an immediate danger check ("Is someone in danger now?")
    OFFER = "offer"  # 999 offered first in a confirmation or a choice
    REPROMPT = "reprompt"  # asked again: the failure issue 16 item 5 rules out
    OTHER = "other"  # anything else (routed or offered elsewhere)


def reach(decision: Decision) -> Reach:
    if decision.is_danger_check:
        return Reach.CHECK
    if decision.action == "route":
        return Reach.HANDLED if decision.destination == EMERGENCY else Reach.OTHER
    if decision.action in ("confirm", "disambiguate") and decision.candidates:
        first = decision.candidates[0].destination
        return Reach.OFFER if first == EMERGENCY else Reach.OTHER
    return Reach.REPROMPT


@dataclass(frozen=True, slots=True)
class EngineRun:
    label: tuple[str, ...]  # (set, speech, engine)
    scored: list[Scored]  # the first decisions
    journeys: list[Journey] = field(default_factory=list)  # same order; empty: not walked


def quantile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank quantile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f} %" if n else "-"


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


COLUMNS = (
    "n",
    "first right",
    "silent misroutes",
    "emergencies 999 / check / offer / reprompt / other",
    "journey right",
    "to a person",
    "wrong place",
    "time to right p50 / p95 (s)",
    "askings > 1",
    "first decision wait p95 (s)",
)


def row_cells(run: EngineRun) -> list[str]:
    tally = Tally.of(run.scored)
    urgent = [reach(s.decision) for s in run.scored if s.request.expect == EMERGENCY]
    emergencies = " / ".join(str(urgent.count(r)) for r in Reach) if urgent else "-"
    cells = [str(tally.n), _pct(tally.right, tally.n), _pct(tally.misroutes, tally.n),
             emergencies]  # fmt: skip
    walked = run.journeys
    if not walked:
        return cells + ["-"] * (len(COLUMNS) - len(cells))
    n = len(walked)
    times = [j.seconds for j in walked if j.right]
    waits = [j.first_wait_s for j in walked]
    return [
        *cells,
        _pct(sum(j.end is End.RIGHT for j in walked), n),
        _pct(sum(j.end is End.PERSON for j in walked), n),
        _pct(sum(j.end is End.WRONG for j in walked), n),
        f"{_s(quantile(times, 0.5))} / {_s(quantile(times, 0.95))}",
        str(sum(j.askings > 1 for j in walked)),
        _s(quantile(waits, 0.95)),
    ]


def figures_table(runs: Sequence[EngineRun], label: Sequence[str]) -> list[str]:
    names = [*label, *COLUMNS]
    lines = [f"| {' | '.join(names)} |", "|" + "---|" * len(names)]
    for run in runs:
        lines.append(f"| {' | '.join([*run.label, *row_cells(run)])} |")
    return lines
