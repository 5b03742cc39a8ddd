"""PersonScorer: how well a caller's words fit one person (the scale is the matcher's).

A person is found by surname, first name (or nickname), their team or the
department that answers for it, and the rank said; every other word costs.
Two kinds of request say *who* so surely that the caller's other words ("he
dealt with my accident") are only their reason and cost little:

* **named**: the surname heard clearly with the first name or the rank;
* **described**: a first name with what the person does, their whole team,
  their department's name or alias, or their rank ("Kwame, he's a PC in roads
  policing"); two facts that agree are no chance match, unless the first
  name is an everyday word (``query.ORDINARY``: "a mark on my car").

Neither holds when the words name a different team or department ("PC Johnson
in roads policing" is not the Johnson in neighbourhood policing). The pieces
every entry's score uses (``best``, ``penalise``, ``say``) live here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ivr.directory.index import EXACT, DirectoryIndex, Match, Person, sounds_same
from ivr.directory.query import (
    DETECTIVES,
    NOT_WORDS,
    ORDINARY,
    ORDINARY_SURNAMES,
    RANK_FAMILY,
    Query,
)
from ivr.directory.short_names import known_first_names
from ivr.directory.titles import name_sex

__all__ = ["PersonScorer", "best", "penalise", "say"]

Matches = dict[str, dict[str, Match]]  # query word -> vocabulary word -> similarity

NAMED_COST = 0.9  # per unexplained word when the person was named or described...
NAMED_FLOOR = 0.85  # ...and never more than this in all
DESCRIBED_BONUS = 0.10  # x role: a first name with its team is 0.76, with the rank too 0.81
# A team word heard less like this is noise, not the team: "city" shares a sound key with
# "CID" but little spelling (0.56), and "Sergeant Clark from the city centre team" is not
# the Clarke in CID as much as the Clark in City Centre.
TEAM_WORD = 0.6
UNIT_WORD = 0.85  # a department word must be heard this clearly to describe a person
# The team or department said whole, not one word of it: "my daughter Hannah is missing"
# says one word of Missing Persons and is no request for its Hannah.
WHOLE_ROLE = 0.9
# A team word no more than this common among the departments' names tells the team apart
# (ivr.directory.index: 1.0 for a word one department has, 0.58 for "crime" in eight).
TELLING_WORD = 0.85
# The office alone ("the chief constable") when one person holds it: with the rank's own
# 0.08 it routes (0.88), as a name said clearly would.
OFFICE = 0.80
# A rank said with the team of the one person who holds it there: with the rank's 0.08, a
# confirm (0.83), not a route: the directory may not list the team's every officer.
TEAM_OFFICE = 0.75
# A surname heard this near with the person's own rank before it names them ("DC
# Pattison" for DC Zoë Pattinson): a rank is said only before a name. Not when the word
# heard is the name of someone else of that rank ("PC Johnson" is not PC Johnston said).
NEAR_SURNAME = 0.85
SAME_SOUND = "same sound"  # how another spelling of the name matched (``_sounded``)
# The person's team said as not meant ("not Westhaven"): below anyone else the words fit.
DENIED = 0.15
# A title said that the person's first name contradicts ("Mr Ray" for Deborah Ray): as a
# rank that is not theirs.
TITLE_MISMATCH = 0.15
# A surname that is an everyday word heard alone ("a little boy", "my English is little"):
# a confirm at best (0.86 -> 0.65), as a first name alone is.
EVERYDAY_SURNAME = 0.75


class PersonScorer:
    """Scores one person entry (by index) against a parsed query."""

    def __init__(self, index: DirectoryIndex) -> None:
        self._index = index
        self._people = index.people
        self._entries = index.entries

    def score(self, i: int, query: Query, matches: Matches, notes: list[str] | None) -> float:
        """The person's score in 0..1; ``notes`` (when given) gets the evidence."""
        return self.fit(i, query, matches, notes)[0]

    def fit(
        self, i: int, query: Query, matches: Matches, notes: list[str] | None
    ) -> tuple[float, bool]:
        """``score``, and whether the words said who surely (named or described: the
        caller's other words are their reason, not a mismatch)."""
        person = self._people[i]
        entry = self._entries[i]
        # "not Westhaven" says whom the caller does not mean: no word of anyone's name.
        free = [w for w in query.plain if w not in query.excluded and w not in NOT_WORDS]

        # A surname of parts ("Al-Masri") may be heard as one word ("Almasri"): the
        # better of the two readings.
        parts = person.surname
        heard = self._surname(parts, free, query, matches)
        if person.joined:
            as_one = self._surname((person.joined,), free, query, matches)
            if sum(h[0] for h in as_one) > sum(h[0] for h in heard) / len(parts):
                parts, heard = (person.joined,), as_one
        ss = 0.0
        someone_elses = False  # a surname word heard near that is another name here exactly
        everyday = False  # the surname heard is an everyday word, with no title before it
        titled = False  # the surname heard after a title ("Mr Matthews")
        after_rank = True  # ... and every surname word heard after the rank said
        # "Mr Ray" for Deborah Ray: the title says someone else (``ivr.directory.titles``)
        sex = name_sex(entry.first_name) if query.addressed else None
        miscalled = [w for w, said in query.addressed if sex is not None and said is not sex]
        for sim, word, how in heard:
            ss += sim
            someone_elses = someone_elses or (sim < 1.0 and self._named_so(word, query))
            everyday = everyday or (word in ORDINARY_SURNAMES and word not in query.titled)
            titled = titled or (word in query.titled and word not in miscalled)
            after_rank = after_rank and word in query.after_rank
            free.remove(word)
            if notes is not None:
                notes.append(say("surname", entry.surname, word, how, sim))
        ss /= len(parts) or 1
        sf, first_target, first_word, how = self._first(person, free, matches)
        sf, how = self._sounded(sf, how, first_word, first_target, query)
        if sf > 0:
            free.remove(first_word)
            if notes is not None:
                field = "first name" if first_target in person.first_own else "nickname"
                notes.append(say(field, first_target.title(), first_word, how, sf))
        tr, team_best, role, free = self._role(i, query, matches, free, notes)
        # "Sam Hughes in traffic, not Westhaven": the team said is the one not meant.
        denied = bool(query.excluded) and any(
            (m := matches[w].get(t)) is not None and m[0] >= TEAM_WORD
            for w in query.excluded
            if w in matches
            for t in person.role_words
        )
        if denied and notes is not None:
            notes.append(f"team {entry.team!r} said as not meant")
        # The office said is this person's, and nobody else here holds it.
        office = query.ranks is not None and self._index.office_holders.get(entry.rank) == i
        office = office and entry.rank in (query.ranks or ())
        # ... or the rank said is theirs alone in the team said ("the inspector for Marsby").
        team_office = tr > 0 and i in self._index.team_rank_holders(entry.team, query.ranks)
        if ss > 0 and sf > 0:
            score = 0.95 * (0.35 * sf + 0.65 * ss)
        elif ss > 0:
            score = 0.86 * ss
            if everyday and query.ranks is None:
                score *= EVERYDAY_SURNAME
                if notes is not None:
                    notes.append("an everyday word, said alone")
        elif sf > 0:
            score = 0.66 * sf
        elif team_office:
            score = TEAM_OFFICE
            if notes is not None:
                notes.append(f"the only {entry.rank} in {entry.team}")
        elif tr > 0:  # one telling team word is enough; the caller's extra words cost
            score = 0.62 * team_best
        elif office:
            score = OFFICE
            if notes is not None:
                notes.append(f"the only {entry.rank} here")
        else:
            return 0.0, False
        name_matched = ss > 0 or sf > 0
        rank_matched = query.ranks is not None and entry.rank in query.ranks
        # A title names as a rank does: "Mr Matthews, the financial investigator".
        named = (
            (ss >= 0.95 and (sf >= 0.9 or rank_matched or titled))
            or (ss >= NEAR_SURNAME and rank_matched and not someone_elses and after_rank)
            or ((office or team_office) and not name_matched)
        )
        described = (
            ss == 0
            and sf >= 0.9
            and not ORDINARY.intersection((first_word, first_target))
            and (role >= WHOLE_ROLE or rank_matched)
        )
        # A first name only this person has here, said as spelt, with some of their role
        # ("Tariq, the man who does the shotgun certificates", "Siobhan from child
        # protection"): described, and the caller's other words say whom they named.
        own_first = (
            ss == 0
            and how == EXACT
            and role > 0
            and first_word not in ORDINARY
            and len(self._index.postings.get(first_word, ())) == 1
            and not _someone_of_theirs(first_word, query.plain)
        )
        if name_matched and role > 0:
            score += (DESCRIBED_BONUS if described or own_first else 0.04) * role
        if described and notes is not None:
            notes.append("first name with their role")
        if any(word in miscalled for _, word, _ in heard):
            score -= TITLE_MISMATCH
            if notes is not None:
                notes.append(f"title said is not {entry.first_name}'s")
        if query.ranks is not None:
            if rank_matched:
                score += 0.05 if name_matched else 0.08
                if notes is not None:
                    notes.append(f"rank {entry.rank} = {query.rank_said!r}")
            elif query.ranks & RANK_FAMILY.get(entry.rank, frozenset()):
                score += 0.01
                if notes is not None:
                    notes.append(f"rank {entry.rank} ~ {query.rank_said!r}")
            else:
                score -= 0.10 if query.ranks == DETECTIVES else 0.15
                if notes is not None:
                    notes.append(f"rank {entry.rank} != {query.rank_said!r}")
        own = person.role_words
        # Rank, first name and surname all said: a team named beside them is not the
        # person's ("it's Sarah from Castlebrook Children's Services, I need DS Rachel
        # Dunn"); with less, another team said may be another person's ("Sian Johnson in
        # roads policing" is Sian Johnston there).
        whole = ss >= 0.95 and sf >= 0.9 and rank_matched
        sure = whole or (
            (named or described or own_first) and all(group <= own for group in query.groups)
        )
        if denied:
            score -= DENIED
        return penalise(score, free, query, notes, sure=sure), sure

    def _surname(
        self, parts: tuple[str, ...], free: list[str], query: Query, matches: Matches
    ) -> list[tuple[float, str, str]]:
        """(similarity, word heard, how) for each part of a surname heard."""
        # A word said as where ("someone at the cells") is a place, and a first name said
        # alone a first name: only a surname said exactly there is one ("at the cells" is
        # no "Ellis", "Dave" no "Davies").
        placed = {query.plain[k] for k in query.placed} if query.placed else set()
        left = list(free)
        heard: list[tuple[float, str, str]] = []
        for part in parts:
            sim, word, how = 0.0, "", ""
            for w in left:  # inlined best(): this loop runs for every candidate
                if w in query.first_only:
                    continue  # "his first name's Stewart": not DS Fiona Stewart
                m = matches[w].get(part)
                if m is not None and m[1] != EXACT and (w in placed or self._first_name(w, query)):
                    continue
                if m is not None and m[0] > sim:
                    sim, word, how = m[0], w, m[1]
            if sim > 0:
                sim, how = self._sounded(sim, how, word, part, query)
                left.remove(word)
                heard.append((sim, word, how))
        return heard

    @staticmethod
    def _first_name(word: str, query: Query) -> bool:
        """A first name said with no rank or title before it ("I want to speak to Dave"):
        only a surname said exactly is one ("dave" is no Davies)."""
        return (
            word in known_first_names()
            and word not in query.titled
            and word not in query.after_rank
        )

    @staticmethod
    def _first(person: Person, free: list[str], matches: Matches) -> tuple[float, str, str, str]:
        """``best`` of the first names and nicknames; a shipped other spelling only as
        said ("Rory" for Ruaridh): near it is no evidence ("Ioan" is near "Iain", listed
        for an Ian, and is no Ian)."""
        found = best([f for f in person.first if f not in person.spelt], free, matches)
        if person.spelt:
            said = [w for w in free if w in person.spelt]
            if said and found[0] < 1.0:
                return (1.0, said[0], said[0], EXACT)
        return found

    def _named_so(self, word: str, query: Query) -> bool:
        """Someone here has this name word exactly and the rank said ("PC Johnson" with
        a PC Johnson here): the word names them, not a near name of the same rank."""
        ranks = self._index.name_ranks.get(word)
        return bool(ranks and query.ranks and not ranks.isdisjoint(query.ranks))

    def _sounded(
        self, sim: float, how: str, word: str, name: str, query: Query
    ) -> tuple[float, str]:
        """A name word that is another spelling of the same sound in this directory
        ("reed" for Reid, where PC Reed works too) fits as well as its own spelling: which
        of the two a transcript holds is the recogniser's guess. A word that is no name
        here ("make" for Mackie) keeps its discount, and so does a name the caller spelt."""
        if query.spelt or not 0 < sim < 1 or word not in self._index.person_words:
            return sim, how
        return (1.0, SAME_SOUND) if sounds_same(word, name) else (sim, how)

    def _role(
        self, i: int, query: Query, matches: Matches, free: list[str], notes: list[str] | None
    ) -> tuple[float, float, float, list[str]]:
        """(team recall, best team word, role, words left): how far the words say the
        person's team, or name the department that answers for it (role: the better)."""
        person = self._people[i]
        entry = self._entries[i]
        if not free or not person.team:
            return 0.0, 0.0, 0.0, free
        key = (entry.team, tuple(free))
        cached = query.team_cache.get(key)
        if cached is None:
            team_sum = team_best = 0.0
            rest = list(free)
            # The team's telling words, each said: "the rural officer" says Rural Crime
            # whole, where "crime" is half the directory's teams'.
            telling = [w >= TELLING_WORD for w in person.team_weights]
            told = any(telling)
            for part, part_weight, tells in zip(
                person.team, person.team_weights, telling, strict=True
            ):
                sim, _, word, _ = best((part,), rest, matches)
                if sim >= TEAM_WORD:
                    rest.remove(word)
                    team_sum += part_weight * sim
                    team_best = max(team_best, sim)
                elif tells:
                    told = False
            tr = team_sum / person.team_total
            # The department's name or alias read from all the words, not what the team's
            # own words left: "Kwame in CID" says CID whole for team "CID Kingsport".
            unit, unit_rest = 0.0, rest
            for words in person.unit:  # "traffic" for Roads Policing: its department's alias
                left = list(free)
                got = 0.0
                for part in words:
                    sim, _, word, _ = best((part,), left, matches)
                    if sim >= UNIT_WORD:
                        left.remove(word)
                        got += sim
                if got / len(words) > unit:
                    # Words either reading explains are explained ("fraud investigation
                    # team": the team's words and the department's alias both count).
                    unit, unit_rest = got / len(words), [w for w in left if w in rest]
            cached = (tr, team_best, max(tr, unit, WHOLE_ROLE if told else 0.0), unit_rest)
            query.team_cache[key] = cached
        tr, team_best, role, rest = cached
        if notes is not None:
            if tr > 0:
                notes.append(f"team {entry.team!r} ({tr:.0%})")
            if role > tr:
                notes.append(f"the department for team {entry.team!r} ({role:.0%})")
        return tr, team_best, role, list(rest)


