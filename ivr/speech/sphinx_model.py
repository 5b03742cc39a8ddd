"""PocketSphinx's language model and dictionary, built from the force's vocabulary.

The LM is a trigram model over the directory names, services and request
phrasings (ivr.speech.sphinx says why); the dictionary holds just the words
it needs.

Pronunciations come from the bundled CMU dictionary; names it lacks get
one by, in order: letter spelling for acronyms ("dci"), a restored
apostrophe ("dont" -> "don't"), two known halves ("dashcam"), else a
rough letter-to-sound guess. ``guessed_words`` lists the guesses so an
admin can see which names may be weak.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from io import StringIO
from pathlib import Path

import pocketsphinx  # type: ignore[import-untyped]  # Cython extension ships no stubs
from pocketsphinx.lm import ArpaBoLM  # type: ignore[import-untyped]  # as above

from ivr.speech.model import RecognizerError, Vocabulary
from ivr.speech.vocabulary import spoken_words

__all__ = ["SphinxModel", "build_sphinx_model", "letter_to_sound", "pronunciations"]

# Abbreviations said letter by letter, and written forms nobody says aloud.
_SPELLED = frozenset(
    {"pc", "dc", "ps", "ds", "di", "ci", "dci", "pcso", "foi", "cid", "rtc", "dvla", "cps", "asb"}
)
_UNSPOKEN = frozenset({"supt", "insp", "sgt", "ch"})


@dataclass(frozen=True)
class SphinxModel:
    """The files a Decoder loads: LM (ARPA text) and a dictionary of just the needed words."""

    arpa: str
    dictionary: str
    words: frozenset[str]
    guessed_words: frozenset[str]  # no CMU pronunciation: letter-to-sound guesses
    dropped_words: frozenset[str]  # written-only forms left out of the LM


@lru_cache(maxsize=1)
def _cmudict() -> Mapping[str, tuple[str, ...]]:
    """word -> pronunciations from the dictionary bundled with pocketsphinx."""
    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    entries: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word, _, phones = line.strip().partition(" ")
            if phones:
                entries.setdefault(re.sub(r"\(\d+\)$", "", word), []).append(phones.strip())
    return {w: tuple(p) for w, p in entries.items()}


# Rough English letter-to-sound, longest grapheme first; good enough to let the LM pick
# a name it would otherwise never emit (the routing matcher is phonetic-fuzzy anyway).
_GRAPHEMES: tuple[tuple[str, str], ...] = (
    ("tch", "CH"), ("sch", "SH"), ("igh", "AY"), ("ch", "CH"), ("sh", "SH"), ("th", "TH"),
    ("ph", "F"), ("gh", "G"), ("ck", "K"), ("ng", "NG"), ("qu", "K W"), ("wr", "R"),
    ("kn", "N"), ("ee", "IY"), ("ea", "IY"), ("oo", "UW"), ("ou", "AW"), ("ai", "EY"),
    ("ay", "EY"), ("ei", "EY"), ("ey", "EY"), ("oi", "OY"), ("oy", "OY"), ("ie", "IY"),
    ("au", "AO"), ("aw", "AO"), ("ow", "OW"), ("oa", "OW"), ("ue", "UW"), ("ew", "UW"),
    ("a", "AE"), ("e", "EH"), ("i", "IH"), ("o", "AA"), ("u", "AH"),
    ("b", "B"), ("d", "D"), ("f", "F"), ("g", "G"), ("h", "HH"), ("j", "JH"), ("k", "K"),
    ("l", "L"), ("m", "M"), ("n", "N"), ("p", "P"), ("r", "R"), ("s", "S"), ("t", "T"),
    ("v", "V"), ("w", "W"), ("x", "K S"), ("z", "Z"),
)  # fmt: skip


def letter_to_sound(word: str) -> str:
    """An approximate ARPAbet pronunciation for a word the dictionary lacks."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    letters = re.sub(r"([b-df-hj-np-tv-z])\1", r"\1", letters)  # doubled consonants
    if len(letters) > 3 and letters.endswith("e") and letters[-2] not in "aeiouy":
        letters = letters[:-1]  # silent final e
    phones: list[str] = []
    i = 0
    while i < len(letters):
        rest = letters[i:]
        if rest[0] == "c":
            phones.append("S" if rest[1:2] in ("e", "i", "y") else "K")
            i += 1
            continue
        if rest[0] == "y":
            phones.append("Y" if i == 0 or rest[1:2] in tuple("aeiou") else "IY")
            i += 1
            continue
        if rest == "a" and i > 0:
            phones.append("AH")
            break
        for graph, sound in _GRAPHEMES:
            if rest.startswith(graph):
                phones.append(sound)
                i += len(graph)
                break
        else:
            i += 1
    return " ".join(phones)


def pronunciations(word: str) -> tuple[tuple[str, ...], bool]:
    """(pronunciations, guessed) for one vocabulary word; () when it should be left out."""
    cmu = _cmudict()
    if word in _UNSPOKEN:
        return (), False
    if word in _SPELLED or (len(word) <= 3 and not re.search(r"[aeiouy]", word)):
        letters = [cmu.get(ch, ("",))[0] for ch in word if ch.isalpha()]
        return (" ".join(letters),), False
    if word in cmu:
        return cmu[word], False
    british = word.replace("enq", "inq").replace("is", "iz").replace("our", "or")
    for variant in (
        re.sub(r"nt$", "n't", word),
        re.sub(r"s$", "'s", word),
        word + "'s",
        british,
    ):
        if variant in cmu and variant != word:
            return cmu[variant], False
    for cut in range(2, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        if len(head) > 2 and len(tail) > 2 and head in cmu and tail in cmu:
            return (f"{cmu[head][0]} {cmu[tail][0]}",), False
    guess = letter_to_sound(word)
    return ((guess,) if guess else ()), True


def build_sphinx_model(vocabulary: Vocabulary) -> SphinxModel:
    """A trigram ARPA LM over the vocabulary's phrases (and its loose words) plus a dictionary."""
    lines: list[str] = []
    for phrase in vocabulary.phrases:
        words = spoken_words(phrase)
        if words:
            lines.append(" ".join(words))
    loose = sorted({w for word in vocabulary.words for w in spoken_words(word)})
    lines.extend(loose)  # each word alone too: callers often say just a name or a keyword
    entries: list[str] = []
    kept: set[str] = set()
    guessed: set[str] = set()
    dropped: set[str] = set()
    for word in sorted({w for line in lines for w in line.split()}):
        prons, was_guessed = pronunciations(word)
        if not prons:
            dropped.add(word)
            continue
        kept.add(word)
        if was_guessed:
            guessed.add(word)
        for n, phones in enumerate(prons):
            entries.append(f"{word} {phones}" if n == 0 else f"{word}({n + 1}) {phones}")
    corpus = [" ".join(w for w in line.split() if w in kept) for line in lines]
    corpus = [line for line in corpus if line]
    if not corpus:
        raise RecognizerError("the vocabulary has no speakable words to build a language model")
    lm = ArpaBoLM(text="\n".join(corpus), add_start=True, discount_mass=0.5)
    lm.compute()
    out = StringIO()
    lm.write(out)
    return SphinxModel(
        arpa=out.getvalue(),
        dictionary="\n".join(entries) + "\n",
        words=frozenset(kept),
        guessed_words=frozenset(guessed),
        dropped_words=frozenset(dropped),
    )
