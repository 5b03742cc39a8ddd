"""Calls per Asterisk node for ``ivr report``: with several nodes on one database the
report counts every node's calls; this says how many came through each (``calls.origin``,
the Asterisk and ARI app a call came through), answered and abandoned.

Counted by SQL that both engines run, apart from the journeys (a few rows per origin):
callback legs are left out, as the report's call count leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ivr.analysis.journey import CALLBACK_LEG
from ivr.analysis.reader import CallLogSource, Period

ABANDONED: Final = "abandoned"  # ivr.session.outcomes.CallOutcome.ABANDONED
CONNECTED: Final = "connected"  # the event of a call put through to a person


@dataclass(frozen=True, slots=True)
class OriginFigures:
    origin: str  # "" for calls stored before origins were
    calls: int
    answered: int  # put through to a person (a queue's agent or a transfer answered)
    abandoned: int


def origin_figures(log: CallLogSource, period: Period) -> tuple[OriginFigures, ...]:
    """Each origin's figures for calls started in ``period``, by origin; none when the
    database is from before origins."""
    if "origin" not in log.db.columns("calls"):
        return ()
    where, params = period.clause("c.started_at")
    rows = log.query(
        "SELECT COALESCE(c.origin, ''), count(*),"
        " COALESCE(sum(CASE WHEN EXISTS (SELECT 1 FROM call_events e"
        " WHERE e.call_id = c.call_id AND e.kind = ?) THEN 1 ELSE 0 END), 0),"
        " COALESCE(sum(CASE WHEN c.outcome = ? THEN 1 ELSE 0 END), 0)"
        f" FROM calls c WHERE {where} AND COALESCE(c.dialled, '') <> ?"
        " GROUP BY COALESCE(c.origin, '') ORDER BY COALESCE(c.origin, '')",
        [CONNECTED, ABANDONED, *params, CALLBACK_LEG],
    )
    return tuple(
        OriginFigures(str(origin), int(calls), int(answered), int(abandoned))
        for origin, calls, answered, abandoned in rows
    )
