"""SelfCorrection: what callers meant who corrected themselves ("fraud, no, sorry, cyber").

"Can I talk to Aoife, the traffic, no sorry, the collision officer": the words before
the correction are taken back, and matching them would put the call through to the
unit the caller said they did not mean. The repair replaces the words it corrects: the
last phrase before the marker (back to a comma, a stop or a dash), or, when the repair
starts with a word said there too ("on the train ... no sorry, on the bus"), from that
word on. Only names and intents read the corrected words; danger is read on what was
said, whatever was taken back (recall first: "a man with a gun, oh no hang on, it's an
airsoft one" is still asked about).

A phrase set aside as it is said ("Ross Hamilton in traffic, not the detective one";
"no, not the pub licensing, the firearms licensing") is taken back the same way: a
clause of its own, "not the" and up to five words, names what the caller does not want.
So is a word put right by a word like it after "sorry" ("Sergeant Barker, sorry, Baker").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz import fuzz

from ivr.decisions import Hypothesis
from ivr.directory.query import RANK_PHRASES, TITLES
from ivr.routing.phrases import STOPWORDS
from ivr.text import is_number_word

__all__ = ["SelfCorrection"]

# "No, sorry", "no wait", "sorry, I mean", "I mean", "or rather", "oh no, hang on",
# politeness alone ("hello, sorry, there's a girl...") takes nothing back.
# "Sorry, no," only with its comma: "sorry no one answered" takes nothing back.
_ONE = (
    r"(?:(?:oh )?no,? (?:sorry|wait|hang on)|(?:sorry,? )?i mean|or rather"
    r"|sorry,? no(?=[,.]))(?![a-z'])"
)
MARKER = re.compile(rf"(?<![a-z']){_ONE}(?:[,.]?\s*{_ONE})*[,.]?\s*", re.IGNORECASE)
BOUNDARY = re.compile(r"[,.;:!?\u2014\u2013]|\s-\s|\.\.\.")
WORD = re.compile(r"[a-z0-9']+")
# "..., not the detective one." / "No, not the pub licensing, ...": a clause of its own.
SET_ASIDE = re.compile(
    r"(?:(?<=^)|(?<=[,.;:!?\u2014\u2013]))\s*(?:no,?\s+)?not the(?:\s+[a-z0-9'-]+){1,5}\s*"
    r"(?=[,.;:!?\u2014\u2013]|$)[,.;:!?\u2014\u2013]?",
    re.IGNORECASE,
)

# A word put right by a word like it ("Sergeant Barker, sorry, Baker", "Hughes, sorry,
# Hewes"): a name misspoken, not politeness ("hello, sorry, there's a girl ...").
RESPELT = re.compile(r"(?<![a-z'])([a-z']+)[,.]?\s+sorry[,.]?\s+([a-z']+)(?![a-z'])", re.IGNORECASE)
# A phrase this many words longer than its repair's clause is a request, not a slip...
LONGER_BY = 2
# ... whose last words the repair puts right when it is this like them (rapidfuzz ratio:
# "hamilton street"/"hampton street" 90, "nowak"/"novak" 80, "my stolen bike"/"dc emma
# clarke" 36).
REPAIR_LIKE = 60
RESPELT_LIKE = 50  # rapidfuzz ratio: "barker"/"baker" 91, "hughes"/"hewes" 55, "hello"/"theres" 36


def _alike(said: Sequence[str], repair: Sequence[str]) -> bool:
    """The repair sounds like the words it replaces ("Hamilton Street"/"Hampton Street",
    "Nowak"/"Novak"), or both are numbers ("nine, sorry, no, eight")."""
    if all(is_number_word(w) for w in (*said, *repair)):
        return True
    return fuzz.ratio(" ".join(said), " ".join(repair)) >= REPAIR_LIKE


def _titles_name(word: str) -> bool:
    """A rank or a title said before a name ("DC", "sergeant", "Mr")."""
    return (word,) in RANK_PHRASES or word in TITLES


def _filler(phrase: str) -> bool:
    return all(w in STOPWORDS for w in WORD.findall(phrase.lower()))


def corrected(text: str) -> str | None:
    """``text`` with what the caller took back removed (None: nothing taken back)."""
    markers = list(MARKER.finditer(text))
    found = markers[-1] if markers else None  # the last correction is the one meant
    if found is None or not found.group(0).strip():
        return None
    before, after = text[: found.start()].rstrip(" ,.-\u2014\u2013"), text[found.end() :]
    repair = WORD.findall(after.lower())
    if not repair or not WORD.search(before.lower()):
        return None
    # The phrase taken back: back to the last boundary, past fillers ("forensics, er, I mean").
    cut = len(before)
    while True:
        bounds = [m.end() for m in BOUNDARY.finditer(before, 0, cut)]
        start = bounds[-1] if bounds else 0
        if not _filler(before[start:cut]) or start == 0:
            break
        cut = start - 1
    phrase = before[start:cut]
    # A repair that starts as the phrase did ("the traffic ... the collision officer",
    # "on the train ... on the bus") replaces it from that word on.
    first = repair[0]
    words = list(WORD.finditer(phrase.lower()))
    at = [m.start() for m in words if m.group(0) == first]
    clause = WORD.findall(BOUNDARY.split(after.lower(), maxsplit=1)[0])
    if at and first not in ("i", "a"):
        start += at[-1]
    elif (
        clause
        and len(words) > len(clause) + LONGER_BY
        and _alike([w.group(0) for w in words[-len(clause) :]], clause)
    ):
        # A whole request said before a short repair like its last words ("I want to
        # report my car being broken into on Hamilton Street, sorry, no, Hampton
        # Street"): the repair puts right as many words as it says, not the request. A
        # repair unlike them puts right what was asked for ("PC Sarah Johnson about my
        # stolen bike, sorry, no, DC Emma Clarke"): the whole phrase, as before.
        back = len(words) - len(clause)
        while back > 0 and _titles_name(words[back - 1].group(0)):
            back -= 1  # "DC Nowak, sorry, no, Novak, the PCSO": the rank went with the name
        start += words[back].start()
    kept = before[:start].rstrip()
    return f"{kept} {after.strip()}".strip() if kept else after.strip()


def set_aside(text: str) -> str | None:
    """``text`` without the phrases said not to be meant (None: there were none)."""
    kept = SET_ASIDE.sub(" ", text)
    if kept == text or not WORD.search(kept.lower()):
        return None
    return re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s{2,}", " ", kept)).strip()


def respelt(text: str) -> str | None:
    """``text`` with each word put right by a word like it after "sorry" ("Sergeant Barker,
    sorry, Baker") said once, as put right (None: none was)."""

    def mend(found: re.Match[str]) -> str:
        said, meant = found.group(1).lower(), found.group(2).lower()
        words = len(said) >= 3 and len(meant) >= 3 and "sorry" not in (said, meant)
        like = words and said != meant and fuzz.ratio(said, meant) >= RESPELT_LIKE
        return found.group(2) if like else found.group(0)

    fixed = RESPELT.sub(mend, text)
    return None if fixed == text else fixed


def meant(text: str) -> str | None:
    """``text`` as meant: corrections applied, phrases set aside dropped (None: as said)."""
    fixed = corrected(text)
    base = text if fixed is None else fixed
    fixed = respelt(base) or fixed
    base = text if fixed is None else fixed
    aside = set_aside(base)
    return aside if aside is not None else fixed


class SelfCorrection:
    """The hypotheses as the caller meant them, for matching names and intents."""

    def applied(self, hypotheses: Sequence[Hypothesis]) -> tuple[Hypothesis, ...]:
        return tuple(
            h if (fixed := meant(h.text)) is None else replace(h, text=fixed) for h in hypotheses
        )
