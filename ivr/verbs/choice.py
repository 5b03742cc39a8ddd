"""Asking for one of a few answers: keys or the words that mean them (yes / no, a pick).

Shared by every verb that offers a choice (confirm, disambiguate, the SMS and
callback offers, the danger check). A confirmation or a pick also takes a crime
reference keyed or said instead (``references``): the caller who answers "did
you want PC Jones?" with their reference is routed by it (ivr.session.steps.Answered).

The limit of a keyed reference there: an answer key answers at once (no caller
waits for a pause after "1" for yes), so a reference whose first digit is an
answer key ("12/18734/24" at a yes/no) is taken as that answer. Such a
reference must start with ``*`` (REFERENCE_START), as at the menu: after it
every key is the reference's until '#' or a pause. A reference starting with
any other key needs no star (that key answers nothing, so it starts one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from ivr.decisions import Expect, Hint
from ivr.routing.references import parse_reference
from ivr.session.model import Outcome
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.session.steps import Answered
from ivr.text import normalise
from ivr.verbs.ask import Answer, Question
from ivr.verbs.basic import Play

__all__ = [
    "REFERENCE_START",
    "Choice",
    "ask_choice",
    "choose",
    "spoken_choice",
    "spoken_yes_no",
]

YES = frozenset(
    [
        "yes",
        "yeah",
        "yep",
        "yup",
        "correct",
        "right",
        "aye",
        "please",
        "sure",
        "ok",
        "okay",
        "that's",
    ]
)
NO = frozenset(["no", "nope", "nah", "wrong", "not", "incorrect"])
ORDINALS = {
    "1": ("one", "first", "1"),
    "2": ("two", "second", "2"),
    "3": ("three", "third", "3"),
    "4": ("four", "fourth", "4"),
    "5": ("five", "fifth", "5"),
    "6": ("six", "sixth", "6"),
    "7": ("seven", "seventh", "7"),
    "8": ("eight", "eighth", "8"),
}
SOMEONE_ELSE = ("someone else", "somebody else", "none", "neither", "nobody", "operator")


def spoken_yes_no(text: str) -> str | None:
    """ "1" for yes, "2" for no, None when unclear (or both: "no, yes" is asked again)."""
    words = set(normalise(text).split())
    yes, no = bool(words & YES), bool(words & NO)
    if yes == no:
        return None
    return "1" if yes else "2"


def spoken_choice(text: str, names: Sequence[str]) -> str | None:
    """The key a spoken answer stands for: an ordinal, a name, or "someone else" (0)."""
    said = normalise(text)
    if any(phrase in said for phrase in SOMEONE_ELSE):
        return "0"
    words = said.split()
    for position in (1, 0, 2):  # "second" before "one": "the second one" means 2
        for key, forms in ORDINALS.items():
            if int(key) <= len(names) and forms[position] in words:
                return key
    # Only the words that tell the names apart count ("Priya" vs "Raj", not "Sergeant Patel").
    name_words = [name.lower().split() for name in names]
    common = set.intersection(*(set(w) for w in name_words)) if name_words else set()
    scores = sorted(
        (
            (
                max((fuzz.ratio(w, s) for w in ws if w not in common for s in words), default=0),
                str(i),
            )
            for i, ws in enumerate(name_words, 1)
        ),
        reverse=True,
    )
    if scores and scores[0][0] >= 80 and (len(scores) == 1 or scores[0][0] - scores[1][0] >= 10):
        return scores[0][1]
    return None


Interpret = Callable[[str], str | None]
REFERENCE_KEYS = 16  # keys a crime reference may take at a choice ("42*1234567*24#")
REFERENCE_START = "*"  # starts a keyed reference explicitly: never an answer key itself


@dataclass(frozen=True)
class Choice:
    """An answer to a choice: its key (None: none came) and how, or a crime reference."""

    key: str | None
    how: str
    reference: Answer | None = None  # the answer held a crime reference instead

    def answered(self, session: CallSession, attempt: int) -> Outcome:
        """Hand the reference's answer to the router (``Answered``), recorded."""
        assert self.reference is not None
        answer = self.reference
        session.record("reference-answered", answer=self.how)
        heard = answer.transcript.alternatives if answer.transcript else ()
        step = Answered(answer.digits, heard, attempt)
        return Outcome(Status.OK, value="reference", step=step)


def _reference_in(answer: Answer) -> bool:
    """A crime reference keyed (more than one key) or said in any alternative."""
    if answer.digits and len(answer.digits) > 1 and parse_reference(answer.digits):
        return True
    alternatives = answer.transcript.alternatives if answer.transcript else ()
    return any(parse_reference(h.text) for h in alternatives)


async def choose(
    session: CallSession,
    media: list[str],
    valid: set[str],
    interpret: Interpret,
    first_digit_timeout: float,
    tries: int = 2,
    *,
    breakout: bool = True,
    expect: Expect | None = Hint.YES_NO,
) -> tuple[str | None, str]:
    """Ask up to ``tries`` times for one of ``valid`` keys, or words that mean one.

    ``breakout`` False: the question is itself about an emergency (9 is an answer).
    ``expect``: what the words will be, a hint to the recogniser (default a yes or no).
    """
    choice = await ask_choice(
        session,
        media,
        valid,
        interpret,
        first_digit_timeout,
        tries,
        breakout=breakout,
        expect=expect,
    )
    return choice.key, choice.how


async def ask_choice(
    session: CallSession,
    media: list[str],
    valid: set[str],
    interpret: Interpret,
    first_digit_timeout: float,
    tries: int = 2,
    *,
    breakout: bool = True,
    references: bool = False,
    expect: Expect | None = None,
) -> Choice:
    """``choose``, with no recogniser hint unless ``expect`` gives one; with ``references``
    a crime reference keyed or said is an answer too (``*`` or any key other than
    ``valid`` starts a longer entry, which '#' or a pause ends; a ``valid`` key answers
    at once, so a reference starting with one needs ``*``)."""
    if references and REFERENCE_START in valid:
        raise ValueError(f"{REFERENCE_START!r} starts a crime reference: not an answer key")
    last = "no-input"
    for attempt in range(1, tries + 1):
        question = Question(
            (),
            media=media,
            first_digit_timeout=first_digit_timeout,
            breakout=breakout,
            max_digits=REFERENCE_KEYS if references else 1,
            single_keys=(*valid, "#") if references else (),
            expect=expect,
        )
        answer = await question.ask(session)
        if answer.digits in valid:
            return Choice(answer.digits, f"key {answer.digits}")
        if references and _reference_in(answer):
            how = f"keyed {answer.digits}" if answer.digits else "said a crime reference"
            return Choice(None, how, reference=answer)
        if answer.transcript is not None:
            key = interpret(answer.transcript.text)
            if key in valid:
                return Choice(key, f"said {answer.transcript.text!r}")
        last = answer.status if answer.status != "digits" else "invalid"
        session.record(f"choose-{last}", attempt=attempt, digits=answer.digits)
        if attempt < tries:
            await Play(["no_input" if last == "no-input" else "invalid_choice"]).run(session)
            session.keys.clear()
    return Choice(None, last)
