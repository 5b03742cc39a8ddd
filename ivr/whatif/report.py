"""The what-if's table: the log, the log's own settings simulated, and the scenario,
side by side per queue; and whether the simulation reproduced the log (``Tolerance``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ivr.whatif.figures import Figures
from ivr.whatif.fit import Demand


@dataclass(frozen=True)
class Tolerance:
    """How close the log's own settings, simulated, must come to the log: service level
    and abandonment within ``points`` percentage points; average and 90th-percentile time
    to answer within ``share`` of the logged value or ``floor_s`` seconds, whichever is
    more (a few seconds' wait is noise, not a miss)."""

    points: float = 4.0
    share: float = 0.15
    floor_s: float = 10.0

    def misses(self, queue: str, logged: Figures, simulated: Figures) -> list[str]:
        found = []
        for name, a, b in (
            ("service level", logged.service_level, simulated.service_level),
            ("abandonment", logged.abandonment, simulated.abandonment),
        ):
            if abs(a - b) * 100 > self.points:
                found.append(f"{queue}: {name} {_pct(b)} simulated, {_pct(a)} logged")
        for name, x, y in (
            ("average time to answer", logged.asa_s, simulated.asa_s),
            ("p90 time to answer", logged.p90_s, simulated.p90_s),
        ):
            if abs(x - y) > max(self.share * x, self.floor_s):
                found.append(f"{queue}: {name} {y:.0f} s simulated, {x:.0f} s logged")
        return found

    def describe(self) -> str:
        return (
            f"service level and abandonment within {self.points:g} points, times to answer"
            f" within {self.share:.0%} (or {self.floor_s:g} s)"
        )


@dataclass(frozen=True)
class Column:
    title: str
    figures: dict[str, Figures]  # queue (and "all") -> figures


ROWS: tuple[tuple[str, Callable[[Figures], str]], ...] = (
    ("offered", lambda f: f"{f.offered:,.0f}"),
    ("answered within target", lambda f: _pct(f.service_level)),
    ("abandoned", lambda f: _pct(f.abandonment)),
    ("average time to answer", lambda f: f"{f.asa_s:.0f} s"),
    ("p90 time to answer", lambda f: f"{f.p90_s:.0f} s"),
    ("callbacks", lambda f: f"{f.callbacks:,.0f}"),
)


def table(columns: Sequence[Column], queues: Sequence[str]) -> str:
    head = ["queue", "measure", *(c.title for c in columns)]
    rows = [head]
    for queue in queues:
        for n, (label, show) in enumerate(ROWS):
            cells = [show(c.figures[queue]) if queue in c.figures else "-" for c in columns]
            rows.append([queue if n == 0 else "", label, *cells])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def fitted(demand: Demand) -> str:
    """What the fit found, a line per queue: the reader can tell a bad fit at a glance."""
    lines = []
    for q in demand.queues.values():
        peak = max(q.rates.values(), default=0.0)
        median = q.patience.median()
        patience = (
            f"half give up by {median:.0f} s of waiting"
            if math.isfinite(median)
            else "fewer than half ever gave up"
        )
        lines.append(
            f"  {q.queue}: {q.agents} agents seen; up to {peak:.1f} calls per 15 min;"
            f" talk {q.mean_handling():.0f} s on average ({len(q.handling):,} answered);"
            f" {patience}"
        )
    return "\n".join(lines) + "\n"


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"
