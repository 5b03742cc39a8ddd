"""Figures kept in tables of their own: the callback book and the SMS outbox.

Callbacks are counted by when they were accepted, texts by when they were stored; both
by SQL (a few rows per call at most, aggregated where they are).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ivr.analysis.reader import CallLogSource, Period

DEFLECTION_TEXTS: Final = ("online-link", "deflection")  # ivr.notify.outbox KINDS


@dataclass(frozen=True, slots=True)
class CallbackFigures:
    accepted: int  # callbacks booked
    placed: int  # ... rung at least once
    answered: int  # ... that reached the caller (done, answered)
    kept: int  # ... answered before the time promised
    failed: int  # ... given up (every attempt spent, expired)
    open: int  # ... still waiting


@dataclass(frozen=True, slots=True)
class TextFigures:
    deflection_stored: int  # online-link texts stored to send
    deflection_sent: int  # ... sent (the provider took them: no delivery receipts kept)
    by_kind: dict[str, tuple[int, int]]  # kind -> (stored, sent)


def callback_figures(log: CallLogSource, period: Period) -> CallbackFigures:
    if "callbacks" not in log.tables:
        return CallbackFigures(0, 0, 0, 0, 0, 0)
    start = period.start.timestamp() if period.start else float("-inf")
    end = period.end.timestamp() if period.end else float("inf")
    kept = (
        "EXISTS (SELECT 1 FROM callback_attempts a WHERE a.call_id = c.call_id"
        " AND a.outcome = 'answered' AND a.detail = 'kept')"
        if "callback_attempts" in log.tables
        else "0"
    )
    row = log.query(
        "SELECT count(*), coalesce(sum(attempts > 0), 0),"
        " coalesce(sum(state = 'done' AND outcome = 'answered'), 0),"
        f" coalesce(sum({kept}), 0), coalesce(sum(state = 'failed'), 0),"
        " coalesce(sum(state IN ('waiting', 'placing')), 0)"
        " FROM callbacks c WHERE accepted_at >= ? AND accepted_at < ?",
        [start, end],
    ).fetchone()
    return CallbackFigures(*(int(v) for v in row))


def text_figures(log: CallLogSource, period: Period) -> TextFigures:
    if "sms_outbox" not in log.tables:
        return TextFigures(0, 0, {})
    where, params = period.clause("created_at")
    by_kind = {
        str(kind): (int(stored), int(sent))
        for kind, stored, sent in log.query(
            f"SELECT kind, count(*), sum(state = 'sent') FROM sms_outbox WHERE {where}"
            " GROUP BY kind ORDER BY kind",
            params,
        )
    }
    stored = sum(by_kind.get(k, (0, 0))[0] for k in DEFLECTION_TEXTS)
    sent = sum(by_kind.get(k, (0, 0))[1] for k in DEFLECTION_TEXTS)
    return TextFigures(stored, sent, by_kind)
