"""DecisionPlan: the verbs that carry out one routing Decision (FlowBuilder.act_on).

A route, with a crime reference's case update first (its status heard, then
offered by text: ivr.flows.case_update); the danger check (ivr.verbs.danger); a
confirmation or a pick (each also
takes a crime reference keyed or said: ivr.verbs.choice); or the next
question: a crime reference, a name, the menu again. Kept apart from the
FlowBuilder, which plans every other step, so each stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ivr.decisions import EMERGENCY, SWITCHBOARD, Ask, Decision
from ivr.flow_settings import FlowSettings
from ivr.flows.case_update import CaseUpdate
from ivr.notify.texts import Texts
from ivr.routing.case_route import reference_to_confirm
from ivr.session.emergency import DangerCheck
from ivr.session.model import Prompts, Verb
from ivr.verbs import Play
from ivr.verbs.danger import AskDanger
from ivr.verbs.incident import Notices, PlayNotices
from ivr.verbs.route import Confirm, Disambiguate, IfListening, RouteCall

__all__ = ["MENU", "REFERENCE_DIGITS", "DecisionPlan", "FlowParts"]

MENU = ("main_menu", "main_menu_more")
REFERENCE_DIGITS = 16  # keys a crime reference may take ("42*1234567*24#")


class FlowParts(Protocol):
    """What a DecisionPlan needs of the flow (ivr.flows.builder.FlowBuilder)."""

    @property
    def settings(self) -> FlowSettings: ...
    @property
    def prompts(self) -> Prompts: ...
    @property
    def texts(self) -> Texts | None: ...
    @property
    def notices(self) -> Notices | None: ...
    @property
    def danger_check(self) -> DangerCheck: ...

    def ask(
        self,
        question: Sequence[str],
        *,
        max_digits: int = 1,
        attempt: int = 1,
        spoken: Sequence[str] | None = None,
    ) -> RouteCall: ...
    def route_to(
        self,
        destination: str,
        message: str | None = None,
        *,
        offers: Sequence[str] = (),
        intent: str = "",
        offer_rule: str = "",
    ) -> Sequence[Verb]: ...


class DecisionPlan:
    """Plans one Decision made at the ``attempt``-th asking; holds no state of its own."""

    def __init__(self, flow: FlowParts) -> None:
        self.flow = flow

    def verbs(self, decision: Decision, attempt: int) -> Sequence[Verb]:
        flow = self.flow
        timeout = flow.settings.first_digit_timeout
        if decision.action == "route" and decision.destination:
            return self._route(decision)
        if decision.is_danger_check:
            return [AskDanger(decision, flow.danger_check, attempt=attempt)]
        if decision.action == "confirm" and decision.candidates:
            reference = reference_to_confirm(decision)  # a reference heard nearly right
            return [
                Confirm(
                    decision.candidates[0],
                    attempt=attempt,
                    first_digit_timeout=timeout,
                    reference=reference,
                )
            ]
        if decision.action == "disambiguate" and decision.candidates:
            # The engine lists every candidate it weighed; it names the close ones to offer.
            chosen = set(decision.evidence.get("choices") or ())
            offer = [c for c in decision.candidates if c.destination in chosen] or list(
                decision.candidates
            )
            return [Disambiguate(offer, attempt=attempt, first_digit_timeout=timeout)]
        again = attempt + 1
        if decision.ask is Ask.REFERENCE:
            return [flow.ask(["ask_reference"], max_digits=REFERENCE_DIGITS, attempt=again)]
        if decision.ask is Ask.NAME:
            # A name needs speech; a call that cannot listen gets a person instead.
            return [
                IfListening(
                    then=[flow.ask(["ask_name"], spoken=["ask_name"], attempt=again)],
                    otherwise=flow.route_to(SWITCHBOARD),
                )
            ]
        sorry = decision.message or "ask_again"
        if sorry not in flow.prompts:
            sorry = "ask_again"
        return [Play([sorry]), flow.ask(MENU, attempt=again)]

    def _route(self, decision: Decision) -> list[Verb]:
        flow = self.flow
        assert decision.destination
        lead: list[Verb] = []
        if flow.notices is not None and decision.destination != EMERGENCY:
            # Messages for callers whose words matched an intent or a place: heard
            # before they are put through (an emergency never waits for one).
            lead.append(PlayNotices(flow.notices, matched=True, intent=decision.intent or ""))
        update = CaseUpdate.of(decision)  # a crime reference: its status is heard first
        route = flow.route_to(
            decision.destination,
            message=None if update and update.says(decision.message) else decision.message,
            offers=decision.offers,
            intent=decision.intent or "",
            offer_rule=str((decision.evidence.get("offered_by") or {}).get("callback", "")),
        )
        if update is not None:
            timeout = flow.settings.first_digit_timeout
            route = update.verbs(route, flow.prompts, flow.texts, timeout)
        return [*lead, *route]
