"""The KPI core: a period's calls folded into the figures a force is judged on.

``KpiCollector.add`` takes one ``CallJourney`` at a time (streaming; nothing per call is
kept) and ``figures()`` returns ``Kpis``. Abandonment counts callers who hung up before
being helped; a deflection (sent online or to live chat) or a callback is never one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import tzinfo
from typing import Final

from ivr.analysis.journey import CALLBACK_LEG, CallJourney, JourneyPoint, Via
from ivr.analysis.tally import DestinationFigures, DestinationTally
from ivr.analysis.understanding import UnderstandingFigures, UnderstandingTally
from ivr.chat.model import ChatCounts
from ivr.clock import UK

LOCAL: Final = UK
VULNERABLE: Final = "vulnerable"  # ivr.callers.model.VULNERABLE
# Seconds into the call at which callers gave up, in bands (upper bounds).
GAVE_UP_BANDS: Final = (10, 30, 60, 120, 300, 600, 1800)
ROUTES: Final = ("emergency", "fcr", "rc", "online", "chat", "switchboard")


def route_of(destination: str) -> str:
    """The route mix's category of a call's destination (directory: anything named)."""
    if destination in ROUTES:
        return destination
    return "directory" if destination else "none"


def dialled_kind(dialled: str) -> str:
    return "101" if dialled == "101" else ("geographic" if dialled else "unknown")


def band_of(seconds: float | None) -> int:
    """The index in GAVE_UP_BANDS (len: beyond the last) of a call's length."""
    s = seconds or 0.0
    return next((i for i, top in enumerate(GAVE_UP_BANDS) if s < top), len(GAVE_UP_BANDS))


@dataclass(frozen=True, slots=True)
class OfferFigures:
    """Deflection (online link by text) and callbacks as offered in calls."""

    links_offered: int  # calls offered the online link
    links_declined: int
    deflected: int  # calls that took it, or a chat link (ended deflected, deflected:chat)
    callbacks_offered: int  # calls offered a callback
    callbacks_declined: int
    callbacks_accepted: int


@dataclass(frozen=True, slots=True)
class CallerFigures:
    known: int  # calls whose caller history was looked up
    repeat: int  # ... with another call in the repeat window
    redials: int  # re-dials soon after an abandoned call
    redials_after_chat: int  # ring-backs soon after a call sent to chat
    flagged: int  # callers with any flag
    vulnerable: int


@dataclass(frozen=True, slots=True)
class Kpis:
    calls: int  # calls in (callback legs apart)
    callback_legs: int  # calls the callback worker placed
    target_s: float
    outcomes: dict[str, int]
    by_hour: tuple[int, ...]  # 24, UK local time
    by_weekday: tuple[int, ...]  # 7, Monday first
    by_day: dict[str, int]  # ISO date (local) -> calls
    routes: dict[str, int]
    dialled: dict[str, int]
    abandoned: int
    abandoned_at: dict[JourneyPoint, tuple[int, ...]]  # point -> counts per GAVE_UP_BANDS(+1)
    destinations: tuple[DestinationFigures, ...]
    offers: OfferFigures
    callers: CallerFigures
    understanding: UnderstandingFigures
    breakouts: dict[str, int]  # emergency break-outs by the step they came from
    # Live chat as the calls saw it (offered, accepted, link expired); what happened in
    # the chats themselves is read from the chats table (ivr.analysis.stored).
    chat: ChatCounts
    chat_not_offered: dict[str, int]  # why chat was not offered, where it would have been

    def queue(self, name: str) -> DestinationFigures | None:
        return next(
            (d for d in self.destinations if d.destination == name and d.via is Via.QUEUE), None
        )