# Someone in the caller's own life named ("my daughter Hannah is missing"): not the
# directory's Hannah in Missing Persons.
KIN = frozenset(
    {"daughter", "son", "friend", "neighbour", "neighbor", "husband", "wife", "partner"}
    | {"brother", "sister", "mum", "mam", "mom", "dad", "mother", "father", "boy", "girl"}
    | {"child", "grandson", "granddaughter", "nephew", "niece", "cousin", "boyfriend"}
    | {"girlfriend", "mate", "pal", "colleague", "tenant", "lodger", "flatmate", "carer"}
    | {"grandad", "grandma", "nan", "uncle", "aunt", "auntie", "ex", "stepson", "stepdaughter"}
)


def _someone_of_theirs(word: str, said: Sequence[str]) -> bool:
    """``word`` said right after a relation ("my daughter Hannah")."""
    return any(k > 0 and said[k - 1] in KIN for k, w in enumerate(said) if w == word)


def best(
    targets: Iterable[str], words: Sequence[str], matches: Matches
) -> tuple[float, str, str, str]:
    """Best (similarity, target, query word, how) of any query word on any target."""
    found = (0.0, "", "", "")
    for target in targets:
        for word in words:
            m = matches[word].get(target)
            if m is not None and m[0] > found[0]:
                found = (m[0], target, word, m[1])
    return found


def penalise(
    score: float, free: list[str], query: Query, notes: list[str] | None, sure: bool = False
) -> float:
    """Words the entry does not explain cost 0.7 each (most requests are not names),
    but little when the caller surely named or described the person (NAMED_COST,
    NAMED_FLOOR)."""
    if free:
        unexplained = [w for w in free if w not in query.optional]
        if unexplained:
            n = len(unexplained)
            score *= max(NAMED_FLOOR, NAMED_COST**n) if sure else 0.7**n
            if notes is not None:
                notes.append(f"unexplained {' '.join(unexplained)!r}")
    return min(1.0, max(0.0, score))


def say(field: str, value: str, word: str, how: str, sim: float) -> str:
    """One piece of evidence: "surname 'Johnson' exact" / "... ~ 'jonson' (phonetic 0.92)"."""
    if how == EXACT:
        return f"{field} {value!r} exact"
    return f"{field} {value!r} ~ {word!r} ({how} {sim:.2f})"
