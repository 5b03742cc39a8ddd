"""Directory surnames in a transcript that the caller never said (issue 16).

A Whisper prompt full of names had Whisper write surnames into ordinary sentences;
the speech benches count such transcripts per engine (bench/heldout_asr.py, bench/asr.py).
"""

from __future__ import annotations

from typing import Any

from ivr.speech.vocabulary import spoken_words


def directory_surnames(bundle: Any) -> frozenset[str]:
    """The surnames of the directory's people, as a recogniser spells them."""
    return frozenset(
        word
        for entry in bundle.directory
        if entry.kind == "person" and entry.surname
        for word in spoken_words(entry.surname)
    )


def _sounds(word: str) -> set[str]:
    from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]  # no stubs

    return {code for code in doublemetaphone(word) if code}


def invented_surnames(said: str, heard: str, surnames: frozenset[str]) -> list[str]:
    """Directory surnames in what was ``heard`` that the caller never ``said``, nor a word
    that sounds like them (issue 16: a prompt full of names had Whisper write surnames
    into ordinary sentences; "Thomson" written "Thompson" is a spelling, not an invention)."""
    from rapidfuzz.distance import Levenshtein

    spoken = set(spoken_words(said))
    sounds = set().union(*(_sounds(w) for w in spoken))

    def sounds_said(word: str) -> bool:  # one sound apart in a longer code: TMPSN ~ TMSN
        return any(
            Levenshtein.distance(a, b) <= (1 if min(len(a), len(b)) >= 3 else 0)
            for a in _sounds(word)
            for b in sounds
        )

    heard_words = spoken_words(heard)
    return list(
        dict.fromkeys(
            w for w in heard_words if w in surnames and w not in spoken and not sounds_said(w)
        )
    )
