"""Text normalisation shared by routing, the directory and the flow (a leaf: it imports
nothing from ivr).

Callers' words arrive as ASR hypotheses, typed text or keyed digits; the
directory, the intents and the reference parser must compare them on the
same footing, so they all go through :func:`normalise` (lower case, no
accents, no punctuation, "p c" -> "pc") and, when numbers matter,
:func:`words_to_digits` ("four two stroke ..." -> "42/...").

``normalise`` leaves number words alone on purpose: "can I speak to
someone" must not turn into "1"-something, and intents are matched on words.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "DIGIT_WORDS",
    "TENS",
    "digits_to_words",
    "is_number_word",
    "normalise",
    "number_tokens",
    "spoken_number",
    "tokens",
    "words_to_digits",
]

_APOSTROPHES = re.compile(r"[\u2019\u2018\u02bc'`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SINGLE_LETTER_PARTS = frozenset({"a", "i"})  # real words; not glued on at the start of a run


# Letters NFKD leaves whole (no combining mark to drop): without these "Łukasz" would
# lose its first letter and "Søren" his "o", and neither would match what a caller says.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l"}
    | {"æ": "ae", "œ": "oe", "þ": "th"}
)


# A stammer as a transcript writes it: a word's first letters, a hyphen, the word ("s-seven",
# "th-the", "ref-reference"). Only the word is meant; left in, "s" and "t" split a spoken
# reference's digits and "ref" is a word of its own.
_STAMMER = re.compile(r"\b([a-z]{1,4})-(?=\1)")


def _fold(text: str) -> str:
    """Case-fold and drop accents, so "Zoë" and "zoe" compare equal; a stammer keeps its
    word only ("s-seven" -> "seven")."""
    folded = _STAMMER.sub("", text.casefold())
    if folded.isascii():
        return folded  # nothing to decompose (most text: a ruleset's examples are read often)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(
        _UNDECOMPOSED
    )


def _join_letter_runs(words: list[str]) -> list[str]:
    """Glue spelt-out letters: "p c" -> "pc", "d c i" -> "dci".

    ASR and typists both split ranks into letters. A leading "a" or "i" stays
    a word ("a p c" -> "a pc") because those are far more often words.
    """
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        while len(run) > 2 and run[0] in _SINGLE_LETTER_PARTS:
            out.append(run.pop(0))
        if len(run) >= 2 and not (len(run) == 2 and run[0] in _SINGLE_LETTER_PARTS):
            joined = "".join(run)
            # read as normalise reads a word ("w i" is "wi", Scots "with"): the same again
            out.append(_SPELLINGS.get(joined, joined))
        else:
            out.extend(run)
        run.clear()

    for word in words:
        if len(word) == 1 and word.isalpha():
            run.append(word)
        else:
            if run:
                flush()
            out.append(word)
    flush()
    return out


# One spelling per word, whoever wrote it: recognisers trained on US text (Whisper) write
# "neighbor", "inquiry", "cybercrime" where the rules say "neighbour", "enquiry", "cyber
# crime". Both sides of every comparison go through normalise, so the rules' own words are
# rewritten the same way. Closed compounds are split (the rules and PocketSphinx's LM use
# both forms), never the other way round, so a word can only gain a match.
_SPELLINGS: dict[str, str] = {
    "neighbor": "neighbour",
    "neighbors": "neighbours",
    "neighborhood": "neighbourhood",
    "behavior": "behaviour",
    "behaviors": "behaviours",
    "inquiry": "enquiry",
    "inquiries": "enquiries",
    "inquire": "enquire",
    "inquiring": "enquiring",
    "center": "centre",
    "license": "licence",
    "licenses": "licences",
    "defense": "defence",
    "offense": "offence",
    "offenses": "offences",
    "jewelry": "jewellery",
    "color": "colour",
    "harbor": "harbour",
    "vandalized": "vandalised",
    "vandalize": "vandalise",
    "vandalizing": "vandalising",
    "burglarized": "burgled",
    "cybercrime": "cyber crime",
    "cybercrimes": "cyber crimes",
    "flytipping": "fly tipping",
    "flytipped": "fly tipped",
    "flytippers": "fly tippers",
    "carjacked": "car jacked",
}
# Scots as Scottish callers say it (and their transcripts and forms write it): read as
# the English the cues and examples are written in ("she cannae breathe" is "she cant
# breathe"). Left out: words that are English or names too ("ken", "tae", "ma", "aye").
_DIALECT: dict[str, str] = {
    "cannae": "cant",
    "canna": "cant",
    "didnae": "didnt",
    "doesnae": "doesnt",
    "disnae": "doesnt",
    "dinnae": "dont",
    "isnae": "isnt",
    "wasnae": "wasnt",
    "werenae": "werent",
    "wouldnae": "wouldnt",
    "couldnae": "couldnt",
    "shouldnae": "shouldnt",
    "willnae": "wont",
    "havenae": "havent",
    "hasnae": "hasnt",
    "gonnae": "gonna",
    "naebody": "nobody",
    "nae": "no",
    "oot": "out",
    "ootside": "outside",
    "roond": "round",
    "doon": "down",
    "noo": "now",
    "hoose": "house",
    "oor": "our",
    "wi": "with",
    "wean": "child",
    "weans": "child",  # "the wean's no waking" as much as "the weans"
    "polis": "police",
}
_SPELLINGS |= _DIALECT
# "He's no breathing", "they're no doing anything": Scots "no" is "not" after a form of
# "be" and before a doing word or a state ("that's no like him", "I'm no bothered"); after
# "it's", "there's" and the like only before a state ("there's no breathing space").
_BE = frozenset(["im", "hes", "shes", "theyre", "youre", "were", "is", "are", "was", "am"])
_BE_OF_A_STATE = frozenset(["its", "thats", "theres", "heres", "whats", "whos", "wheres"])
_NOT_STATES = frozenset(
    ["like", "right", "well", "safe", "here", "there", "sure", "bothered", "conscious", "awake"]
)
# ... and after any other "'s" ("my dad's no breathing"), seen before the apostrophes go.
_NO_AFTER_S = re.compile(
    r"\b([a-z]+)[\u2019\u2018\u02bc'`]s no (?=[a-z]+ing\b|(?:"
    + "|".join(sorted(_NOT_STATES))
    + r")\b)"
)


def _no_as_not(found: re.Match[str]) -> str:
    said = found.group(0)
    return said if f"{found.group(1)}s" in _BE_OF_A_STATE else f"{said[:-3]}not "


def _scots_not(words: list[str]) -> list[str]:
    """Scots "no" read as "not" where it negates a doing word or a state (``_BE``)."""
    if "no" not in words:
        return words  # most text: nothing to read
    out = list(words)
    for i in range(1, len(words) - 1):
        if words[i] != "no":
            continue
        before, after = words[i - 1], words[i + 1]
        state = after in _NOT_STATES
        there = i > 1 and words[i - 2] in ("there", "here")  # "there is no parking"
        if (before in _BE and not there and (state or after.endswith("ing"))) or (
            (before in _BE_OF_A_STATE or before in _BE) and state
        ):
            out[i] = "not"
    return out


# Normalised texts kept: a ruleset build reads each example three times or so, and a
# decision reads the caller's words in every stage (about 30,000 texts, some 3 MB).
NORMALISED_KEPT = 1 << 15


@functools.lru_cache(maxsize=NORMALISED_KEPT)
def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces, spelt letters joined.

    Apostrophes vanish inside words ("he's" -> "hes", "don't" -> "dont") so
    contractions stay one token whatever quote character the ASR used. US
    spellings, closed compounds and Scots take the rules' form ("neighbor" ->
    "neighbour", "cybercrime" -> "cyber crime", "cannae" -> "cant"; ``_SPELLINGS``).
    """
    folded = _fold(text)
    if " no " in folded:
        folded = _NO_AFTER_S.sub(_no_as_not, folded)
    folded = _APOSTROPHES.sub("", folded)
    words = _NON_WORD.sub(" ", folded).split()
    words = _scots_not(" ".join(_SPELLINGS.get(w, w) for w in words).split())
    return " ".join(_join_letter_runs(words))


