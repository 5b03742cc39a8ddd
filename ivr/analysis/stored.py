"""Figures kept in tables of their own: the callback book, the SMS outbox and live chats.

Callbacks are counted by when they were accepted, texts by when they were stored, chats
by when they were opened; by SQL (a few rows per call at most, aggregated where they
are; counts as ``CASE``, which both engines run), the chat waits in Python (a few
thousand chats a month).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from ivr.analysis.reader import CallLogSource, Period, stored_time
from ivr.chat.model import ChatCounts, ChatOutcome

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
        else "1 = 0"
    )
    counts = ", ".join(
        _count(condition)
        for condition in (
            "attempts > 0",
            "state = 'done' AND outcome = 'answered'",
            kept,
            "state = 'failed'",
            "state IN ('waiting', 'placing')",
        )
    )
    (row,) = log.query(
        f"SELECT count(*), {counts} FROM callbacks c WHERE accepted_at >= ? AND accepted_at < ?",
        [start, end],
    )
    return CallbackFigures(*(int(v) for v in row))


def _count(condition: str) -> str:
    """SQL for how many rows meet ``condition`` (0 when there are none)."""
    return f"coalesce(sum(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


_SENT: Final = "coalesce(sum(CASE WHEN state = 'sent' THEN 1 ELSE 0 END), 0)"


def text_figures(log: CallLogSource, period: Period) -> TextFigures:
    if "sms_outbox" not in log.tables:
        return TextFigures(0, 0, {})
    where, params = period.clause("created_at")
    by_kind = {
        str(kind): (int(stored), int(sent))
        for kind, stored, sent in log.query(
            f"SELECT kind, count(*), {_SENT} FROM sms_outbox WHERE {where}"
            " GROUP BY kind ORDER BY kind",
            params,
        )
    }
    stored = sum(by_kind.get(k, (0, 0))[0] for k in DEFLECTION_TEXTS)
    sent = sum(by_kind.get(k, (0, 0))[1] for k in DEFLECTION_TEXTS)
    return TextFigures(stored, sent, by_kind)


def chat_figures(log: CallLogSource, period: Period, calls: ChatCounts) -> ChatCounts:
    """``calls`` (what the calls saw: offered, accepted, expired) with what the ``chats``
    table says of the chats opened in ``period``: opened, answered, the wait from opening
    to an agent joining, and the outcomes they were closed with. No table (chat never set
    up, or a database from before it): the calls' figures alone.

    Read-only, like the rest: a chat's transcript and context are never read here."""
    if "chats" not in log.tables:
        return calls
    where, params = period.clause("opened_at")
    opened = answered = 0
    waits: list[float] = []
    outcomes: dict[ChatOutcome, int] = {}
    for opened_at, answered_at, outcome in log.query(
        f"SELECT opened_at, answered_at, coalesce(outcome, '') FROM chats WHERE {where}"
        " ORDER BY opened_at",
        params,
    ):
        opened += 1
        if answered_at:
            answered += 1
            try:
                wait = (stored_time(answered_at) - stored_time(opened_at)).total_seconds()
            except (ValueError, TypeError):
                log.damage.events += 1  # an unreadable time: the chat counts, its wait not
            else:
                waits.append(max(0.0, wait))
        try:
            known = ChatOutcome(outcome) if outcome else None
        except ValueError:
            known = None  # an outcome a later release added: counted as opened only
        if known is not None:
            outcomes[known] = outcomes.get(known, 0) + 1
    return replace(calls, opened=opened, answered=answered, waits_s=tuple(waits), outcomes=outcomes)
