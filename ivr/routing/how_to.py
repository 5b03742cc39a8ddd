"""HowToReport: a caller asking how or whether to report something, or telling of a scam
that took nothing, is offered the web first.

"Someone clipped my wing mirror, we swapped details, do I need to report it?", "a car
passed me too close, I've got it on my helmet camera, how do I report it?": the matter's
words are nearer the crime-report examples, so the Resolution Centre wins on score and
the caller waits in its queue to be told how to report online. Words that ask how or
whether to report put the online intent (the web link) before a crime report when it
was heard at all, within ``MARGIN`` of it; the crime report stays the other choice. Only
over a crime report: an incident ("what should I do, he's still outside") is the
control room's, and a found weapon ("what do I do with it") is not asked about here.

So is a scam tried and failed: "a man rang saying he was from the bank, I put the phone
down, I never gave him anything", "the invoice had new bank details, we spotted it and
didn't pay". The dev sets' writers sent an attempt that took nothing to the web report
(Action Fraud's), one that took money to the Resolution Centre; a card opened in the
caller's name "with no money lost yet" they sent to the Resolution Centre, so only a
web link already close to the crime report is put first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.decisions import ONLINE, RC, Hypothesis
from ivr.routing.bundle import IntentMatchLike
from ivr.text import normalise

__all__ = ["HowToReport"]

MARGIN = 0.15  # the online intent this far behind a crime report is still put first
ASKED_HOW = re.compile(
    r"(?<![a-z])(?:"
    r"how (?:do|can|would|should|shall) (?:i|we) (?:go about )?(?:report|log)(?:ing)?"
    r"|(?:do|should|would|must) (?:i|we) (?:(?:still )?(?:need|have|got) to )?(?:report|log)"
    r" (?:it|this|that)"
    r"|do (?:i|we) (?:(?:still )?(?:need|have) to )(?:tell you|let you know)"
    r"|is there (?:anything|something|a form|a page|somewhere) (?:on|online)"
    r"|on (?:your|the) website"
    r"|(?:report|do|log) (?:it |this |that )?online"
    r"|what (?:should i|i should|shall i) do(?! with)"
    r"|where (?:do|can|should) (?:i|we) (?:report|log)"
    r"|just (?:want|wanted|like|need) to (?:log|record) (?:it|this|that)"
    r")(?![a-z])"
)
# A scam that took nothing: the caller did not pay, gave nothing, hung up.
NOTHING_LOST = re.compile(
    r"(?<![a-z])(?:"
    r"(?:didnt|did not|never|wouldnt|would not) (?:pay|paid|send|sent|transfer|click|fall for)"
    r"(?! for)(?: (?:them|him|her|it|on it|anything|a penny|any money))?(?: anything)?"
    r"|(?:didnt|did not|never|wouldnt|would not) (?:give|gave|hand|handed) (?:(?:them|him|her)"
    r" )?(?:anything|a penny|any money|over anything)"
    r"|(?:put|slammed) the phone down|hung up|hang up"
    r"|(?:havent|have not|hasnt|has not|not|didnt|did not|never) (?:lost|lose)"
    r" (?:any |a )?(?:money|anything|penny)"
    # "they haven't taken any money or anything": the hacker or the caller's money
    r"|(?:havent|have not|hasnt|has not|didnt|did not|never) (?:taken|took|take|had|got)"
    r" (?:any )?(?:money|anything|a penny)"
    r"|(?:spotted|realised|realized|knew) (?:it was (?:a scam|fake|dodgy)|it in time)"
    r")(?![a-z])"
)
# ... unless money went after all ("they took five hundred pounds, I never gave my PIN").
MONEY_TAKEN = re.compile(
    r"(?<![a-z])(?<!nt )(?<!not )(?<!never )(?:took|taken|stole|stolen|emptied|withdrew"
    r"|withdrawn|lost|paid|transferred|sent|gone)(?: [a-z]+){0,4} (?:pounds|quid|grand|money"
    r"|savings|out of (?:my|her|his|our) (?:account|bank))(?![a-z])"
)


class HowToReport:
    """Puts the online intent before a crime report when the words ask how to report, or
    say a scam took nothing."""

    def first(
        self, matches: Sequence[IntentMatchLike], hypotheses: Sequence[Hypothesis], floor: float
    ) -> tuple[Sequence[IntentMatchLike], str | None]:
        """``matches`` reordered, and why (None: unchanged)."""
        if not matches or not hypotheses or matches[0].destination != RC:
            return matches, None
        online = next((m for m in matches if m.destination == ONLINE), None)
        if online is None or online.score < floor or matches[0].score - online.score > MARGIN:
            return matches, None
        said = normalise(hypotheses[0].text)
        if (found := ASKED_HOW.search(said)) is not None:
            why = f"{found.group(0)!r} asks how to report"
        elif (found := NOTHING_LOST.search(said)) is not None and not MONEY_TAKEN.search(said):
            why = f"{found.group(0)!r}: nothing was lost to it"
        else:
            return matches, None
        return (online, *(m for m in matches if m is not online)), f"{why}: the web first"
