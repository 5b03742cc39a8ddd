"""CallerRole: who the caller says they are, when that says which unit they need.

"Hi, I'm a reporter at the Castlebrook Evening Mail, I'm after a comment on the Tanford
shooting": the sentence model reads the shooting, not the press office the reporter
wants, and every read dev set's writer sent such a caller to the department for press
and communications. The role is looked up as a shipped department kind
(ivr/routing/data/department_kinds.yaml), so whatever a force calls its press office
("Corporate Communications", "Media Relations") answers for it; a force with no such
department gets nothing from the role, and the words are routed as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ivr.decisions import Hypothesis
from ivr.text import normalise

__all__ = ["CallerRole", "SaidRole"]

# Role words -> the department kind they need. Only roles that name a unit whatever the
# caller goes on to say: a social worker or a solicitor names the unit too ("the MASH",
# "custody"), and a nurse may be reporting an emergency on the ward.
ROLES: dict[str, re.Pattern[str]] = {
    "press and communications": re.compile(
        r"(?<![a-z])(?:im|i am|this is|its)(?: a| the)? (?:reporter|journalist)(?![a-z])"
        # "reporter from the Gazette here": said first, of themselves (not "the reporter
        # from the paper was outside my house")
        r"|^(?:(?:hi|hello|hiya|yes|morning|afternoon|good morning|good afternoon) )*"
        r"(?:a )?(?:reporter|journalist) (?:at|from|with|on|for)(?![a-z])"
    ),
}


@dataclass(frozen=True, slots=True)
class SaidRole:
    kind: str  # a shipped department kind
    words: str  # the words that said it


class CallerRole:
    """The department kind the caller's own role names, if any, in the best alternative."""

    def said(self, hypotheses: Sequence[Hypothesis]) -> SaidRole | None:
        if not hypotheses:
            return None
        text = normalise(hypotheses[0].text)
        for kind, pattern in ROLES.items():
            found = pattern.search(text)
            if found is not None:
                return SaidRole(kind, found.group(0))
        return None