def tokens(text: str) -> list[str]:
    """The words of ``normalise(text)``."""
    return normalise(text).split()


# --- numbers ---------------------------------------------------------------

DIGIT_WORDS: dict[str, int] = {
    "zero": 0,
    "nought": 0,
    "nil": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_ZERO_LETTERS = frozenset({"oh", "o"})  # zero only next to other digits
_TEENS: dict[str, int] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_REPEATS = {"double": 2, "triple": 3, "treble": 3}
_SLASH_WORDS = frozenset({"stroke", "slash", "oblique"})
_SEPARATOR_CHARS = frozenset("/*#")
_WORD_OR_SEPARATOR = re.compile(r"[a-z0-9]+|[/*#]")
_NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def is_number_word(word: str) -> bool:
    """A digit word, a teen, a tens word or typed digits: never a homophone ("for", "oh")."""
    return word in DIGIT_WORDS or word in _TEENS or word in TENS or word.isdigit()


# Any mark a recogniser writes for a pause ("four two, one eight seven.") reads as ",".
_PAUSE_MARKS = frozenset(",;:.?!\u2026")
_NUMBER_TOKEN = re.compile(r"[a-z0-9]+|[/*#]|[,;:.?!\u2026]")


# Whisper writes a spoken number as it would print it: "10,056" (the comma groups
# thousands, no pause) and "42nd" ("forty two" heard as the ordinal).
_THOUSANDS_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# Single digits joined by hyphens: a number spelled out digit by digit as Whisper prints
# it ("2-7-5-6" for "two seven five six"), one group.
_SPELLED_DIGITS = re.compile(r"(?<![\d-])\d(?:-\d)+(?!\d)")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")


def number_tokens(text: str) -> list[str]:
    """Folded words, digit strings, "/", "*", "#" and "," for each pause mark, in order.

    For readers of spoken numbers that need the pauses ``normalise`` drops
    (ivr.routing.spoken_refs); a hyphen joins ("forty-two" -> "forty", "two"); digits
    as a recogniser prints them lose a thousands comma and an ordinal's letters
    ("10,056" -> "10056", "42nd" -> "42"), and single digits spelled with hyphens are one
    group ("2-7-5-6" -> "2756").
    """
    folded = _APOSTROPHES.sub("", _fold(text))
    folded = _ORDINAL.sub("", _THOUSANDS_COMMA.sub("", folded))
    folded = _SPELLED_DIGITS.sub(lambda m: m.group(0).replace("-", ""), folded)
    return ["," if t in _PAUSE_MARKS else t for t in _NUMBER_TOKEN.findall(folded)]


def _is_digitish(word: str) -> bool:
    return (
        word in DIGIT_WORDS
        or word in _TEENS
        or word in TENS
        or word in _ZERO_LETTERS
        or word.isdigit()
    )


def spoken_number(words: list[str], i: int) -> tuple[str, int] | None:
    """Read one spoken number group at ``words[i]``: (its digits, words used).

    Groups: a digit ("four", "oh"), a teen, a tens word with an optional unit
    ("forty two"), "double/triple <digit>", "<digit> hundred [and] <n>".
    Adjacent groups are concatenated by the caller, as people read references.
    """
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word in _REPEATS and (nxt in DIGIT_WORDS or nxt in _ZERO_LETTERS or nxt.isdigit()):
        digit = "0" if nxt in _ZERO_LETTERS else str(DIGIT_WORDS.get(nxt, nxt))
        if len(digit) == 1:
            return digit * _REPEATS[word], 2
    if word in TENS:
        if nxt in DIGIT_WORDS and DIGIT_WORDS[nxt] > 0:
            return str(TENS[word] + DIGIT_WORDS[nxt]), 2
        return str(TENS[word]), 1
    if word in _TEENS:
        return str(_TEENS[word]), 1
    if word in DIGIT_WORDS:
        if nxt == "hundred":
            rest_at = i + 2
            if rest_at < len(words) and words[rest_at] == "and":
                rest_at += 1
            if rest_at < len(words) and words[rest_at] in (TENS.keys() | _TEENS.keys()):
                rest = spoken_number(words, rest_at)
                if rest is not None:
                    return f"{DIGIT_WORDS[word]}{int(rest[0]):02d}", rest_at - i + rest[1]
            if rest_at < len(words) and words[rest_at] in DIGIT_WORDS and rest_at > i + 2:
                return f"{DIGIT_WORDS[word]}0{DIGIT_WORDS[words[rest_at]]}", rest_at - i + 1
            return f"{DIGIT_WORDS[word]}00", 2
        return str(DIGIT_WORDS[word]), 1
    if word in _ZERO_LETTERS:
        return "0", 1
    return None


def words_to_digits(text: str) -> str:
    """Spoken numbers as digits, runs glued: "four two stroke one eight" -> "42/18".

    Adjacent spoken groups join into one run ("forty two" -> "42", "nineteen
    eighty four" -> "1984", "double seven" -> "77"); "oh"/"o" is zero only
    inside a run (so "oh no" stays words); "stroke", "slash" and "forward
    slash" become "/", glued to their neighbours like typed "/", "*" and "#".
    Typed digit strings stay separate tokens ("42 18734 24") so their
    grouping survives for the reference parser. Other words are normalised.
    """
    folded = _APOSTROPHES.sub("", _fold(text))
    words = _WORD_OR_SEPARATOR.findall(folded)
    pieces: list[str] = []  # digit runs, separators and words, in order
    glue_next = False  # the previous piece was a separator
    spoken_run = False  # the last piece is a run built from number words
    i = 0
    while i < len(words):
        word = words[i]
        if word == "forward" and i + 1 < len(words) and words[i + 1] in _SLASH_WORDS:
            i += 1
            word = words[i]
        if word in _SLASH_WORDS or word in _SEPARATOR_CHARS:
            sep = "/" if word in _SLASH_WORDS else word
            if pieces and (pieces[-1][-1].isdigit() or pieces[-1][-1] in _SEPARATOR_CHARS):
                pieces[-1] += sep
            else:
                pieces.append(sep)
            glue_next = True
            spoken_run = False
            i += 1
            continue
        if word.isdigit():
            if glue_next and pieces:
                pieces[-1] += word
            else:
                pieces.append(word)
            glue_next = False
            spoken_run = False
            i += 1
            continue
        zero_ok = word not in _ZERO_LETTERS or (
            spoken_run
            or glue_next
            or (i + 1 < len(words) and _is_digitish(words[i + 1]) and words[i + 1] not in {"o"})
        )
        group = spoken_number(words, i) if zero_ok else None
        if group is None:
            pieces.append(word)
            glue_next = False
            spoken_run = False
            i += 1
            continue
        digits, used = group
        if (spoken_run or glue_next) and pieces:
            pieces[-1] += digits
        else:
            pieces.append(digits)
        glue_next = False
        spoken_run = True
        i += used
    return " ".join(_join_letter_runs(pieces))


def digits_to_words(digits: str) -> str:
    """Digits read one at a time, "/" as "stroke": for prompts and ASR grammars."""
    out: list[str] = []
    for ch in digits:
        if ch.isdigit():
            out.append(_NAMES[int(ch)])
        elif ch == "/":
            out.append("stroke")
    return " ".join(out)
