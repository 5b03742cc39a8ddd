"""Playback scheduling: queued per channel or bridge, timed by the real media durations."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from ivr.simulator.errors import AriError
from ivr.simulator.model import Bridge, Channel, Playback, PlaybackTarget

if TYPE_CHECKING:
    from ivr.simulator.engine import Engine

OPERATIONS = ("pause", "unpause", "restart", "reverse", "forward")
TONE_DEFAULT_SECONDS = 0.5
SAY_SECONDS_PER_CHAR = 0.5


class PlaybackPlayer:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ---- media ---------------------------------------------------------------------
    def media_length(self, uri: str, language: str) -> tuple[str, float]:
        """("ok", seconds) | ("missing", 0) | ("unsupported", 0) for one media URI."""
        scheme, _, rest = uri.partition(":")
        if scheme == "sound":
            seconds = self._engine.sounds.duration(rest, language)
            return ("missing", 0.0) if seconds is None else ("ok", seconds)
        if scheme == "silence":
            try:
                return "ok", max(0.0, float(rest))
            except ValueError:
                return "missing", 0.0
        if scheme == "tone":
            return "ok", tone_seconds(rest)
        if scheme in ("digits", "characters", "number"):
            return "ok", SAY_SECONDS_PER_CHAR * max(1, len(rest))
        if scheme == "recording":
            return "missing", 0.0
        return "unsupported", 0.0

    # ---- public operations -----------------------------------------------------------
    def play(
        self,
        target: Channel | Bridge,
        media: list[str],
        language: str,
        playback_id: str | None,
        skipms: int,
    ) -> Playback:
        kind = "channel" if isinstance(target, Channel) else "bridge"
        pb = Playback(
            id=playback_id or str(uuid.uuid4()),
            media=media,
            target_kind=kind,
            target_id=target.id,
            language=language or "en",
            skip_seconds=skipms / 1000.0,
        )
        self._engine.playbacks.setdefault(pb.id, []).append(pb)
        target.playback_queue.append(pb)
        if target.current_playback is None:
            self._engine.scheduler.soon(self._advance, target, owner=target.id)
        return pb

    def find(self, playback_id: str) -> Playback:
        found = self._engine.playbacks.get(playback_id)
        if not found:
            raise AriError(404, "Playback not found", "playback-not-found")
        return found[0]

    def stop(self, pb: Playback) -> None:
        target = self._target(pb)
        if target is None:
            self._discard(pb)
            return
        if target.current_playback is pb:
            self._cancel_timer(pb)
            self._finish(target, pb, "done")
            self._advance(target)
        else:
            if pb in target.playback_queue:
                target.playback_queue.remove(pb)
            self._discard(pb)

    def control(self, pb: Playback, operation: str | None) -> None:
        if not operation:
            raise AriError(400, "Missing operation", "missing-operation")
        if operation not in OPERATIONS:
            raise AriError(400, f"Invalid operation {operation}", "invalid-operation")
        if pb.state not in ("playing", "paused"):
            raise AriError(
                409, "Playback not in a state to accept this operation", "playback-not-playing"
            )
        now = self._sim_now()
        if pb.state == "playing":
            pb.position = min(pb.segment_length, now - pb.segment_started)
        if operation == "pause":
            if pb.state == "playing":
                self._cancel_timer(pb)
                pb.state = "paused"
            return
        if operation == "unpause":
            if pb.state == "paused":
                pb.state = "playing"
                self._emit(pb, "PlaybackStarted")
                self._schedule(pb)
            return
        if operation == "restart":
            pb.position = 0.0
        elif operation == "forward":
            pb.position = min(pb.segment_length, pb.position + pb.skip_seconds)
        else:
            pb.position = max(0.0, pb.position - pb.skip_seconds)
        if pb.state == "playing":
            self._cancel_timer(pb)
            self._schedule(pb)

    def channel_gone(self, target: PlaybackTarget) -> None:
        """The target hung up or was destroyed: the running one fails, queued ones vanish."""
        for queued in list(target.playback_queue):
            self._discard(queued)
        target.playback_queue.clear()
        pb = target.current_playback
        if pb is not None:
            self._cancel_timer(pb)
            self._finish(target, pb, "failed")

    # ---- machinery -------------------------------------------------------------------
    def _advance(self, target: PlaybackTarget) -> None:
        while target.current_playback is None and target.playback_queue:
            pb = target.playback_queue.popleft()
            target.current_playback = pb
            self._start_segment(target, pb)

    def _start_segment(self, target: PlaybackTarget, pb: Playback) -> None:
        pb.state = "playing"
        self._emit(pb, "PlaybackStarted")
        status, seconds = self.media_length(pb.media_uri, pb.language)
        if status == "unsupported":
            target.current_playback = None
            self._discard(pb)
            return
        self._note_heard(target, pb)
        if status == "missing":
            self._finish(target, pb, "failed")
            return
        pb.segment_length = seconds
        pb.position = 0.0
        self._schedule(pb)

    def _schedule(self, pb: Playback) -> None:
        pb.segment_started = self._sim_now() - pb.position
        remaining = max(0.0, pb.segment_length - pb.position)
        pb.timer = self._engine.scheduler.later(
            remaining, self._segment_done, pb, owner=pb.target_id
        )

    def _segment_done(self, pb: Playback) -> None:
        pb.timer = None
        target = self._target(pb)
        if target is None or target.current_playback is not pb:
            return
        if pb.index + 1 < len(pb.media):
            pb.state = "continuing"
            self._emit(pb, "PlaybackContinuing")
            self._close_heard(pb, "done")
            pb.index += 1
            self._start_segment(target, pb)
            self._advance(target)
            return
        self._finish(target, pb, "done")
        self._advance(target)

    def _finish(self, target: PlaybackTarget, pb: Playback, state: str) -> None:
        pb.state = state
        self._emit(pb, "PlaybackFinished")
        self._close_heard(pb, state)
        if target.current_playback is pb:
            target.current_playback = None
        self._discard(pb)

    def _discard(self, pb: Playback) -> None:
        found = self._engine.playbacks.get(pb.id)
        if found is not None:
            if pb in found:
                found.remove(pb)
            if not found:
                del self._engine.playbacks[pb.id]

    def _cancel_timer(self, pb: Playback) -> None:
        if pb.timer is not None:
            pb.timer.cancel()
            pb.timer = None

    def _target(self, pb: Playback) -> Channel | Bridge | None:
        if pb.target_kind == "channel":
            return self._engine.channels.get(pb.target_id)
        return self._engine.bridges.get(pb.target_id)

    def _emit(self, pb: Playback, event_type: str) -> None:
        target = self._target(pb)
        if target is not None and target.subscribers:
            self._engine.emit(target.subscribers, event_type, {"playback": pb.to_json()})

    def _sim_now(self) -> float:
        return time.monotonic() / self._engine.config.time_scale

    def _note_heard(self, target: PlaybackTarget, pb: Playback) -> None:
        listeners: list[Channel] = []
        if isinstance(target, Channel):
            listeners = [target]
        elif isinstance(target, Bridge):
            listeners = [
                self._engine.channels[c] for c in target.channels if c in self._engine.channels
            ]
        pb.heard = []
        for ch in listeners:
            if ch.record is not None:
                entry = {
                    "playback_id": pb.id,
                    "media_uri": pb.media_uri,
                    "target_uri": pb.target_uri,
                    "start": time.time(),
                    "end": None,
                    "state": "playing",
                }
                ch.record.heard.append(entry)
                pb.heard.append(entry)

    def _close_heard(self, pb: Playback, state: str) -> None:
        for entry in pb.heard:
            if entry["end"] is None:
                entry["end"] = time.time()
                entry["state"] = state
        pb.heard = []


def tone_seconds(spec: str) -> float:
    """`440/500,0/300` lasts 0.8 s; named tones (`ring`) count as TONE_DEFAULT_SECONDS."""
    body = spec.split(";", 1)[0]
    total = 0.0
    for part in body.split(","):
        _, slash, millis = part.partition("/")
        if not slash:
            return TONE_DEFAULT_SECONDS
        try:
            total += float(millis) / 1000.0
        except ValueError:
            return TONE_DEFAULT_SECONDS
    return total if total > 0 else TONE_DEFAULT_SECONDS
