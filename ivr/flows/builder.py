"""FlowBuilder: the 101 call flow, verbs composed from settings and the routing Decision.

The verbs gather answers; the RoutingEngine decides what they mean; the verbs end with
a step (ivr.session.steps) and this plans its verbs (confirm, choose, transfer, ask
again): changing the rules never means changing the flow code; no verb calls back.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Protocol

from ivr.decisions import DIRECTORY_PREFIX, SWITCHBOARD, Decision, Hypothesis
from ivr.directory import DirectoryEntry
from ivr.flow_settings import FlowSettings
from ivr.flows.callbacks import CallbackFlows, CallbackRing
from ivr.flows.decision_plan import MENU, REFERENCE_DIGITS, DecisionPlan
from ivr.flows.emergency import CallbackWithdrawal, DangerCheck
from ivr.flows.sms_offers import SmsOffers
from ivr.notify.abandoned import AbandonedCallTexts
from ivr.notify.texts import Texts
from ivr.queues.service import QueueService
from ivr.routing.model import RoutingInputs
from ivr.session.emergency import BreakOut
from ivr.session.model import Prompts, Verb
from ivr.session.notes import QueuePlace
from ivr.session.outcomes import CallOutcome
from ivr.session.reconciler import Adoption
from ivr.session.steps import (
    OPERATOR_PREFIX,
    Answered,
    AskAgain,
    Chosen,
    Decided,
    EmergencyRoute,
    MoveTo,
    PassOn,
    Rejoin,
    Step,
    ToOperator,
    ToPerson,
)
from ivr.verbs import Answer, Hangup, Play, StayConnected, Transfer
from ivr.verbs.callback_offer import CallbackDesk
from ivr.verbs.chat_offer import ChatOffering
from ivr.verbs.incident import Notices, PlayNotices
from ivr.verbs.queue import QueueDial, WaitInQueue
from ivr.verbs.resume import BookedCallbacks, Resume
from ivr.verbs.route import RouteCall
from ivr.verbs.transfer import Target

log = logging.getLogger(__name__)

_TRANSFER_PROMPT = {
    "rc": "transfer_rc",
    "fcr": "transfer_fcr",
    "emergency": "transfer_emergency",
    "switchboard": "transfer_switchboard",
}
SPOKEN_MENU = ("ask_speech", *MENU)
# At a one-key question (the menu, a name) each key is a whole answer but star, which
# starts a crime reference ("*42*18734*24#"): no one-key choice waits for more keys.
ONE_KEY_ANSWERS = frozenset("0123456789#")


class Routing(Protocol):
    """What the flow needs of the live ruleset (ivr.routing.service.RoutingService)."""

    @property
    def emergency_key(self) -> str | None: ...

    def decide(self, inputs: RoutingInputs) -> Decision: ...
    def directory_entry(self, entry_id: str) -> DirectoryEntry | None: ...
    def breakout(self, hypotheses: Sequence[Hypothesis], digits: str | None) -> Decision | None: ...


class FlowBuilder:
    """Makes the verb lists for the call flow; one instance per app."""

    def __init__(
        self,
        settings: FlowSettings,
        routing: Routing,
        prompts: Prompts,
        *,
        queues: QueueService | None = None,
        desk: CallbackDesk | None = None,
        texts: Texts | None = None,
        booked: BookedCallbacks | None = None,
        notices: Notices | None = None,
        chat: ChatOffering | None = None,
    ) -> None:
        """``queues``: the app-run queues (None: every destination rings [destinations]).

        ``notices``: the incident and outage messages operators switch on (None: none).

        ``desk`` takes callbacks and ``booked`` knows them after a restart; ``texts``
        sends links and abandoned-call texts (None: no SMS, so no deflection offer and the
        online route just tells the caller); ``chat`` (ivr.chat.desk.ChatDesk) offers
        live chat there instead while it can answer (None: the link only).
        """
        self.settings = settings
        self.routing = routing
        self.prompts = prompts
        self.queues = queues
        self.desk = desk
        self.booked = booked
        self.texts = texts
        self.notices = notices
        self.chat = chat
        self.abandoned = (
            AbandonedCallTexts(texts, settings.abandoned_sms_after_s) if texts else None
        )
        self.callbacks = CallbackFlows(
            CallbackRing(settings.callback_ring_timeout, settings.caller_id)
        )

    def for_call(self, routing: Routing) -> FlowBuilder:
        """This flow for one call, routed by ``routing`` (the rules live when it began:
        ``RoutingService.pinned``), so a publish mid-call never changes its rules."""
        flows = copy.copy(self)
        flows.routing = routing
        return flows

    def use_notices(self, notices: Notices) -> None:
        """Play the operators' incident messages from the next call on (the console's)."""
        self.notices = notices

    def inbound(self) -> list[Verb]:
        if self.notices is None:
            return [Answer(), Play(["welcome"]), self.ask(MENU)]
        # Messages for every caller come right after the welcome, before the menu.
        return [Answer(), Play(["welcome"]), PlayNotices(self.notices), self.ask(MENU)]

    def adopted(self, adoption: Adoption) -> list[Verb]:
        """A call found in Stasis with no session: rejoin its conversation, or ask again.
        (One nobody answered yet is not adopted: the Reconciler starts it as a new call.)"""
        if adoption.bridge_id is not None and adoption.legs:
            agents = None
            if self.queues is not None:
                # Agents still talking on it are busy until it ends, then wrap up.
                call_id = adoption.bridge_id or ""
                agents = self.queues.claim_agents(adoption.channels, call_id)
            return [StayConnected(adoption.legs, agents)]
        place, emergency, checking = adoption.place, adoption.emergency, adoption.checking
        return [Resume(self.booked, place, emergency=emergency, checking=checking)]

    def verbs_for(self, step: Step) -> Sequence[Verb]:
        """The Plan: what carries out the step a verb ended with."""
        match step:
            case Decided(decision, attempt):
                return self.act_on(decision, attempt)
            case Chosen(destination, attempt):
                # The router decides once more: hours, overrides and rules still apply.
                return [self.ask((), attempt=attempt, confirmed=destination)]
            case Answered(_, _, attempt):
                # A reference said or keyed at a confirmation: the router decides on it.
                return [self.ask((), attempt=attempt, answered=step)]
            case AskAgain(attempt, sorry):
                lead: list[Verb] = [Play([sorry])] if sorry else []
                return [*lead, self.ask(MENU, attempt=attempt + 1)]
            case ToPerson():
                return self.route_to(SWITCHBOARD)
            case PassOn(_, chain, urgent):
                return self._after_full(chain, urgent)
            case Rejoin(place):
                return self._rejoin(place)
            case EmergencyRoute():
                return self.emergency()
            case MoveTo(destination, joined_at):
                return self.route_to(destination, joined_at=joined_at)
            case ToOperator(name, endpoint):
                return self._to_operator(name, endpoint)

    def _rejoin(self, place: QueuePlace) -> list[Verb]:
        """Back in the queue a restart took them from, at their own place."""
        if self.queues is None or not self.queues.runs(place.queue):
            # That queue is no longer ours (queues.yaml or [agents] changed with the restart).
            if place.emergency:
                return list(self.emergency())  # never the menu for an emergency
            return [Play(["ask_again"]), self.ask(MENU)]
        return [
            *self.reach(place.queue, urgent=place.emergency, joined_at=place.joined_at),
            Hangup("no_one_available", outcome=CallOutcome.UNANSWERED),
        ]

    def ask(
        self,
        question: Sequence[str],
        *,
        max_digits: int = 1,
        attempt: int = 1,
        spoken: Sequence[str] | None = None,
        confirmed: str | None = None,
        answered: Answered | None = None,
    ) -> RouteCall:
        """The router asks ``question`` (``spoken`` instead while the call can listen;
        the menu's spoken form by default). No question: it only decides on what the
        caller ``confirmed``, or ``answered`` to another question."""
        one_key = max_digits == 1
        return RouteCall(
            question,
            self.routing,
            attempt=attempt,
            max_digits=REFERENCE_DIGITS if one_key else max_digits,
            single_keys=ONE_KEY_ANSWERS if one_key else (),
            first_digit_timeout=self.settings.first_digit_timeout,
            confirmed=confirmed,
            answered=answered,
            spoken_question=spoken or (SPOKEN_MENU if tuple(question) == MENU else None),
            waits=self.queues.waits if self.queues is not None else None,
        )

    def act_on(self, decision: Decision, attempt: int) -> Sequence[Verb]:
        """The verbs that carry out a Decision made at the ``attempt``-th asking."""
        return DecisionPlan(self).verbs(decision, attempt)

    def route_to(
        self,
        destination: str,
        message: str | None = None,
        *,
        offers: Sequence[str] = (),
        intent: str = "",
        offer_rule: str = "",
        joined_at: float | None = None,
    ) -> Sequence[Verb]:
        """``offer_rule``: the rule that offered a callback (named when it is offered);
        ``joined_at``: a place in ``destination``'s queue kept from another queue."""
        if destination == "online":
            told: list[Verb] = [Play(["online_info"], barge_in=False), Hangup("goodbye")]
            if self.texts is None:
                return told  # no SMS gateway: tell them where to go instead
            # "To speak to someone instead, press 2": the Resolution Centre takes reports.
            # A landline cannot take the link: tell them where to go, as without a gateway.
            texted = SmsOffers(self.texts, self.chat, self.settings.first_digit_timeout)
            otherwise = self.route_to("rc")
            return [texted.offer(otherwise, message=message, not_offered=told, intent=intent)]
        lead: list[Verb] = []
        # An emergency never waits for advice; a message id the catalogue lacks (a rules
        # typo) is skipped rather than failing the call.
        deflect = "deflect-sms" in offers and self.texts is not None and destination != "emergency"
        if message and destination != "emergency" and message in self.prompts and not deflect:
            lead.append(Play([message], barge_in=False))
        if destination.startswith(DIRECTORY_PREFIX):
            if self.routing.directory_entry(destination.removeprefix(DIRECTORY_PREFIX)) is None:
                # The entry went away (a directory re-import): a person finds them instead.
                return self.route_to("switchboard")
            prompt = "transfer_directory"
        else:
            prompt = _TRANSFER_PROMPT.get(destination, "transfer_switchboard")
        # Hangup only runs when every target failed: Transfer ends the flow on success.
        reach: list[Verb] = [
            Play([prompt], barge_in=False),
            *self.reach(
                destination,
                offers=offers,
                intent=intent,
                offer_rule=offer_rule,
                joined_at=joined_at,
            ),
            Hangup("no_one_available", outcome=CallOutcome.UNANSWERED),
        ]
        if deflect and self.texts is not None:
            texted = SmsOffers(self.texts, self.chat, self.settings.first_digit_timeout)
            return [*lead, texted.offer(reach, message=message, intent=intent)]
        return [*lead, *reach]

    def reach(
        self,
        destination: str,
        *,
        offers: Sequence[str] = (),
        intent: str = "",
        urgent: bool = False,
        offer_rule: str = "",
        joined_at: float | None = None,
    ) -> list[Verb]:
        """Ring each target in turn, or wait in an app-run queue (the end of the chain).

        ``urgent``: an emergency being passed on (it keeps its priority, and its limit on
        waiting, in the next queue too). ``joined_at``: a place in ``destination``'s
        queue restored after a restart, or kept by an operator's move between queues.
        """
        urgent = urgent or destination == "emergency"
        endpoints = self._endpoints(destination)
        chain = [destination] + (["fcr"] if destination == "emergency" else []) + ["switchboard"]
        chain = list(dict.fromkeys(chain))
        direct: list[Target] = []
        verbs: list[Verb] = []
        for index, name in enumerate(chain):
            if self.queues is not None and self.queues.runs(name):
                if direct:
                    verbs.append(self._transfer(direct))
                rest = tuple(chain[index + 1 :])
                verbs.append(
                    WaitInQueue(
                        name,
                        self.queues,
                        self.desk,
                        QueueDial(
                            self.settings.ring_timeout,
                            self.settings.caller_id,
                            self.settings.first_digit_timeout,
                        ),
                        on_full=PassOn(name, rest, urgent),
                        announce_every=self.settings.queue_announce_every,
                        emergency=urgent,
                        give_up_after=self.settings.emergency_wait_s if urgent else None,
                        quiet=self.texts,
                        offer_callback="callback" in offers and name == destination,
                        offer_rule=offer_rule,
                        intent=intent,
                        on_abandoned=self.abandoned,
                        joined_at=joined_at if index == 0 else None,
                    )
                )
                return verbs
            if name in endpoints:
                direct.append(Target(name, endpoints[name]))
        if direct:
            verbs.append(self._transfer(direct))
        return verbs

    def _after_full(self, rest: Sequence[str], urgent: bool) -> list[Verb]:
        """A full queue (or an emergency's waiting limit) sends the caller on down the
        chain; nothing left: say so, kindly."""
        if not rest:
            return [Hangup("no_one_available", outcome=CallOutcome.UNANSWERED)]
        return [
            Play(["agent_unavailable"], barge_in=False),
            *self.reach(rest[0], urgent=urgent),
            Hangup("no_one_available", outcome=CallOutcome.UNANSWERED),
        ]

    def _endpoints(self, destination: str) -> dict[str, str]:
        endpoints = dict(self.settings.destinations)
        if destination.startswith(DIRECTORY_PREFIX):
            entry = self.routing.directory_entry(destination.removeprefix(DIRECTORY_PREFIX))
            if entry is not None:
                endpoints[destination] = self.directory_endpoint(entry.extension)
        return endpoints

    def _transfer(self, targets: Sequence[Target]) -> Transfer:
        return Transfer(
            targets, ring_timeout=self.settings.ring_timeout, caller_id=self.settings.caller_id
        )

    def directory_endpoint(self, extension: str) -> str:
        """An extension rings through the dialplan; a full endpoint string is used as is."""
        if "/" in extension:
            return extension
        return self.settings.directory_dial.format(extension=extension)

    def _to_operator(self, name: str, endpoint: str) -> list[Verb]:
        """An operator's own phone, straight (no queue); the switchboard if unanswered."""
        targets = [Target(f"{OPERATOR_PREFIX}{name}", endpoint)]
        switchboard = self.settings.destinations.get(SWITCHBOARD)
        if switchboard:
            targets.append(Target(SWITCHBOARD, switchboard))
        return [
            Play(["transfer_switchboard"], barge_in=False),
            self._transfer(targets),
            Hangup("no_one_available", outcome=CallOutcome.UNANSWERED),
        ]

    def emergency(self) -> Sequence[Verb]:
        """The emergency route a caller breaks out to from any step (ivr.session.emergency)."""
        return self.route_to("emergency")

    @property
    def danger_check(self) -> DangerCheck:
        """Asks "is someone in danger right now?" (a break-out's, or a decision's)."""
        return DangerCheck(self.routing, self.settings.first_digit_timeout)

    def breakout(self) -> BreakOut:
        """What a call needs to break out to 999 from any step."""
        return BreakOut(
            self.routing,
            self.emergency,
            self.danger_check,
            CallbackWithdrawal(self.desk, self.queues),
        )

    def step_down(self) -> list[Verb]:
        """After a refused request: apologise and put the caller through to a person.

        Straight to the switchboard's line, not its queue: a failing call should not
        also wait.
        """
        return [
            Play(["technical_difficulty"], barge_in=False),
            self._transfer([Target("switchboard", self.settings.destinations["switchboard"])]),
            Hangup("no_one_available", outcome=CallOutcome.UNANSWERED),
        ]
