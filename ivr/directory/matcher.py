"""Who did the caller ask for? Transcripts (n-best) to scored directory entries.

The engine routes on the score (high band), confirms in the middle band and
disambiguates when several candidates are close, so the score has to *mean*
something, and the same on every entry:

* exact full name or department alias: ~0.97-1.0; rank + surname ~0.91;
  surname alone ~0.86 (enough to route when only one person has it, and a
  tie the engine turns into a question when several do);
* a first name alone ~0.66 (confirm); a team alone ~0.6 (several tied);
* a sound-alike ("jonson", Smyth for "smith") 0.92 per word, a near spelling
  (Johnston for "johnson") ~0.86 per word, so it never beats the exact one;
* a rank that contradicts the entry's (-0.15) and every word the entry does
  not explain (x0.7) push a candidate down: "my car was broken into" must
  not reach PC Carr.

Speed: tokens are looked up in inverted indexes (exact word and Double
Metaphone key -> vocabulary word -> entries); rapidfuzz only runs against the
distinct vocabulary words of similar length, and each query word's matches
are cached, so the work per call does not grow with the directory size.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]
from rapidfuzz import fuzz, process

from ivr.decisions import Candidate, Hypothesis
from ivr.directory.model import Directory, DirectoryEntry
from ivr.directory.ranks import RANKS
from ivr.routing.text import tokens as text_tokens

__all__ = ["FILLER", "DirectoryMatcher"]

# Words that carry no "who": politeness, call phrases, function words.
FILLER = frozenset(
    " ".join(
        (
            "a an the to i id im ive me my we us our can could would will shall should like",
            "want wanna speak speaking talk talking with please pls put through connect",
            "connected transfer get give hello hi hiya hey yes yeah yep morning afternoon",
            "evening good thanks thank cheers you just is are was be been am there someone",
            "somebody anyone anybody person people in from at on of for and or uh um umm er",
            "erm ah oh okay ok right so need needed trying try reach contact ring call calling",
            "phone phoning looking look it its this that officer police called name named sir",
            "madam mr mrs ms miss dr some who works work working do does available free",
        )
    ).split()
)
# Words that say "a group" but rarely decide which one: optional in queries, light in names.
WEAK = frozenset(
    " ".join(
        ("team unit department dept office section squad desk line centre center room", "service")
    ).split()
)
# After these, the caller is saying why, not whom: words may match but cost nothing.
TOPIC = frozenset({"about", "regarding", "concerning", "because", "cos", "re", "as"})

# Rank phrases as words -> codes; "detective" alone means any detective rank.
_EXTRA_RANK_FORMS: dict[str, tuple[str, ...]] = {
    "PS": ("sargent", "sergent", "seargent", "sarjeant", "serjeant", "sarg"),
    "INSP": ("inspecter",),
    "DCI": ("detective chief inspecter",),
}
_DETECTIVES = frozenset({"DC", "DS", "DI", "DCI"})
# Ranks callers confuse: "sergeant Johnson" for a detective sergeant, "PC" for a PCSO.
_RANK_FAMILY: dict[str, frozenset[str]] = {
    "PC": frozenset({"DC", "PCSO"}),
    "DC": frozenset({"PC"}),
    "PCSO": frozenset({"PC"}),
    "PS": frozenset({"DS"}),
    "DS": frozenset({"PS"}),
    "INSP": frozenset({"DI"}),
    "DI": frozenset({"INSP"}),
    "CI": frozenset({"DCI"}),
    "DCI": frozenset({"CI"}),
    "SUPT": frozenset({"CH_SUPT"}),
    "CH_SUPT": frozenset({"SUPT"}),
}
_GENERIC_RANKS: dict[tuple[str, ...], frozenset[str]] = {
    ("detective",): _DETECTIVES,
    ("det",): _DETECTIVES,
    ("chief",): frozenset({"CI", "DCI", "CH_SUPT"}),
}

EXACT, PHONETIC, FUZZY = "exact", "phonetic", "fuzzy"
_FUZZY_CUTOFF = 78.0


def _rank_phrases() -> dict[tuple[str, ...], frozenset[str]]:
    phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for code, forms in RANKS.items():
        for form in (*forms, *_EXTRA_RANK_FORMS.get(code, ())):
            phrases[tuple(form.split())].add(code)
    out = {k: frozenset(v) for k, v in phrases.items()}
    for words, codes in _GENERIC_RANKS.items():
        out.setdefault(words, codes)
    return out


_RANK_PHRASES = _rank_phrases()
_RANK_MAX_WORDS = max(len(k) for k in _RANK_PHRASES)


@dataclass(slots=True)
class _Query:
    ranks: frozenset[str] | None  # codes the caller's rank words allow; None: no rank said
    rank_said: str
    words: tuple[tuple[str, bool], ...]  # (word, optional)
    optional: frozenset[str]
    plain: tuple[str, ...]  # the words alone
    # (team, words left) -> (team recall, best word similarity, words still left)
    team_cache: dict[tuple[str, tuple[str, ...]], tuple[float, float, list[str]]]


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    weights: tuple[float, ...]
    label: str  # "name 'Firearms Licensing'" / "alias 'gun licence'"
    full: float  # score for an exact, complete match
    total: float  # sum of weights


@dataclass(frozen=True, slots=True)
class _Person:
    first: tuple[str, ...]  # first-name words and nickname aliases
    first_own: frozenset[str]  # first-name words only (for evidence)
    surname: tuple[str, ...]
    team: tuple[str, ...]
    team_weights: tuple[float, ...]
    team_total: float


Match = tuple[float, str]  # (similarity 0..1, how)


def _words(text: str) -> list[str]:
    return [w for w in text_tokens(text) if w not in FILLER]


def _keys(word: str) -> tuple[str, ...]:
    primary, secondary = doublemetaphone(word)
    return tuple(str(k) for k in dict.fromkeys((primary, secondary)) if k)


class DirectoryMatcher:
    """Scores directory entries against what a caller said; build once, match often."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._entries: tuple[DirectoryEntry, ...] = directory.entries
        self._postings: dict[str, list[int]] = defaultdict(list)  # name word -> entries
        self._team_postings: dict[str, set[str]] = defaultdict(set)  # team word -> teams
        self._team_members: dict[str, list[int]] = defaultdict(list)
        self._people: dict[int, _Person] = {}
        self._phrases: dict[int, tuple[_Phrase, ...]] = {}
        self._phrase_set: set[tuple[str, ...]] = set()
        self._person_words: set[str] = set()

        group_df: dict[str, int] = defaultdict(int)  # word -> departments/teams using it
        teams = {e.team for e in self._entries if e.kind == "person" and e.team}
        for team_name in teams:
            for word in set(_words(team_name)):
                group_df[word] += 1
        for e in self._entries:
            if e.kind == "department":
                for word in {w for p in (e.name, *e.aliases) for w in _words(p)}:
                    group_df[word] += 1

        def weight(word: str) -> float:
            if word in WEAK:
                return 0.3
            return max(0.4, 1.0 - 0.2 * math.log(max(1, group_df.get(word, 1))))

        for i, e in enumerate(self._entries):
            if e.kind == "person":
                first = tuple(dict.fromkeys(_words(e.first_name)))
                nick = tuple(w for a in e.aliases for w in _words(a))
                surname = tuple(_words(e.surname)) or tuple(_words(e.name))[-1:]
                team = tuple(dict.fromkeys(_words(e.team)))
                team_weights = tuple(weight(w) for w in team)
                person = _Person(
                    first=tuple(dict.fromkeys(first + nick)),
                    first_own=frozenset(first),
                    surname=surname,
                    team=team,
                    team_weights=team_weights,
                    team_total=sum(team_weights),
                )
                self._people[i] = person
                for word in set(person.first + person.surname):
                    self._postings[word].append(i)
                    self._person_words.add(word)
                if e.team:
                    self._team_members[e.team].append(i)
                    for word in team:
                        self._team_postings[word].add(e.team)
            else:
                phrases = []
                for n, text in enumerate((e.name, *e.aliases)):
                    words = tuple(dict.fromkeys(_words(text)))
                    if not words:
                        continue
                    label = f"name {e.name!r}" if n == 0 else f"alias {text!r}"
                    weights = tuple(weight(w) for w in words)
                    full = 0.98 if n == 0 else 0.97
                    phrases.append(_Phrase(words, weights, label, full, sum(weights)))
                    self._phrase_set.add(words)
                    for word in words:
                        self._postings[word].append(i)
                self._phrases[i] = tuple(phrases)

        self._vocab: frozenset[str] = frozenset(self._postings) | frozenset(self._team_postings)
        self._phonetic: dict[str, list[str]] = defaultdict(list)
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in sorted(self._vocab):
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
        self._rank_words = frozenset(rank_words)
        self.vocabulary: frozenset[str] = frozenset(
            w
            for e in self._entries
            for text in (e.name, e.first_name, e.surname, e.team, *e.aliases)
            for w in text_tokens(text)
        ) | frozenset(rank_words)

    def __len__(self) -> int:
        return len(self._entries)

    # --- query side ---------------------------------------------------------

    def names_in(self, text: str) -> bool:
        """Does the text mention a known person's name, a rank or a whole department name?

        Exact words only, so it is cheap enough to run on every utterance.
        """
        words = text_tokens(text)
        if any(w in self._person_words or w in self._rank_words for w in words):
            return True
        content = [w for w in words if w not in FILLER]
        for size in range(1, 5):
            for start in range(len(content) - size + 1):
                if tuple(content[start : start + size]) in self._phrase_set:
                    return True
        return False

    def _parse(self, text: str) -> _Query:
        words = text_tokens(text)
        ranks: set[str] | None = None
        said: list[str] = []
        out: list[tuple[str, bool]] = []
        optional = False
        i = 0
        while i < len(words):
            for size in range(min(_RANK_MAX_WORDS, len(words) - i), 0, -1):
                codes = _RANK_PHRASES.get(tuple(words[i : i + size]))
                if codes is not None and not optional:
                    ranks = set(codes) if ranks is None else ranks | codes
                    said.append(" ".join(words[i : i + size]))
                    i += size
                    break
            else:
                word = words[i]
                i += 1
                if word in TOPIC:
                    optional = optional or bool(out)  # "about my case" after a name
                elif word not in FILLER:
                    out.append((word, optional or word in WEAK))
        # "mc donald" -> "mcdonald", "johnsons" -> "johnson" when that is a known word
        merged: list[tuple[str, bool]] = []
        j = 0
        while j < len(out):
            word, opt = out[j]
            if j + 1 < len(out) and word + out[j + 1][0] in self._vocab:
                merged.append((word + out[j + 1][0], opt))
                j += 2
                continue
            if word not in self._vocab and word.endswith("s") and word[:-1] in self._vocab:
                word = word[:-1]
            merged.append((word, opt))
            j += 1
        return _Query(
            frozenset(ranks) if ranks is not None else None,
            " ".join(said),
            tuple(merged),
            frozenset(w for w, opt in merged if opt),
            tuple(w for w, _ in merged),
            {},
        )

    def _matches(self, word: str) -> dict[str, Match]:
        """Vocabulary words like ``word``: exact 1.0, sound-alike 0.92, near spelling ~0.86."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        found: dict[str, Match] = {}
        if word in self._vocab:
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

    # --- scoring ------------------------------------------------------------

    def match(self, hypotheses: Sequence[Hypothesis], limit: int = 5) -> list[Candidate]:
        """Best entries first, scores in 0..1; alternatives count by their confidence.

        Each alternative is scored on its own and weighted by its confidence
        relative to the best alternative's (sqrt, so a close second still
        counts); an entry keeps its best weighted score. Evidence is only
        written for the entries returned (it costs more than the score).
        """
        usable = [h for h in hypotheses if h.text and h.text.strip()]
        if not usable or limit <= 0:
            return []
        confidences = [
            min(1.0, max(0.0, h.confidence)) if h.confidence == h.confidence else 0.0
            for h in usable
        ]
        top = max(confidences)
        overall = 0.85 + 0.15 * top if top > 0 else 0.85
        best: dict[int, tuple[float, int]] = {}  # entry -> (weighted score, hypothesis)
        parsed: list[tuple[_Query, dict[str, dict[str, Match]]]] = []
        for n, conf in enumerate(confidences):
            weight = math.sqrt(conf / top) if top > 0 else 1.0
            query = self._parse(usable[n].text[:500])
            matches = {w: self._matches(w) for w, _ in query.words}
            parsed.append((query, matches))
            for index, score in self._score_query(query, matches).items():
                weighted = score * weight * overall
                if weighted > best.get(index, (-1.0, 0))[0]:
                    best[index] = (weighted, n)
        ranked = heapq.nsmallest(
            limit, best.items(), key=lambda item: (-item[1][0], self._entries[item[0]].id)
        )
        out: list[Candidate] = []
        for i, (score, n) in ranked:
            if score < 0.2:
                continue
            notes: list[str] = []
            query, matches = parsed[n]
            if i in self._people:
                self._score_person(i, query, matches, notes)
            else:
                self._score_department(i, query, matches, notes)
            if len(usable) > 1:
                notes.append(f"in {usable[n].text.strip()!r} @{confidences[n]:.2f}")
            entry = self._entries[i]
            out.append(
                Candidate(
                    destination=entry.destination,
                    name=entry.spoken_name,
                    score=round(min(1.0, max(0.0, score)), 4),
                    evidence="; ".join(notes),
                )
            )
        return out

    def _score_query(self, query: _Query, matches: dict[str, dict[str, Match]]) -> dict[int, float]:
        out: dict[int, float] = {}
        if not query.words:
            return out
        # Optional words ("team", words after "about") explain but never nominate.
        nominating = [matches[w] for w, optional in query.words if not optional]
        candidates: set[int] = set()
        for found in nominating:
            for other in found:
                candidates.update(self._postings.get(other, ()))
        if not candidates:  # "someone in the burglary team": the team's members
            teams = {
                t
                for found in nominating
                for other in found
                for t in self._team_postings.get(other, ())
            }
            for team in teams:
                self._score_team(team, query, matches, out)
            return out
        people = self._people
        for i in candidates:
            if i in people:
                score = self._score_person(i, query, matches, None)
            else:
                score = self._score_department(i, query, matches, None)
            if score > 0:
                out[i] = score
        return out

    @staticmethod
    def _best(
        targets: Iterable[str], words: Sequence[str], matches: dict[str, dict[str, Match]]
    ) -> tuple[float, str, str, str]:
        """Best (similarity, target, query word, how) of any query word on any target."""
        best = (0.0, "", "", "")
        for target in targets:
            for word in words:
                m = matches[word].get(target)
                if m is not None and m[0] > best[0]:
                    best = (m[0], target, word, m[1])
        return best

    def _score_person(
        self,
        i: int,
        query: _Query,
        matches: dict[str, dict[str, Match]],
        notes: list[str] | None,
    ) -> float:
        person = self._people[i]
        entry = self._entries[i]
        free = list(query.plain)

        ss = 0.0
        for part in person.surname:
            sim, _, word, how = 0.0, "", "", ""
            for w in free:  # inlined _best: this loop runs for every candidate
                m = matches[w].get(part)
                if m is not None and m[0] > sim:
                    sim, word, how = m[0], w, m[1]
            if sim > 0:
                ss += sim
                free.remove(word)
                if notes is not None:
                    notes.append(_say("surname", entry.surname, word, how, sim))
        ss /= len(person.surname) or 1
        sf, target, word, how = self._best(person.first, free, matches)
        if sf > 0:
            free.remove(word)
            if notes is not None:
                field = "first name" if target in person.first_own else "nickname"
                notes.append(_say(field, target.title(), word, how, sf))
        tr = team_best = 0.0
        if person.team and free:
            key = (entry.team, tuple(free))
            cached = query.team_cache.get(key)
            if cached is None:
                team_sum = 0.0
                rest = list(free)
                for part, part_weight in zip(person.team, person.team_weights, strict=True):
                    sim, _, word, _ = self._best((part,), rest, matches)
                    if sim > 0:
                        rest.remove(word)
                        team_sum += part_weight * sim
                        team_best = max(team_best, sim)
                cached = (team_sum / person.team_total, team_best, rest)
                query.team_cache[key] = cached
            tr, team_best, free = cached[0], cached[1], list(cached[2])
        if tr > 0 and notes is not None:
            notes.append(f"team {entry.team!r} ({tr:.0%})")

        if ss > 0 and sf > 0:
            score = 0.95 * (0.35 * sf + 0.65 * ss)
        elif ss > 0:
            score = 0.86 * ss
        elif sf > 0:
            score = 0.66 * sf
        elif tr > 0:  # one telling team word is enough; the caller's extra words cost
            score = 0.62 * team_best
        else:
            return 0.0
        name_matched = ss > 0 or sf > 0
        if name_matched and tr > 0:
            score += 0.04 * tr
        if query.ranks is not None:
            if entry.rank in query.ranks:
                score += 0.05 if name_matched else 0.08
                if notes is not None:
                    notes.append(f"rank {entry.rank} = {query.rank_said!r}")
            elif query.ranks & _RANK_FAMILY.get(entry.rank, frozenset()):
                score += 0.01
                if notes is not None:
                    notes.append(f"rank {entry.rank} ~ {query.rank_said!r}")
            else:
                score -= 0.10 if query.ranks == _DETECTIVES else 0.15
                if notes is not None:
                    notes.append(f"rank {entry.rank} != {query.rank_said!r}")
        return self._penalise(score, free, query, notes)

    def _score_team(
        self,
        team: str,
        query: _Query,
        matches: dict[str, dict[str, Match]],
        out: dict[int, float],
    ) -> None:
        """Score a whole team once: its members differ only by rank (teams can be large)."""
        by_rank: dict[str, float] = {}
        for i in self._team_members[team]:
            rank = self._entries[i].rank
            if rank not in by_rank:
                by_rank[rank] = self._score_person(i, query, matches, None)
            if by_rank[rank] > 0:
                out[i] = by_rank[rank]

    def _score_department(
        self,
        i: int,
        query: _Query,
        matches: dict[str, dict[str, Match]],
        notes: list[str] | None,
    ) -> float:
        words = [w for w, _ in query.words]
        best: tuple[float, list[str], _Phrase, bool, float, list[str]] | None = None
        for phrase in self._phrases[i]:
            free = list(words)
            got = 0.0
            exact = True  # every word that is not WEAK said exactly
            weak_missing = 0
            loose: list[str] = []
            for part, w in zip(phrase.words, phrase.weights, strict=True):
                sim, _, word, how = self._best((part,), free, matches)
                if sim > 0:
                    free.remove(word)
                    got += w * sim
                    if how != EXACT:
                        loose.append(f"{part!r}~{word!r} {how}")
                if part in WEAK and sim == 0:
                    weak_missing += 1
                elif how != EXACT or sim == 0:
                    exact = False
            recall = got / phrase.total
            if recall <= 0:
                continue
            exact = exact and weak_missing < len(phrase.words)
            score = phrase.full - 0.01 * weak_missing if exact else min(0.95, 0.35 + 0.6 * recall)
            if best is None or (score, -len(free)) > (best[0], -len(best[1])):
                best = (score, free, phrase, exact, recall, loose)
        if best is None:
            return 0.0
        score, free, phrase, exact, recall, loose = best
        if notes is not None:
            kind = "exact" if exact else f"{recall:.0%} of words"
            notes.append(f"{phrase.label} {kind}" + (f" ({', '.join(loose)})" if loose else ""))
        if query.ranks is not None:
            score -= 0.1
            if notes is not None:
                notes.append(f"rank {query.rank_said!r} said for a department")
        return self._penalise(score, free, query, notes)

    @staticmethod
    def _penalise(score: float, free: list[str], query: _Query, notes: list[str] | None) -> float:
        if free:
            unexplained = [w for w in free if w not in query.optional]
            if unexplained:
                score *= 0.7 ** len(unexplained)
                if notes is not None:
                    notes.append(f"unexplained {' '.join(unexplained)!r}")
        return min(1.0, max(0.0, score))


def _say(field: str, value: str, word: str, how: str, sim: float) -> str:
    if how == EXACT:
        return f"{field} {value!r} exact"
    return f"{field} {value!r} ~ {word!r} ({how} {sim:.2f})"
