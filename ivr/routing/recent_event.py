"""RecentEvent: a crime said to be happening or just over, when a report and an incident fit.

"My shed's just been broken into, I saw them ten minutes ago", "a car dumped in our close,
the engine's still warm", "two kids spraying graffiti on the underpass right now": the
words fit a crime to report, and the report may lead the incident by far. The
time said settles it: an event still going on or minutes old may need someone sent (the
Force Control Room's "ongoing / recent incidents, suspects nearby"), so the incident is
offered first; the Resolution Centre stays the other choice. The mirror of
ivr.routing.past_event. Danger is not this module's business: cues are read before
(ivr.routing.emergency).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.decisions import FCR, RC, Hypothesis
from ivr.routing import danger_words as words
from ivr.routing.bundle import IntentMatchLike
from ivr.text import normalise

__all__ = ["RecentEvent"]

_FEW = r"(?:a few|few|couple of|a couple of|two|three|five|ten|fifteen|twenty|thirty|\d+)"
# Minutes old, or said to be now: what makes an event the control room's.
RECENT = words.pattern(
    [
        rf"{_FEW} (?:minutes?|mins) ago",
        r"half an hour ago",
        # Not "only just found", "just drove off", "just had a text": found now, over long ago.
        r"(?<!only )just (?:(?:been )?(?:broken|smashed|stolen|taken|nicked|burgled|robbed"
        r"|mugged|attacked|hit|dumped|vandalised|set)|seen|spotted|shown|happened|run|ran|heard"
        r"|caught|watched|now|this minute)",
        # "Still" of the event going on, not "I should still report it", "still got the card".
        r"still (?:there|here|up there|down there|going|at it|warm|inside|outside|about"
        r"|around|hanging|happening"
        r"|doing|parked|running|sat|stood|standing|sitting|in (?:the|my|our|his|her)"
        r"|on (?:the|my|our)|out there)",
        r"as we speak|this minute|at the moment|right now|happening now|currently",
        # Someone still there: "now he is sitting in his car outside my shop", "he won't go"
        r"now (?:hes|shes|theyre|he is|she is|they are) (?:sitting|sat|standing|stood|waiting"
        r"|parked|outside|here)",
        r"(?:wont|will not|refuses to|refusing to) (?:go|leave|move|get out)",
    ]
)
# Said of where someone is, not of the event: "he's working in Spain at the moment",
# "he's in prison at the moment" (the words just before these recent ones; not "I'm on
# holiday and my car's just been stolen").
WHERE_NOW = frozenset({"at the moment", "currently"})
AWAY = frozenset({"working", "living", "lives", "staying", "away", "abroad", "holiday"})
AWAY |= frozenset({"prison", "jail", "deployed", "overseas"})
# Times the recent words leave the event over anyway ("yesterday", "last week").
RECENT_AGO = re.compile(r"(?:minutes?|mins|hour) ago")


class RecentEvent:
    """Offers the incident before a crime report when the event is now or minutes old."""

    def incident(
        self, matches: Sequence[IntentMatchLike], hypotheses: Sequence[Hypothesis]
    ) -> tuple[IntentMatchLike, str] | None:
        """The incident to offer before the leading crime report, and the words that
        make the event recent (None: the report leads as it is)."""
        if not matches or not hypotheses or matches[0].destination != RC:
            return None
        incident = next((m for m in matches[1:] if m.destination == FCR), None)
        if incident is None:
            return None
        said = normalise(hypotheses[0].text)
        if any(RECENT_AGO.search(m.group(0)) is None for m in words.PAST.finditer(said)):
            return None
        for found in RECENT.finditer(said):
            before = said[: found.start()].split()
            away = found.group(0) in WHERE_NOW and AWAY.intersection(before[-4:])
            if away or any(w in words.NEGATIONS for w in before[-3:]):
                continue
            return incident, found.group(0)
        return None
