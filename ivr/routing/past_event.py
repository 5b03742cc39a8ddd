"""PastEvent: a crime said to be over, when the words fit a report and an incident alike.

"The kids next door smashed my greenhouse on Sunday", "on Tuesday they kicked my fence
down": the words are as near an incident in progress as a crime to report, and the two
intents tie. The time said settles it: an event put in the past, with nothing said to be
happening now, is the Resolution Centre's (a crime needing no deployment), or the
website's when that is the incident's rival ("someone did a runner without paying
yesterday, I just want it logged"), so it is offered first; the Force Control Room stays
the other choice. Danger is not this module's business: cues are read before
(ivr.routing.emergency), and a caller who describes danger is asked about it whatever is
offered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.decisions import FCR, ONLINE, RC, Hypothesis
from ivr.routing import danger_words as words
from ivr.routing.bundle import IntentMatchLike
from ivr.routing.danger import present_words
from ivr.text import normalise

__all__ = ["PastEvent"]

# "Still" anywhere keeps it going ("they're still out there", "still at it"): wider than
# the danger words' "still here", because here it only keeps the incident first.
STILL = re.compile(r"(?<![a-z])still(?![a-z])")
# ... and so does a deed or a state going on as the caller speaks ("someone's untied the
# boats overnight and they're drifting across the canal"); not a thing missing, nor a
# plan ("they're going to").
GOING_ON = re.compile(
    r"(?<![a-z])(?:theyre|they are|hes|he is|shes|she is|its|it is) (?:now )?"
    r"(?!going |missing|nothing|something|anything|everything)[a-z]{2,}ing(?![a-z])"
)


# A crime that keeps happening, told as a habit ("someone's been taking my milk off the
# doorstep for weeks now", "somebody keeps taking logs from my log store, it's happened
# three times now"): a report of a pattern, its "now" the telling's, not a deed going on.
HABIT = re.compile(
    r"(?<![a-z])(?:for (?:weeks|months|ages|years|days)(?: and (?:weeks|months))?(?: now)?"
    r"|(?:its|it has|this has|thats) been (?:happening|going on) (?:for|about|since)"
    r"|(?:happened|been) (?:twice|(?:two|three|four|five|six|several|a few|loads of|so many)"
    r" times)(?: now)?"
    r"|keeps? (?:taking|stealing|nicking|pinching|breaking into|breaking in|ringing|calling))"
    r"(?![a-z])"
)


# A day gone by, not the last hour ("yesterday", "last night", "on Sunday"): the event is
# over, so a report a little further behind the incident is still the one meant ("some
# kids threw stones at our windows yesterday afternoon"); further still with the offender
# said to be gone too ("someone was flying a drone over my garden yesterday, it's gone
# now", "kids on motorbikes on the rec last night, they've gone now").
DAY_GONE_BY = re.compile(
    rf"(?<![a-z])(?:yesterday|last (?:night|week|weekend|{words.DAYS})"
    rf"|on (?:the )?(?:{words.DAYS})|(?:{words.DAYS}) (?:night|morning|afternoon|evening)"
    r"|the other (?:day|night)|(?:days|weeks) ago)(?![a-z])"
)
# The offender or the thing gone, said as a clause's last words ("..., they've gone now.",
# "It's gone now."): not "they've gone now but one is hiding in the shed", "it's gone
# quiet", "he's gone mad", "she's gone missing".
# Which way they went may follow ("they ran off over the fields", "drove off down the lane"),
# or when ("they ran off before I got out").
_GONE_END = re.compile(
    rf"(?:{words.GONE.pattern}|(?<![a-z])(?:its|it has) (?:all )?gone(?: now)?)"
    r"(?: (?:over|down|up|across|towards|along|out of|onto|back to|back over|off)"
    r"(?: [a-z]+){1,3})?"
    # ... or before anyone could stop them ("they ran off before I got out")
    r"(?: before (?:i|we|anyone|anybody|my [a-z]+)(?: [a-z]+){1,3})?$"
)
# ... nor gone out or away, leaving someone or taking them ("he's gone away now.")
_OUT = re.compile(r"(?<![a-z])(?:gone|went|left) (?:out|off|away)(?![a-z])")
_CLAUSES = re.compile(r"[.,;:!?]+")
# How much further behind the report may be then: twice the usual margin for a day gone
# by, three times with the offender gone too.
DAY_GONE_BY_MARGIN = 2.0
GONE_TOO_MARGIN = 1.5


def _day_gone_by(said: str) -> bool:
    """A day gone by said as when it happened, not as when a state began ("a man sat in
    a car since yesterday morning": still there)."""
    return any(not said[: m.start()].endswith("since ") for m in DAY_GONE_BY.finditer(said))


def _gone_at_end(text: str) -> tuple[str, bool]:
    """The normalised text without a clause-final "they've gone now" (its "now" is the
    going's), and whether there was one."""
    kept: list[str] = []
    found = False
    for clause in _CLAUSES.split(text.lower()):
        said = normalise(clause)
        end = _GONE_END.search(said)
        if end is not None and not _OUT.search(end.group(0)):
            said, found = said[: end.start()], True
        kept.append(said)
    return " ".join(" ".join(kept).split()), found


class PastEvent:
    """Puts a crime report (or its online form) before a tied incident when the event was
    said to be over."""

    def first(
        self,
        matches: Sequence[IntentMatchLike],
        hypotheses: Sequence[Hypothesis],
        floor: float,
        margin: float,
    ) -> tuple[Sequence[IntentMatchLike], str | None]:
        """``matches`` reordered, and the words that put the event in the past (None:
        unchanged). Only an incident with a report (crime or web) of ``floor`` or more within
        ``margin`` of it moves: the two the caller would have been asked to choose from."""
        if len(matches) < 2 or not hypotheses or matches[0].destination != FCR:
            return matches, None
        report = next((m for m in matches[1:] if m.destination != FCR), None)
        if report is None or report.destination not in (RC, ONLINE):
            return matches, None
        said = normalise(hypotheses[0].text)
        rest = said
        if _day_gone_by(said):
            # A day gone by: the event is over whatever the incident's words were
            # ("a drunk squaddie headbutted my boyfriend in town last Friday"); "... yesterday.
            # They've gone now.": the "now" of their going, not of a deed going on, and
            # the event plainly over.
            trimmed, gone = _gone_at_end(hypotheses[0].text)
            margin *= DAY_GONE_BY_MARGIN
            if gone:
                rest, margin = trimmed, margin * GONE_TOO_MARGIN
        if report.score < floor or matches[0].score - report.score > margin:
            return matches, None
        past = words.PAST.search(said) or HABIT.search(said)
        rest = HABIT.sub(" ", rest)
        now = present_words(rest) or STILL.search(rest) or GOING_ON.search(rest)
        if past is None or now is not None:
            return matches, None
        return (report, *(m for m in matches if m is not report)), past.group(0)
