"""UnlistedPerson: someone asked for by rank or title and name whom the directory lacks.

"Can I speak to PC Hargreaves?", "Sergeant Morrison, please", "I'd like to speak to DC
Karen Bowyer": the caller wants a person, not a queue. When nobody in the directory has
that surname, nor one near it (a sound-alike is the matcher's to offer), every writer
of a test set sent the caller to the switchboard, where a person can find the officer
(another station, a name the IVR's list lacks, a name misheard). Learnt as intent
examples instead, such requests taught "Sergeant <anyone>" to mean the operator and
left the same request with other words to the intents ("PC Hargreaves please" offered
online reporting); as a rule they reach the operator only when nobody here has the name.
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

# Said before the rank: a request to speak to someone ("can I speak to", "put me through
# to", "is ... there"), or nothing (the rank first: "PC Hargreaves, please").
_ASKING = frozenset({"to", "with", "have", "want", "need", "for", "like", "is"})
# Words after a rank that say which post, not whose name ("the sergeant on duty", "an
# inspector please", "PC who came out").
NOT_NAME = frozenset(
    " ".join(
        (
            "on in at of for from who that which whos thats what when where duty charge",
            "and or but if so then he she they him her his them it its this there here",
            "i me my you your we our please again now today yesterday",
            "came come come comes said says told tells asked rang called phoned dealt sent",
            "gave has had have took was were is will would wants wanted did does do",
            "station office team unit desk dealing looking working",
        )
    ).split()
)
# At the start, the rank and name then one of these is a report of what the officer did
# ("PC Hargreaves told me to ring"), not a request for them.
_REPORTED = frozenset(
    " ".join(
        (
            "told said says asked came rang called phoned dealt sent gave took advised",
            "suggested wants wanted has had was is will would and",
        )
    ).split()
)
# rapidfuzz ratio: a directory name heard near enough to be the matcher's ("parmer" for
# Parmar), as is one that sounds the same (``sounds_same``)
KNOWN = 80.0


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
    """(rank and name as said, the name's words) of a person asked for by rank or title
    and name in ``text``, or None."""
    words = text.split()
    start = 0
    while start < len(words) and words[start] in OPENERS:
        start += 1
    for i in range(start, len(words)):
        if i > start and words[i - 1] not in _ASKING:
            continue
        size = _title_at(words, i)
        if size == 0:
            continue
        name: list[str] = []
        j = i + size
        while j < len(words) and len(name) < 2 and _a_name(words[j]):
            name.append(words[j])
            j += 1
        if not name:
            continue
        if i == start and j < len(words) and words[j] in _REPORTED:
            return None  # "PC Hargreaves told me to ring": what the officer did
        return " ".join(words[i:j]), tuple(name)
    return None


def _title_at(words: list[str], i: int) -> int:
    """How many words from ``i`` are a rank or a courtesy title (0: none)."""
    for size in range(min(RANK_MAX_WORDS, len(words) - i), 0, -1):
        if tuple(words[i : i + size]) in RANK_PHRASES:
            return size
    return 1 if words[i] in COURTESY else 0


def _a_name(word: str) -> bool:
    return (
        len(word) > 1
        and word not in NOT_NAME
        and word not in FILLER
        and not is_number_word(word)
        and not word.isdigit()
    )
