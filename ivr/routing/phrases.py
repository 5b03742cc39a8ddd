"""Finding keywords and cues in a caller's words, as a recogniser may have heard them.

Words of five letters or more also match ASR near-misses (rapidfuzz ``ratio``
>= 88: "braking"~"breaking", "burglar"~"burglary"), and a caller word of six
letters or more stands for the longer words it begins ("being follow" ~ "being
followed"); shorter words must match exactly ("gun" is not "gum", "break in" is
not "breaking in"). A hit preceded by a negation within three words ("nobody is
hurt") is marked negated (it counts half as evidence, and never hides a cue).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from ivr.decisions import Hypothesis
from ivr.text import normalise

__all__ = [
    "NEGATIONS",
    "STOPWORDS",
    "Hit",
    "Phrase",
    "PhraseScanner",
    "Scan",
    "content_of",
    "hit_name",
]

WORD_FUZZ = 88.0  # rapidfuzz ratio for a near-miss word
FUZZY_MIN_WORD = 5  # keyword/cue words shorter than this must match exactly
FUZZY_MIN_TOKEN = 4  # caller tokens shorter than this only match exactly
# Words whose near misses are everyday words ("alright" for "alight"): matched exactly.
EXACT_ONLY = frozenset({"alight"})
PREFIX_MIN_TOKEN = 6  # a caller token this long also stands for words it begins
NEGATION_WINDOW = 3
NEGATED_FACTOR = 0.5
NEGATED_MARK = " (negated)"  # ends a negated hit's name (IntentMatch.keywords)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Filler dropped before fuzzy example matching; never negations.
STOPWORDS = _wordset(
    """a an the i im ive id my me mine to is was were are am be been being it its
    of and or on in at for from with please can could would you your yes yeah ok
    okay um umm er erm uh so just well hi there theres this that hes shes they
    theyre theyve weve we our us he she his her him do does did have has had
    got get gonna want wanna like need would someone somebody anyone anybody
    anything something"""
)
NEGATIONS = _wordset(
    """no not never nobody noone nothing none without dont doesnt didnt isnt
    wasnt arent werent hasnt havent hadnt wont cant couldnt"""
)

# Words that start another clause: a negation before one is not the cue's ("if I don't pay
# he'll hurt him", "didn't see his face but he hit me").
CLAUSE_STARTS = _wordset("he she they hes shes theyre theyve hell shell theyll but")


# "Nothing's happening right now" (read "nothings happening") negates what follows; other
# words after "nothing's" do not ("nothing's stopping him stabbing me").
NOTHING_GOING_ON = frozenset({("nothings", "happening"), ("nothings", "going")})


# "No" said as an exclamation or a correction, not of what follows ("oh no, my husband's
# hitting me", "lost property, sorry, no, he's hitting me", "no, no, he's got a knife"):
# after these words, or before these.
EXCLAIMED_AFTER = _wordset("oh sorry")
EXCLAIMED_BEFORE = _wordset("sorry wait hang no my our his her your their")


def negated_before(window: list[str], before: str = "") -> bool:
    """Whether the words just before a hit negate it: a negation with no new clause between.
    ``before``: the word before the window (an "oh" before its "no")."""
    for i, word in enumerate(window):
        negation = word in NEGATIONS or tuple(window[i : i + 2]) in NOTHING_GOING_ON
        if word == "no":
            previous = window[i - 1] if i > 0 else before
            following = window[i + 1] if i + 1 < len(window) else ""
            negation = previous not in EXCLAIMED_AFTER and following not in EXCLAIMED_BEFORE
        if negation and not any(w in CLAUSE_STARTS for w in window[i + 1 :]):
            return True
    return False


# "I'm not ringing about an emergency" negates it as "it's not an emergency" does: the
# call's own words between "not" and the cue "emergency" (and only it: "no, I'm ringing
# about a stabbing" answers a question and negates nothing).
NOT_CALLING_ABOUT = re.compile(
    r"(?:^| )(?:not|isnt|wasnt) (?:ringing|calling|phoning) (?:about|regarding|for|with)"
    r"(?: an| a)?$"
)
CALLED_ABOUT = frozenset({"emergency"})


NOT_FORMS = _wordset("isnt arent wasnt werent doesnt dont didnt hasnt havent wont")


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # normalised
    words: tuple[str, ...]
    owners: tuple[tuple[int, float], ...]  # (intent index, weight) as keyword evidence
    cue: bool


@dataclass(slots=True)
class Hit:
    phrase: Phrase
    negated: bool


@dataclass(slots=True)
class Scan:
    """One hypothesis, normalised once, with the phrases found in it."""

    text: str
    confidence: float
    content: str
    hits: list[Hit] = field(default_factory=list)


def hit_name(hit: Hit) -> str:
    return hit.phrase.text + (NEGATED_MARK if hit.negated else "")


def content_of(normalised: str) -> str:
    words = [w for w in normalised.split() if w not in STOPWORDS]
    return " ".join(words) if words else normalised


class PhraseScanner:
    """Every keyword and cue phrase, indexed by first word; scans one hypothesis at a time."""

    def __init__(
        self, owners: Mapping[str, list[tuple[int, float]]], cue_texts: frozenset[str]
    ) -> None:
        """``owners``: phrase (normalised) -> (intent index, weight) pairs."""
        self._by_first: dict[str, list[Phrase]] = {}
        vocabulary: set[str] = set()
        for text, who in owners.items():
            phrase = Phrase(text, tuple(text.split()), tuple(who), text in cue_texts)
            self._by_first.setdefault(phrase.words[0], []).append(phrase)
            vocabulary.update(phrase.words)
        self._vocabulary = frozenset(vocabulary)
        self._fuzzy_vocabulary = sorted(
            w for w in vocabulary if len(w) >= FUZZY_MIN_WORD and w not in EXACT_ONLY
        )
        self._word_cache: dict[str, frozenset[str]] = {}

    def word_matches(self, token: str) -> frozenset[str]:
        """Vocabulary words this caller token stands for (itself, or near-misses)."""
        cached = self._word_cache.get(token)
        if cached is not None:
            return cached
        found = {token} if token in self._vocabulary else set()
        if token in NOT_FORMS:
            found.add("not")  # "she isn't breathing" is the cue "not breathing"
        if not found and len(token) >= FUZZY_MIN_TOKEN and self._fuzzy_vocabulary:
            for word, _, _ in process.extract(
                token,
                self._fuzzy_vocabulary,
                scorer=fuzz.ratio,
                score_cutoff=WORD_FUZZ,
                limit=None,
            ):
                found.add(word)
        if len(token) >= PREFIX_MIN_TOKEN:
            # ASR drops endings ("being follow", "neighbour collapse").
            at = bisect_left(self._fuzzy_vocabulary, token)
            while at < len(self._fuzzy_vocabulary) and self._fuzzy_vocabulary[at].startswith(token):
                found.add(self._fuzzy_vocabulary[at])
                at += 1
        result = frozenset(found)
        if len(self._word_cache) < 20_000:  # callers' vocabulary is bounded; cap anyway
            self._word_cache[token] = result
        return result

    def scan(self, hypothesis: Hypothesis) -> Scan:
        text = normalise(hypothesis.text)
        confidence = min(1.0, max(0.0, hypothesis.confidence))
        if confidence != confidence:  # NaN
            confidence = 0.0
        scan = Scan(text=hypothesis.text, confidence=confidence, content=content_of(text))
        words = text.split()
        matches = [self.word_matches(w) for w in words]
        seen: set[str] = set()
        for i, candidates in enumerate(matches):
            # Sorted: a set's order changes with the hash seed, and the hits' order is the
            # reason's ("'threatened' by remote 'letter'; 'threatening' ..."), which a replay
            # of logged calls compares.
            for first in sorted(candidates):
                for phrase in self._by_first.get(first, ()):
                    n = len(phrase.words)
                    if i + n > len(words) or not all(
                        phrase.words[j] in matches[i + j] for j in range(1, n)
                    ):
                        continue
                    start = max(0, i - NEGATION_WINDOW)
                    negated = negated_before(words[start:i], words[start - 1] if start else "")
                    if phrase.text in CALLED_ABOUT:
                        said = " ".join(words[max(0, i - 5) : i])
                        negated = negated or NOT_CALLING_ABOUT.search(said) is not None
                    if phrase.text in seen:
                        if not negated:  # an un-negated occurrence wins
                            for hit in scan.hits:
                                if hit.phrase is phrase:
                                    hit.negated = False
                        continue
                    seen.add(phrase.text)
                    scan.hits.append(Hit(phrase, negated))
        return scan
