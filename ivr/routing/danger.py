"""DangerReader: an emergency cue read in its context, when and how, before 999.

A cue says *what* ("threatened", "knife", "fire"); the words around it say
whether the danger is here now. "He threatened me last week", "threatening
messages on facebook", "I found a knife in the park", "the stabbing in the
news", "nobody's hurt" carry a cue but no present danger, and 999 advice
there costs the caller a wrong turn and the control room a false alarm.

Recall still comes first, so the reading is one-sided:

- any present-danger words ("now", "he's outside", "still in the house", "he's
  coming round", "is bleeding", "he's got a knife", "someone has been stabbed")
  keep every cue an emergency (the screen still asks first when a time or a
  distance was heard beside no more than "now": ivr.routing.emergency);
- otherwise a cue moves only if a context that fits its kind is heard (a
  message moves a threat, never a fire; nothing moves an overdose); one
  unmoved cue keeps the whole utterance an emergency, and so does a cue whose
  words are not literally in it (an ASR near-miss: its context is unknown);
- what moves goes to the Force Control Room, which assesses the risk; only
  damage or a fire, in the past and with an all-clear ("they're long gone",
  "the fire's out"), is read as a crime report (Verdict.RC).

The vocabulary is in ivr.routing.danger_words; this module only applies it.
Pure and cheap: a few precompiled regexes over one normalised string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rapidfuzz import fuzz

from ivr.routing import danger_words as words
from ivr.routing.danger_words import Context, CueKind
from ivr.routing.phrases import FUZZY_MIN_TOKEN, FUZZY_MIN_WORD, PREFIX_MIN_TOKEN, WORD_FUZZ
from ivr.text import normalise

__all__ = ["Context", "CueKind", "DangerReader", "Reading", "Verdict", "present_words"]


class Verdict(Enum):
    EMERGENCY = "emergency"  # 999 advice, as every cue was before
    FCR = "fcr"  # no present danger heard; the Force Control Room assesses the risk
    RC = "rc"  # a past crime with nobody there: a crime report like any other


# Cue kinds that say someone is harmed: said in the present, "nobody's hurt" cannot clear.
HARM = frozenset({CueKind.INJURY, CueKind.MEDICAL, CueKind.VIOLENCE, CueKind.SELF_HARM})
# ... nor a danger here now that has not harmed anyone yet: "there's a man with a knife
# outside, nobody's hurt", "a man with a gun in the shop, I want to know if he's still there".
HERE = HARM | {CueKind.WEAPON, CueKind.INTRUDER, CueKind.TAKEN, CueKind.FIRE, CueKind.DEVICE}
# A cue said only inside these contexts' words is the caller's question, not a danger:
# routed as asked (Verdict.RC) when nothing is said to be here now.
AS_ASKED = frozenset({Context.ENQUIRY, Context.POLICE, Context.CUSTODY})
# ... of which these clear only their own kinds of cue (words.MOVES): the police's guns a
# weapon, custody a taking.
AS_SAID = frozenset({Context.POLICE, Context.CUSTODY})
_ALL_CLEAR = {Context.UNHURT: words.UNHURT, Context.GONE: words.GONE, Context.OUT: words.OUT}
_HEARD = {
    Context.WITNESS: words.WITNESS,
    Context.REMOTE: words.REMOTE,
    Context.PAST: words.PAST,
    Context.FUTURE: words.FUTURE,
    Context.ENQUIRY: words.ENQUIRY,
    Context.TOY: words.TOY,
    Context.LICENSED: words.LICENSED,
    Context.BURN: words.BURN,
}


@dataclass(frozen=True)
class Reading:
    """One utterance's cues in context: the verdict and the words that decided it."""

    verdict: Verdict
    present: tuple[str, ...] = ()  # present-danger words heard
    moved: tuple[tuple[str, Context], ...] = ()  # each cue moved and the context that did
    kept: tuple[str, ...] = ()  # cues nothing moved (they keep it an emergency)
    heard: tuple[tuple[Context, tuple[str, ...]], ...] = ()  # every context's words
    # The present words that tell of a deed with a weapon ("pulled a knife", "holding a
    # machete"), not that the danger is here now ("he's still got the knife", "he's trying
    # to get in"): beside a past, a distance or an all-clear they may be the past told
    # ("a lad pulled a knife on my son last friday", "a video of a lad holding a machete").
    events: tuple[str, ...] = ()
    # Cues found only as a recogniser's near miss of other words ("I've asked him to stop"
    # for "masked"): their present tense is the other word's, less sure than one said.
    near_misses: tuple[str, ...] = ()
    # ... of which those heard only as their own words cut short ("my husband is attack
    # me", "someone is breakin in", "he's un conscious"): the cue itself, its ending or
    # its "un" lost, not another word.
    cut_short: tuple[str, ...] = ()

    @property
    def context(self) -> Context | None:
        """The context that moved the first cue (names the Decision's rule)."""
        return self.moved[0][1] if self.moved else None

    def words_of(self, context: Context) -> tuple[str, ...]:
        return next((found for ctx, found in self.heard if ctx is context), ())

    def explain(self) -> str:
        """Which cue, which context words: for the Decision's reason."""
        parts = [
            f"{_q(cue)} by {ctx.value} {', '.join(_q(w) for w in self.words_of(ctx))}"
            for cue, ctx in self.moved
        ]
        text = "; ".join(parts)
        if self.verdict is Verdict.RC:
            named = {ctx for _, ctx in self.moved}
            text += "".join(
                f"; {ctx.value} {', '.join(_q(w) for w in found)}"
                for ctx, found in self.heard
                if ctx not in named and ctx in _ALL_CLEAR
            )
        if self.present and self.heard:
            text = "present danger " + ", ".join(_q(w) for w in self.present)
            text += " outweighs " + ", ".join(
                f"{ctx.value} {', '.join(_q(w) for w in found)}" for ctx, found in self.heard
            )
        elif self.kept and self.heard:
            text = (
                ", ".join(_q(c) for c in self.kept)
                + " not moved by "
                + ", ".join(ctx.value for ctx, _ in self.heard)
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "present": list(self.present),
            "moved": {cue: ctx.value for cue, ctx in self.moved},
            "kept": list(self.kept),
            "context": {ctx.value: list(found) for ctx, found in self.heard},
        }


