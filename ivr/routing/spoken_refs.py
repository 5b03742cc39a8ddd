"""Spoken digits as recognisers write them: homophones, separators, pauses, corrections.

A crime reference said as digits comes back from the recognisers as
"forty two stroke one eight seven three for stroke twenty for": "for", "to",
"won", "ate" and "oh" stand in for 4, 2, 1, 8 and 0. They are read as digits
only where a number is being said, never in ordinary words ("I want to
report it for my mum" stays text):

* inside a run: a number on both sides, with nothing but pauses, separators
  and other homophones between ("three for stroke", "one to eight");
* at the edge of a run: tight against the number (or a separator), with only
  the start or end of what was said, a pause, a separator or a correction on
  its other side ("twenty for" at the end, "for two stroke ..." at the start;
  not "speak to one of", not "twenty for my burglary").

``Homophones.ALL`` and ``Homophones.NONE`` give the other readings, which
ivr.routing.references offers the case book as near misses (never routed on
without the caller's confirmation).

Separator words ("stroke", "slash", "oblique", "dash", "forward slash") are
"/". A pause (a comma or full stop the recogniser wrote) ends a spoken
group, so "four two, one eight seven three four, two four" keeps its three
groups. A self-correction ("no", "sorry", "I mean", "actually") between two
groups replaces the last group, or only as many of its last digits as the
correction says ("one eight seven three four, no, five" -> 18735); the corrected group
said again in full after its correction is said once. A group put right by where it
is, after the whole reference ("... no, it starts eight two"), replaces the group at
that end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto

from ivr.text import TENS, is_number_word, number_tokens, spoken_number

__all__ = ["HOMOPHONES", "Homophones", "spoken_digits"]

HOMOPHONES: dict[str, str] = {
    "for": "four",
    "fore": "four",
    "to": "two",
    "too": "two",
    "won": "one",
    "ate": "eight",
    "oh": "zero",
    "o": "zero",
}
# "flash", "flashed": how Whisper hears "slash" in a reference it writes in figures.
_SEPARATOR_WORDS = frozenset({"stroke", "slash", "oblique", "dash", "flash", "flashed"})
_SEPARATOR_CHARS = frozenset("/*#")
_CORRECTIONS = frozenset({"no", "sorry", "correction", "actually", "rather", "wait"})
_TWO_WORD_CORRECTIONS = frozenset({("i", "mean"), ("hang", "on"), ("hold", "on")})
# Corrections that may be only a pause in the reading (``_corrected``).
_HESITATIONS = frozenset({"hang on", "hold on", "wait"})
# A replacement that starts with at least this many of the corrected group's last digits
# says that group again from there ("oh six two oh, no, hang on, oh six two oh seven").
_RESTART_OVERLAP = 3
_REPEATS = frozenset({"double", "triple", "treble"})
_ZERO_LETTERS = frozenset({"oh", "o"})
_SCALES = frozenset({"hundred", "thousand"})
_THEN = frozenset({"then", "next"})
# A line drawn between the groups, as a caller reads a reference off a letter ("six one,
# then a line, oh three three one eight, then another line, two five"): a separator only
# between numbers, where "a line" can mean nothing else.
_LINE_WORDS = frozenset({"line", "hyphen"})
_LINE_ARTICLES = frozenset({"a", "another", "the"})
_THEN_FILLERS = frozenset({"its", "it's", "is"})  # "then it's": still a group break


class Homophones(Enum):
    """Which homophones of digits a reading takes as digits."""

    BY_POSITION = auto()  # inside a run, or tight at its edge (the module docstring)
    ALL = auto()  # any next to a number: a looser reading, for near misses only
    NONE = auto()  # none: the words as written


class Kind(Enum):
    NUMBER = auto()  # digit word, teen, tens, typed digits, "double" before a digit
    HOMOPHONE = auto()  # "for", "to", "oh": a digit only where the reading says so
    SEPARATOR = auto()  # "stroke", "/", "*", "#"
    PAUSE = auto()  # a comma or full stop
    CORRECTION = auto()  # "no", "sorry", "I mean"
    WORD = auto()


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    kind: Kind


_EDGES = frozenset({Kind.PAUSE, Kind.SEPARATOR, Kind.CORRECTION})  # may bound a run


def _classify(text: str) -> list[Token]:
    words = number_tokens(text)
    out: list[Token] = []
    i = 0
    while i < len(words):
        word, nxt = words[i], (words[i + 1] if i + 1 < len(words) else "")
        if word == "forward" and nxt in _SEPARATOR_WORDS:
            i += 1  # "forward slash" is one separator
            continue
        if _line_ahead(words, i, out):
            i += 1  # "then a line" / "another line": only the line is read
            continue
        if (word, nxt) in _TWO_WORD_CORRECTIONS:
            out.append(Token(f"{word} {nxt}", Kind.CORRECTION))
            i += 2
            continue
        out.append(Token(word, _kind(word, nxt, out[-1] if out else None)))
        i += 1
    return out


def _line_ahead(words: list[str], i: int, out: list[Token]) -> bool:
    """``words[i]`` is "then" or an article before a drawn line after a number."""
    after_number = bool(out) and out[-1].kind in (Kind.NUMBER, Kind.PAUSE)
    if not after_number:
        return False
    if words[i] not in _THEN | _LINE_ARTICLES:
        return False
    j = i + 1
    if words[i] in _THEN and j < len(words) and words[j] in _LINE_ARTICLES:
        j += 1
    after = words[j + 1] if j + 1 < len(words) else ""
    return (
        j < len(words)
        and words[j] in _LINE_WORDS
        and (is_number_word(after) or after in HOMOPHONES or after == ",")
    )


def _kind(word: str, nxt: str, previous: Token | None) -> Kind:
    if is_number_word(word):
        return Kind.NUMBER
    if word in _REPEATS and (is_number_word(nxt) or nxt in HOMOPHONES):
        return Kind.NUMBER
    if word in _SCALES and previous is not None and previous.kind is Kind.NUMBER:
        return Kind.NUMBER
    between = previous is not None and previous.kind in (Kind.NUMBER, Kind.PAUSE)
    numeric = is_number_word(nxt) or nxt in HOMOPHONES
    if word in _THEN and between and (numeric or nxt in _THEN_FILLERS):
        return Kind.PAUSE  # "four two, then three oh one two six": a group break
    if word == "and" and between and nxt in _THEN:
        return Kind.PAUSE  # "forty two and then ..."
    if word in _THEN_FILLERS and previous is not None and previous.text in _THEN and numeric:
        return Kind.PAUSE  # "... and then it's three four ..."
    if word == "and" and previous is not None and previous.text in _SCALES:
        return Kind.NUMBER if is_number_word(nxt) else Kind.WORD
    if word in HOMOPHONES:
        return Kind.HOMOPHONE
    if word in _SEPARATOR_WORDS or word in _SEPARATOR_CHARS:
        return Kind.SEPARATOR
    if word in _LINE_WORDS and between and (numeric or nxt == ","):
        return Kind.SEPARATOR
    if word == ",":
        return Kind.PAUSE
    if word in _CORRECTIONS:
        return Kind.CORRECTION
    return Kind.WORD


def _reaches_number(tokens: list[Token], i: int, step: int) -> bool:
    """A number lies that way from ``tokens[i]`` before any word or correction."""
    i += step
    while 0 <= i < len(tokens):
        kind = tokens[i].kind
        if kind is Kind.NUMBER:
            return True
        if kind not in (Kind.HOMOPHONE, Kind.PAUSE, Kind.SEPARATOR):
            return False
        i += step
    return False


def _is_digit(tokens: list[Token], i: int, homophones: Homophones) -> bool:
    if homophones is Homophones.NONE:
        return False
    left, right = _reaches_number(tokens, i, -1), _reaches_number(tokens, i, 1)
    if homophones is Homophones.ALL or not (left or right):
        return left or right
    if left and right:
        return True  # inside a run
    step = -1 if left else 1
    near = tokens[i + step]
    if near.kind not in (Kind.NUMBER, Kind.HOMOPHONE, Kind.SEPARATOR):
        return False  # a pause between: "24, to be honest"
    if tokens[i].text in _ZERO_LETTERS or (step < 0 and near.text in TENS):
        return True  # "oh seven", as ever; "twenty for" is far likelier "twenty four"
    if _one_digit_part(tokens, i, step):
        return True  # "for two stroke": a force code or a year needs two digits
    far = i - step
    while 0 <= far < len(tokens) and tokens[far].kind is Kind.HOMOPHONE:
        far -= step  # "nought won ate": the homophones at the edge go together
    return not 0 <= far < len(tokens) or tokens[far].kind in _EDGES


def _one_digit_part(tokens: list[Token], i: int, step: int) -> bool:
    """The digits ``tokens[i]`` touches are one digit, and a separator ends them."""
    j, words = i + step, []
    while 0 <= j < len(tokens) and tokens[j].kind is Kind.NUMBER:
        words.append(tokens[j].text)
        j += step
    if not 0 <= j < len(tokens) or tokens[j].kind is not Kind.SEPARATOR:
        return False
    return len(_digits_of(words[::step])) == 1


def _digits_of(words: list[str]) -> str:
    """The digits of a run of number words ("forty two", "double seven" -> "42", "77";
    "fifty five thousand five hundred and seventeen" -> "55517")."""
    digits, j = "", 0
    thousands: int | None = None  # where the digits after "thousand" start
    while j < len(words):
        if words[j] == "thousand" and digits and thousands is None:
            thousands = len(digits)
            j += 1
            continue
        group = spoken_number(words, j)
        if group is None:  # "and" or "hundred" out of place: no digits of its own
            j += 1
            continue
        digits += group[0]
        j += group[1]
    if thousands is not None and len(digits) - thousands <= 3:
        # "twenty thousand and five" is 20005: what follows "thousand" fills three places.
        digits = digits[:thousands] + digits[thousands:].zfill(3)
    return digits


def _resolved(tokens: list[Token], homophones: Homophones) -> list[Token]:
    """Each homophone as the digit word it stands for, or as a plain word."""
    return [
        (
            Token(HOMOPHONES[t.text], Kind.NUMBER)
            if _is_digit(tokens, i, homophones)
            else Token(t.text, Kind.WORD)
        )
        if t.kind is Kind.HOMOPHONE
        else t
        for i, t in enumerate(tokens)
    ]


@dataclass(slots=True)
class _Piece:
    """One item of a reading: a group of digits, a separator, a pause, a correction or a word."""

    kind: Kind
    text: str


_TYPED_TENS = re.compile(r"[2-9]0")


def _unit_after(tokens: list[Token], i: int) -> str | None:
    """The one digit said straight after typed tens ("40 to", "40 2": "forty two", as
    Whisper writes it), or None."""
    if i + 1 >= len(tokens) or tokens[i + 1].kind is not Kind.NUMBER:
        return None
    nxt = tokens[i + 1].text
    digit = nxt if nxt.isdigit() else _digits_of([nxt])
    return digit if len(digit) == 1 and digit != "0" else None


def _pieces(tokens: list[Token]) -> list[_Piece]:
    """Spoken number words glued into digit groups; typed digits stay their own group."""
    out: list[_Piece] = []
    words = [t.text for t in tokens]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind is not Kind.NUMBER:
            out.append(_Piece(token.kind, token.text))
            i += 1
            continue
        if token.text.isdigit():
            unit = _unit_after(tokens, i) if _TYPED_TENS.fullmatch(token.text) else None
            out.append(_Piece(Kind.NUMBER, token.text[0] + unit if unit else token.text))
            i += 2 if unit else 1
            continue
        end = i
        while end < len(tokens) and tokens[end].kind is Kind.NUMBER and not words[end].isdigit():
            end += 1
        digits = _digits_of(words[i:end])
        out.append(_Piece(Kind.NUMBER, digits) if digits else _Piece(Kind.WORD, words[i]))
        i = end
    return out


def _last(pieces: list[_Piece], skip: frozenset[Kind]) -> int | None:
    """Index of the last piece not of a ``skip`` kind."""
    for i in range(len(pieces) - 1, -1, -1):
        if pieces[i].kind not in skip:
            return i
    return None


def _corrected(pieces: list[_Piece]) -> list[_Piece]:
    """A correction between two digit groups replaces (the tail of) the group before it."""
    out: list[_Piece] = []
    skip = frozenset({Kind.PAUSE, Kind.CORRECTION})
    prefix: str | None = None  # what is kept of the corrected group, until its replacement
    restated: str | None = None  # a corrected group, which the caller may say again in full
    for i, piece in enumerate(pieces):
        if prefix is not None:
            if piece.kind in skip:
                continue  # "no, sorry, I mean": one correction
            out.append(_Piece(Kind.NUMBER, prefix + piece.text))
            restated = out[-1].text if prefix else None
            prefix = None
            continue
        if restated is not None and piece.kind is Kind.PAUSE:
            continue
        if restated is not None and piece.kind is Kind.NUMBER and piece.text == restated:
            restated = None  # "two oh seven five six, no, five five, two oh seven five five"
            continue
        restated = None
        if piece.kind is not Kind.CORRECTION:
            out.append(piece)
            continue
        before = _last(out, frozenset({Kind.PAUSE}))
        after = next((p for p in pieces[i + 1 :] if p.kind not in skip), None)
        if (
            before is None
            or out[before].kind is not Kind.NUMBER
            or after is None
            or after.kind is not Kind.NUMBER
        ):
            out.append(_Piece(Kind.WORD, piece.text))
            continue
        taken = out[before].text
        if (
            _only_hesitation(pieces, i)
            and _restart(taken, after.text) is None
            and not taken.endswith(after.text)
        ):
            # "two two four one, wait, five five two": a pause while reading on, unless
            # the next group says the last again ("oh six two oh, hang on, oh six two oh
            # seven") or its end ("... two four one, hold on, four one").
            out.append(_Piece(Kind.PAUSE, ","))
            continue
        del out[before:]
        prefix = taken[: len(taken) - _restarted(taken, after.text)]
    return out


def _only_hesitation(pieces: list[_Piece], i: int) -> bool:
    """The corrections from ``pieces[i]`` to the next number are all hesitations."""
    for piece in pieces[i:]:
        if piece.kind is Kind.CORRECTION and piece.text not in _HESITATIONS:
            return False
        if piece.kind not in (Kind.PAUSE, Kind.CORRECTION):
            return True
    return True


def _restart(taken: str, replacement: str) -> int | None:
    """How many of ``taken``'s last digits ``replacement`` says again and goes on from
    ("840620, no, 06207": 0620), if at least ``_RESTART_OVERLAP``."""
    for overlap in range(min(len(taken), len(replacement) - 1), _RESTART_OVERLAP - 1, -1):
        if taken.endswith(replacement[:overlap]):
            return overlap
    return None


def _restarted(taken: str, replacement: str) -> int:
    """How many of ``taken``'s last digits ``replacement`` takes the place of: the tail it
    says again (``_restart``), else as many as it has ("20756, no, 55": 56)."""
    restart = _restart(taken, replacement)
    return restart if restart is not None else min(len(taken), len(replacement))


def _text(pieces: list[_Piece]) -> str:
    """Digits and words spaced; a separator glued to its neighbours; pauses as group breaks."""
    out: list[str] = []
    glue = False
    for piece in pieces:
        if piece.kind is Kind.PAUSE:
            glue = glue and bool(out) and out[-1][-1] in _SEPARATOR_CHARS  # "stroke, 1"
            continue
        if piece.kind is Kind.SEPARATOR:
            sep = piece.text if piece.text in _SEPARATOR_CHARS else "/"
            if out and (out[-1][-1].isdigit() or out[-1][-1] in _SEPARATOR_CHARS):
                out[-1] += sep
            else:
                out.append(sep)
            glue = True
            continue
        if glue and piece.kind is Kind.NUMBER and out:
            out[-1] += piece.text
        else:
            out.append(piece.text)
        glue = False
    return " ".join(out)


# A reference said whole, then one group of it put right by where it is ("52/14402/26, no,
# hang on, it starts eight two, not five two"; "... sorry, it ends two five"): the group
# of the same length at that end is replaced, and the words putting it right go.
_PUT_RIGHT = re.compile(
    r"(?P<ref>\d+/\d+/\d+)(?: [a-z]+){0,6}? (?:(?:it|that|the reference|the number) )?"
    r"(?:(?:should|does) )?(?P<end>starts?|begins?|ends?|finish(?:es)?)(?: with| in| on)?"
    r" (?P<digits>\d+)(?![\d/])"
)


# ... or by the digits first, then where ("oh no sorry, it's eight six at the start").
_PUT_RIGHT_AFTER = re.compile(
    r"(?P<ref>\d+/\d+/\d+)(?: [a-z]+){0,6}? (?:(?:its|it is|thats|that is) )?"
    r"(?P<digits>\d+) (?:at|on) the (?P<end>start|beginning|front|end)(?![a-z])"
)


def _put_right(text: str) -> str:
    """``text`` with each group put right (``_PUT_RIGHT``, ``_PUT_RIGHT_AFTER``) in the
    reference before it."""

    def mend(found: re.Match[str]) -> str:
        groups = found.group("ref").split("/")
        at = 0 if found.group("end").startswith(("start", "begin", "front")) else -1
        if len(groups[at]) != len(found.group("digits")):
            return found.group(0)
        groups[at] = found.group("digits")
        return "/".join(groups)

    return _PUT_RIGHT_AFTER.sub(mend, _PUT_RIGHT.sub(mend, text))


def spoken_digits(text: str, homophones: Homophones = Homophones.BY_POSITION) -> str:
    """``text`` with spoken numbers as digit groups, for the reference parser.

    "forty two stroke one eight seven three for stroke twenty for" -> "42/18734/24";
    "four two, no, four three" -> "43"; "I want to report it for my mum" stays words.
    Groups a pause or a word separates stay apart ("42 18734 24"); other words are
    folded to lower case without punctuation.
    """
    tokens = _resolved(_classify(text), homophones)
    return _put_right(_text(_corrected(_pieces(tokens))))
