"""Preamble: the point of a call after "the thing is", "what's happened is".

"Good afternoon, I'm so sorry to bother you, I'm not sure I've even got the right number,
my name is Margaret and I live in Lower Slaybrook, and the thing is, someone has taken my
late husband's ride-on mower": the words before the marker are the caller settling in
(an apology, a doubt about the number, a name, where they live, a story already told),
and matching them would offer the switchboard for "the right number" or put the call
through to a Margaret in the directory. Every read dev set's caller who said such a
marker said the matter after it. Only names and intents read the point; danger is read
on everything said (a preamble may hold the emergency).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ivr.decisions import Hypothesis

__all__ = ["Preamble"]

MARKER = re.compile(
    r"(?<![a-z'])(?:the thing is|what(?:'s|s| has) happened is|what happened is|what it is is"
    r"|the reason (?:i'm|i am|im|we're|we are) (?:ringing|calling|phoning)(?: you)?(?: is)?"
    r"|the reason for (?:my|the|this) call is)(?![a-z'])[,.]?\s*",
    re.IGNORECASE,
)
WORD = re.compile(r"[a-z0-9']+", re.IGNORECASE)
POINT_MIN_WORDS = 3  # fewer after the marker ("the thing is, I don't know") is no point


def point(text: str) -> str | None:
    """What ``text`` says after its last point marker (None: no marker, or too little
    after it)."""
    markers = list(MARKER.finditer(text))
    if not markers:
        return None
    after = text[markers[-1].end() :].strip()
    return after if len(WORD.findall(after)) >= POINT_MIN_WORDS else None


class Preamble:
    """The hypotheses from their point on, for matching names and intents."""

    def applied(self, hypotheses: Sequence[Hypothesis]) -> tuple[Hypothesis, ...]:
        return tuple(
            h if (said := point(h.text)) is None else replace(h, text=said) for h in hypotheses
        )
