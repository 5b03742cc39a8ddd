"""OwnService: the Resolution Centre or the Force Control Room asked for by name.

The menu names them ("1 is the Resolution Centre, 2 the Force Control Room"), so a caller
who rings again, or was told by an officer, asks for them so: "Put me through to the
Resolution Centre please", "Control room please". Whatever a force's directory lists,
these two are this service's own destinations. Only a request that is nothing but the
name (a request's words around it) is read so: "Inspector Marlow in the control room"
asks for a person, "the CCTV control room" or "this is the control room at Northumbria
Police" for someone else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.decisions import FCR, RC, Hypothesis
from ivr.text import normalise

__all__ = ["ASK", "SERVICE_ASKED", "SERVICE_NAMES", "OwnService"]

SERVICE_ASKED = "service-asked"

# Words that ask to be put through to someone, or whether this is them.
ASK = (
    r"(?:(?:can|could|may) i (?:speak to|talk to|have|get|be put through to)"
    r"|(?:i want|i need|id like|i would like)(?: to (?:speak to|talk to|be put through to))?"
    r"|(?:can you |could you |please )?(?:put me through|transfer me|connect me) to"
    r"|is (?:this|that))"
)
ASKED = re.compile(
    r"^(?:(?:um|umm|er|erm|uh|oh|hello|hi|hiya|yes|yeah|right|sorry|please)\s)*"
    rf"(?:{ASK}\s)?(?:the |your )?(?:force )?(?P<name>control room|resolution cent(?:re|er))"
    r"(?: please)?$"
)
SERVICES = {"control room": FCR, "resolution centre": RC, "resolution center": RC}
SERVICE_NAMES = {FCR: "Force Control Room", RC: "Resolution Centre"}  # as the menu says them


class OwnService:
    """Which of this service's own destinations the words ask for by name, if any."""

    def asked(self, hypotheses: Sequence[Hypothesis]) -> str | None:
        """FCR or RC when the best alternative is a request for it by name, else None."""
        if not hypotheses:
            return None
        found = ASKED.match(normalise(hypotheses[0].text))
        return SERVICES[found.group("name")] if found is not None else None
