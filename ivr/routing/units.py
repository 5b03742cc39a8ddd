"""UnlistedUnit: a unit (or another police) asked for by name that the directory does not list.

"The dog unit, please", "I want the cyber crime unit", "marine unit, it's about my
mooring": the caller knows what they want, and it is not a crime report or an incident
to route by the rest of their words. Every independent writer of a test set sent such
a caller to the switchboard: a person knows whether the force has that unit under
another name, or which neighbouring force runs it. A unit the directory lists, by a
word of its name, an alias or a team ("the rural crime team" for the Rural and Wildlife
Crime Unit), is the matcher's to find; one the sentence model finds surely by what it
does ("the fraud squad" for Economic Crime) is the department's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz, process

from ivr.decisions import Hypothesis
from ivr.directory import DirectoryEntry
from ivr.directory.query import FILLER, WEAK, content_words
from ivr.routing.own_service import ASK
from ivr.text import normalise

__all__ = ["AskedUnit", "UnlistedUnit"]

# A unit asked for: after the start, or after a request ("I want", "put me through to").
_REQUEST = (
    r"want|need|like|speak to|talk to|through to|get me|is that|is this"
    # "the number for the dog unit", not "a crime number for the passport office"
    r"|(?<!crime )(?<!reference )(?<!property )(?<!incident )(?<!log )number for"
    r"|transfer me to|connect me to|looking for"
)
_UNIT = r"(unit|section|squad|department|dept|office|desk|bureau|team)"
ASKED = re.compile(
    rf"(?:^|\b(?:{_REQUEST}|after)\s)"
    # not the caller's own ("our finance team paid a fake invoice")
    r"(?:the |your |a )?(?!(?:our|my|his|her|their|its) )"
    # ... and the council's, whose units are not the police's ("the council's anti-social
    # behaviour team", "the council's housing department")
    r"((?:(?:parish|town|district|county|city|borough|local) )?councils )?"
    rf"((?:[a-z]+ ){{1,3}}){_UNIT}\b"
)
# ... or "can I have" it, and nothing after ("can I have the Southcliffe neighbourhood team
# please"; not "can I have forensics come out to my car").
HAVE = re.compile(
    rf"\b(?:can|could|may) i have (?:the |your |a )?((?:[a-z]+ ){{1,3}}){_UNIT}(?: please)?$"
)
# Units callers name without a word like "unit" ("scenes of crime, please", "the coroner's
# officer"), and bodies beside the police ("the Police and Crime Commissioner's office",
# "is this Crimestoppers?", "is that Victim Support?": a charity): the same test, by their
# telling words.
ROLE = re.compile(
    rf"(?:^|\b(?:{_REQUEST})\s)(?:the |your |a |an )?(scenes of crime|crime scene"
    r" (?:investigators?|investigation|officers?|people)|csi|soco|coroners? officers?"
    r"|special branch|forensics?|(?:deputy |assistant )?chief constable"
    r"|(?:police and )?crime commissioners?|crime ?stoppers|victim support)\b"
)
# Bodies that are not the police at all, asked for and nothing else said ("can I speak
# to the community council please", "is this the number for the coastguard?", "Trading
# Standards, please"): every writer sent them to the switchboard, whose operator gives
# their number. Anything said beside the ask ("is this the coastguard? someone's in the
# water", "is this the council? I want to report a burglary") is the rest of the engine's
# to read, danger first; so is a caller asking 101 for the ambulance or the fire brigade.
# Theirs unless the directory has every telling word (a force's "Community Policing" has
# the community, not the council).
_OUTSIDE = (
    r"(?:the |your |a |an )?((?:(?:parish|community|town|district|county|city|borough|local) )?"
    r"council|coastguards?|rspca|scottish spca|sspca|trading standards|dvla"
    r"|environment agency|national highways|highways england|social services|citizens advice"
    r"|border force)"
)
_ASK_FOR = (
    rf"(?:{ASK}|(?:can|could) you give me|i was looking for|im looking for)"
    r"(?: the (?:number|phone number|contact) for)?"
)
OUTSIDE = re.compile(rf"^(?:{_ASK_FOR} )?{_OUTSIDE}(?: please)?$")
# A police asked for by what sets it apart ("mounted police", "is this British Transport
# Police", "Civil Nuclear Constabulary at the works"): not the force itself ("tell the
# police", "a paper from police", "nearest police").
POLICE = re.compile(rf"(?:^|\b(?:{_REQUEST})\s)((?:[a-z]+ ){{1,2}})(police|constabulary)\b")
# ... and the place said after it ("the island police on Eadsey"): a local team's place is
# the directory's team there, whatever the caller calls it.
POLICE_AT = re.compile(r"^ (?:on|in|at|for|of|from) (?:the )?([a-z]+)")
NOT_POLICE_KIND = FILLER | {"nearest", "real", "proper", "actual", "tell", "join", "let"}
# Leading words a caller says before what they want ("um, hello, the dog unit").
OPENERS = frozenset({"um", "umm", "er", "erm", "uh", "hello", "hi", "hiya", "yes", "yeah", "oh"})
# Words of many units' names that do not tell which unit ("the hate crime unit").
GENERIC = frozenset(
    {"crime", "crimes", "police", "policing", "support", "investigation", "investigations"}
    | {"services", "service", "operations", "local", "main", "specialist", "serious"}
    # a local team is told by its place ("the Southcliffe neighbourhood team")
    | {"neighbourhood", "neighborhood"}
)
KNOWN = 85.0  # rapidfuzz ratio: a directory word heard near enough ("marines" / "marine")


def _unit_in(text: str) -> tuple[str, str, bool, bool, str] | None:
    """(telling words, the unit as said, named as a body of its own, not the police's,
    the place said after a police) of a unit asked for in ``text``, or None."""
    words = normalise(text).split()
    while words and words[0] in OPENERS:
        words = words[1:]
    said = " ".join(words)
    asked = ASKED.search(said)
    if asked is not None:
        owner, telling, unit = asked.group(1, 2, 3)
        return telling, (owner or "") + telling + unit, False, owner is not None, ""
    found = HAVE.search(said)
    if found is not None:
        return found.group(1), found.group(1) + found.group(2), False, False, ""
    role = ROLE.search(said)
    if role is not None:
        return role.group(1), role.group(1), True, False, ""
    outside = OUTSIDE.search(said)
    if outside is not None:
        return outside.group(1), outside.group(1), True, True, ""
    police = POLICE.search(said)
    if police is None or police.group(1).split()[-1] in NOT_POLICE_KIND:
        return None
    at = POLICE_AT.match(said[police.end() :])
    where = at.group(1) if at is not None else ""
    return police.group(1), police.group(1) + police.group(2), False, False, where


@dataclass(frozen=True, slots=True)
class AskedUnit:
    """A unit asked for that the directory lacks. ``by_role``: named as a body of its own
    (``ROLE``: "the Police and Crime Commissioner's office", "Crimestoppers"), not as some
    words before "unit": no department the rest of the words fit is the one asked for."""

    name: str
    by_role: bool = False
    outside: bool = False  # not the police at all (``OUTSIDE``): the council, the coastguard


class UnlistedUnit:
    """The directory's unit words, and which units a caller asks for that it lacks."""

    def __init__(self, entries: Iterable[DirectoryEntry], places: Iterable[str] = ()) -> None:
        """``places``: the words of the local teams' names (named for their places)."""
        self._places = sorted(set(places))
        words: set[str] = set()
        for entry in entries:
            names = (
                (entry.name, *entry.aliases, *getattr(entry, "teams", ()))
                if entry.kind == "department"
                else (entry.team,)
            )
            for name in names:
                words.update(w for w in content_words(name or "") if w not in WEAK)
        self._words = sorted(words)

    def asked(self, hypotheses: Sequence[Hypothesis]) -> AskedUnit | None:
        """The unit the caller asked for by name ("hate crime unit") when the directory has
        none of its telling words; None when no unit was asked for, or the directory knows
        it, or another alternative heard one it knows (Whisper's "the Fatebrime team"
        beside PocketSphinx's "the hate crime team")."""
        if not hypotheses:
            return None
        first = _unit_in(hypotheses[0].text)
        unlisted = self._unlisted(*first) if first is not None else None
        if unlisted is None:
            return None
        for other in hypotheses[1:]:
            heard = _unit_in(other.text)
            if heard is not None and self._unlisted(*heard) is None:
                return None
        return unlisted

    def _unlisted(
        self, words: str, unit: str, by_role: bool = False, outside: bool = False, where: str = ""
    ) -> AskedUnit | None:
        """``unit`` when none of its telling ``words`` is the directory's (for a body
        that is not the police, when not all of them are), nor ``where`` a local team's."""
        if where and _near(where, self._places):
            return None
        telling = [w for w in words.split() if w not in FILLER and w not in GENERIC]
        # ... nor a word the recogniser split ("ask minister" for Eskminster)
        joined = [a + b for a, b in pairwise(telling)]
        known = [self._known(w) for w in telling]
        if (
            not telling
            or any(self._known(w) for w in joined)
            or (all(known) if outside else any(known))
        ):
            return None
        return AskedUnit(unit, by_role, outside)

    def _known(self, word: str) -> bool:
        return _near(word, self._words)


def _near(word: str, words: Sequence[str]) -> bool:
    """``word`` is one of ``words`` as a recogniser may spell it (``KNOWN``)."""
    return process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=KNOWN) is not None