def _q(text: str) -> str:
    return f"'{text}'"


def _found(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.group(0) for m in pattern.finditer(text)))


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def present_words(said: str) -> tuple[str, ...]:
    """Present-danger words in normalised ``said``, calm "now"s and someone with the
    caller left out: the reader's test of "here now", for a stage that only orders."""
    return _found(words.PRESENT, _calm(said))


def _calm(text: str) -> str:
    """``text`` without the "now" of a calm phrase (only that word: "I want to report it,
    he's outside now" keeps its "he's outside"), nor someone said to be with the caller
    ("he's sat right here next to me": the son the scammers said they had taken)."""
    text = words.CALM_NOW.sub(lambda m: m.group(0)[: -len("now")] + "   ", text)
    text = _blank(words.LICENSED, text)  # "still in the cabinet": where a gun is kept
    text = _blank(words.ASKED_WHETHER, text)  # "to know if he's still there": a question
    return _blank(words.WITH_THE_CALLER, _blank(words.ORIGIN, text))


class DangerReader:
    """Reads the cues of one utterance in context; holds no state between calls."""

    def read(self, text: str, cues: Iterable[str]) -> Reading:
        """The verdict for ``text`` given the clear (un-negated) cues found in it."""
        said = normalise(text)
        names = tuple(dict.fromkeys(n for n in map(normalise, cues) if n))
        if not names:
            return Reading(Verdict.EMERGENCY)
        heard = self._contexts(said)
        # All-clears ("they've gone now") are blanked first so their "now" is no danger.
        rest = _calm(said)
        for clear in _ALL_CLEAR.values():
            rest = _blank(clear, rest)
        if any(ctx is Context.REMOTE for ctx, _ in heard):
            # "a video of him saying he's coming for me": the message's words; asked, as a
            # threat by message is (a "now" or "outside" said beside them still counts).
            rest = _blank(words.MESSAGE_COMING, rest)
        present = list(_found(words.PRESENT, rest)) + self._states(rest)
        events: list[str] = []
        moved: list[tuple[str, Context]] = []
        kept: list[str] = []
        found = {ctx for ctx, _ in heard}
        # "Nobody's hurt": the cue "hurt" said only inside its own all-clear is no cue at
        # all, whatever else is going on ("he's just stood there arguing with me").
        cleared = [m.span() for m in words.UNHURT.finditer(said)]
        # "I want to know if he's still there": a cue said only inside a question about
        # where someone is, as the caller's enquiry.
        asked = [m.span() for m in words.ASKED_WHETHER.finditer(said)]
        # "a farmer shooting rabbits": a cue said only inside lawful shooting's own words.
        lawful = (
            [m.span() for m in words.LICENSED.finditer(said)] if words.RURAL.search(said) else []
        )
        # "threatening to send my photos": a threat said only as one to make something known.
        exposed = [m.span() for m in words.EXPOSURE_THREAT.finditer(said)]
        # "the ones with the guns on the gate": a weapon said only as the police's; "been
        # taken to the cells": by the police.
        police = [m.span() for m in words.ARMED_POLICE.finditer(said)]
        held = [m.span() for m in words.CUSTODY.finditer(said)]
        # A cue said only inside these is unsaid: (where, the context, its words to show).
        unsaying: tuple[tuple[list[tuple[int, int]], Context, re.Pattern[str] | None], ...] = (
            (cleared, Context.UNHURT, None),
            (asked, Context.ENQUIRY, words.ASKED_WHETHER),
            (exposed, Context.EXPOSURE, words.EXPOSURE_THREAT),
            (police, Context.POLICE, words.ARMED_POLICE),
            (held, Context.CUSTODY, words.CUSTODY),
        )
        # A danger said to be here ("they're in the shop"), or someone passing as police,
        # leaves no cue to the police's guns or custody's words.
        danger_here = bool(set(present) - words.WEAK_PRESENT) or bool(words.IMPOSTOR.search(said))
        unsaid: list[str] = []
        things: list[str] = []
        # Harm or a danger said in the present ("and someone is bleeding", "there's a man
        # with a knife outside"): no all-clear or question said of another cue outweighs it.
        said_now: list[str] = []
        near_misses: list[str] = []
        cut_short: list[str] = []
        toy = words.toy_sure(said)
        for cue in names:
            spans = _verbatim(said, cue)
            verbatim = bool(spans)
            if not spans:
                spans = _near_misses(said, cue)
                if spans:
                    near_misses.append(cue)
                    if all(_cut_short(said[a:b].split(), cue.split()) for a, b in spans):
                        cut_short.append(cue)
            if not spans:
                kept.append(cue)  # not in these words as said: its context cannot be read
                continue
            own_kind = _cue_kind(cue)
            inside = next(
                (
                    u
                    for u in unsaying
                    if _within(spans, u[0])
                    and (u[1] not in AS_SAID or (own_kind in words.MOVES[u[1]] and not danger_here))
                ),
                None,
            )
            if inside is not None:
                _, context, shown = inside
                unsaid.append(cue)
                moved.append((cue, context))
                if shown is not None and not any(c is context for c, _ in heard):
                    heard.append((context, _found(shown, said)))
                continue
            if _within(spans, lawful):
                moved.append((cue, Context.LICENSED))
                continue
            # "my number plates have been taken": a theft; "people in the garden
            # screaming, music blasting": a party
            harmless = next(
                (
                    ctx
                    for ctx, table in (
                        (Context.THING, words.THING_CUES),
                        (Context.NOISE, words.NOISE_CUES),
                    )
                    if (told_of := table.get(cue)) is not None
                    and all(told_of(said, a, b) for a, b in spans)
                ),
                None,
            )
            if harmless is not None:
                things.append(cue)
                moved.append((cue, harmless))
                told = " ".join(said[: spans[0][1]].split()[-5:])
                heard.append((harmless, (told,)))
                continue
            # Every time the cue is said must be moved ("threatened me last week, he's
            # threatened me again now").
            nears = [_Near(said[:start].split()[-6:], said[end:]) for start, end in spans]
            kinds = [_kind(cue, near) for near in nears]
            objects = [
                near.found_object() if k is CueKind.WEAPON else None
                for near, k in zip(nears, kinds, strict=True)
            ]
            nows = [
                _present_near(cue, near, kind, frozenset(found), obj is not None, toy)
                for near, kind, obj in zip(nears, kinds, objects, strict=True)
            ]
            now = next((n for n in nows if n), None)
            if now:
                present.append(now)
                # (a danger heard only as another word, "a lorry jack-knifed", is not)
                harms = HERE if verbatim else HARM
                if any(
                    n and k in harms and not (k is CueKind.FIRE and _perfect(n))
                    for n, k in zip(nows, kinds, strict=True)
                ):
                    said_now.append(cue)
                if now.split()[0] in words.WEAPON_DEEDS:
                    events.append(now)  # "pulled a knife", "holding a machete": a deed
                continue
            movers = [_mover(k, found, o is not None) for k, o in zip(kinds, objects, strict=True)]
            if any(m is None for m in movers):
                kept.append(cue)
                continue
            moved.append((cue, movers[0] or Context.PAST))
            if movers[0] is Context.FOUND and not any(c is Context.FOUND for c, _ in heard):
                heard.append((Context.FOUND, (objects[0] or "",)))
        strong = set(present) - words.WEAK_PRESENT  # more than "now" said to be here
        verdict = Verdict.EMERGENCY
        if moved and len(unsaid) == len(moved) and not kept and not said_now:
            # every cue was an all-clear's own word, or a question's: asked, routed as asked
            as_asked = all(ctx in AS_ASKED for _, ctx in moved)
            verdict = Verdict.RC if as_asked and not present else Verdict.FCR
        elif moved and len(things) == len(moved) and not kept and not strong:
            # Every cue told of a thing taken (or a party's noise), and nobody is said to be
            # here beyond a "now":
            # asked (ivr.routing.emergency.DOUBTFUL), since the words may still tell of a
            # person ("... and my daughter was in the back").
            verdict = Verdict.FCR
        elif not present and not kept and moved:
            verdict = Verdict.RC if self._crime_report(said, moved, found) else Verdict.FCR
        return Reading(
            verdict,
            present=tuple(dict.fromkeys(present)),
            moved=tuple(moved),
            kept=tuple(kept),
            heard=tuple(heard),
            events=tuple(dict.fromkeys(events)),
            near_misses=tuple(near_misses),
            cut_short=tuple(cut_short),
        )

    @staticmethod
    def _contexts(said: str) -> list[tuple[Context, tuple[str, ...]]]:
        heard: list[tuple[Context, tuple[str, ...]]] = []
        # A day named in a plan ("going to have a fight ... on Saturday") is to come.
        planned = [m.span() for m in words.FUTURE.finditer(said)]
        for ctx, pattern in (*_HEARD.items(), *_ALL_CLEAR.items()):
            if ctx is Context.BURN and words.SPREADING.search(said):
                continue  # a burn getting away from them is a fire like any other
            found = _found(pattern, said)
            if ctx is Context.PAST and planned:
                unplanned = (m for m in pattern.finditer(said) if not _within([m.span()], planned))
                found = tuple(dict.fromkeys(m.group(0) for m in unplanned))
            if found:
                heard.append((ctx, found))
        return heard

    @staticmethod
    def _states(text: str) -> list[str]:
        """Present states ("he is bleeding") not preceded by a negation ("nobody is hurt")."""
        states = []
        for match in words.PRESENT_STATE.finditer(text):
            lead = text[: match.start()].split()[-2:]
            if not any(w in words.NEGATIONS for w in (*lead, *match.group(0).split())):
                states.append(match.group(0))
        return states

    @staticmethod
    def _crime_report(said: str, moved: Sequence[tuple[str, Context]], found: set[Context]) -> bool:
        """Damage or a fire, in the past, with an all-clear: no risk left to assess. Or an
        event the caller knows of second hand ("the stabbing that was on the news, I know
        who did it", "is it safe to go into town?"), or a gun told of by its licence ("his
        certificate's run out"): information, a question or paperwork, routed as the
        caller asks, not a risk to the caller to assess."""
        second_hand = {Context.WITNESS, Context.ENQUIRY, Context.LICENSED}
        # ... but not a lawful gun whose holder is said to be here, or angry, or drunk
        # ("he's got a gun licence and he's outside my house with his rifle").
        armed = any(ctx is Context.LICENSED for _, ctx in moved) and (
            bool(present_words(said)) or words.armed_state(said) is not None
        )
        if all(ctx in second_hand for _, ctx in moved) and Context.FOUND not in found:
            return not armed
        kinds = {_cue_kind(cue) for cue, _ in moved}
        # A fire said to be out is over, whatever tense the rest is in ("the fire's out
        # now, I reckon somebody started it").
        past = bool(found & {Context.PAST, Context.OUT}) or words.WEAK_PAST.search(said) is not None
        clear = bool(found & {Context.GONE, Context.OUT})
        serious = found & {Context.REMOTE, Context.WITNESS, Context.FOUND}
        return kinds <= words.CRIME_REPORT_KINDS and past and clear and not serious


