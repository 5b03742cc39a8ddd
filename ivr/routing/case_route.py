"""CaseRoute: a crime reference, keyed or said, to the case's public status and who takes the call.

A stage of the RoutingEngine (after keys, before names and intents), kept
apart so the engine's own stages stay about matching. The Decision carries
the status prompt as its ``message`` (played before the transfer, as the
emergency advice is) and, for an open case, the ``status-sms`` offer. A
closed case has nobody working on it: the Resolution Centre takes new
information, so it goes there, not to the officer who once had it.

The evidence keeps both the public status and the records system's own words
(``status``): the decision log is the force's internal record, read by staff
who see the case in the records system anyway, and an admin needs the free
text beside the public status to see why the keyword table read it so. What
reaches the caller (prompt, text) is built from the public status alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ivr.decisions import ONLINE, RC, SWITCHBOARD, Candidate, Hypothesis
from ivr.directory import Directory
from ivr.routing.case_status import STATUS_SMS, PublicStatus
from ivr.routing.cases import CaseBook
from ivr.routing.draft import Draft, quote
from ivr.routing.references import parse_reference

__all__ = ["CaseRoute"]

SOURCE = "reference"


class CaseRoute:
    """Decides a call by its crime reference; holds the case book and the directory only."""

    def __init__(self, cases: CaseBook, directory: Directory) -> None:
        self.cases = cases
        self.directory = directory

    def keyed(self, digits: str) -> Draft | None:
        """A reference keyed (``4218734#24``, ``42*18734*24``); None when it is not one."""
        if len(digits) <= 1:
            return None
        reference = parse_reference(digits)
        return self.route(reference, f"keyed {digits}") if reference else None

    def said(self, hypotheses: Sequence[Hypothesis]) -> Draft | None:
        """The first recognition alternative that holds a reference, else None."""
        for hypothesis in hypotheses:
            reference = parse_reference(hypothesis.text)
            if reference is not None:
                return self.route(reference, f"said {quote(hypothesis.text)}")
        return None

    def route(self, reference: str, how: str) -> Draft:
        case = self.cases.get(reference)
        evidence: dict[str, Any] = {"reference": reference}
        if case is None:
            return Draft(
                "route",
                SWITCHBOARD,
                "reference-unknown",
                [f"crime reference {reference} ({how}) not in the case book → a person checks it"],
                SOURCE,
                evidence=evidence,
            )
        public = case.public_status
        evidence.update(officer_id=case.officer_id, status=case.status, public_status=public.value)
        told = f"crime reference {reference} ({how}), status {public.value}"
        if public.closed:
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
        officer = self.directory.get(case.officer_id)
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
