"""PlayNotices: the incident and outage messages operators have switched on.

Scope "all" is heard right after the welcome; a message scoped to an intent or a
place is heard once the caller's words matched it, before the route is acted on.
Which messages are in force is the console's (ivr.console.messages.IncidentMessages),
read from memory at the moment they would play, so switching one on or off takes
effect for the next caller to reach that point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ivr.session.model import Outcome
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.verbs.basic import Play, VerbBase


@dataclass(frozen=True)
class Notice:
    """One message to play: which switch-on it is (``id``, ``set_by``) and its prompt."""

    id: int
    prompt_id: str
    scope: str
    set_by: str


class Notices(Protocol):
    """The messages in force (ivr.console.messages.IncidentMessages)."""

    def to_play(
        self, at: datetime, *, matched: bool, intent: str = "", heard: Sequence[str] = ()
    ) -> tuple[Notice, ...]:
        """``matched`` False: the "all" messages; True: those whose intent or place the
        caller's words matched (``intent``, the words ``heard``)."""
        ...


class PlayNotices(VerbBase):
    name = "notices"

    def __init__(self, notices: Notices, *, matched: bool = False, intent: str = "") -> None:
        self.notices = notices
        self.matched = matched
        self.intent = intent

    def describe(self) -> str:
        return f"notices:{'matched' if self.matched else 'all'}"

    async def run(self, session: CallSession) -> Outcome:
        found = self.notices.to_play(
            session.clock(),
            matched=self.matched,
            intent=self.intent,
            heard=session.heard if self.matched else (),
        )
        playable = [n for n in found if n.prompt_id in session.prompts]
        if not playable:
            return Outcome(Status.NONE)
        for notice in playable:
            # Each playing is on the call's record: which message, and who switched it on.
            session.record(
                "incident-message",
                id=notice.id,
                prompt=notice.prompt_id,
                scope=notice.scope,
                set_by=notice.set_by,
            )
        await Play([n.prompt_id for n in playable], barge_in=False).run(session)
        return Outcome(Status.DONE)
