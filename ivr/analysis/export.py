"""``ivr export``'s CSV: one row per interval and queue, in the shape workforce-planning
tools read (docs/erlang-c.md documents every column).

Plain numbers, a header row, ISO times with their UTC offset; rates as percentages and
times in seconds, one decimal; blank where there is nothing to average.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Final, TextIO

from ivr.analysis.intervals import IntervalFigures

COLUMNS: Final = (
    "interval_start",
    "interval_minutes",
    "queue",
    "via",
    "offered",
    "answered",
    "abandoned",
    "callbacks",
    "answered_within_target",
    "service_level_pct",
    "average_time_to_answer_s",
    "average_handling_time_s",
    # Offered less the places taken as a callback: their work comes back later as the
    # callback:<queue> rows, so Erlang C's volume sums offered_live, not offered.
    "offered_live",
)


def _one(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def write_csv(rows: Iterable[IntervalFigures], out: TextIO) -> int:
    """Write the header and ``rows``; returns how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    written = 0
    for r in rows:
        level = 100 * r.answered_in_target / r.offered if r.offered else None
        writer.writerow(
            (
                r.start.isoformat(),
                r.minutes,
                r.queue,
                r.via.value,
                r.offered,
                r.answered,
                r.abandoned,
                r.callbacks,
                r.answered_in_target,
                _one(level),
                _one(r.asa_s),
                _one(r.aht_s),
                r.offered - r.callbacks,
            )
        )
        written += 1
    return written
