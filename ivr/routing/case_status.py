"""What a caller may be told about their case: a fixed public status, never the record's words.

cases.csv's ``status`` is free text from the records system ("awaiting CCTV",
"suspect identified", "closed - no further action"); it may name people or
evidence, so it is never spoken or texted. Each status is read as one of a
few public statuses, each with one recorded prompt and one sentence for a
text. The reading is a fixed keyword table (``public_status_of``), checked
in order, so the same export always gives the same answer (a keyword negated,
"not charged", "CPS declined to charge", does not count); an admin can pin
a case with the optional ``public_status`` column. A status the table does
not know is only "open": guessing "under investigation" could tell a caller
something untrue.
"""

from __future__ import annotations

import re
from enum import StrEnum

from ivr.text import normalise

__all__ = ["STATUS_SMS", "PublicStatus", "public_status_of"]

# The offer on a Decision that lets the caller have the status by text (open cases).
STATUS_SMS = "status-sms"


class PublicStatus(StrEnum):
    """What the IVR may say about a case; the value is the ``public_status`` column's word."""

    RECEIVED = "received"
    UNDER_INVESTIGATION = "under_investigation"
    AWAITING_INFORMATION = "awaiting_information"
    WITH_PROSECUTORS = "with_prosecutors"
    CLOSED_NFA = "closed_nfa"
    CLOSED = "closed"
    OPEN = "open"  # the status said nothing the table knows

    @property
    def prompt(self) -> str:
        """The catalogue prompt that says it ("case_status_under_investigation")."""
        return f"case_status_{self.value}"

    @property
    def closed(self) -> bool:
        """Closed: no further action (the Resolution Centre takes the call), or with an
        outcome its officer in charge can explain (ivr.routing.case_route)."""
        return self in (PublicStatus.CLOSED_NFA, PublicStatus.CLOSED)

    @property
    def sentence(self) -> str:
        """The status in a text message: the prompt's meaning, in as few words."""
        return _SENTENCES[self]


_SENTENCES = {
    PublicStatus.RECEIVED: "it has been received and is being assessed.",
    PublicStatus.UNDER_INVESTIGATION: "it is being investigated.",
    PublicStatus.AWAITING_INFORMATION: "we are waiting for information before it can move on.",
    PublicStatus.WITH_PROSECUTORS: "it is with prosecutors or going through the courts.",
    PublicStatus.CLOSED_NFA: "it has been closed with no further action for now.",
    PublicStatus.CLOSED: "it has been closed.",
    PublicStatus.OPEN: "it is open.",
}

# Checked top to bottom, first match wins: "closed - no further action" is NFA before it is
# closed, "closed - charged" is closed before it is charged. Phrases match whole words of
# the normalised status (lower case, no punctuation).
KEYWORDS: tuple[tuple[PublicStatus, tuple[str, ...]], ...] = (
    (
        PublicStatus.CLOSED_NFA,
        ("no further action", "nfa", "filed", "undetected", "no further investigation"),
    ),
    (PublicStatus.CLOSED, ("closed", "finalised", "finalized", "resolved", "completed")),
    (
        PublicStatus.WITH_PROSECUTORS,
        ("cps", "crown prosecution", "prosecutors", "charged", "summonsed", "court"),
    ),
    (PublicStatus.AWAITING_INFORMATION, ("awaiting", "waiting", "pending")),
    (
        PublicStatus.UNDER_INVESTIGATION,
        ("under investigation", "investigating", "in progress", "ongoing", "suspect identified"),
    ),
    (PublicStatus.RECEIVED, ("received", "new", "logged", "recorded", "allocated")),
)


# A keyword negated does not count ("not charged", "reopened - not closed"): the words
# before it within NEGATION_WINDOW, and for the words that follow what they undo ("CPS
# declined to charge", "court case withdrawn") the words after it. A status that says
# only what did not happen falls through the table, to OPEN at worst.
NEGATION_WINDOW = 2
NEGATED_BY_BEFORE = frozenset(
    [
        "no",
        "not",
        "never",
        "declined",
        "withdrawn",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "hasnt",
        "havent",
    ]
)
NEGATED_BY_AFTER = frozenset(["declined", "withdrawn"])
_CLAUSE = re.compile(r"[,;:()\u2013\u2014]|\s-+\s|^-+|-+$")


def public_status_of(status: str) -> PublicStatus:
    """The public status a free-text case status means (OPEN when the table cannot tell)."""
    # A negation reads only within its own clause: "not closed - awaiting CCTV".
    clauses = [normalise(clause).split() for clause in _CLAUSE.split(status)]
    for public, phrases in KEYWORDS:
        if any(_said(words, phrase.split()) for phrase in phrases for words in clauses):
            return public
    return PublicStatus.OPEN


def _said(words: list[str], phrase: list[str]) -> bool:
    """Whether the phrase's whole words are in ``words`` at least once un-negated."""
    n = len(phrase)
    for at in range(len(words) - n + 1):
        if words[at : at + n] != phrase:
            continue
        before = words[max(0, at - NEGATION_WINDOW) : at]
        after = words[at + n : at + n + NEGATION_WINDOW]
        if NEGATED_BY_BEFORE.isdisjoint(before) and NEGATED_BY_AFTER.isdisjoint(after):
            return True
    return False
