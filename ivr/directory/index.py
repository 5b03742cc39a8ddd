"""DirectoryIndex: a directory's words, indexed so a query costs the same at any size.

Tokens are looked up in inverted indexes (exact word and Double Metaphone
key -> vocabulary word -> entries); rapidfuzz only runs against the distinct
vocabulary words of similar length, and each query word's matches are cached,
so the work per call does not grow with the directory size. Scoring what the
matches mean is the DirectoryMatcher's (ivr.directory.matcher).
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]
from rapidfuzz import fuzz, process

from ivr.decisions import DIRECTORY_PREFIX
from ivr.directory.entry import DirectoryEntry, team_key
from ivr.directory.query import WEAK, content_words
from ivr.directory.ranks import OFFICES, RANKS
from ivr.directory.short_names import fuller_forms, short_forms, spellings
from ivr.directory.teams import TeamRoute
from ivr.text import normalise
from ivr.text import tokens as text_tokens

EXACT, PHONETIC, FUZZY, PLURAL = "exact", "phonetic", "fuzzy", "plural"
SAID_AS = "said as"  # a name as an English ear hears it ("novak" for Nowak, "eva" for Ewa)
_FUZZY_CUTOFF = 78.0
# One name's spellings: the same sound and at most about one letter in four apart
# ("reed" / "reid" 75, "clark" / "clarke" 91; "johnson" / "johnston" sound different).
_ONE_NAME = 75.0

Match = tuple[float, str]  # (similarity 0..1, how)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A department's name or one alias, its words weighted by how telling they are."""

    words: tuple[str, ...]
    weights: tuple[float, ...]
    label: str  # "name 'Firearms Licensing'" / "alias 'gun licence'" / "team 'X' → Y"
    full: float  # score for an exact, complete match
    total: float  # sum of weights
    team: str = ""  # the team's name, when the phrase is a team routed here


# Exact-match scores: a department's own name, an alias, a team it answers for.
NAME_FULL, ALIAS_FULL, TEAM_FULL = 0.98, 0.97, 0.96


@dataclass(frozen=True, slots=True)
class Person:
    """The words a person's entry can be asked for by."""

    first: tuple[str, ...]  # first-name words and nickname aliases
    first_own: frozenset[str]  # first-name words only (for evidence)
    surname: tuple[str, ...]
    team: tuple[str, ...]
    team_weights: tuple[float, ...]
    team_total: float
    # The name and aliases (telling words only) of the department that answers for the
    # team: "Kwame from traffic" describes PC Kwame Mensah of Roads Policing too.
    unit: tuple[tuple[str, ...], ...] = ()
    role_words: frozenset[str] = frozenset()  # the team's and the unit's words
    # the shipped other spellings and fuller forms among ``first``
    # (ivr.directory.short_names): said only
    spelt: frozenset[str] = frozenset()
    # A surname of parts as one word ("almasri" for Al-Masri): how it is often written.
    joined: str = ""


VOWELS = "aeiouy"
_VOWEL_SOUND = {"a": "a", "o": "o", "u": "u", "e": "i", "i": "i", "y": "i"}


def _keys(word: str) -> tuple[str, ...]:
    primary, secondary = doublemetaphone(word)
    return tuple(str(k) for k in dict.fromkeys((primary, secondary)) if k)


@functools.lru_cache(maxsize=65_536)  # asked per candidate at every decision
def sounds_same(a: str, b: str) -> bool:
    """Two spellings of one name to the ear ("Reed" / "Reid", "Clark" / "Clarke"): a
    transcript's spelling cannot tell them apart. Names under four letters are left out
    (too many everyday words sound like them)."""
    a, b = a.casefold(), b.casefold()
    if a == b or _silent_e(a, b) or _silent_e(b, a) or _same_ee(a, b) or _silent_h(a, b):
        return True
    same_key = bool(set(_keys(a) + _keys(_w_as_v(a))) & set(_keys(b) + _keys(_w_as_v(b))))
    # ... with the letters close, or the same letters moved inside the same start and
    # end ("Howarth" / "Haworth"; not "Aileen" / "Elaine")
    moved = sorted(a) == sorted(b) and a[0] == b[0] and a[-3:] == b[-3:]
    close = fuzz.ratio(a, b) >= _ONE_NAME or moved
    return same_key and min(len(a), len(b)) >= 4 and close and _sounded_end(a) == _sounded_end(b)