def _within(spans: Sequence[tuple[int, int]], ranges: Sequence[tuple[int, int]]) -> bool:
    """Every time the cue is said, it is inside one of ``ranges``."""
    return all(any(a <= start and end <= b for a, b in ranges) for start, end in spans)


def _verbatim(said: str, cue: str) -> list[tuple[int, int]]:
    """Where the cue's words are in the normalised text as they are, or a weapon's with a
    plural's ending ("shotguns" is "shotgun" said, not heard as another word; "smokes" is
    no "smoke"). No other cue is said with an "s": "a fight's kicked off" and "he fights
    with his brother all the time" both normalise to "fights", and only the meaning tells."""
    plural = "(?:s|es)?" if words.CUE_KINDS.get(cue) is CueKind.WEAPON else ""
    found = re.finditer(rf"(?<![a-z0-9]){re.escape(cue)}{plural}(?![a-z0-9])", said)
    return [m.span() for m in found]


def _near_misses(said: str, cue: str) -> list[tuple[int, int]]:
    """Where the matcher finds the cue as an ASR near miss ("attack" for "attacked", "nife"
    for "knife"); [] if nowhere."""
    spans: list[tuple[int, int]] = []
    first, count = cue.split()[0], len(cue.split())
    start = 0
    for token in said.split(" "):
        if token and _stands_for(token, first):
            end = start
            for _ in range(count):
                end = said.find(" ", end + 1)
                end = len(said) if end < 0 else end
            spans.append((start, end))
        start += len(token) + 1
    return spans


