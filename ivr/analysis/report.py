"""``ivr report``'s HTML: one self-contained file (inline CSS and SVG, nothing fetched).

Sections follow issue 14: volumes, queues, abandonment, deflection and callbacks, live
chat (issue 17), callers, understanding (misroutes), the directory; and, when several
Asterisk nodes share the database (issue 19), the calls each came through. Every chart
has its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from ivr.analysis.charts import Bars, figure, table
from ivr.analysis.journey import JourneyPoint, Source, Via
from ivr.analysis.kpis import GAVE_UP_BANDS, Kpis
from ivr.analysis.origins import OriginFigures
from ivr.analysis.stored import CallbackFigures, TextFigures
from ivr.analysis.tally import DestinationFigures, WaitHistogram
from ivr.chat.model import ChatCounts, ChatOutcome

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TOP_DIRECTORY = 20
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:75em;color:#111}"
    "h1,h2{color:#123}table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
    "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:right}"
    "td:first-child,th:first-child{text-align:left}caption{font-weight:600;text-align:left}"
    "figure.chart{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap;margin:1em 0}"
    "figcaption{max-height:240px;overflow:auto}"
)


@dataclass(frozen=True, slots=True)
class ReportInput:
    title: str
    period: str
    kpis: Kpis
    callbacks: CallbackFigures
    texts: TextFigures
    goal: float
    # Live chat: the calls' counts with the chats table's (ivr.analysis.stored.chat_figures).
    chat: ChatCounts = field(default_factory=ChatCounts)
    # Calls per Asterisk node (ivr.analysis.origins): shown when there is more than one.
    origins: tuple[OriginFigures, ...] = ()


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def secs(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} s"


def render(data: ReportInput) -> str:
    k = data.kpis
    sections = [
        _summary(data),
        _nodes(data.origins),
        _volumes(k),
        _queues(k, data.goal),
        _abandonment(k),
        _offers(data),
        _chat(data),
        _callers(k),
        _understanding(k),
        _directory(k),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(data.title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(data.title)}</h1><p>{escape(data.period)}</p>"
        + "".join(sections)
        + "</body></html>\n"
    )


def _section(title: str, *parts: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{''.join(parts)}</section>"


def _summary(data: ReportInput) -> str:
    k = data.kpis
    rows = [
        ("Calls", f"{k.calls:,}"),
        (
            "Abandoned (hung up before being helped)",
            f"{k.abandoned:,} ({pct(k.abandoned, k.calls)})",
        ),
        ("Deflected online or to chat (not abandonment)", f"{k.offers.deflected:,}"),
        ("... of them to live chat (took the chat link)", f"{k.chat.accepted:,}"),
        ("Callbacks booked", f"{k.offers.callbacks_accepted:,}"),
        ("Callback calls placed", f"{k.callback_legs:,}"),
        ("Answer target", f"{k.target_s:g} s, goal {100 * data.goal:g}%"),
    ]
    outcomes = table("Calls by outcome", ("outcome", "calls"), list(k.outcomes.items()))
    return _section("Summary", table("Headline figures", ("", ""), rows), outcomes)


def _nodes(origins: tuple[OriginFigures, ...]) -> str:
    """One node's calls are the whole report: no section. Several: each node's share."""
    if len(origins) < 2:
        return ""
    rows = [
        (
            o.origin or "(before nodes were recorded)",
            f"{o.calls:,}",
            f"{o.answered:,} ({pct(o.answered, o.calls)})",
            f"{o.abandoned:,} ({pct(o.abandoned, o.calls)})",
        )
        for o in origins
    ]
    return _section(
        "Calls by Asterisk node",
        table(
            "Calls by the Asterisk node (and ARI application) they came through",
            ("node", "calls", "answered by a person", "abandoned"),
            rows,
        ),
    )


def _volumes(k: Kpis) -> str:
    days = list(k.by_day.items())
    return _section(
        "Calls by hour, day and route",
        figure(Bars("Calls by hour of day (UK time)", [f"{h:02d}" for h in range(24)], k.by_hour)),
        figure(Bars("Calls by day of week", WEEKDAYS, k.by_weekday)),
        figure(Bars("Calls per day", [d for d, _ in days], [n for _, n in days])),
        figure(Bars("Route mix", list(k.routes), list(k.routes.values()))),
        figure(Bars("Dialled number", list(k.dialled), list(k.dialled.values()))),
    )


def _queue_rows(figures: Sequence[DestinationFigures]) -> list[tuple[object, ...]]:
    return [
        (
            d.destination,
            d.offered,
            d.answered,
            pct(d.answered_in_target, d.offered),
            secs(d.mean_answer_s),
            secs(d.p90_answer_s),
            f"{d.abandoned} ({pct(d.abandoned, d.offered)})",
            d.callbacks,
            d.gave_up,
            d.emergency,
            d.moved_on,
            d.refused,
            secs(d.mean_talk_s),
        )
        for d in figures
    ]


QUEUE_HEAD = (
    "queue", "offered", "answered", "service level", "average to answer", "90% answered within",
    "abandoned", "callbacks", "gave up", "to 999", "moved on", "refused (full)", "average talk",
)  # fmt: skip


def _queues(k: Kpis, goal: float) -> str:
    queues = [d for d in k.destinations if d.via is Via.QUEUE]
    levels = [d.service_level or 0.0 for d in queues]
    parts = [
        table(f"Queues (target {k.target_s:g} s)", QUEUE_HEAD, _queue_rows(queues)),
        figure(
            Bars(
                f"Service level by queue (answered within {k.target_s:g} s / offered)",
                [d.destination for d in queues],
                levels,
                goal=goal,
                percent=True,
            )
        ),
    ]
    return _section("Queues: offered, answered, service level, time to answer", *parts)


def _band_labels() -> list[str]:
    tops = [f"< {t} s" for t in GAVE_UP_BANDS]
    return [*tops, f">= {GAVE_UP_BANDS[-1]} s"]


def _abandonment(k: Kpis) -> str:
    points = [p for p in JourneyPoint if p in k.abandoned_at]
    totals = [sum(k.abandoned_at[p]) for p in points]
    rows = [(p.value, *k.abandoned_at[p], sum(k.abandoned_at[p])) for p in points]
    parts = [
        figure(Bars("Where callers gave up (abandoned calls)", [p.value for p in points], totals)),
        table(
            "Abandoned calls by journey point and time into the call",
            ("point", *_band_labels(), "all"),
            rows,
        ),
    ]
    for d in k.destinations:
        if d.via is Via.QUEUE and d.abandoned_by_minute:
            top = max(d.abandoned_by_minute)
            minutes = [d.abandoned_by_minute.get(m, 0) for m in range(top + 1)]
            parts.append(
                figure(
                    Bars(
                        f"Queue {d.destination}: callers who hung up, by minute waited",
                        [f"{m}-{m + 1} min" for m in range(top + 1)],
                        minutes,
                    )
                )
            )
    return _section("Abandonment: where and after how long", *parts)


def _offers(data: ReportInput) -> str:
    o, c, t = data.kpis.offers, data.callbacks, data.texts
    deflection = [
        ("calls offered the online link", o.links_offered),
        ("declined", o.links_declined),
        ("deflected (took the online link, or the chat link)", o.deflected),
        ("link texts stored", t.deflection_stored),
        ("link texts sent to the provider", t.deflection_sent),
    ]
    callbacks = [
        ("calls offered a callback", o.callbacks_offered),
        ("declined", o.callbacks_declined),
        ("accepted (calls)", o.callbacks_accepted),
        ("booked (callback book)", c.accepted),
        ("placed (rung at least once)", c.placed),
        ("answered", c.answered),
        ("promise kept (answered in the time promised)", f"{c.kept} ({pct(c.kept, c.answered)})"),
        ("failed", c.failed),
        ("still open", c.open),
    ]
    texts = [(kind, stored, sent) for kind, (stored, sent) in t.by_kind.items()]
    return _section(
        "Deflection and callbacks (counted apart from abandonment)",
        table("Deflection to online reporting", ("", "count"), deflection),
        table("Callbacks", ("", "count"), callbacks),
        table("Texts by kind", ("kind", "stored", "sent"), texts),
    )


def _chat(data: ReportInput) -> str:
    """Live chat apart from abandonment: offered and taken on the phone, then what the
    chats table says (a link never opened in time is counted, not lost)."""
    c, why = data.chat, data.kpis.chat_not_offered
    waits = WaitHistogram()
    for wait in c.waits_s:
        waits.add(wait)
    rows = [
        ("calls offered chat", c.offered),
        (
            "took the chat link (ended deflected:chat)",
            f"{c.accepted} ({pct(c.accepted, c.offered)})",
        ),
        ("link never opened in time", f"{c.link_expired} ({pct(c.link_expired, c.accepted)})"),
        ("chats opened", c.opened),
        ("chats an agent joined", f"{c.answered} ({pct(c.answered, c.opened)})"),
        ("average chat wait (opened to an agent joining)", secs(waits.mean)),
        ("90% of chats joined within", secs(waits.percentile(0.9))),
    ]
    outcomes = [(o.value, c.outcomes.get(o, 0)) for o in ChatOutcome]
    return _section(
        "Live chat (counted apart from abandonment)",
        table("Chat", ("", "count"), rows),
        table("Chats by outcome", ("outcome", "chats"), outcomes),
        table("Where chat was not offered, and why", ("reason", "calls"), list(why.items())),
    )


def _callers(k: Kpis) -> str:
    c = k.callers
    rows = [
        ("calls with caller history", c.known),
        (
            "repeat callers (another call in the repeat window)",
            f"{c.repeat} ({pct(c.repeat, c.known)})",
        ),
        ("re-dials after an abandoned call", c.redials),
        ("ring-backs after taking a chat link", c.redials_after_chat),
        ("flagged callers", c.flagged),
        ("vulnerable callers", c.vulnerable),
    ]
    breakouts = table("Emergency break-outs by step", ("step", "calls"), list(k.breakouts.items()))
    return _section(
        "Repeat and vulnerable callers", table("Callers", ("", "calls"), rows), breakouts
    )


def _understanding(k: Kpis) -> str:
    u = k.understanding
    rows = [
        ("calls the menu decided", u.calls),
        ("first-time right (never asked again)", pct(u.first_time_right, u.calls)),
        (
            "confirm rate (calls with 'did you mean'; danger checks apart)",
            pct(u.confirmed, u.calls),
        ),
        ("disambiguation rate", pct(u.disambiguated, u.calls)),
        ("no-match rate (of decisions)", pct(u.no_match, u.decisions)),
    ]
    d = u.danger_checks
    checks = [
        ("danger checks asked ('is someone in danger right now?')", d.asked),
        ("answered yes (999 handling)", d.yes),
        ("answered no (routed as asked)", d.no),
        ("no answer (silence, not understood, or hung up)", d.no_answer),
    ]
    sources = [s for s in Source]
    bands = [f"{i / 10:.1f}-{(i + 1) / 10:.1f}" for i in range(len(u.confidence_bands))]
    moves = [
        (m.source, m.target, m.moves, "; ".join(f"“{p}” ×{n}" for p, n in m.phrases))
        for m in u.misroutes
    ]
    return _section(
        "Understanding",
        table("Understanding", ("", ""), rows),
        table("Danger checks", ("", "checks"), checks),
        figure(
            Bars(
                "Decisions by input", [s.value for s in sources], [u.by_source[s] for s in sources]
            )
        ),
        figure(Bars("Speech recognitions by confidence", bands, u.confidence_bands)),
        table(
            "Misroutes: operators' moves (overrides and re-transfers), from → to",
            ("from", "to", "moves", "top phrases"),
            moves,
        ),
    )


def _directory(k: Kpis) -> str:
    named = [d for d in k.destinations if d.via is Via.TRANSFER][:TOP_DIRECTORY]
    rows = [
        (
            d.destination,
            d.offered,
            d.answered,
            pct(d.abandoned + d.unanswered + d.gave_up, d.offered),
        )
        for d in named
    ]
    return _section(
        "Directory and transfers",
        table(
            f"Top {TOP_DIRECTORY} transfer destinations",
            ("destination", "rung", "answered", "unanswered"),
            rows,
        ),
        figure(
            Bars(
                "Unanswered rate per destination",
                [d.destination for d in named],
                [d.unanswered_rate or 0.0 for d in named],
                percent=True,
            )
        ),
    )
