"""CallerSide: what a scripted caller does to its call: keys, speech, hanging up.

The dialplan's caller scripts (``dialplan.ScriptRunner``) and ``/_sim/calls``
(``control``) act through it, as ``dialplan.CallerActions``; the engine keeps the
channels it acts on. The app sees a caller as the ``;2`` half of the caller's
Local pair, so that is where keys and speech arrive.
"""

from __future__ import annotations

import time
from array import array
from typing import TYPE_CHECKING

from ivr.simulator.dialplan import (
    DTMF_GAP,
    DTMF_TONE,
    WEASELS_SECONDS,
    Step,
    dtmf_seconds,
)
from ivr.simulator.model import Channel, Dialplan

if TYPE_CHECKING:
    from ivr.simulator.engine import Engine


class CallerSide:
    """The caller's actions (``dialplan.CallerActions``) on the engine's channels."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def target(self, caller_id: str) -> Channel | None:
        """The channel the app sees for a caller: the `;2` half of the caller's Local pair."""
        ch = self._engine.channels.get(caller_id)
        if ch is None or ch.hung_up:
            return None
        return self._engine.peer(ch) or ch

    def caller_dtmf(self, channel_id: str, digits: str) -> float:
        caller = self._engine.channels.get(channel_id)
        now = time.time()
        for index, digit in enumerate(digits):
            delay = index * (DTMF_TONE + DTMF_GAP) + DTMF_TONE
            if caller is not None and caller.record is not None:
                at = now + delay * self._engine.config.time_scale
                caller.record.dtmf_sent.append({"digit": digit, "at": at})
            self._engine.scheduler.later(
                delay, self._dtmf_arrives, channel_id, digit, owner=channel_id
            )
        return dtmf_seconds(digits)

    def _dtmf_arrives(self, caller_id: str, digit: str) -> None:
        target = self.target(caller_id)
        if target is not None:
            self._engine.emit_channel(target, "ChannelDtmfReceived", digit=digit, duration_ms=100)

    def caller_say(self, channel_id: str, step: Step) -> float:
        target = self.target(channel_id)
        samples: array[int] | None
        if step.kind == "say":
            from ivr.media.wav import read_wav_8k

            samples = read_wav_8k(step.text)
            seconds = len(samples) / 8000.0
        else:
            samples = self._engine.sounds.samples(step.text)
            known = self._engine.sounds.duration(step.text)
            seconds = known if known is not None else WEASELS_SECONDS
            if samples is None:
                samples = array("h", bytes(2 * int(seconds * 8000)))
        if target is not None and target.audio is not None:
            seconds = target.audio.say(samples)
        record = target.record if target is not None else None
        if record is not None:
            record.said.append({"what": step.text, "at": time.time(), "seconds": seconds})
        return seconds

    def caller_hangup(self, channel_id: str, who: str) -> None:
        ch = self._engine.channels.get(channel_id)
        if ch is not None:
            self._engine.hangup(ch, cause=16, request={"cause": 16}, who=who)

    def caller_dialplan(
        self,
        channel_id: str,
        priority: int,
        app: str,
        data: str,
        location: tuple[str, str] | None = None,
    ) -> None:
        ch = self._engine.channels.get(channel_id)
        if ch is not None:
            context, exten = location or (ch.dialplan.context, ch.dialplan.exten)
            ch.dialplan = Dialplan(context, exten, priority, app, data)
