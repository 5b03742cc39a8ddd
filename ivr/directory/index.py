"""DirectoryIndex: a directory's words, indexed so a query costs the same at any size.

Tokens are looked up in inverted indexes (exact word and Double Metaphone
key -> vocabulary word -> entries); rapidfuzz only runs against the distinct
vocabulary words of similar length, and each query word's matches are cached,
so the work per call does not grow with the directory size. Scoring what the
matches mean is the DirectoryMatcher's (ivr.directory.matcher).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]
from rapidfuzz import fuzz, process

from ivr.directory.model import DirectoryEntry
from ivr.directory.query import WEAK, content_words
from ivr.directory.ranks import RANKS
from ivr.text import tokens as text_tokens

EXACT, PHONETIC, FUZZY = "exact", "phonetic", "fuzzy"
_FUZZY_CUTOFF = 78.0

Match = tuple[float, str]  # (similarity 0..1, how)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A department's name or one alias, its words weighted by how telling they are."""

    words: tuple[str, ...]
    weights: tuple[float, ...]
    label: str  # "name 'Firearms Licensing'" / "alias 'gun licence'"
    full: float  # score for an exact, complete match
    total: float  # sum of weights


@dataclass(frozen=True, slots=True)
class Person:
    """The words a person's entry can be asked for by."""

    first: tuple[str, ...]  # first-name words and nickname aliases
    first_own: frozenset[str]  # first-name words only (for evidence)
    surname: tuple[str, ...]
    team: tuple[str, ...]
    team_weights: tuple[float, ...]
    team_total: float


def _keys(word: str) -> tuple[str, ...]:
    primary, secondary = doublemetaphone(word)
    return tuple(str(k) for k in dict.fromkeys((primary, secondary)) if k)


class DirectoryIndex:
    """Who each word can name, and which vocabulary words are like a caller's word."""

    def __init__(self, entries: tuple[DirectoryEntry, ...]) -> None:
        self.entries = entries
        self.postings: dict[str, list[int]] = defaultdict(list)  # name word -> entries
        self.team_postings: dict[str, set[str]] = defaultdict(set)  # team word -> teams
        self.team_members: dict[str, list[int]] = defaultdict(list)
        self.people: dict[int, Person] = {}
        self.phrases: dict[int, tuple[Phrase, ...]] = {}
        self.phrase_set: set[tuple[str, ...]] = set()
        self.person_words: set[str] = set()

        group_df: dict[str, int] = defaultdict(int)  # word -> departments/teams using it
        teams = {e.team for e in self.entries if e.kind == "person" and e.team}
        for team_name in teams:
            for word in set(content_words(team_name)):
                group_df[word] += 1
        for e in self.entries:
            if e.kind == "department":
                for word in {w for p in (e.name, *e.aliases) for w in content_words(p)}:
                    group_df[word] += 1

        def weight(word: str) -> float:
            if word in WEAK:
                return 0.3
            return max(0.4, 1.0 - 0.2 * math.log(max(1, group_df.get(word, 1))))

        for i, e in enumerate(self.entries):
            if e.kind == "person":
                first = tuple(dict.fromkeys(content_words(e.first_name)))
                nick = tuple(w for a in e.aliases for w in content_words(a))
                surname = tuple(content_words(e.surname)) or tuple(content_words(e.name))[-1:]
                team = tuple(dict.fromkeys(content_words(e.team)))
                team_weights = tuple(weight(w) for w in team)
                person = Person(
                    first=tuple(dict.fromkeys(first + nick)),
                    first_own=frozenset(first),
                    surname=surname,
                    team=team,
                    team_weights=team_weights,
                    team_total=sum(team_weights),
                )
                self.people[i] = person
                for word in set(person.first + person.surname):
                    self.postings[word].append(i)
                    self.person_words.add(word)
                if e.team:
                    self.team_members[e.team].append(i)
                    for word in team:
                        self.team_postings[word].add(e.team)
            else:
                phrases = []
                for n, text in enumerate((e.name, *e.aliases)):
                    words = tuple(dict.fromkeys(content_words(text)))
                    if not words:
                        continue
                    label = f"name {e.name!r}" if n == 0 else f"alias {text!r}"
                    weights = tuple(weight(w) for w in words)
                    full = 0.98 if n == 0 else 0.97
                    phrases.append(Phrase(words, weights, label, full, sum(weights)))
                    self.phrase_set.add(words)
                    for word in words:
                        self.postings[word].append(i)
                self.phrases[i] = tuple(phrases)

        self.vocab: frozenset[str] = frozenset(self.postings) | frozenset(self.team_postings)
        self._phonetic: dict[str, list[str]] = defaultdict(list)
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self.vocab):
            for key in _keys(word):
                self._phonetic[key].append(word)
            by_length[len(word)].append(word)
        longest = max(by_length, default=0)
        self._near_length: dict[int, list[str]] = {
            n: [w for m in range(n - 2, n + 3) for w in by_length.get(m, ())]
            for n in range(1, longest + 3)
        }
        self._cache: dict[str, dict[str, Match]] = {}
        rank_words = {w for forms in RANKS.values() for f in forms for w in f.split()}
        self.rank_words = frozenset(rank_words)
        self.vocabulary: frozenset[str] = frozenset(
            w
            for e in self.entries
            for text in (e.name, e.first_name, e.surname, e.team, *e.aliases)
            for w in text_tokens(text)
        ) | frozenset(rank_words)

    def similar(self, word: str) -> dict[str, Match]:
        """Vocabulary words like ``word``: exact 1.0, sound-alike 0.92, near spelling ~0.86."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        found: dict[str, Match] = {}
        if word in self.vocab:
            found[word] = (1.0, EXACT)
        short = len(word) < 4
        same_sound: set[str] = set()
        if not word.isdigit():
            for key in _keys(word):
                same_sound.update(self._phonetic.get(key, ()))
        pool = self._near_length.get(len(word), ())
        near = (
            process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=8)
            if pool
            else []
        )
        ratios = {str(choice): float(score) / 100.0 for choice, score, _ in near}
        for other in same_sound | ratios.keys():
            if other == word:
                continue
            ratio = ratios.get(other) or fuzz.ratio(word, other) / 100.0
            tiny = short or len(other) < 4
            if other in same_sound:
                # same key but little spelling in common ("unit"/"into") is weak evidence
                sim = 0.92 if ratio >= _FUZZY_CUTOFF / 100 else 0.85 if ratio >= 0.6 else 0.7
                how = PHONETIC
            else:
                sim, how = 0.92 * ratio, FUZZY
            if tiny:
                sim *= 0.8
            found[other] = (sim, how)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[word] = found
        return found