@dataclass(slots=True)
class KpiCollector:
    """Folds journeys into ``Kpis``; ``target_s``: the answer target ([analysis])."""

    target_s: float = 300.0
    zone: tzinfo = LOCAL
    calls: int = 0
    callback_legs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    weekdays: list[int] = field(default_factory=lambda: [0] * 7)
    days: Counter[str] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)
    dialled: Counter[str] = field(default_factory=Counter)
    abandoned_at: dict[JourneyPoint, list[int]] = field(default_factory=dict)
    tallies: dict[tuple[str, Via], DestinationTally] = field(default_factory=dict)
    offers: Counter[str] = field(default_factory=Counter)
    callers: Counter[str] = field(default_factory=Counter)
    breakouts: Counter[str] = field(default_factory=Counter)
    understanding: UnderstandingTally = field(default_factory=UnderstandingTally)
    chat: Counter[str] = field(default_factory=Counter)
    chat_not_offered: Counter[str] = field(default_factory=Counter)

    def add(self, journey: CallJourney) -> None:
        if journey.dialled == CALLBACK_LEG:
            # A callback rung out: its conversation is a destination's work, not a call in.
            self.callback_legs += 1
            self._visits(journey)
            return
        self.calls += 1
        self.outcomes[journey.outcome] += 1
        local = journey.started_at.astimezone(self.zone)
        self.hours[local.hour] += 1
        self.weekdays[local.weekday()] += 1
        self.days[local.date().isoformat()] += 1
        self.routes[route_of(journey.destination)] += 1
        self.dialled[dialled_kind(journey.dialled)] += 1
        if journey.abandoned:
            bands = self.abandoned_at.setdefault(journey.point, [0] * (len(GAVE_UP_BANDS) + 1))
            bands[band_of(journey.duration_s)] += 1
        self._visits(journey)
        self._offers(journey)
        self._caller(journey)
        if journey.breakout_from:
            self.breakouts[journey.breakout_from.partition(":")[0]] += 1
        self.understanding.add(journey)

    def _visits(self, journey: CallJourney) -> None:
        for visit in journey.visits:
            key = (visit.destination, visit.via)
            tally = self.tallies.get(key)
            if tally is None:
                tally = self.tallies[key] = DestinationTally(*key, target_s=self.target_s)
            tally.add(visit)

    def _offers(self, journey: CallJourney) -> None:
        o = self.offers
        o["links_offered"] += journey.links_offered > 0
        o["links_declined"] += journey.links_declined > 0
        o["deflected"] += journey.deflected
        o["callbacks_offered"] += journey.callbacks_offered > 0
        o["callbacks_declined"] += journey.callbacks_declined > 0
        o["callbacks_accepted"] += journey.callback_accepted
        c = self.chat
        c["offered"] += journey.chat_offered
        c["accepted"] += journey.chat_accepted
        # Only a link the caller was told of: one whose text could not be stored expires too.
        c["link_expired"] += journey.chat_link_expired and journey.chat_accepted
        if journey.chat_not_offered:
            self.chat_not_offered[journey.chat_not_offered] += 1

    def _caller(self, journey: CallJourney) -> None:
        c = self.callers
        c["known"] += journey.recent_calls > 0
        c["repeat"] += journey.recent_calls > 1
        c["redials"] += journey.redial
        c["redials_after_chat"] += journey.redial_after_chat
        c["flagged"] += bool(journey.flags)
        c["vulnerable"] += VULNERABLE in journey.flags

    def figures(self) -> Kpis:
        destinations = sorted(
            (t.figures() for t in self.tallies.values()),
            key=lambda d: (d.via is not Via.QUEUE, -d.offered, d.destination),
        )
        return Kpis(
            calls=self.calls,
            callback_legs=self.callback_legs,
            target_s=self.target_s,
            outcomes=dict(self.outcomes.most_common()),
            by_hour=tuple(self.hours),
            by_weekday=tuple(self.weekdays),
            by_day=dict(sorted(self.days.items())),
            routes=dict(self.routes.most_common()),
            dialled=dict(self.dialled.most_common()),
            abandoned=self.outcomes["abandoned"],
            abandoned_at={
                p: tuple(self.abandoned_at[p]) for p in JourneyPoint if p in self.abandoned_at
            },
            destinations=tuple(destinations),
            offers=OfferFigures(*(self.offers[f.name] for f in fields(OfferFigures))),
            callers=CallerFigures(*(self.callers[f.name] for f in fields(CallerFigures))),
            understanding=self.understanding.figures(),
            breakouts=dict(self.breakouts.most_common()),
            chat=ChatCounts(
                offered=self.chat["offered"],
                accepted=self.chat["accepted"],
                link_expired=self.chat["link_expired"],
            ),
            chat_not_offered=dict(self.chat_not_offered.most_common()),
        )
