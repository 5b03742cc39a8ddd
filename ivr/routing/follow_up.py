"""FollowUp: a crime already reported, asked after, is an update, not a new report.

"Where are we with my stolen bike", "nobody's rung me back about my car", "I reported
the sheep stolen, can I find out what's going on": the crime's words are nearer the
crime-report examples than the update examples, so the crime report wins on score and
the caller is asked for the whole story again. Words that ask after something already
reported put the update intent first when it was heard at all (its link tracks the
report online, or a reference reaches the officer in charge); the crime report stays
the other choice, so a caller with something new to add still reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.decisions import RC, Hypothesis
from ivr.routing.bundle import IntentMatchLike
from ivr.text import normalise

__all__ = ["UPDATE_INTENT", "FollowUp"]

UPDATE_INTENT = "update"  # the shipped intents' name for asking after a report

_NOBODY = r"(?:nobodys|nobody has|nobody|no ones|no one has|no one|noone|nobodyve)"
_CONTACT = r"(?:rung|called|phoned|contacted|got back to|been in touch|come back to|rang)"
ASKED_AFTER = re.compile(
    r"(?<![a-z])(?:"
    r"any news|any update|any progress|heard anything|chase up|chasing up|chasing"
    r"|(?:not|never|havent|hasnt|didnt) (?:heard|had) (?:a thing|anything|a word|owt|nothing)"
    r"(?: back| since| from)?|heard nothing|not heard back|no word from"
    rf"|{_NOBODY} (?:\w+ )?{_CONTACT}"
    r"|(?:would|will|was going to|were going to|said theyd|supposed to) (?:ring|call|phone)"
    r" me back"
    r"|(?:whats|what is|whats been) (?:happening|going on|happened) (?:with|about)"
    r"|find out (?:whats|what is|what) (?:going on|happening|happened)"
    r"|has anything (?:happened|been done)|anything happened"
    r"|where (?:are we|were at|are you|is it) (?:up to )?with"
    # "I just want to know if anybody's looking at it"
    r"|(?:anybodys|anyones|anybody is|anyone is|anybody|anyone|somebodys|someones"
    r"|somebody is|someone is) (?:been )?(?:looking (?:at|into)|dealing with|working on)"
    r" (?:it|this|that|my|our)|(?:is|its|was) (?:being|been) (?:looked (?:at|into)|dealt with)"
    r")(?![a-z])"
)


class FollowUp:
    """Puts the update intent before a crime report when the words ask after one."""

    def first(
        self, matches: Sequence[IntentMatchLike], hypotheses: Sequence[Hypothesis], floor: float
    ) -> tuple[Sequence[IntentMatchLike], str | None]:
        """``matches`` reordered, and the words that asked after a report (None: unchanged).

        Only over a crime report (an incident asked after is still happening, and the
        control room hears it), and only when the update intent scored ``floor`` or more.
        An update already first over a crime report is kept first, for the same words."""
        if not matches or not hypotheses:
            return matches, None
        update = next((m for m in matches if m.intent == UPDATE_INTENT), None)
        if update is None or update.score < floor:
            return matches, None
        top = matches[0]
        rival = (matches[1] if len(matches) > 1 else None) if top is update else top
        if rival is None or rival.destination != RC:
            return matches, None
        found = ASKED_AFTER.search(normalise(hypotheses[0].text))
        if found is None:
            return matches, None
        return (update, *(m for m in matches if m is not update)), found.group(0)
