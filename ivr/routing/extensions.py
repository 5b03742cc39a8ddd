"""ExtensionDial: a caller who knows the extension ("extension three two oh three please").

Letters, voicemails and officers' cards give callers an extension number; a caller who
says one is asking for whoever has it, as surely as by name. Said, it is confirmed with
the name ("Did you want Sandra Thwaite?"): a recogniser's digit may be wrong, and a
confirm costs one "yes". Keyed (after ``*`` at the menu, whose single keys are its
options), it is exact and routes.
Only an extension in the directory counts: anything else falls through to the other
stages (a keyed crime reference, the words' meaning).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ivr.decisions import Candidate, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.routing.draft import Draft, quote
from ivr.routing.spoken_refs import spoken_digits

__all__ = ["ExtensionDial"]

# "extension 3203", "ext 3203", "extension number 3203": digits right after the word.
SAID = re.compile(r"(?<![a-z])(?:extension|ext)(?: number| no)? ([0-9]{3,6})(?![0-9])")
SOURCE = "extension"


class ExtensionDial:
    """Directory entries by their extension number; holds no call state."""

    def __init__(self, entries: Iterable[DirectoryEntry]) -> None:
        self._by_extension = {e.extension: e for e in entries if e.extension.isdigit()}

    def keyed(self, digits: str) -> Draft | None:
        """Digits keyed that are an extension here: routed (keys are exact). At the menu
        a first digit is a menu key, so a caller keys ``*`` first, as for a reference."""
        digits = digits.removeprefix("*")
        entry = self._by_extension.get(digits)
        if entry is None:
            return None
        return Draft(
            "route",
            entry.destination,
            "extension-keyed",
            [f"caller keyed extension {digits}: {entry.spoken_name}"],
            SOURCE,
            candidates=(_candidate(entry, f"extension {digits} keyed"),),
            evidence={"extension": digits},
        )

    def said(self, hypotheses: Sequence[Hypothesis]) -> Draft | None:
        """An extension said in any recognition alternative (the likeliest first) that
        is one here: confirmed with the name."""
        for hypothesis in hypotheses:
            if "ext" not in hypothesis.text.lower():
                continue  # no number read for words that never say the word
            for found in SAID.finditer(spoken_digits(hypothesis.text)):
                number = found.group(1)
                entry = self._by_extension.get(number)
                if entry is None:
                    continue
                return Draft(
                    "confirm",
                    entry.destination,
                    "extension-said",
                    [f"extension {number} said ({quote(hypothesis.text)}): {entry.spoken_name}"],
                    SOURCE,
                    candidates=(_candidate(entry, f"extension {number} said"),),
                    evidence={"extension": number, "heard": hypothesis.text},
                )
        return None


def _candidate(entry: DirectoryEntry, evidence: str) -> Candidate:
    return Candidate(entry.destination, entry.spoken_name, 1.0, evidence, said_who=True)
