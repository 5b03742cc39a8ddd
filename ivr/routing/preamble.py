"""Preamble: the point of a call after "the thing is", "what's happened is".

"Good afternoon, I'm so sorry to bother you, I'm not sure I've even got the right number,
my name is Margaret and I live in Lower Slaybrook, and the thing is, someone has taken my
late husband's ride-on mower": the words before the marker are the caller settling in
(an apology, a doubt about the number, a name, where they live, a story already told),
and matching them would offer the switchboard for "the right number" or put the call
through to a Margaret in the directory. Every read dev set's caller who said such a
marker said the matter after it. Only names and intents read the point; danger is read
on everything said (a preamble may hold the emergency).

A caller's introduction of where they are from ("Hello, I am Polish.", "I am from
Lithuania, my English is little.") is such a marker too: matched, it offered the
switchboard's interpreter example for a car left running all night, and PC Leighton for
"Lithuania". Asking for a language says so ("I speak Polish", "interpreter"), and an
introduction with too little after it ("I am Polish, no English") is not cut, nor one
said after the matter (more than INTRODUCTION_MAX_BEFORE words into the utterance).

So is the caller's own name said first ("Hello, it's Mrs Owen, I'm ringing because
somebody took the plant pots", "Good morning, my name is Krzysztof, somebody took the
diesel"): matched, it sent the call to a person to ask which of three Owens was meant.
Only at the start, with a title, "here" or "speaking", or "my name is" and a pause after
it: "tell PC Grant it's Mrs Okonkwo returning her call" asks for PC Grant, and "this is my
husband speaking for me" is no name.

Nor are the details a caller gives of themselves or someone they ring about, beside the
matter ("..., my date of birth is the fourteenth of March ninety-nine, no, ninety-eight",
"his number is 07700 900123"): a date's words read as meaning drowned a bail enquiry
under a lost passport's example. They are left out wherever they come
(``without_details``): the detail's words and its value only (numbers, a date, a
postcode, and the words joining or correcting them), so the request after them stays.
The danger check's sentence model reads the words without them too (a danger said
beside a date of birth is read as said); the cue words are read on everything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ivr.decisions import Hypothesis
from ivr.text import is_number_word

__all__ = ["Preamble", "without_details", "without_own_name"]

# Nationalities and countries callers introduce themselves by (read dev sets and DOMAIN's
# communities); "the" before a country is left out so "I'm from the Polish shop" is no
# introduction.
NATIONS = (
    "polish|poland|lithuanian|lithuania|latvian|latvia|estonian|estonia|romanian|romania"
    "|bulgarian|bulgaria|ukrainian|ukraine|russian|russia|slovak|slovakia|czech|hungarian"
    "|hungary|albanian|albania|kurdish|kurdistan|syrian|syria|iraqi|iraq|iranian|iran"
    "|afghan|afghanistan|pakistani|pakistan|indian|india|bangladeshi|bangladesh|nepali"
    "|nepalese|nepal|sri lankan|sri lanka|chinese|china|vietnamese|vietnam|filipino"
    "|filipina|philippines|somali|somalia|eritrean|eritrea|sudanese|sudan|ethiopian"
    "|ethiopia|nigerian|nigeria|ghanaian|ghana|portuguese|portugal|brazilian|brazil"
    "|spanish|spain|italian|italy|french|france|german|germany|dutch|turkish|turkey"
    "|greek|greece|arab|moroccan|morocco|egyptian|egypt|irish|ireland"
)
INTRODUCTION = re.compile(
    rf"(?<![a-z'])(?:i am|i'm|im) (?:an? )?(?:from )?(?:{NATIONS})"
    r"(?: (?:lady|woman|man|girl|boy|guy|lorry driver|driver|student|citizen|national))?"
    r"(?![a-z'])[,.]?\s*",
    re.IGNORECASE,
)
# An introduction is a preamble only before the matter: "my wallet was stolen in the pub
# last night, I am Polish, I need the crime number for my bank" told the theft first, and
# cut there it asked only for "the crime number" (an update). A count of words, not a
# parse: a theft told in fewer ("my car was stolen, I am Polish, ...") is still cut.
INTRODUCTION_MAX_BEFORE = 8
MARKER = re.compile(
    r"(?<![a-z'])(?:the thing is|what(?:'s|s| has) happened is|what happened is|what it is is"
    r"|the reason (?:i'm|i am|im|we're|we are) (?:ringing|calling|phoning)(?: you)?(?: is)?"
    r"|the reason for (?:my|the|this) call is)(?![a-z'])[,.]?\s*",
    re.IGNORECASE,
)
_NAME = r"[a-z'-]+(?: [a-z'-]+)?"
SELF_NAMED = re.compile(
    r"^\W*(?:(?:hello|hallo|hi|hiya|good (?:morning|afternoon|evening)|um|erm|er|uh|oh|och"
    r"|yes|aye|well|right|please|sorry)\W+)*"
    rf"(?:(?:this is|it's|it is|its)(?: me(?: again)?,?)? (?:mr|mrs|miss|ms|dr)\.? {_NAME}"
    rf"|(?:this is|it's|it is|its) {_NAME} (?:here|speaking)"
    rf"|(?:my name is|my name's|my names) {_NAME})"
    r"(?: here| speaking)?(?: (?:from|at) [a-z'-]+(?: [a-z'-]+){0,3}?)?\s*[,.;!?]\s*",
    re.IGNORECASE,
)
WORD = re.compile(r"[a-z0-9']+", re.IGNORECASE)
# A detail of the caller's own said: what follows is its value, not the matter.
DETAIL = re.compile(
    r"(?<![a-z'])(?:and )?(?:my|his|her|our|their) (?:date of birth|d\.? ?o\.? ?b\.?|birthday"
    r"|(?:mobile |phone |telephone |contact |home )?number|postcode|post code)"
    r"(?:['\u2019]s| is| was|s|:)[,:]?(?=\s)",
    re.IGNORECASE,
)
_MONTHS = (  # not "may": "..., may I ask"
    "january february march april june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec"
)
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
    " thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
    " thirtieth"
)
# Words of a value besides numbers and digits: a date's month and day.
VALUE_WORDS = frozenset(f"{_MONTHS} {_ORDINALS} nought zero hundred".split())
# Words that join a value's parts or correct it: part of it only before a value word ("the
# fourteenth of March", "oh seven seven double oh", "ninety-nine, no, ninety-eight"; not
# "..., no one has called me back", "..., the man came back").
JOINING = frozenset(["the", "of", "oh", "double", "triple", "no", "sorry"])
JOINING_RUN = 2  # "double oh", "no, the"
VALUE_GAP = re.compile(r"[\s,/-]*")  # between a value's words: no stop, no question
ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def _value_word(word: str) -> bool:
    parts = word.split("-")
    return (
        all(is_number_word(p) or p in VALUE_WORDS for p in parts)
        # "14th", "1998", a postcode's "pr4", "3ty"
        or (len(word) <= 4 and any(c.isdigit() for c in word))
        or ORDINAL.fullmatch(word) is not None
    )


def _value_end(text: str, start: int) -> int:
    """Where the value said from ``start`` ends (``start``: none said)."""
    end = start  # the value's end so far
    joining: list[str] = []  # joining words since, kept only if a value word follows
    at = start
    for token in WORD.finditer(text, start):
        if VALUE_GAP.fullmatch(text, at, token.start()) is None:
            break
        word = token.group(0).lower().strip("'")
        if joining[-1:] == ["no"] and word == "one":
            break  # "..., no one has called me back"
        if _value_word(word):
            end, joining = token.end(), []
        elif word in JOINING and len(joining) < JOINING_RUN:
            joining.append(word)
        else:
            break
        at = token.end()
    return end


def without_details(text: str) -> str:
    """``text`` without the caller's own details said in it: each DETAIL and the value
    said after it (``_value_end``)."""
    out, at = [], 0
    for found in DETAIL.finditer(text):
        if found.start() < at:
            continue
        end = _value_end(text, found.end())
        if end > found.end():
            out.append(text[at : found.start()].rstrip(" ,;"))
            at = end
    kept = re.sub(r"([.?!,;])(?:\s*[.,;])+", r"\1", "".join(out) + text[at:])
    kept = kept.lstrip(" ,;.?!").rstrip(" ,;")
    return kept if out and WORD.search(kept) else text


def without_own_name(text: str) -> str:
    """``text`` without the caller's own name said first ("Hello, it's Mr Sharma, ..."):
    for the danger check's sentence model, which reads a greeting and a name as the start
    of an emergency call ("Hello, it's Mr Sharma, somebody has smashed my car window" at
    p 0.63, the theft alone at 0.13)."""
    named = SELF_NAMED.match(text)
    if named is None or not WORD.search(text[named.end() :]):
        return text
    return text[named.end() :].strip()


POINT_MIN_WORDS = 3  # fewer after the marker ("the thing is, I don't know") is no point


def point(text: str) -> str | None:
    """What ``text`` says after its last point marker and the caller's own name (None: no
    marker nor name, or too little after it)."""
    markers = list(MARKER.finditer(text))
    markers += (
        m
        for m in INTRODUCTION.finditer(text)
        if len(WORD.findall(text[: m.start()])) <= INTRODUCTION_MAX_BEFORE
    )
    markers.sort(key=lambda m: m.end())
    after = text[markers[-1].end() :].strip() if markers else text
    named = SELF_NAMED.match(after)
    if named is not None:
        after = after[named.end() :].strip()
    elif not markers:
        return None
    return after if len(WORD.findall(after)) >= POINT_MIN_WORDS else None


class Preamble:
    """The hypotheses from their point on, without the caller's details, for matching
    names and intents."""

    def applied(self, hypotheses: Sequence[Hypothesis]) -> tuple[Hypothesis, ...]:
        return tuple(
            h if (said := _meant(h.text)) == h.text else replace(h, text=said) for h in hypotheses
        )


def _meant(text: str) -> str:
    said = point(text)
    return without_details(text if said is None else said)
