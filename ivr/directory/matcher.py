"""Who did the caller ask for? Transcripts (n-best) to scored directory entries.

The engine routes on the score (high band), confirms in the middle band and
disambiguates when several candidates are close, so the score has to *mean*
something, and the same on every entry:

* exact full name or department alias: ~0.97-1.0; rank + surname ~0.91;
  surname alone ~0.86 (enough to route when only one person has it, and a
  tie the engine turns into a question when several do);
* a team a department answers for, or one the directory maps to a queue:
  0.96 said whole (its department's or queue's candidate, evidence "team
  'Roads Policing' → Collision Reporting"), partly by the same recall as a
  department's name; a word that names a person costs a team x0.5, not x0.7,
  so "PC Johnson in roads policing" stays PC Johnson's (the team is evidence
  for the person);
* a first name alone ~0.66 (confirm; several people of that name tie, so the
  caller is asked which); a first name with the person's team, their
  department's name or alias (0.76) and rank (0.81): a described person
  (ivr.directory.people), which outscores the department the team words alone
  would reach; a team with no destination alone ~0.6 (its members, several tied);
* a sound-alike ("jonson", Smyth for "smith") 0.92 per word, a near spelling
  (Johnston for "johnson") ~0.86 per word, so it never beats the exact one;
* a rank that contradicts the entry's (-0.15) and every word the entry does
  not explain (x0.7) push a candidate down: "my car was broken into" must
  not reach PC Carr. A person named or described pays x0.9 a word, at most
  x0.85 in all: "he dealt with my accident" is the caller's reason.

How words are parsed (``query``) and looked up (``index``) lives beside this
module, and so does a person's score (``people``); this one ranks the entries
and scores departments and teams.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

from ivr.decisions import Candidate, Hypothesis
from ivr.directory.index import EXACT, DirectoryIndex, Match, Phrase
from ivr.directory.model import Directory, DirectoryEntry
from ivr.directory.people import PersonScorer, best, penalise
from ivr.directory.query import FILLER, WEAK, Query, parse_query, says_no_surname
from ivr.text import tokens as text_tokens

__all__ = ["DirectoryMatcher"]

# An alternative that says surely who a person is (named, or a first name with their team)
# counts over one this much better that only names them: the caller's whole request beside
# the ask alone ("Zoe, please") split off it.
SURE_NEAR = 0.05
# A rank said for a department ("the inspector at Saxby station") costs it this much; more
# when its team has one holder of that rank, who is then the one offered first.
RANK_FOR_DEPARTMENT = 0.1
RANK_HOLDER_HERE = 0.16


class DirectoryMatcher:
    """Scores directory entries against what a caller said; build once, match often."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._entries: tuple[DirectoryEntry, ...] = directory.entries
        self._index = DirectoryIndex(self._entries, directory.teams)
        self._people = self._index.people
        self._person = PersonScorer(self._index)
        self._phrases = self._index.phrases
        # Each department's words in all its phrases: a word of its name said beside its
        # alias ("the police office on the university campus" for the University Policing
        # Team, alias Campus Police Office) is no unexplained word.
        self._own_words = {
            i: frozenset(w for phrase in phrases for w in phrase.words)
            for i, phrases in self._phrases.items()
        }
        self.vocabulary: frozenset[str] = self._index.vocabulary

    def __len__(self) -> int:
        return len(self._entries)

    # --- query side ---------------------------------------------------------

    def names_in(self, text: str) -> bool:
        """Does the text mention a known person's name, a rank or a whole department name?

        Exact words only, so it is cheap enough to run on every utterance.
        """
        words = text_tokens(text)
        if any(w in self._index.person_words or w in self._index.rank_words for w in words):
            return True
        content = [w for w in words if w not in FILLER]
        for size in range(1, 5):
            for start in range(len(content) - size + 1):
                if tuple(content[start : start + size]) in self._index.phrase_set:
                    return True
        return False

    def restated(self, first: str, rest: str) -> bool:
        """A person's name word said in ``first`` and again in ``rest`` ("Can I speak to
        Graham? Graham Dixon, the financial investigator."): the rest says the same name
        more fully, so ``first`` alone is no request of its own. So does a rest that says
        which of the people so named by their team ("PC Andrew Cowie please, the one up at
        the Ross police office": two Andrew Cowies, one at Ross)."""
        said = {w for w in text_tokens(first) if w in self._index.person_words}
        if not said:
            return False
        told = set(text_tokens(rest))
        if not said.isdisjoint(told):
            return True
        people = self._index.people
        named = set.intersection(
            *({i for i in self._index.postings.get(w, ()) if i in people} for w in said)
        )
        return len(named) > 1 and any(not told.isdisjoint(people[i].role_words) for i in named)

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
        found: dict[int, tuple[float, int]] = {}  # entry -> (weighted score, hypothesis)
        parsed: list[tuple[Query, dict[str, dict[str, Match]]]] = []
        weights: list[float] = []
        # "Stuart please ... I don't know his last name": said of every clause matched.
        no_surname = any(says_no_surname(h.text[:500]) for h in usable)
        for n, conf in enumerate(confidences):
            weight = math.sqrt(conf / top) if top > 0 else 1.0
            query = parse_query(usable[n].text[:500], self._index.vocab, no_surname)
            # ... not one said as not meant ("not the traffic one")
            query.groups = tuple(
                g for g in self._groups_said(query.plain) if g.isdisjoint(query.excluded)
            )
            matches = {w: self._index.similar(w) for w, _ in query.words}
            parsed.append((query, matches))
            weights.append(weight * overall)
            for index, score in self._score_query(query, matches).items():
                weighted = score * weight * overall
                if weighted > found.get(index, (-1.0, 0))[0]:
                    found[index] = (weighted, n)
        ranked = heapq.nsmallest(
            limit, found.items(), key=lambda item: (-item[1][0], self._id(item[0]))
        )
        out: list[Candidate] = []
        for i, (score, n) in ranked:
            if score < 0.2:
                continue
            notes: list[str] = []
            query, matches = parsed[n]
            sure = False
            if i in self._people:
                _, sure = self._person.fit(i, query, matches, notes)
                other = None if sure else self._surely_elsewhere(i, score, n, parsed, weights)
                if other is not None:
                    # "Zoe, please, she's the missing persons officer ...": the whole says
                    # who (a first name with her team) a little under the ask alone.
                    score, n = other
                    query, matches = parsed[n]
                    notes.clear()
                    _, sure = self._person.fit(i, query, matches, notes)
            else:
                self._score_department(i, query, matches, notes)
            if len(usable) > 1:
                notes.append(f"in {usable[n].text.strip()!r} @{confidences[n]:.2f}")
            destination, name = self._target(i, query, matches)
            out.append(
                Candidate(
                    destination=destination,
                    name=name,
                    score=round(min(1.0, max(0.0, score)), 4),
                    evidence="; ".join(notes),
                    said_who=sure,
                )
            )
        return out

    def _surely_elsewhere(
        self,
        i: int,
        score: float,
        best: int,
        parsed: Sequence[tuple[Query, dict[str, dict[str, Match]]]],
        weights: Sequence[float],
    ) -> tuple[float, int] | None:
        """(score, alternative): another alternative than ``best`` that says surely who
        person ``i`` is (named or described), scoring within SURE_NEAR of their best; None
        if none does."""
        for n, (query, matches) in enumerate(parsed):
            if n == best:
                continue
            fitted, sure = self._person.fit(i, query, matches, None)
            weighted = fitted * weights[n]
            if sure and weighted >= score - SURE_NEAR:
                return weighted, n
        return None

    def _id(self, i: int) -> str:
        """An entry's id, or a queue's name: the tie-break that keeps results stable."""
        return self._entries[i].id if i < len(self._entries) else self._index.queues[i]

    def _target(
        self, i: int, query: Query, matches: dict[str, dict[str, Match]]
    ) -> tuple[str, str]:
        """(destination, name) of a key: an entry, or a queue named by the team asked for."""
        if i < len(self._entries):
            entry = self._entries[i]
            return entry.destination, entry.spoken_name
        found = self._best_phrase(i, query, matches)
        return self._index.queues[i], found[2].team if found else self._index.queues[i]

    def _score_query(self, query: Query, matches: dict[str, dict[str, Match]]) -> dict[int, float]:
        out: dict[int, float] = {}
        if not query.words and not self._office_holders(query):
            return out
        # Optional words ("team", words after "about") explain but never nominate, unless
        # two together name a person in full ("about my fence, Margaret Halliday").
        nominating = [
            matches[w]
            for k, (w, optional) in enumerate(query.words)
            if not optional or self._full_name_at(k, query)
        ]
        candidates: set[int] = set(self._office_holders(query))
        for found in nominating:
            for other in found:
                candidates.update(self._index.postings.get(other, ()))
                for team in self._index.team_postings.get(other, ()):
                    candidates.update(self._index.team_rank_holders(team, query.ranks))
        if not candidates:  # "someone in the burglary team": the team's members
            teams = {
                t
                for found in nominating
                for other in found
                for t in self._index.team_postings.get(other, ())
            }
            for team in teams:
                self._score_team(team, query, matches, out)
            return out
        people = self._people
        for i in candidates:
            if i in people:
                score = self._person.score(i, query, matches, None)
            else:
                score = self._score_department(i, query, matches, None)
            if score > 0:
                out[i] = score
        return out

    def _office_holders(self, query: Query) -> list[int]:
        """The people whose office the caller named ("the chief constable", "the DCC")
        when one person here holds it (``DirectoryIndex.office_holders``)."""
        if query.ranks is None:
            return []
        holders = self._index.office_holders
        return [holders[rank] for rank in query.ranks if rank in holders]

    def _score_team(
        self,
        team: str,
        query: Query,
        matches: dict[str, dict[str, Match]],
        out: dict[int, float],
    ) -> None:
        """Score a whole team once: its members differ only by rank (teams can be large)."""
        by_rank: dict[str, float] = {}
        for i in self._index.team_members[team]:
            rank = self._entries[i].rank
            if rank not in by_rank:
                by_rank[rank] = self._person.score(i, query, matches, None)
            if by_rank[rank] > 0:
                out[i] = by_rank[rank]

    def _best_phrase(
        self, i: int, query: Query, matches: dict[str, dict[str, Match]]
    ) -> tuple[float, list[str], Phrase, bool, float, list[str]] | None:
        """The phrase of a department or queue the words match best: (score, words left,
        phrase, exact, recall, loose matches)."""
        words = [w for w, _ in query.words]
        top: tuple[float, list[str], Phrase, bool, float, list[str]] | None = None
        for phrase in self._phrases[i]:
            free = list(words)
            got = 0.0
            exact = True  # every word that is not WEAK said exactly
            weak_missing = 0
            loose: list[str] = []
            for part, w in zip(phrase.words, phrase.weights, strict=True):
                sim, _, word, how = best((part,), free, matches)
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
            if top is None or (score, -len(free)) > (top[0], -len(top[1])):
                top = (score, free, phrase, exact, recall, loose)
        return top

    def _score_department(
        self,
        i: int,
        query: Query,
        matches: dict[str, dict[str, Match]],
        notes: list[str] | None,
    ) -> float:
        """A department's (or a queue's) best phrase: its name, an alias, a team."""
        phrased = self._best_phrase(i, query, matches)
        if phrased is None:
            return 0.0
        score, free, phrase, exact, recall, loose = phrased
        free = [w for w in free if w not in self._own_words[i]]
        if notes is not None:
            kind = "exact" if exact else f"{recall:.0%} of words"
            notes.append(f"{phrase.label} {kind}" + (f" ({', '.join(loose)})" if loose else ""))
        if query.ranks is not None:
            # "The sergeant at the docks station": when the one holder of that rank in its
            # team is who is meant, the person comes before the station (TEAM_OFFICE 0.83).
            holder = i < len(self._entries) and any(
                self._index.team_rank_holders(team, query.ranks) for team in self._entries[i].teams
            )
            score -= RANK_HOLDER_HERE if holder else RANK_FOR_DEPARTMENT
            if notes is not None:
                notes.append(f"rank {query.rank_said!r} said for a department")
        if phrase.team:
            # A person named with their team wants the person: the team is their evidence.
            named = [w for w in free if w not in query.optional and self._names_person(w, matches)]
            if named:
                score *= (0.5 / 0.7) ** len(named)
                if notes is not None:
                    notes.append(f"{' '.join(named)!r} names a person")
        # A name of two or more words, or an acronym, said whole ("the missing persons
        # unit", "the MASH") names the department as surely as a person's full name: the
        # caller's other words ("I'm the social worker for a girl who...") cost little.
        # One word of it is not the name said whole: "dog" for the Dog Section, in "my
        # wife's been bitten by a dog in the park".
        said = self._said_whole(phrase, query.plain, query.placed)
        sure = (
            exact
            and said > 0
            and (said > 1 or self._acronym(i, phrase.words))
            # "Ellie in cyber crime"; not a word that only says what was asked for ("unit",
            # near the name Anita) and costs nothing anyway
            and not any(self._names_person(w, matches) for w in free if w not in query.optional)
        )
        return penalise(score, free, query, notes, sure=sure)

    def _acronym(self, i: int, words: tuple[str, ...]) -> bool:
        """Whether entry ``i`` (not a queue) has these words as an acronym."""
        return i < len(self._entries) and " ".join(words) in self._entries[i].acronyms

    def _groups_said(self, words: tuple[str, ...]) -> tuple[frozenset[str], ...]:
        """Each whole team, department name or alias in the words, as its telling words."""
        groups = self._index.group_phrases
        return tuple(
            frozenset(words[start : start + size]) - WEAK
            for size in range(1, 5)
            for start in range(len(words) - size + 1)
            if tuple(words[start : start + size]) in groups
        )

    def _full_name_at(self, k: int, query: Query) -> bool:
        """Whether word ``k`` and a neighbour are both a person's name words, said exactly."""
        people = self._index.person_words
        words = query.plain
        if words[k] not in people:
            return False
        return (k > 0 and words[k - 1] in people) or (k + 1 < len(words) and words[k + 1] in people)

    def _said_whole(
        self, phrase: Phrase, words: tuple[str, ...], placed: frozenset[int] = frozenset()
    ) -> int:
        """How many of the phrase's words were said together and in order, WEAK ones
        optional (0: not said whole): "the Saxby police station", not "the bus station in
        Saxby" (both words, but another place). Said only as where something happened
        ("my bag was taken in Asda at Gateway Park": a place, not the Gateway Park team
        asked for) is not said whole either, unless said with its own "team" or "unit"
        ("on the Heol Eglwys team"; "on Heol Eglwys" is a street)."""
        wanted = tuple(w for w in phrase.words if w not in WEAK or w in words)
        n = len(wanted)
        starts = [i for i in range(len(words) - n + 1) if words[i : i + n] == wanted]
        named = len(wanted) == len(phrase.words) and any(w in WEAK for w in wanted)
        if not named:
            starts = [i for i in starts if i not in placed]
        return n if starts else 0

    def _names_person(self, word: str, matches: dict[str, dict[str, Match]]) -> bool:
        people = self._index.person_words
        return any(sim >= 0.85 and other in people for other, (sim, _) in matches[word].items())
