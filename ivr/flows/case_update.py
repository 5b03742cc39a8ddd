"""CaseUpdate: what a caller with a crime reference hears before being put through.

The RoutingEngine (ivr.routing.case_route) names the case's public status in
the Decision (``public_status`` and ``reference`` in its evidence, the status
prompt as its ``message``, ``status-sms`` among its offers). This plays the
status first, then offers it by text where it may be sent, then carries on
with the route (the officer, the Resolution Centre, the tracking link).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ivr.decisions import EMERGENCY, Decision
from ivr.notify.texts import Texts
from ivr.routing.case_status import STATUS_SMS, PublicStatus
from ivr.session.model import Prompts, Verb
from ivr.verbs import Play
from ivr.verbs.status_text import OfferStatusText


@dataclass(frozen=True)
class CaseUpdate:
    """A route decided by a crime reference: its reference and what may be said of it."""

    reference: str
    status: PublicStatus
    text_offered: bool

    @classmethod
    def of(cls, decision: Decision) -> CaseUpdate | None:
        """The update a Decision carries; None for every other route (and an emergency)."""
        public = decision.evidence.get("public_status")
        reference = decision.evidence.get("reference")
        if decision.destination == EMERGENCY or not public or not isinstance(reference, str):
            return None
        try:
            status = PublicStatus(public)
        except ValueError:
            return None  # a Decision from before a status was renamed: no status heard
        return cls(reference, status, STATUS_SMS in decision.offers)

    def says(self, message: str | None) -> bool:
        """True when ``message`` is this status's prompt (played here, not by the route)."""
        return message == self.status.prompt

    def verbs(
        self,
        route: Sequence[Verb],
        prompts: Prompts,
        texts: Texts | None,
        first_digit_timeout: float,
    ) -> list[Verb]:
        """The status, the text offer (an open case, with an SMS gateway), then ``route``."""
        lead: list[Verb] = []
        if self.status.prompt in prompts:
            lead.append(Play([self.status.prompt], barge_in=False))
        if not self.text_offered or texts is None:
            return [*lead, *route]
        offer = OfferStatusText(
            texts, self.reference, self.status, route, first_digit_timeout=first_digit_timeout
        )
        return [*lead, offer]
