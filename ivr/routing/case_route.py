"""CaseRoute: a crime reference, keyed or said, to the case's public status and who takes the call.

A stage of the RoutingEngine (after keys, before names and intents), kept
apart so the engine's own stages stay about matching. Only a reference in the
case book routes; one case within a digit of what was heard (a digit misheard,
dropped or doubled by the recogniser, or another reading of "for"/"to"; in a
reference said whole, its serial only: another force's or year's is another
case), or whose force and serial were heard whole inside a longer run of digits
("766-10482-266"), is confirmed first, the reference read back ("Is your crime
reference ...?"), never its status; more than one goes to a person, as an unknown one
does. The Decision carries the status prompt as its ``message`` (played before the
transfer, as the emergency advice is) and, for an open case, the ``status-sms`` offer. A
case closed with no further action has nobody working on it: the Resolution
Centre takes new information, so it goes there, not to the officer who once had
it. A case closed with an outcome (a caution, a community resolution, a
conviction) goes to its officer in charge, who dealt with it and can explain it
(DOMAIN.md: an update goes to the officer in charge); to the Resolution Centre
when that officer is no longer in the directory.

The evidence keeps both the public status and the records system's own words
(``status``): the decision log is the force's internal record, read by staff
who see the case in the records system anyway, and an admin needs the free
text beside the public status to see why the keyword table read it so. What
reaches the caller (prompt, text) is built from the public status alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ivr.decisions import (
    ONLINE,
    RC,
    REFERENCE_UNKNOWN,
    SWITCHBOARD,
    Ask,
    Candidate,
    Decision,
    Hypothesis,
)
from ivr.directory import Directory
from ivr.routing.case_status import STATUS_SMS, PublicStatus
from ivr.routing.cases import Case, CaseBook
from ivr.routing.draft import Draft, quote
from ivr.routing.references import (
    digit_runs,
    is_reference,
    parse_reference,
    reference_readings,
)
from ivr.routing.spoken_refs import spoken_digits

__all__ = ["CONFIRM_REFERENCE", "CaseRoute", "reference_to_confirm"]

SOURCE = "reference"
# Words that say a reference comes next, as spoken_digits writes them (lower case).
ANNOUNCED = re.compile(
    r"\b(?:reference|ref|crime (?:number|no)|incident (?:number|no)|log (?:number|no)"
    r"|occurrence (?:number|no))\b"
)
UNREAD_SPAN = 80  # characters after the announcement in which its digits are looked for
UNREAD_DIGITS = 5
UNREAD_SLASHED = 4  # ... or this many with a separator said among them
# A reference's shape without the word: a slash beside digits, five digits or more in the
# words around it (two before, three after): "42 slash 2 ATX 15 slash 25", "40 seconds
# flash 28,815 25". Not a flat number ("flat 12/3") nor a date ("on 12/10/2024").
SLASH_BEFORE, SLASH_AFTER = 2, 4
DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])(?:/\d{2,4})?")
HYPHENED = re.compile(r"(?<![\d-])[1-9]\d{1,3}-\d{2,7}-\d{2,3}(?![\d-])")
CONFIRM_REFERENCE = "confirm_reference"  # evidence: the reference a confirmation reads back
# How a confirmed case's reference stands to what was heard (CaseBook.near, .holding).
WITHIN_A_DIGIT = "within a digit of"
SERIAL_INSIDE = "said whole inside"
NEAR_SCORE = 0.5  # a near miss is a guess until the caller says yes


def reference_to_confirm(decision: Decision) -> str | None:
    """The crime reference a ``reference-near`` confirmation reads back, if it is one."""
    reference = decision.evidence.get(CONFIRM_REFERENCE)
    return reference if isinstance(reference, str) and is_reference(reference) else None


def _hyphened(text: str) -> bool:
    """Three groups of digits joined by hyphens, as Whisper prints a reference it heard
    wrong ("76-21-26" for "seventy-six stroke twenty thousand and twenty-one stroke
    twenty-six"); not a phone number (a 0 first) nor a date."""
    return any(
        not DATE.fullmatch(found.group(0).replace("-", "/")) for found in HYPHENED.finditer(text)
    )


def _slashed_digits(words: str) -> bool:
    """A reference's shape heard without the word "reference": a slash with five digits
    or more in the words around it, not a date (see ``SLASH_BEFORE``)."""
    tokens = words.split()
    for i, token in enumerate(tokens):
        if "/" not in token or DATE.fullmatch(token):
            continue
        near = tokens[max(0, i - SLASH_BEFORE) : i + SLASH_AFTER]
        if sum(ch.isdigit() for t in near for ch in t) >= UNREAD_DIGITS:
            return True
    return False


class CaseRoute:
    """Decides a call by its crime reference; holds the case book and the directory only."""

    def __init__(self, cases: CaseBook, directory: Directory) -> None:
        self.cases = cases
        self.directory = directory

    def keyed(self, digits: str) -> Draft | None:
        """A reference keyed (``4218734#24``, ``42*18734*24``); None when it is not one.

        Keys are read exactly, so a keyed reference not in the case book goes to a person,
        and is never read back as the case a digit away: that would tell anyone keying
        references in turn which of them exist (a misheard digit is speech's, not the
        keypad's)."""
        if len(digits) <= 1:
            return None
        reference = parse_reference(digits)
        if reference is None:
            return None
        return self.route(reference, f"keyed {digits}")

    def said(self, hypotheses: Sequence[Hypothesis]) -> Draft | None:
        """The first recognition alternative that holds a reference decides; a near miss in
        any alternative is confirmed; a reference announced and not heard whole is asked
        for on the keypad; None when nothing said is or nearly is a reference."""
        parsed = {h.text: parse_reference(h.text) for h in hypotheses}
        heard = next((h for h in hypotheses if parsed[h.text] is not None), None)
        near = [h for h in hypotheses if reference_readings(h.text) or digit_runs(h.text)]
        said = heard or (near[0] if near else None)
        top = hypotheses[0] if hypotheses else None
        if said is None:
            return self._unread(top)
        whole = frozenset(text for text, reference in parsed.items() if reference is not None)
        decided = self._decide(
            parsed[said.text], [h.text for h in near], f"said {quote(said.text)}", whole
        )
        return decided or self._unread(top)

    def _unread(self, top: Hypothesis | None) -> Draft | None:
        """ "Reference forty two slash the road two seven one nine ...": the caller said a
        reference (the word, then digits) that no reading makes whole. Routing on the rest
        ("an update": a tracking link) would drop the case they named; the keypad reads it
        exactly (``ask_reference``). Five digits at least, so "reference to the flat at 42"
        is no reference; four with a separator after them ("my reference and they rode do
        one one nine three stroke it")."""
        if top is None:
            return None
        digits = spoken_digits(top.text)
        announced = ANNOUNCED.search(digits)
        if announced is not None:
            after = digits[announced.end() : announced.end() + UNREAD_SPAN]
            said = sum(ch.isdigit() for ch in after)
            if said < UNREAD_DIGITS and not (said >= UNREAD_SLASHED and "/" in after):
                return None
        elif not _slashed_digits(digits) and not _hyphened(top.text):
            return None
        return Draft(
            "reprompt",
            None,
            "reference-unread",
            [
                f"a crime reference was said ({quote(top.text)}) but not heard whole:"
                " asked for on the keypad"
            ],
            SOURCE,
            message=Ask.REFERENCE.prompt,
            ask=Ask.REFERENCE,
            evidence={"heard": top.text, "ask": Ask.REFERENCE.value},
        )

    def _decide(
        self, reference: str | None, texts: Sequence[str], how: str, whole: frozenset[str]
    ) -> Draft | None:
        """The exact reference routes; else one case within a digit of what was said or
        keyed is confirmed (the reference read back, never its status); else a person.
        ``whole``: the texts that are a reference said whole."""
        if reference is not None and self.cases.get(reference) is not None:
            return self.route(reference, how)
        # A reference said whole is read as one (its force and year as said: CaseBook.near);
        # only words that are no reference are read as bare digits too.
        runs = [
            run
            for text in texts
            for run in (
                *reference_readings(text),
                *(digit_runs(text) if text not in whole else ()),
            )
        ]
        near, relation = self.cases.near(runs), WITHIN_A_DIGIT
        if not near:
            near, relation = self.cases.holding(runs), SERIAL_INSIDE
        if len(near) == 1:
            return self._confirm(near[0], reference or runs[0], how, relation)
        if reference is None:
            return None
        draft = self.route(reference, how)
        if near:
            draft.reasons.append(f"{len(near)} cases {relation} it: not guessed")
            draft.evidence["near_cases"] = len(near)
        return draft

    def _confirm(self, case: Case, heard: str, how: str, relation: str) -> Draft:
        """Ask "Is your crime reference ...?" before the case decides anything: a misheard
        digit must not put a caller through to (or tell them about) someone else's case."""
        routed = self.route(case.reference, how)
        assert routed.destination is not None
        place = routed.candidates[0] if routed.candidates else None
        candidate = Candidate(
            routed.destination,
            place.name if place else f"crime reference {case.reference}",
            NEAR_SCORE,
            f"reference {case.reference} is {relation} {heard}",
        )
        return Draft(
            "confirm",
            routed.destination,
            "reference-near",
            [
                f"crime reference {heard} ({how}) is not in the case book;"
                f" {case.reference} is {relation} it → confirm the reference"
            ],
            SOURCE,
            candidates=(candidate,),
            evidence={"reference_heard": heard, CONFIRM_REFERENCE: case.reference},
        )

    def route(self, reference: str, how: str) -> Draft:
        case = self.cases.get(reference)
        evidence: dict[str, Any] = {"reference": reference}
        if case is None:
            return Draft(
                "route",
                SWITCHBOARD,
                REFERENCE_UNKNOWN,
                [f"crime reference {reference} ({how}) not in the case book → a person checks it"],
                SOURCE,
                evidence=evidence,
            )
        public = case.public_status
        evidence.update(officer_id=case.officer_id, status=case.status, public_status=public.value)
        told = f"crime reference {reference} ({how}), status {public.value}"
        officer = self.directory.get(case.officer_id)
        if public is PublicStatus.CLOSED_NFA or (public.closed and officer is None):
            why = "no further action" if public is PublicStatus.CLOSED_NFA else "closed"
            return Draft(
                "route",
                RC,
                "reference-closed",
                [f"{told}: case closed, {why} → Resolution Centre"],
                SOURCE,
                message=public.prompt,
                evidence=evidence,
            )
        if officer is None:
            return Draft(
                "route",
                ONLINE,
                "reference-no-officer",
                [
                    f"{told}; officer {case.officer_id!r} not in the directory"
                    " → tracking link by SMS"
                ],
                SOURCE,
                message=public.prompt,
                offers=["deflect-sms"],
                evidence=evidence,
            )
        return Draft(
            "route",
            officer.destination,
            "reference-officer",
            [f"{told} → officer in charge {officer.spoken_name}"],
            SOURCE,
            candidates=(
                Candidate(
                    officer.destination, officer.spoken_name, 1.0, f"in charge of {reference}"
                ),
            ),
            message=public.prompt,
            offers=[STATUS_SMS],
            evidence=evidence,
        )
