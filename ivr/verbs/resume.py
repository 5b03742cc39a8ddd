"""Resume: a caller found in Stasis after a restart, talking to nobody, goes back to where
they were, not to the start.

A call decided an emergency (``Note.EMERGENCY``): straight back on the
emergency route, never the menu. A caller who was being asked whether someone is in
danger (a danger check) is asked again: yes, 9, silence or anything unclear is 999
handling as before; a no, the menu (what they said first went with the old process).
A callback already booked (the book is the authority: it was committed before the
caller was thanked): the caller is let go, never asked again. A queue place
left on the channel (``Note.QUEUE_PLACE``): back in the same queue at the same
place. Nothing known: asked again.
"""

from __future__ import annotations

from typing import Protocol

from ivr.decisions import EMERGENCY, Candidate, Decision
from ivr.notify.sensitive import SENSITIVE
from ivr.session.model import Outcome
from ivr.session.notes import QueuePlace
from ivr.session.outcomes import CallOutcome, Status
from ivr.session.session import CallSession
from ivr.session.steps import AskAgain, Decided, EmergencyRoute, Rejoin
from ivr.verbs.basic import Hangup, VerbBase


class BookedCallbacks(Protocol):
    """Whether a call has booked a callback (ivr.queues.callbacks.CallbackWorker)."""

    async def booked_queue(self, call_id: str) -> str | None: ...


class Resume(VerbBase):
    name = "resume"

    def __init__(
        self,
        callbacks: BookedCallbacks | None,
        place: QueuePlace | None,
        *,
        emergency: bool,
        checking: bool = False,
    ) -> None:
        """``emergency``: the call had been decided one; ``checking``: it was being asked
        the danger check (Note.EMERGENCY)."""
        self.emergency = emergency
        self.checking = checking
        self.callbacks = callbacks
        self.place = place

    def describe(self) -> str:
        return "resume"

    async def run(self, session: CallSession) -> Outcome:
        if self.emergency:
            decision = Decision(
                "route",
                EMERGENCY,
                rule="emergency-resumed",
                reason="decided an emergency before a restart: back on the emergency route",
            )
            session.record_decision(decision)
            if self.place is not None and self.place.emergency:
                # Already waiting in the FCR queue as an emergency: back at that place.
                return self._back_in_queue(session, self.place)
            return Outcome(Status.EMERGENCY, value=EMERGENCY, step=EmergencyRoute())
        if self.checking:
            check = asked_again()
            session.record_decision(check)
            return Outcome(Status.DECIDED, value=check.action, step=Decided(check, 0))
        if self.callbacks is not None:
            queue = await self.callbacks.booked_queue(session.call_id)
            if queue is not None:
                session.settle(CallOutcome.CALLBACK, queue)
                session.record("callback-kept", queue=queue)
                return Outcome(Status.CALLBACK, value=queue, next_flow=[Hangup("goodbye")])
        if self.place is not None:
            await session.caller_profile()  # their flags set their priority, as before
            return self._back_in_queue(session, self.place)
        return Outcome(Status.ASKED_AGAIN, step=AskAgain(sorry="ask_again"))

    def _back_in_queue(self, session: CallSession, place: QueuePlace) -> Outcome:
        if place.quiet:
            # What made it sensitive was heard by the last process: no text, still.
            session.about(categories=[SENSITIVE])
        session.record("queue-resumed", queue=place.queue, joined_at=place.joined_at)
        return Outcome(Status.RESUMED, value=place.queue, step=Rejoin(place))


def asked_again() -> Decision:
    """The danger check a restart interrupted, asked again; a no leads to the menu."""
    menu = Decision(
        "reprompt",
        None,
        rule="danger-check-resumed",
        reason="nobody in danger now: asked what they need again",
        message="ask_again",
    )
    return Decision(
        "confirm",
        EMERGENCY,
        rule="danger-check-resumed",
        reason="was being asked whether someone is in danger when the app restarted: asked again",
        candidates=(Candidate(EMERGENCY, "999 handling", 1.0, "a danger check interrupted"),),
        otherwise=menu,
        evidence={"otherwise": {"action": "reprompt", "destination": None, "rule": menu.rule}},
    )