_W_BETWEEN_VOWELS = re.compile(r"(?<=[aeiou])w(?=[aeiouy])")
# Everyday words an English name's w read as v would make ("Owen" as "oven"): never
# heard as the name.
EVERYDAY_AS_V = frozenset(
    " ".join(
        (
            "oven over even ever never level novel hover cover lover rover raven haven seven",
            "river liver fever lever diver devil evil shovel travel gravel clover rival levis",
        )
    ).split()
)


def _w_as_v(word: str) -> str:
    """ "Nowak" as said ("Novak"): a Polish w between vowels is a v to an English ear,
    and the metaphone keys read it as silent."""
    return _W_BETWEEN_VOWELS.sub("v", word)


def _silent_e(short: str, long: str) -> bool:
    """ "Ann" and "Anne": a silent e after a doubled consonant changes no sound, however
    short the name."""
    return len(short) >= 3 and long == short + "e" and short[-1] == short[-2] not in VOWELS


# Letters whose sound folding them to plain letters loses (Polish, mostly): "ś" is "sh".
_SOUNDED = str.maketrans(
    {"ś": "sh", "ć": "ch", "ź": "zh", "ż": "zh", "ł": "w", "ș": "sh", "ț": "ts"}
)
# Letters only Polish writes here: a name holding one is read the Polish way; "ó" too when
# no Irish, Spanish or Portuguese accent is beside it ("Wójcik", not "Róisín", "João").
_POLISH_ONLY = frozenset("łśńżźćąę")
_OTHER_ACCENTS = frozenset("áéíúàèìùâêîôûãõç")
# Polish spellings as an English ear hears them ("Wójcik" said "Voychick").
_POLISH_SOUNDS = (
    ("szcz", "shch"),
    ("sz", "sh"),
    ("cz", "ch"),
    ("rz", "zh"),
    ("ci", "chi"),
    ("w", "v"),
    ("ó", "o"),
    ("ł", "w"),
    ("j", "y"),
)


def _polish(name: str) -> bool:
    letters = set(name.casefold())
    return bool(letters & _POLISH_ONLY) or ("ó" in letters and not letters & _OTHER_ACCENTS)


def _spoken_forms(raw: str, name: str) -> set[str]:
    """A listed name word as it is said, where its letters folded to plain ones lose the
    sound: "Wiśniewski" is "Wishnevski"; in a Polish name "Wójcik" is "Voychik"."""
    said = raw.casefold()
    forms = {normalise(said.translate(_SOUNDED))}
    if _polish(name):
        for letters, sound in _POLISH_SOUNDS:
            said = said.replace(letters, sound)
        forms.add(normalise(said.translate(_SOUNDED)))
    return forms


# An h after a vowel and before no vowel is not said ("John", "Sarah", "Leah").
_SILENT_H = re.compile(r"(?<=[aeiou])h(?![aeiouy])")


def _silent_h(a: str, b: str) -> bool:
    """ "Jon" and "John", "Sara" and "Sarah": one spelling with an unsaid h, however short
    (the names' letters differ only by it)."""
    return min(len(a), len(b)) >= 3 and a != b and _SILENT_H.sub("", a) == _SILENT_H.sub("", b)


# A final "ee" sound's spellings: "Lee", "Leigh", "Lea"; "Ashley", "Ashleigh", "Ashlee".
_EE_END = re.compile(r"(?:eigh|ee|ey|ie|ea)$")


def _same_ee(a: str, b: str) -> bool:
    """Two spellings of one name that differ only in how its final "ee" is written, however
    short ("Lee" / "Leigh"): the metaphone keys leave the vowels out and the letters are
    far apart, yet to the ear they are one name."""
    return min(len(a), len(b)) >= 3 and _EE_END.sub("ee", a) == _EE_END.sub("ee", b)


def _sounded_end(word: str) -> str:
    """The vowel a name ends on, as said ('' for a consonant): the metaphone keys leave
    vowels out, so "Paul" and "Paula", "Paulo" and "Paula" share a key, but a caller who
    says one has not said the other. A silent final e ("Clarke", "Greene") or h after a
    vowel ("Hannah", "Sarah") is not said."""
    if len(word) > 2 and word[-1] in "eh" and (word[-1] == "h") == (word[-2] in VOWELS):
        word = word[:-1]
    last = word[-1:]
    return _VOWEL_SOUND.get(last, "")


