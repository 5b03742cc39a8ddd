"""CollarNumber: an officer asked for by collar (shoulder) number, not by name.

"Collar number 4103, I need to speak to him about my statement", "the officer with
shoulder number two two six one, he came round yesterday": the caller knows whom they
want but not the name, and the directory holds names and extensions, not collar numbers.
The words around the number ("my statement", "came round") are why, and read as a topic
they offered Professional Standards or an update link. A person on the switchboard looks
the number up. A name said with it is the matcher's ("PC Sana Khan, her collar number is
four five one two"); a crime reference said is the case's (both come first).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.decisions import SWITCHBOARD, Candidate, Hypothesis
from ivr.routing.draft import Draft
from ivr.routing.spoken_refs import spoken_digits

__all__ = ["CollarNumber"]

# "collar number 4103", "shoulder no. 2261", "his badge number is 512": the number right
# after the words (spoken numbers are read as digits first).
SAID = re.compile(
    r"(?<![a-z])(?:collar|shoulder|badge|epaulette|epaulet)(?: number| no| numbers)"
    r"(?: (?:is|was|of|it's|its))?(?: (?:like|erm|er|um))? ([0-9]{2,6})(?![0-9])"
)
# Cheap test before the digits parser runs over every alternative.
WORDS = ("collar", "shoulder", "badge", "epaulet")


class CollarNumber:
    """The collar number a caller gives for an officer; holds no call state."""

    def asked(
        self, hypotheses: Sequence[Hypothesis], candidates: Sequence[Candidate]
    ) -> Draft | None:
        """The switchboard for an officer asked for by collar number (None: none said);
        ``candidates``, the directory's, stay on the decision for the operator."""
        number = self.said(hypotheses)
        if number is None:
            return None
        return Draft(
            "route",
            SWITCHBOARD,
            "collar-number",
            [f"an officer asked for by collar number {number}, no name: a person looks it up"],
            "directory",
            candidates=tuple(candidates),
            evidence={"collar_number": number},
        )

    def said(self, hypotheses: Sequence[Hypothesis]) -> str | None:
        """The first collar number said in any alternative (the likeliest first)."""
        for hypothesis in hypotheses:
            lowered = hypothesis.text.lower()
            if not any(word in lowered for word in WORDS):
                continue
            found = SAID.search(spoken_digits(hypothesis.text))
            if found is not None:
                return found.group(1)
        return None
