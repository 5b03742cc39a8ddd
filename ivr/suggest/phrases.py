"""The words of what callers said, as the miner compares them.

Phrases are n-grams of the normalised words that neither start nor end with filler
("in custody" is "custody"; "report a crime" stays whole), so an alias suggestion is
something a caller says and an admin would write. Similarity is rapidfuzz on the
content words, as the intent matcher scores examples (ivr.routing.intents).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from ivr.routing.phrases import STOPWORDS
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


@lru_cache(maxsize=65_536)
def content(text: str) -> str:
    """``text`` normalised without filler words (all of it if nothing else is left).

    Cached: the same examples and utterances are compared many times over.
    """
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


def closest(text: str, examples: Sequence[str]) -> tuple[float, str]:
    """The best similarity (rapidfuzz ratio, 0-100) of ``text`` to any of ``examples``,
    as the intent matcher scores them, and that example ((0, "") for none)."""
    best = process.extractOne(content(text), [content(e) for e in examples], scorer=fuzz.ratio)
    return (float(best[1]), examples[best[2]]) if best is not None else (0.0, "")


def groups(utterances: Sequence[str], cutoff: float) -> list[list[int]]:
    """Indexes of alike utterances together: each joins the group of the earlier one it is
    most like (token set ratio >= ``cutoff``: the same words, some left out), else its own."""
    placed: list[str] = []
    owner: list[int] = []
    found: list[list[int]] = []
    for index, utterance in enumerate(utterances):
        text = content(utterance)
        best = process.extractOne(text, placed, scorer=fuzz.token_set_ratio, score_cutoff=cutoff)
        if best is None:
            owner.append(len(found))
            found.append([index])
        else:
            owner.append(owner[best[2]])
            found[owner[-1]].append(index)
        placed.append(text)
    return found


def representative(utterances: Sequence[str]) -> str:
    """The utterance most like the others (the medoid); ties: the shorter, then A-Z."""
    if not utterances:
        raise ValueError("no utterances")
    texts = [content(u) for u in utterances]
    centrality = process.cdist(texts, texts, scorer=fuzz.token_set_ratio).sum(axis=1)
    best = min(
        range(len(utterances)), key=lambda i: (-centrality[i], len(utterances[i]), utterances[i])
    )
    return utterances[best]
