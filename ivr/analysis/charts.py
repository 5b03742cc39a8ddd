"""Small inline SVG charts, each drawn beside the table of its numbers.

No library and no network: the report is one file a force can mail or archive. Each
chart is a ``<figure>`` whose SVG has a title and a description (``role="img"``), and
whose numbers are in the table next to it: the table is what a screen reader reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import count

WIDTH = 560
HEIGHT = 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 44, 46, 12
COLOUR = "#1f5fa8"
GOAL_COLOUR = "#b3261e"

_ids = count(1)


@dataclass(frozen=True, slots=True)
class Bars:
    """A bar chart: one bar per label; ``goal`` draws a line at that value."""

    title: str
    labels: Sequence[str]
    values: Sequence[float]
    unit: str = ""
    goal: float | None = None
    percent: bool = False  # values are shares 0..1, shown as %


def _shown(value: float, percent: bool) -> str:
    return f"{100 * value:.1f}%" if percent else f"{value:,.1f}".removesuffix(".0")


def svg(chart: Bars) -> str:
    ident = f"chart{next(_ids)}"
    top = max([*chart.values, chart.goal or 0.0, 1e-9])
    n = max(1, len(chart.values))
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / n
    bar_w = max(1.0, step * 0.8)
    every = max(1, n // 24)  # at most ~24 labels under the axis
    parts = [
        f'<svg width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{ident}t {ident}d">',
        f'<title id="{ident}t">{escape(chart.title)}</title>',
        f'<desc id="{ident}d">Bar chart; the numbers are in the table beside it.</desc>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - 8}"'
        f' y2="{PAD_TOP + plot_h}" stroke="#444"/>',
        f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 8}" text-anchor="end" font-size="10">'
        f"{escape(_shown(top, chart.percent))}</text>",
    ]
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        h = plot_h * value / top
        x = PAD_LEFT + i * step + (step - bar_w) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" width="{bar_w:.1f}"'
            f' height="{h:.1f}" fill="{COLOUR}"><title>{escape(label)}:'
            f" {escape(_shown(value, chart.percent))}</title></rect>"
        )
        if i % every == 0:
            y = PAD_TOP + plot_h + 12
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y}" font-size="9" text-anchor="end"'
                f' transform="rotate(-40 {x + bar_w / 2:.1f} {y})">{escape(label[:18])}</text>'
            )
    if chart.goal is not None:
        goal_y = PAD_TOP + plot_h - plot_h * chart.goal / top
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{goal_y:.1f}" x2="{WIDTH - 8}" y2="{goal_y:.1f}"'
            f' stroke="{GOAL_COLOUR}" stroke-dasharray="4 3"><title>goal</title></line>'
        )
    parts.append("</svg>")
    return "".join(parts)


def table(caption: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain table with a caption and column headers (scope="col")."""
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{cells}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def figure(chart: Bars) -> str:
    """The chart and, beside it, the table of its numbers."""
    rows = [
        (label, _shown(value, chart.percent))
        for label, value in zip(chart.labels, chart.values, strict=True)
    ]
    head = ("", f"{chart.unit}" if chart.unit else ("share" if chart.percent else "count"))
    return (
        f'<figure class="chart">{svg(chart)}'
        f"<figcaption>{table(chart.title, head, rows)}</figcaption></figure>"
    )
