"""ExposedPerson: someone vulnerable gone missing out in the cold, the dark or by water.

"My dad's got dementia and he's wandered off, it's minus three and he's only in his
pyjamas", "my seventeen year old went out in the boat this morning and he's not back,
it's getting dark": no cue word, and the words are nearest the missing-person examples
(the Force Control Room's), yet a life may be at risk within the hour (a high-risk missing
person). Every independent writer who put a vulnerable person missing beside cold, night
clothes, darkness or water expected 999 handling; without them ("he's been gone about an
hour, he's got his slippers on") the control room. So the three together are asked about
(the danger check): yes, 9 or silence is 999 handling, a no goes where routing would have
sent the call. Pure and cheap: three precompiled patterns over one normalised string.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr.decisions import Hypothesis
from ivr.routing.danger_check import DangerDoubt
from ivr.routing.danger_words import pattern
from ivr.text import normalise

__all__ = ["RULE", "ExposedPerson"]

RULE = "exposed-missing-person"

# Someone gone and not found.
MISSING = pattern(
    [
        r"wandered(?: off| out)?|walked out|gone out|went out|got out|slipped out|left the house",
        r"(?:not|hasnt|hes not|shes not|isnt) (?:come )?(?:back|home)|not back|never came back",
        r"missing|cant find|can not find|cannot find|no sign of|been gone|gone off",
    ]
)
# Who is at risk alone out there.
VULNERABLE = pattern(
    [
        r"dementia|alzheimers?|confused|vulnerable|autistic|autism"
        r"|learning (?:disability|difficulties)",
        r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
        r"|fifteen|sixteen|seventeen|\d{1,2}) year old",
        r"(?:little|young) (?:boy|girl|lad|lass|one)|toddler",
    ]
)
# What makes the hour count: cold, night clothes, darkness, water, the hills.
EXPOSED = pattern(
    [
        r"freezing|minus (?:\w+)|below zero|baltic|perishing|snow|snowing|icy|ice|frost"
        r"|hypothermia|(?:its|it is|very|so|really|bitterly|that) cold|cold (?:and dark|out)",
        r"no coat|without (?:a|his|her) coat|pyjamas|pjs|nightie|nightdress|nightgown",
        r"(?:getting |its |it is |pitch |and )dark|in the dark|overnight",
        r"river|sea|canal|lake|reservoir|boat|cliffs?|the water|moor|moors|fells?|mountain",
    ]
)


class ExposedPerson:
    """Asks first when a vulnerable person is said to be missing out in the cold or dark."""

    def doubt(self, hypotheses: Sequence[Hypothesis]) -> DangerDoubt | None:
        """The danger check for the best alternative's words, or None."""
        if not hypotheses:
            return None
        said = normalise(hypotheses[0].text)
        found = [p.search(said) for p in (MISSING, VULNERABLE, EXPOSED)]
        if any(f is None for f in found):
            return None
        words = [f.group(0) for f in found if f is not None]
        reason = (
            "someone vulnerable said to be missing out in the cold, the dark or by water"
            f" ({', '.join(repr(w) for w in words)}): a life may be at risk, ask"
        )
        return DangerDoubt(
            RULE, reason, {"missing": words[0], "who": words[1], "exposed": words[2]}
        )