# A cue word heard without its negating prefix is still that word said ("he's un
# conscious", "semi conscious", "non responsive" for "unconscious", "unresponsive").
NEGATING_PREFIXES = ("un", "non", "in", "dis")


def _cut_short(tokens: Sequence[str], cue: Sequence[str]) -> bool:
    """The cue's own words, one or more said with the ending lost ("attack" for
    "attacked", "not breath" for "not breathing", "in flame") or the negating prefix
    ("conscious" for "unconscious"); not another word spelt near it ("asked" for
    "masked", "eating" for "beating", "fights" for "fight")."""
    if len(tokens) != len(cue) or tokens == cue:
        return False
    return all(
        t == w
        or (len(t) >= FUZZY_MIN_TOKEN and w.startswith(t))
        or any(w == prefix + t for prefix in NEGATING_PREFIXES)
        for t, w in zip(tokens, cue, strict=True)
    )


def _stands_for(token: str, word: str) -> bool:
    """The matcher's near-miss rules, in short (ivr.routing.phrases: the same thresholds)."""
    if token == word:
        return True
    if len(token) >= PREFIX_MIN_TOKEN and word.startswith(token):
        return True
    return (
        len(token) >= FUZZY_MIN_TOKEN
        and len(word) >= FUZZY_MIN_WORD
        and fuzz.ratio(token, word) >= WORD_FUZZ
    )


