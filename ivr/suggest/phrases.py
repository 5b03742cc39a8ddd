"""The words of what callers said, as the miner compares them.

Phrases are n-grams of the normalised words that neither start nor end with filler
("in custody" is "custody"; "report a crime" stays whole), so an alias suggestion is
something a caller says and an admin would write. Similarity is rapidfuzz on the
content words, as the intent matcher scores examples (ivr.routing.intents).
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from ivr.routing.intents import STOPWORDS
from ivr.text import normalise

MAX_WORDS = 3  # longer phrases are sentences, not names


# Besides the matcher's filler, the words of asking rather than of what is asked for:
# "calling about", "can you put me through": no alias begins or ends with them.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FILLER = STOPWORDS | _words(
    """about regarding calling ringing call phoned speak talk ask asking tell put through
    connect connected transfer hello hiya thanks thank sorry what when where how why who
    which will should shall may might some any if but not no up out down into over after
    before know think see looking trying going ill youre"""
)


def content(text: str) -> str:
    """``text`` normalised without filler words (all of it if nothing else is left)."""
    words = normalise(text).split()
    kept = [w for w in words if w not in STOPWORDS]
    return " ".join(kept or words)


def phrases(text: str, max_words: int = MAX_WORDS) -> frozenset[str]:
    """The 1..``max_words``-grams of ``text`` with no filler at either end, no numbers."""
    words = normalise(text).split()
    found: set[str] = set()
    for start, first in enumerate(words):
        if first in FILLER or first.isdigit():
            continue
        for end in range(start, min(start + max_words, len(words))):
            last = words[end]
            if last not in FILLER and not last.isdigit():
                found.add(" ".join(words[start : end + 1]))
    return frozenset(found)


def contains(phrase: str, part: str) -> bool:
    """Whether ``part``'s words occur in ``phrase``, in order and whole."""
    return f" {part} " in f" {phrase} "


def similarity(a: str, b: str) -> float:
    """How alike two utterances are (0-100), on their content words."""
    return float(fuzz.ratio(content(a), content(b)))


def closest(text: str, examples: Sequence[str]) -> tuple[float, str]:
    """The best similarity of ``text`` to any of ``examples``, and that example."""
    best, which = 0.0, ""
    mine = content(text)
    for example in examples:
        score = float(fuzz.ratio(mine, content(example)))
        if score > best:
            best, which = score, example
    return best, which


def alike(a: str, b: str) -> float:
    """Whether two utterances say the same thing in other words (0-100): word sets."""
    return float(fuzz.token_set_ratio(content(a), content(b)))


def representative(utterances: Sequence[str]) -> str:
    """The utterance most like the others (the medoid); ties: the shorter, then A-Z."""
    if not utterances:
        raise ValueError("no utterances")

    def centrality(text: str) -> float:
        return sum(alike(text, other) for other in utterances)

    return min(utterances, key=lambda u: (-centrality(u), len(u), u))
