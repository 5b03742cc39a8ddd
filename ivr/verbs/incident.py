"""PlayNotices: the incident and outage messages operators have switched on.

Scope "all" is heard right after the welcome; a message scoped to an intent or a
place is heard once the caller's words matched it, before the route is acted on.
Which messages are in force is the console's (ivr.console.messages.IncidentMessages),
read from memory at the moment they would play, so switching one on or off takes
effect for the next caller to reach that point.

A message is a catalogue prompt (played by its id) or one an admin added, whose
Notice carries its own media URI (``sound:ivr101-messages/<id>``): the shared
catalogue is never changed to make room for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ivr.session.model import Outcome
from ivr.session.outcomes import Status
from ivr.session.session import CallSession
from ivr.verbs.basic import UNKNOWN_PROMPT_S, Play, VerbBase


@dataclass(frozen=True)
class NoticeMedia:
    """The audio of a message outside the catalogue: its URI, and its length if known."""

    uri: str
    seconds: float | None = None


@dataclass(frozen=True)
class Notice:
    """One message to play: which switch-on it is (``id``, ``set_by``) and its prompt.

    ``media`` None: a catalogue prompt, played as the catalogue says."""

    id: int
    prompt_id: str
    scope: str
    set_by: str
    media: NoticeMedia | None = None


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
        playable = [n for n in found if n.media is not None or n.prompt_id in session.prompts]
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
        await NoticePlay(playable).run(session)
        return Outcome(Status.DONE)


class NoticePlay(Play):
    """The messages in their order, each by its catalogue id or its own URI; an added
    message's own length sets the watchdog, so a long one is never cut short."""

    def __init__(self, notices: Sequence[Notice]) -> None:
        super().__init__([], barge_in=False)
        self.notices = tuple(notices)

    def describe(self) -> str:
        return f"play:{'+'.join(n.prompt_id for n in self.notices)}"

    def expected_seconds(self, session: CallSession) -> float:
        known = [
            n.media.seconds if n.media is not None else session.prompts.seconds(n.prompt_id)
            for n in self.notices
        ]
        return sum(UNKNOWN_PROMPT_S if s is None else s for s in known)

    async def run(self, session: CallSession) -> Outcome:
        # Play plays its prompt ids (none here), then these URIs, in one playback.
        self.extra_media = tuple(
            n.media.uri if n.media is not None else session.prompts.media_uri(n.prompt_id)
            for n in self.notices
        )
        return await super().run(session)