@dataclass(frozen=True)
class _Near:
    """The words around one cue: up to six before it, and the text after it."""

    before: list[str]
    after: str

    @property
    def window(self) -> str:
        return " ".join(self.before)

    def negated(self) -> bool:
        return any(w in words.NEGATIONS for w in self.before[-3:])

    def found_object(self) -> str | None:
        """The words that make a weapon a found object ("found a", "... dumped in")."""
        match = words.FOUND_BEFORE.search(self.window)
        if match:
            return match.group(0).strip()
        match = words.FOUND_AFTER.search(self.after)
        if match:
            return match.group(0).strip()
        # "there's a knife in the hedge", "a bag with what looks like a gun in it": where
        # things are thrown away, with nobody said to have it.
        match = words.FOUND_PLACE_AFTER.search(self.after)
        held = words.SOMEONE.search(self.window) or words.SOMEONE_WITH_IT.search(self.after)
        return match.group(0).strip() if match and not held else None


def _cue_kind(cue: str) -> CueKind:
    return words.CUE_KINDS.get(cue, CueKind.PRESENT)


# "There's been a fire in the bin store": a fire told, not one burning now.
_PERFECT = re.compile(r"(?:^| )been(?: |$)")


def _perfect(now: str) -> bool:
    return _PERFECT.search(now) is not None


