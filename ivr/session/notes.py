"""What a call leaves on its own channel for the next process: ARI channel variables.

A channel variable lives exactly as long as the channel, in Asterisk, whatever
happens to the app (kill -9 included), and any process can read it back with
``GET /channels/{id}/variable``. So after a restart a call found in Stasis can
say where it was: the queue place it held, the leg it was ringing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from enum import StrEnum

from ivr.ari.client import AriClient
from ivr.ari.errors import AriError, AriNotFound

log = logging.getLogger(__name__)


class Note(StrEnum):
    """The variables the app sets on its channels."""

    QUEUE_PLACE = "IVR101_QUEUE_PLACE"  # QueuePlace.encode(): a caller holding in a queue
    RINGING = "IVR101_RINGING"  # the leg a placed call (a callback) is ringing
    EMERGENCY = "IVR101_EMERGENCY"  # an Urgency: where a restart picks an urgent call up
    # The prompt playing: a restart stops it. Asterisk plays on after the process that
    # asked has died, and queues the next process's prompts behind it (seen on 22.10.1).
    PLAYBACK = "IVR101_PLAYBACK"


class Urgency(StrEnum):
    """Note.EMERGENCY's values: what a restart must not lose of a call's danger."""

    DECIDED = "1"  # decided an emergency: a restart resumes that route
    CHECKING = "check"  # being asked whether someone is in danger: a restart asks again
    NONE = ""  # asked, and the caller ruled danger out


@dataclass(frozen=True, slots=True)
class QueuePlace:
    """A caller's place in an app-run queue: restored as it was, ``joined_at`` and all."""

    queue: str
    joined_at: float
    emergency: bool = False
    quiet: bool = False  # a sensitive call: no text may reach this phone (never says why)

    def encode(self) -> str:
        return f"{self.queue} {self.joined_at!r} {int(self.emergency)} {int(self.quiet)}"

    @classmethod
    def decode(cls, value: str) -> QueuePlace | None:
        """None for anything that is not a place (an empty or foreign value)."""
        parts = value.split()
        if len(parts) == 3:
            parts.append("0")  # written by a release that did not note quiet calls
        if len(parts) != 4 or not {parts[2], parts[3]} <= {"0", "1"}:
            return None
        try:
            return cls(parts[0], float(parts[1]), parts[2] == "1", parts[3] == "1")
        except ValueError:
            return None


# A read that fails for another reason than "unset" is tried again after these pauses:
# a restart reading an emergency's note must not take a 5xx for "no emergency".
READ_RETRY_S = (0.1, 0.3, 1.0)


async def read_note(client: AriClient, channel_id: str, note: Note) -> str:
    """The note's value, or "" when it was never set or cannot be read (an unset
    variable is a 404 in Asterisk, as is a channel that has gone)."""
    for pause in (*READ_RETRY_S, None):
        try:
            return await client.get_variable(channel_id, note.value)
        except AriNotFound:
            return ""
        except AriError as exc:
            if pause is None:
                log.warning("channel %s: cannot read %s: %s", channel_id, note, exc)
                return ""
            await asyncio.sleep(pause)
    return ""  # not reached: the last pass returns


async def read_notes(client: AriClient, channel_id: str, *notes: Note) -> list[str]:
    """Several notes of one channel at once (a restart reads them for every caller)."""
    return list(await asyncio.gather(*(read_note(client, channel_id, n) for n in notes)))


async def write_note(client: AriClient, channel_id: str, note: Note, value: str) -> None:
    """Best effort: a note that cannot be written costs a restart its knowledge, never a call."""
    with contextlib.suppress(AriError):
        await client.set_variable(channel_id, note.value, value)
