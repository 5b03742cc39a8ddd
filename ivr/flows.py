"""The 101 call flow: verbs composed from settings and the routing Decision.

The verbs gather answers; the RoutingEngine decides what they mean; this
module turns each Decision into the next verbs (confirm, choose, transfer,
ask again), so changing the rules never means changing the flow code.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from ivr.chores import Chores
from ivr.directory import DirectoryEntry
from ivr.flow_settings import FlowSettings
from ivr.notify.texts import Texts
from ivr.queues.service import QueueService
from ivr.routing.model import DIRECTORY_PREFIX, Candidate, Decision, Hypothesis, RoutingInputs
from ivr.routing.text import normalise
from ivr.session.emergency import DangerAnswer
from ivr.session.notes import QueuePlace
from ivr.session.reconciler import Adoption
from ivr.session.session import CallSession, Prompts, Verb
from ivr.verbs import Answer, Hangup, Play, StayConnected, Transfer
from ivr.verbs.deflect import OfferLink
from ivr.verbs.queue import CallbackDesk, QueueDial, WaitInQueue
from ivr.verbs.resume import BookedCallbacks, Resume
from ivr.verbs.route import Confirm, Disambiguate, IfListening, RouteCall, choose, spoken_yes_no
from ivr.verbs.transfer import FollowLeg, Target

log = logging.getLogger(__name__)

_TRANSFER_PROMPT = {
    "rc": "transfer_rc",
    "fcr": "transfer_fcr",
    "emergency": "transfer_emergency",
    "switchboard": "transfer_switchboard",
}
MENU = ("main_menu", "main_menu_more")
SPOKEN_MENU = ("ask_speech", *MENU)
REFERENCE_DIGITS = 16


class Routing(Protocol):
    """What the flow needs of the live ruleset (ivr.routing.service.RoutingService)."""

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
    ) -> None:
        """``queues``: the app-run queues (None: every destination rings [destinations]).

        ``desk`` takes callbacks and ``booked`` knows them after a restart; ``texts``
        sends links and abandoned-call texts (None: no SMS, so no deflection offer and the
        online route just tells the caller).
        """
        self.settings = settings
        self.routing = routing
        self.prompts = prompts
        self.queues = queues
        self.desk = desk
        self.booked = booked
        self.texts = texts
        self.chores = Chores()  # texts after abandoned calls (settled at shutdown)

    def inbound(self) -> list[Verb]:
        return [Answer(), Play(["welcome"]), self.ask(MENU)]

    def adopted(self, adoption: Adoption) -> list[Verb]:
        """A call found in Stasis with no session: rejoin its conversation, or ask again."""
        if adoption.bridge_id is not None and adoption.legs:
            return [StayConnected(adoption.legs, on_end=self._agents_back(adoption))]
        return [
            Resume(
                self.booked,
                adoption.place,
                rejoin=self._rejoin,
                ask_again=lambda: [Play(["ask_again"]), self.ask(MENU)],
                emergency=self.emergency if adoption.emergency else None,
            )
        ]

    def _rejoin(self, place: QueuePlace) -> list[Verb]:
        """Back in the queue a restart took them from, at their own place."""
        if self.queues is None or not self.queues.runs(place.queue):
            # That queue is no longer ours (queues.yaml or [agents] changed with the restart).
            if place.emergency:
                return list(self.emergency())  # never the menu for an emergency
            return [Play(["ask_again"]), self.ask(MENU)]
        return [
            *self.reach(place.queue, urgent=place.emergency, joined_at=place.joined_at),
            Hangup("no_one_available", outcome="unanswered"),
        ]

    def _agents_back(self, adoption: Adoption) -> Callable[[], None] | None:
        """Agents still talking on an adopted call are busy until it ends, then wrap up."""
        queues = self.queues
        if queues is None:
            return None
        call_id = adoption.bridge_id or ""
        claimed = {
            c[0]: c
            for cid, name in adoption.channels
            if (c := queues.claim_agent(cid, name, call_id))
        }
        if not claimed:
            return None

        def free() -> None:
            for agent_id, queue in claimed.values():
                queues.agent_done(agent_id, queue)

        return free

    def ask(self, question: Sequence[str], *, max_digits: int = 1) -> RouteCall:
        return RouteCall(
            question,
            self.routing,
            self.act_on,
            max_digits=max_digits,
            first_digit_timeout=self.settings.first_digit_timeout,
            spoken_question=SPOKEN_MENU if tuple(question) == MENU else None,
            waits=self.queues.waits if self.queues is not None else None,
        )

    def act_on(self, decision: Decision, asked: RouteCall) -> Sequence[Verb]:
        """The verbs that carry out a Decision."""
        if decision.action == "route" and decision.destination:
            return self.route_to(
                decision.destination,
                message=decision.message,
                offers=decision.offers,
                intent=decision.intent or "",
                offer_rule=str((decision.evidence.get("offered_by") or {}).get("callback", "")),
            )
        if decision.action == "confirm" and decision.candidates:
            top = decision.candidates[0]
            return [
                Confirm(
                    top,
                    self.name_media,
                    on_yes=lambda: [asked.with_confirmed(top.destination)],
                    on_no=lambda: [asked.again(MENU, spoken_question=SPOKEN_MENU)],
                    on_unclear=lambda: self.route_to("switchboard"),
                    first_digit_timeout=self.settings.first_digit_timeout,
                )
            ]
        if decision.action == "disambiguate" and decision.candidates:
            # The engine lists every candidate it weighed; it names the close ones to offer.
            chosen = set(decision.evidence.get("choices") or ())
            offer = [c for c in decision.candidates if c.destination in chosen] or list(
                decision.candidates
            )
            return [
                Disambiguate(
                    offer,
                    self.name_media,
                    on_choice=lambda c: [asked.with_confirmed(c.destination)],
                    on_none=lambda: self.route_to("switchboard"),
                    first_digit_timeout=self.settings.first_digit_timeout,
                )
            ]
        if decision.message == "ask_reference":
            return [asked.again(["ask_reference"], max_digits=REFERENCE_DIGITS)]
        if decision.message == "ask_name":
            # A name needs speech; a call that cannot listen gets a person instead.
            return [
                IfListening(
                    then=[asked.again(["ask_name"], spoken_question=["ask_name"])],
                    otherwise=self.route_to("switchboard"),
                )
            ]
        sorry = decision.message or "ask_again"
        if sorry not in self.prompts:
            sorry = "ask_again"
        return [Play([sorry]), asked.again(MENU, spoken_question=SPOKEN_MENU)]

    def name_media(self, candidate: Candidate) -> list[str]:
        """Audio that names a candidate: a rendered name, or the destination's own prompt."""
        if candidate.destination.startswith(DIRECTORY_PREFIX):
            entry_id = candidate.destination.removeprefix(DIRECTORY_PREFIX)
            return [self.prompts.sound_uri("names/" + entry_id)]
        return [self.prompts.media_uri(f"dest_{candidate.destination}")]

    def route_to(
        self,
        destination: str,
        message: str | None = None,
        *,
        offers: Sequence[str] = (),
        intent: str = "",
        offer_rule: str = "",
    ) -> Sequence[Verb]:
        """``offer_rule``: the rule that offered a callback (named when it is offered)."""
        if destination == "online":
            told: list[Verb] = [Play(["online_info"], barge_in=False), Hangup("goodbye")]
            if self.texts is None:
                return told  # no SMS gateway: tell them where to go instead
            # "To speak to someone instead, press 2": the Resolution Centre takes reports.
            # A landline cannot take the link: tell them where to go, as without a gateway.
            return [
                OfferLink(
                    self.texts,
                    self.route_to("rc"),
                    prompt=_offer_prompt(message),
                    not_offered=told,
                )
            ]
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
            *self.reach(destination, offers=offers, intent=intent, offer_rule=offer_rule),
            Hangup("no_one_available", outcome="unanswered"),
        ]
        if deflect and self.texts is not None:
            return [*lead, OfferLink(self.texts, reach, prompt=_offer_prompt(message))]
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
        queue restored after a restart.
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
                        on_full=functools.partial(self._after_full, rest, urgent),
                        announce_every=self.settings.queue_announce_every,
                        emergency=urgent,
                        give_up_after=self.settings.emergency_wait_s if urgent else None,
                        quiet=self._quiet,
                        offer_callback="callback" in offers and name == destination,
                        offer_rule=offer_rule,
                        intent=intent,
                        on_abandoned=self._abandoned,
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
            return [Hangup("no_one_available", outcome="unanswered")]
        return [
            Play(["agent_unavailable"], barge_in=False),
            *self.reach(rest[0], urgent=urgent),
            Hangup("no_one_available", outcome="unanswered"),
        ]

    def _quiet(self, session: CallSession) -> bool:
        return self.texts is not None and self.texts.is_quiet(session.categories, session.heard)

    def _abandoned(self, session: CallSession, waited_s: float) -> None:
        after = self.settings.abandoned_sms_after_s
        if self.texts is None or after <= 0 or waited_s < after:
            return
        self.chores.spawn(
            self.texts.abandoned(
                session.call_id,
                session.info.caller_number,
                categories=frozenset(session.categories),
                heard=tuple(session.heard),
            )
        )

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

    async def settle_for_emergency(self, session: CallSession) -> None:
        """A caller who breaks out to 999 after booking a callback (during the thanks, the
        goodbye, anywhere) has it taken back whole: its place, the book, any attempt;
        else a restart hours later would still ring them."""
        if session.outcome != "callback" or self.desk is None:
            return
        withdrawn = False
        try:
            withdrawn = await self.desk.withdraw(session.call_id, "emergency")
        except Exception as exc:
            session.record("callback-withdraw-failed", error=type(exc).__name__, message=str(exc))
        if withdrawn:
            session.record("callback-withdrawn", reason="emergency")
        elif self.queues is not None:
            self.queues.leave(session.call_id, where="moved-on")
        session.withdraw_outcome("callback")

    def emergency(self) -> Sequence[Verb]:
        """The emergency route a caller breaks out to from any step (ivr.session.emergency)."""
        return self.route_to("emergency")

    async def danger_check(self, session: CallSession, decision: Decision) -> DangerAnswer:
        """Asked at once when words out of the menu carry a danger cue: 9 or yes, or
        silence, or anything unclear, is an emergency; only 2 or a plain no carries on.

        A reply with danger in it is danger, whatever else it says ("no, he's not
        breathing"); a no is only a no when it says nothing else ("no", "not an
        emergency", "no thanks, I'm fine").
        """

        def said(text: str) -> str | None:
            if self.routing.breakout((Hypothesis(text, 1.0),), None) is not None:
                return "9"
            words = normalise(text).split()
            if words and all(word in PLAIN_NO for word in words) and words[0] in NO_FIRST:
                return "2"
            return "9" if spoken_yes_no(text) == "1" else None

        await session.control.hold_music(False)  # on hold: the question must be heard
        key, how = await choose(
            session,
            [session.prompts.media_uri("danger_check")],
            {"9", "2"},
            said,
            self.settings.first_digit_timeout,
            tries=1,
            breakout=False,
        )
        # Not the words (said on hold, say): the decision that follows keeps them if it is one.
        session.record("danger-check", rule=decision.rule, answer=how)
        return DangerAnswer(key != "2", how)

    def step_down(self) -> list[Verb]:
        """After a refused request: apologise and put the caller through to a person.

        Straight to the switchboard's line, not its queue: a failing call should not
        also wait.
        """
        return [
            Play(["technical_difficulty"], barge_in=False),
            self._transfer([Target("switchboard", self.settings.destinations["switchboard"])]),
            Hangup("no_one_available", outcome="unanswered"),
        ]

    def callback_call(
        self, agent_first: bool, other_endpoint: str, queue: str, agent: str = ""
    ) -> list[Verb]:
        """The verbs of a callback once its first side has answered (ivr.queues.placement runs it).

        ``agent``: when the caller was rung first, the agent the second leg rings.
        """
        target = (
            Target(f"callback:{queue}", other_endpoint)
            if agent_first
            else Target(queue, other_endpoint, agent=agent)
        )
        ring = Transfer(
            [target],
            ring_timeout=self.settings.callback_ring_timeout,
            caller_id=self.settings.caller_id,
        )
        intro = "callback_agent_intro" if agent_first else "callback_greeting"
        return [Play([intro], barge_in=False), ring, _callback_unanswered(agent_first)]

    def callback_failed(self) -> list[Verb]:
        """A callback's own fallback: its legs have no caller in the IVR to step down for."""
        return [Hangup("technical_difficulty", outcome="failed")]

    def callback_resumed(
        self, agent_first: bool, other_endpoint: str, queue: str, agent: str, ringing: str
    ) -> list[Verb]:
        """A callback whose first side answered before a restart: the leg it was ringing
        then (``ringing``, from ``Note.RINGING``) is followed, never rung again; with none,
        the other side is rung as usual."""
        if not ringing:
            return self.callback_call(agent_first, other_endpoint, queue, agent)
        follow = FollowLeg(
            ringing,
            f"callback:{queue}" if agent_first else queue,
            ring_timeout=self.settings.callback_ring_timeout,
        )
        return [follow, _callback_unanswered(agent_first)]


def _callback_unanswered(agent_first: bool) -> Hangup:
    """The end of a callback whose second side did not answer (the outcome is read by
    ivr.queues.placement)."""
    if agent_first:
        return Hangup("callback_no_answer", outcome="callback-no-answer")
    return Hangup("no_one_available", outcome="callback-agent-no-answer")


# A spoken no to the danger check: it must start with a no word and say nothing else.
NO_FIRST = frozenset({"no", "nope", "nah", "not", "nobody", "it's", "its", "i'm", "im"})
PLAIN_NO = NO_FIRST | frozenset(
    {"thanks", "thank", "you", "fine", "ok", "okay", "an", "emergency", "all", "right", "im"}
)


def _offer_prompt(message: str | None) -> str:
    return message if message and message.endswith("_offer") else "online_sms_offer"