def _kind(cue: str, near: _Near) -> CueKind:
    kind = _cue_kind(cue)
    if kind in (CueKind.VIOLENCE, CueKind.INJURY) and words.INTENT_BEFORE.search(near.window):
        return CueKind.THREAT  # "they'll stab him", "threatening to hurt me": said, not done
    return kind


# A deed told in the past continuous ("was waving", "were pointing"), just before it.
TOLD_DEED = re.compile(r"(?:^| )(?:was|were)$")


def _present_before(near: _Near, kind: CueKind, heard: frozenset[Context], toy: bool) -> str | None:
    """The words just before a cue that put it in the present, if any, given the contexts
    ``heard``: "he's going to" is not, said of another day ("going to stab someone ...
    this weekend"); nor "has been", of an event told ("there's been a shooting, is it
    safe to go into town?"); nor "there's a man with" a gun said to be a toy (a deed with
    it still is: "he's waving it at the bar staff", unless surely a toy, ``toy``, aimed at
    a thing: "pointing it at the pigeons")."""
    window = near.window
    if kind is CueKind.FIRE and Context.BURN in heard:
        return None  # "there's smoke all over, it's the farmer burning off": his burn's
    if Context.REMOTE in heard and words.REPORTED.search(window):
        return None  # "a text saying they've kidnapped my son": the message's words
    if kind is CueKind.THREAT and words.SAID_BEFORE.search(window):
        return None  # "some lads said they're going to stab me": said then, not now
    if kind in words.PHYSICAL or (kind is CueKind.THREAT and Context.REMOTE not in heard):
        patterns: tuple[re.Pattern[str], ...] = (words.BE_BEFORE,)
        if Context.FUTURE not in heard:
            patterns = (*patterns, words.BE_INTENT_BEFORE)
        if Context.ENQUIRY not in heard:
            patterns = (*patterns, words.PERFECT_BEFORE)
        for pattern in patterns:
            match = pattern.search(window)
            if match and not near.negated():
                return match.group(0).strip()
    if kind is CueKind.WEAPON:
        if Context.REMOTE in heard and words.MEDIA_OF.search(window):
            return None  # "sent a video of a lad holding a gun": the video's
        match = words.HOLD_BEFORE.search(window)
        # ... unless a toy, or lawful shooting ("a man with a shotgun, after rabbits"),
        # and nothing done with it, or the deed told as over ("his friend was waving a gun
        # about, but it's a plastic one": asked, as a toy is)
        lawful = not heard.isdisjoint({Context.TOY, Context.LICENSED})
        done = match is not None and not words.WEAPON_DEEDS.isdisjoint(match.group(0).split())
        told = match is not None and TOLD_DEED.search(window[: match.start()]) is not None
        # ... nor a toy said surely, aimed at a thing ("pointing a gun at the pigeons, it's
        # one of them plastic ones")
        aimed = toy and words.aimed_at_thing(near.after)
        if match and (not lawful or (done and not told)) and not aimed:
            return match.group(0).strip()
    return None


def _present_near(
    cue: str, near: _Near, kind: CueKind, heard: frozenset[Context], found: bool, toy: bool
) -> str | None:
    """The words that put this cue in the present ("he is hitting", "knife ... waving").

    The words before it; for a found weapon, the words after it instead: the
    present-danger lists already read the whole utterance, and a found weapon
    someone is using now ("I found a knife and a man is waving it") is danger too. So
    is a weapon said to be a toy and used ("it's a fake one I think, he's waving it"),
    unless surely a toy (``toy``) and aimed at a thing.
    """
    if not found:
        before = _present_before(near, kind, heard, toy)
        if before or Context.TOY not in heard:
            return f"{before} {cue}" if before else None
    for match in words.WIELDED_AFTER.finditer(near.after):
        lead = near.after[: match.start()].split()[-2:]
        # ... but not a toy said surely, aimed at a thing ("it's a toy, he's pointing it
        # at cars"): asked, as a toy is
        if toy and words.aimed_at_thing(near.after[match.end() :]):
            continue
        if not any(w in words.NEGATIONS for w in lead):
            return f"{cue} ... {match.group(0).strip()}"
    return None


def _mover(kind: CueKind, found: set[Context], found_object: bool) -> Context | None:
    """The first context (in PRIORITY order) heard that can move a cue of this kind."""
    for ctx in words.PRIORITY:
        if kind in words.MOVES[ctx] and (found_object if ctx is Context.FOUND else ctx in found):
            return ctx
    return None
