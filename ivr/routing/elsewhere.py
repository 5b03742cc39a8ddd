"""OtherForceArea: a place named that is another force's business ("my flat in Bristol").

DOMAIN.md asks that calls for another force's area are transferred quickly: a crime
report or an incident in another force's area is theirs to record, and a person on
the switchboard puts the caller through to them (there is no national 101 transfer a
menu could make). The shipped list (ivr/routing/data/uk_places.yaml) holds the UK's
cities, large towns and forces; a place the force's own directory names (a
neighbourhood team, an alias, a person's team) is its own and never counts, and
neither does a place that is part of a street or a building's name ("London Road",
"the Durham Arms"). Only what an intent decided is moved: an emergency is 999
handling wherever it is, and a person or a department asked for by name is who the
caller wants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import yaml

from ivr.decisions import Hypothesis
from ivr.directory import DirectoryEntry
from ivr.text import normalise

__all__ = ["OtherForceArea", "shipped_places"]

# After a place these make it part of a street's or a building's name, not the place.
NAME_PARTS = (
    "road|rd|street|st|lane|avenue|way|close|drive|crescent|terrace|place|gardens|grove"
    "|square|row|hill|arms|hotel|inn|house|court|park|estate|walk|parade|mews|yard|gate"
    # where someone is held, not where anything happened ("he's in Durham prison")
    "|prison|jail|crown court|magistrates"
)


# Where something happened: "my flat in Bristol", "it happened in Croydon", "I'm in
# Birmingham and ...". Not where someone lives or went ("he lives up in Leeds now", "he's
# moved to Manchester", "while we were in Blackpool", "I'm up in Manchester", "he lives
# across in Liverpool" (across the water, from an island), "the
# owners are in London", "while I was back home in Galway"): the matter is still here.
# Or the force it was reported to ("I reported my car stolen to the Met", "a reference
# from Police Scotland"): theirs to update. Or where the caller rings from ("I'm calling
# from Plymouth, somebody's stolen my car off my street here"), unless it is someone
# else's matter here (_callers_own).
WHERE_IT_HAPPENED = (
    r"(?<![a-z0-9])(?<!lives )(?<!living )(?<!lived )(?<!based )(?<!works )(?<!working )"
    r"(?<!staying )(?<!were )(?<!was )(?<!up )(?<!over )(?<!down )(?<!out )(?<!home )"
    # someone across the water ("he lives across in Liverpool"), not the deed ("we got
    # robbed across in Salford")
    r"(?<!lives across )(?<!live across )(?<!living across )(?<!im across )"
    r"(?<!i am across )(?<!was across )(?<!were across )(?<!s across )"
    r"(?<!s are )(?<!they are )(?<!theyre )"
    r"(?:in|at|near|around|round|outside|reported(?: [a-z]+){0,4} to"
    r"|(?:calling|ringing|phoning) from|(?:reference|crime number|incident number) from) "
)
# The caller's own whereabouts, just before a place ("I'm up in Manchester", "I live in
# Leeds") ...
CALLER_IS = re.compile(r"(?:^| )(?:im|i am|were|we are|i live|we live)(?: up| down| over| out)? $")
# ... beside someone else said to be somewhere ("my mum lives in ..."), the caller's home
# said to be somewhere else ("I'm in Donegal at the minute but my house is in ..."), or
# out of the caller's reach.
SOMEONE_ELSE_IS = re.compile(
    r"(?<![a-z0-9])(?:(?:hes|shes|he is|she is|lives|they live|theyre"
    r"|(?:my|our) (?:house|home|flat|place) is)"
    r" (?:in|on|over on|up in|down in|at)|cant get (?:there|to (?:her|him|them))"
    r"|cannot get there)(?![a-z0-9])"
)
# Money taken from a card or an account: where it was spent is not where the crime is
# recorded ("there's payments in Birmingham and I've still got the card", "someone's cloned
# my card and bought things in London"): the victim's own force records fraud (Action
# Fraud's national process), so the place moves nothing.
MONEY_MOVED = re.compile(
    r"(?<![a-z0-9])(?:payments?|transactions?|withdrawals?|purchases?|bank card|debit card"
    r"|credit card|bank account|cloned|skimmed)(?![a-z0-9])"
)
# Where a letter or a call came from ("a letter from a company in Leeds asking for
# £2,400"): the sender's place, not where the matter is (the caller's own fraud).
SENDER_IS = re.compile(
    r"(?:letter|letters|email|emails|call|calls|text|texts|message|messages|invoice|bill"
    r"|demand) from (?:a|an|the|some|this) (?:[a-z]+ )?(?:company|firm|solicitors?"
    r"|debt collectors?|lender|agency|business|bank|call centre)$"
)
# Where a stolen thing is for sale ("my trailer was stolen out of the yard and now it's up
# for sale on DoneDeal in Monaghan"): where it was seen, not where it was stolen.
FOR_SALE = re.compile(r"(?:for sale|advertised|being sold)(?: on(?: [a-z]+){1,2})?$")
# "The Met" said of where the caller studies ("a student at the Met", "second year at the
# Met") is a university (Cardiff Met, Manchester Met), not the London force.
STUDIES_AT_THE_MET = re.compile(r"(?:student|studying|study|studies|year|lecturer) at the met$")
# After a place, a force: "is this the Durham police?"
FORCE_WORDS = "police|constabulary|force|cops|old bill"


@cache
def shipped_places() -> tuple[str, ...]:
    """ivr/routing/data/uk_places.yaml, normalised."""
    text = resources.files("ivr.routing").joinpath("data/uk_places.yaml").read_text()
    return tuple(normalise(str(p)) for p in yaml.safe_load(text)["places"])


class OtherForceArea:
    """The places outside this force's area, found where a caller says something happened
    or which force they want."""

    def __init__(self, own: Iterable[DirectoryEntry], places: Sequence[str] | None = None) -> None:
        said_by_us = " ".join(
            f" {normalise(text)} "
            for entry in own
            for text in (entry.name, entry.team, *entry.aliases, *entry.teams)
            if text
        )
        elsewhere = [
            p
            for p in (shipped_places() if places is None else places)
            if f" {p} " not in said_by_us
        ]
        names = "|".join(re.escape(p) for p in sorted(elsewhere, key=len, reverse=True))
        self._pattern = (
            re.compile(
                rf"{WHERE_IT_HAPPENED}({names})(?![a-z0-9])(?! (?:{NAME_PARTS})(?![a-z0-9]))"
                rf"|(?<![a-z0-9])({names}) (?:{FORCE_WORDS})(?![a-z0-9])"
            )
            if elsewhere
            else None
        )

    def named(self, hypotheses: Sequence[Hypothesis]) -> str | None:
        """The first place outside the area in the best alternative, if any (a lower
        alternative's place is too weak a reason to move a call)."""
        if self._pattern is None or not hypotheses:
            return None
        said = normalise(hypotheses[0].text)
        for found in self._pattern.finditer(said):
            if found.group(2):
                return found.group(2)  # "is this the Durham police?", whatever else was said
            if MONEY_MOVED.search(said):
                return None
            if STUDIES_AT_THE_MET.search(said[: found.end()]):
                continue
            if SENDER_IS.search(said[: found.start()].rstrip()):
                continue
            if FOR_SALE.search(said[: found.start()].rstrip()):
                continue
            if not _callers_own(said, found.start()):
                return found.group(1)
        return None


def _callers_own(said: str, start: int) -> bool:
    """Where the caller is, when the matter is someone else's here ("my brother's not
    answered in three days, I'm in Leeds and he lives in Saltmouth"): not the matter's
    place. "I live in Leeds and my car was stolen there" is the matter's."""
    return CALLER_IS.search(said[:start]) is not None and SOMEONE_ELSE_IS.search(said) is not None