class DirectoryIndex:
    """Who each word can name, and which vocabulary words are like a caller's word.

    Keys are entry indexes, then one per queue a team routes to (``queues``): a team
    routed to a department is one more phrase of that department, so "roads policing"
    and "collision reporting" compete as one candidate, not two.
    """

    def __init__(
        self, entries: tuple[DirectoryEntry, ...], teams: tuple[TeamRoute, ...] = ()
    ) -> None:
        self.entries = entries
        self.postings: dict[str, list[int]] = defaultdict(list)  # name word -> entries
        self.team_postings: dict[str, set[str]] = defaultdict(set)  # team word -> teams
        self.team_members: dict[str, list[int]] = defaultdict(list)
        self.people: dict[int, Person] = {}
        self.phrases: dict[int, tuple[Phrase, ...]] = {}
        self.phrase_set: set[tuple[str, ...]] = set()
        self.person_words: set[str] = set()
        # Name word -> the ranks of the people it names ("johnson" -> {PC, DS}).
        self.name_ranks: dict[str, set[str]] = defaultdict(set)
        self.queues: dict[int, str] = {}  # key past the entries -> queue destination
        # A chief officer's office held by one person here: "the Chief Constable" names them.
        holders: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(entries):
            if e.kind == "person" and e.rank in OFFICES:
                holders[e.rank].append(i)
        self.office_holders: dict[str, int] = {r: h[0] for r, h in holders.items() if len(h) == 1}
        # A rank one person holds in their team (keyed as team_members is): "the inspector
        # for Marsby" names them.
        in_team: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, e in enumerate(entries):
            if e.kind == "person" and e.rank and e.team:
                in_team[(e.team, e.rank)].append(i)
        self._team_rank_holders = {k: h[0] for k, h in in_team.items() if len(h) == 1}

        group_df: dict[str, int] = defaultdict(int)  # word -> departments/teams using it
        every_team = {team_key(e.team): e.team for e in self.entries if e.kind == "person"}
        every_team.update((team_key(t.name), t.name) for t in teams)
        for team_name in every_team.values():
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

        units = self._units(teams)
        for i, e in enumerate(self.entries):
            if e.kind == "person":
                first = tuple(dict.fromkeys(content_words(e.first_name)))
                nick = tuple(w for a in e.aliases for w in content_words(a))
                nick += short_forms(first)
                spelt = tuple(
                    w for w in (*spellings(first), *fuller_forms(first)) if w not in first + nick
                )
                nick += spelt
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
                    unit=units.get(team_key(e.team), ()),
                    role_words=frozenset(team).union(*units.get(team_key(e.team), ())),
                    spelt=frozenset(spelt),
                    joined="".join(surname) if len(surname) > 1 else "",
                )
                self.people[i] = person
                for word in set(person.first + person.surname + (person.joined,)) - {""}:
                    self.postings[word].append(i)
                    self.person_words.add(word)
                    self.name_ranks[word].add(e.rank)
                if e.team:
                    self.team_members[e.team].append(i)
                    for word in team:
                        self.team_postings[word].add(e.team)
            else:
                own: list[Phrase] = []
                for n, text in enumerate((e.name, *e.aliases)):
                    label = f"name {e.name!r}" if n == 0 else f"alias {text!r}"
                    full = NAME_FULL if n == 0 else ALIAS_FULL
                    own.extend(self._phrase(text, label, full, weight))
                self.phrases[i] = tuple(own)
        self._route_teams(teams, weight)
        for target, phrases in self.phrases.items():
            for phrase in phrases:
                self.phrase_set.add(phrase.words)
                for word in phrase.words:
                    self.postings[word].append(target)
        # What names a group of people: a department's names, routed and unrouted teams.
        self.group_phrases: frozenset[tuple[str, ...]] = frozenset(self.phrase_set) | {
            p.team for p in self.people.values() if p.team
        }

        self.vocab: frozenset[str] = frozenset(self.postings) | frozenset(self.team_postings)
        self._phonetic: dict[str, list[str]] = defaultdict(list)
        by_length: dict[int, list[str]] = defaultdict(list)
        # An acronym is said letter by letter ("S C I U"): the metaphone keys of its
        # spelling are no sound of it, and "Zoe" is not "SCIU" however alike their keys.
        acronyms = {a for e in entries for a in e.acronyms} - self.person_words
        for word in sorted(self.vocab):
            for key in _keys(word) if word not in acronyms else ():
                self._phonetic[key].append(word)
            by_length[len(word)].append(word)
        # "Wiśniewski" said "Wishnevski": the letters folding drops said their sound. A
        # word heard by such a sound is as near the name as it is to the sound's spelling.
        self._spoken: dict[str, set[str]] = defaultdict(set)
        for name in {e.name for e in entries} | {a for e in entries for a in e.aliases}:
            for raw in name.split():
                word = normalise(raw)
                if word not in self.vocab:
                    continue
                for spoken in _spoken_forms(raw, name) - {word}:
                    self._spoken[word].add(spoken)
                    for key in set(_keys(spoken)) - set(_keys(word)):
                        self._phonetic[key].append(word)
        longest = max(by_length, default=0)
        self._near_length: dict[int, list[str]] = {
            n: [w for m in range(n - 2, n + 3) for w in by_length.get(m, ())]
            for n in range(1, longest + 3)
        }
        # "Nowak" as said: "Novak". Every recogniser writes what it hears, so the heard
        # spelling is no near miss of the name but the name itself (however short: "Ewa").
        self._said_as: dict[str, str] = {
            said: w
            for w in sorted(self.vocab)
            if (said := _w_as_v(w)) != w and said not in EVERYDAY_AS_V
        }
        self._cache: dict[str, dict[str, Match]] = {}
        rank_words = {w for forms in RANKS.values() for f in forms for w in f.split()}
        self.rank_words = frozenset(rank_words)
        self.vocabulary: frozenset[str] = (
            frozenset(
                w
                for e in self.entries
                for text in (e.name, e.first_name, e.surname, e.team, *e.aliases)
                for w in text_tokens(text)
            )
            | frozenset(rank_words)
            | frozenset(w for t in teams for w in text_tokens(t.name))
        )

    def _units(self, teams: tuple[TeamRoute, ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
        """Team key -> the telling words of each name of the department that answers for it."""
        departments = {e.destination: e for e in self.entries if e.kind == "department"}
        out: dict[str, tuple[tuple[str, ...], ...]] = {}
        for team in teams:
            department = departments.get(team.destination)
            if department is None:
                continue
            names = (department.name, *department.aliases)
            words = (tuple(w for w in content_words(n) if w not in WEAK) for n in names)
            out[team_key(team.name)] = tuple(dict.fromkeys(w for w in words if w))
        return out

    @staticmethod
    def _phrase(
        text: str, label: str, full: float, weight: Callable[[str], float], team: str = ""
    ) -> list[Phrase]:
        words = tuple(dict.fromkeys(content_words(text)))
        if not words:
            return []
        weights = tuple(weight(w) for w in words)
        return [Phrase(words, weights, label, full, sum(weights), team)]

    def _route_teams(self, teams: tuple[TeamRoute, ...], weight: Callable[[str], float]) -> None:
        """Each routed team: a phrase of its department, or of its queue's own key."""
        by_id = {e.id: n for n, e in enumerate(self.entries)}
        queue_key: dict[str, int] = {}
        extra: dict[int, list[Phrase]] = defaultdict(list)
        for team in teams:
            entry = by_id.get(team.destination.removeprefix(DIRECTORY_PREFIX))
            if entry is None or not team.destination.startswith(DIRECTORY_PREFIX):
                if team.destination not in queue_key:
                    queue_key[team.destination] = len(self.entries) + len(queue_key)
                    self.queues[queue_key[team.destination]] = team.destination
                entry = queue_key[team.destination]
            label = f"team {team.name!r} → {team.via}"
            extra[entry].extend(self._phrase(team.name, label, TEAM_FULL, weight, team.name))
        for key, phrases in extra.items():
            self.phrases[key] = (*self.phrases.get(key, ()), *phrases)

    def team_rank_holders(self, team: str, ranks: frozenset[str] | None) -> list[int]:
        """The people who alone hold a rank said in ``team``; none when no rank was said, or
        one as wide as "detective" (any of four ranks: "the detective in CID" is any of them)."""
        if ranks is None or len(ranks) > 2:
            return []
        held = (self._team_rank_holders.get((team, rank)) for rank in ranks)
        return [i for i in held if i is not None]

    def similar(self, word: str) -> dict[str, Match]:
        """Vocabulary words like ``word``: exact 1.0, sound-alike 0.92, near spelling ~0.86."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        found: dict[str, Match] = {}
        if word in self.vocab:
            found[word] = (1.0, EXACT)
        # "he works with the lorries" for the Lorry Park Team: a plural the spelling hides
        singular = word[:-3] + "y" if len(word) > 5 and word.endswith("ies") else ""
        if singular in self.vocab:
            found[singular] = (0.95, PLURAL)
        said_as = self._said_as.get(word)
        if said_as is not None:
            found[said_as] = (0.95, SAID_AS)
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
            if other in (word, singular, said_as):
                continue
            ratio = ratios.get(other) or fuzz.ratio(word, other) / 100.0
            for spoken in self._spoken.get(other, ()):
                ratio = max(ratio, fuzz.ratio(word, spoken) / 100.0)
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
