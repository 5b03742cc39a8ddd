"""UnlistedPerson: someone asked for by rank or title and name whom the directory lacks.

"Can I speak to PC Hargreaves?", "Sergeant Morrison, please", "I'd like to speak to DC
Karen Bowyer": the caller wants a person, not a queue. When nobody in the directory has
that surname, nor one near it (a sound-alike is the matcher's to offer), every writer
of a test set sent the caller to the switchboard, where a person can find the officer
(another station, a name the IVR's list lacks, a name misheard). Learnt as intent
examples instead, such requests taught "Sergeant <anyone>" to mean the operator and
left the same request with other words to the intents ("PC Hargreaves please" offered
online reporting); as a rule they reach the operator only when nobody here has the name.

Only a request that is the whole of what was said: its other words ask ("can I speak
to", "is ... there, please") and say nothing else. A title beside a matter ("Mr Okonkwo
next door has been burgled", "I'm looking for Mrs Jenkins, she's 84 and hasn't come
home", "can I speak to PC Jones, my ex is outside again") is the rest of the engine's
to read, danger first: a firm route here would raise the bar for asking about danger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from ivr.decisions import Hypothesis
from ivr.directory import DirectoryEntry
from ivr.directory.index import sounds_same
from ivr.directory.query import FILLER, RANK_MAX_WORDS, RANK_PHRASES
from ivr.directory.titles import COURTESY
from ivr.routing.units import OPENERS
from ivr.text import is_number_word, normalise

__all__ = ["UnlistedPerson"]

# Titles callers give an officer that are no rank code ("officer Jenkins", "detective
# Kowalski").
_TITLES = frozenset({"officer", "detective"})
# Words that are no name after a rank ("the sergeant on duty", "PC about my case").
NOT_NAME = frozenset(
    " ".join(
        (
            "on in at of for from who that which whos thats what when where duty charge",
            "and or but if so then he she they him her his them it its this there here",
            "i me my you your we our please again now today yesterday about regarding",
            "station office team unit desk",
        )
    ).split()
)
# What an officer did, said after the name ("PC Hargreaves told me to ring"): no request.
_REPORTED = frozenset(
    " ".join(
        (
            "told tell telling said asked came called calling ring rang phone phoning",
            "phoned has had was will would",
        )
    ).split()
)
# Words that only ask, around the rank and name (``FILLER``: "can", "speak", "please").
_ASKING = (FILLER | OPENERS) - _REPORTED
# rapidfuzz ratio: a directory name heard near enough to be the matcher's ("parmar"
# typed "parmarr"), as is one that sounds the same (``sounds_same``: "parmer").
KNOWN = 85.0


class UnlistedPerson:
    """The directory's people's names, and who a caller asks for that it lacks."""

    def __init__(self, entries: Iterable[DirectoryEntry]) -> None:
        self._names = sorted(
            {
                w
                for entry in entries
                if entry.kind == "person"
                for w in normalise(entry.name).split()
                if len(w) > 1
            }
        )

    def asked(self, hypotheses: Sequence[Hypothesis]) -> str | None:
        """The rank and name asked for ("pc hargreaves") when the directory has no one
        with that surname (the last word said), nor a name near it; None when no one was
        asked for by rank or title and name. Another alternative's name near a directory
        name makes it the matcher's (``KNOWN``): the recogniser may have misheard."""
        if not hypotheses:
            return None
        found = _ranked_name(normalise(hypotheses[0].text))
        if found is None:
            return None
        said, names = found
        heard = [names] + [
            other[1]
            for h in hypotheses[1:]
            if (other := _ranked_name(normalise(h.text))) is not None
        ]
        if any(self._known(words[-1]) for words in heard):
            return None
        return said

    def _known(self, word: str) -> bool:
        near = process.extractOne(word, self._names, scorer=fuzz.ratio, score_cutoff=KNOWN)
        return near is not None or any(sounds_same(word, name) for name in self._names)


def _ranked_name(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(rank and name as said, the name's words) when ``text`` is only a request for a
    person by rank or title and a name of one or two words, or None."""
    words = text.split()
    at = next((i for i in range(len(words)) if _title_at(words, i)), None)
    if at is None or any(w not in _ASKING for w in words[:at]):
        return None
    end = at + _title_at(words, at)
    name = end
    while name < len(words) and name - end < 2 and _a_name(words[name]):
        name += 1
    if name == end or any(w not in _ASKING for w in words[name:]):
        return None
    return " ".join(words[at:name]), tuple(words[end:name])


def _title_at(words: list[str], i: int) -> int:
    """How many words from ``i`` are a rank or a title (0: none)."""
    for size in range(min(RANK_MAX_WORDS, len(words) - i), 0, -1):
        if tuple(words[i : i + size]) in RANK_PHRASES:
            return size
    return 1 if words[i] in COURTESY or words[i] in _TITLES else 0


def _a_name(word: str) -> bool:
    return (
        len(word) > 1
        and word not in NOT_NAME
        and word not in FILLER
        and not is_number_word(word)
        and not word.isdigit()
    )
