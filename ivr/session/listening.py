"""The caller's audio into the app: snoop (spy=in) + ExternalMedia RTP + endpointing.

This is the production path on a real Asterisk 22 (see the snoop_externalmedia
traces): a snoop channel copies what the caller says (not what we play, so
prompts cannot barge in on themselves), an ExternalMedia channel sends it as
RTP to a UDP port of ours, and a mixing bridge joins the two. The bridge may
only be joined after the ExternalMedia channel's own StasisStart: Asterisk
answers 422 before it. Endpointing turns the stream into SpeechStarted /
SpeechEnded events for the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ivr.ari import events as ari
from ivr.ari.client import AriClient
from ivr.ari.errors import AriConflict, AriError, AriNotFound
from ivr.media.endpointing import (
    Endpointer,
    EndpointerConfig,
    SpeechBegan,
    SpeechDone,
    SpeechPausing,
)
from ivr.media.receiver import RtpReceiver
from ivr.session.events import CallEvent, ListeningFailed, SpeechEnded, SpeechStarted

log = logging.getLogger(__name__)

SETUP_TIMEOUT_S = 3.0  # the whole set-up; it normally takes ~10 ms on a real Asterisk
JOIN_RETRIES = 5
FIRST_AUDIO_S = 1.5  # Asterisk streams from the join, silence included (trace): none = broken


class ListeningError(AriError):
    """The audio path could not be set up; the call carries on with the keypad."""

    error_id = "listening-failed"


class EarlyDecoder(Protocol):
    """Recognition started before the end of speech is confirmed (ivr.speech.early)."""

    def prefetch(self, pcm: bytes, sample_rate: int = 8000) -> None: ...
    def forget(self, pcm: bytes, sample_rate: int = 8000) -> None: ...


@dataclass(frozen=True)
class MediaSettings:
    bind_host: str = "127.0.0.1"  # where our UDP socket listens
    advertise_host: str = "127.0.0.1"  # the address Asterisk sends RTP to
    codec: str = "slin"  # ExternalMedia format: slin (8 kHz) | ulaw | alaw
    # The verbs time "no input" from the end of their prompt; the endpointer's own
    # no-input clock would run out during a long prompt and stop listening.
    endpointer: EndpointerConfig = field(
        default_factory=lambda: EndpointerConfig(no_input_s=3600.0)
    )
    early: EarlyDecoder | None = None  # None: recognition starts at SpeechEnded


IdFactory = Callable[[str], str]
Deliver = Callable[[CallEvent], None]


class Router(Protocol):
    """The CallManager, as far as the tap needs it."""

    def watch(self, object_id: str, sink: asyncio.Queue[ari.AriEvent]) -> None: ...
    def unwatch(self, object_id: str) -> None: ...


class AsrTap:
    """One call's listening path; ``start`` once, ``stop`` on every exit path."""

    def __init__(
        self,
        client: AriClient,
        router: Router,
        app: str,
        channel_id: str,
        settings: MediaSettings,
        deliver: Deliver,
        new_id: IdFactory,
    ) -> None:
        self._client = client
        self._router = router
        self._app = app
        self._channel_id = channel_id
        self._settings = settings
        self._deliver = deliver
        self._queue: asyncio.Queue[ari.AriEvent] = asyncio.Queue()
        self.snoop_id = new_id("snoop")
        self.media_id = new_id("em")
        self.bridge_id = new_id("br")
        self._receiver: RtpReceiver | None = None
        self._endpointer: Endpointer | None = None
        self._created: list[str] = []  # channel ids to hang up on stop
        self._bridge_made = False
        self._watchdog: asyncio.Task[None] | None = None
        self.active = False
        self.epoch = 0
        self._early_audio: bytes | None = None  # handed to the early decoder, not yet ended

    async def start(self) -> None:
        """Set up snoop + ExternalMedia + bridge; raises ListeningError (nothing left behind).

        Bounded as a whole: the caller is waiting for the first question meanwhile.
        """
        try:
            await asyncio.wait_for(self._start(), SETUP_TIMEOUT_S)
        except BaseException as exc:
            await self.stop()
            if isinstance(exc, AriError | OSError | TimeoutError):
                raise ListeningError(f"listening set-up failed: {exc}") from exc
            raise

    async def _start(self) -> None:
        for object_id in (self.snoop_id, self.media_id, self.bridge_id):
            self._router.watch(object_id, self._queue)
        self._endpointer = Endpointer(self._settings.endpointer)
        self._receiver = await RtpReceiver.open(
            self._settings.bind_host, 0, self._settings.codec, self._on_audio
        )
        external = f"{self._settings.advertise_host}:{self._receiver.local_port}"
        # Each id is ours to clean up from the moment it is asked for: a request that
        # times out on our side may still have been carried out by Asterisk.
        self._created.append(self.snoop_id)
        await self._client.snoop(
            self._channel_id, self.snoop_id, self._app, spy="in", app_args="snoop"
        )
        self._bridge_made = True
        await self._client.create_bridge(self.bridge_id, name=f"asr-{self._channel_id}")
        self._created.append(self.media_id)
        await self._client.external_media(self.media_id, self._app, external, self._settings.codec)
        await self._await_stasis({self.snoop_id, self.media_id})
        await self._join()
        self.active = True
        self._watchdog = asyncio.create_task(self._watch(), name=f"asr-watch:{self._channel_id}")

    async def _await_stasis(self, pending: set[str]) -> None:
        while pending:
            event = await self._queue.get()
            if isinstance(event, ari.StasisStarted):
                pending.discard(event.channel.id)

    async def _watch(self) -> None:
        """Report a path that carries no audio or whose channels end, so the call uses keys."""
        try:
            await asyncio.sleep(FIRST_AUDIO_S)
            receiver = self._receiver
            if receiver is not None and receiver.stats.packets == 0:
                self._fail("no audio from Asterisk (check [media] advertise / bind)")
                return
            while True:
                event = await self._queue.get()
                if isinstance(event, ari.StasisEnded | ari.ChannelDestroyed | ari.HangupRequested):
                    self._fail(f"{event.type} on {event.channel.id}")
                    return
        except asyncio.CancelledError:
            return

    def _fail(self, reason: str) -> None:
        if self.active:
            self.active = False
            self._endpointer = None
            self._deliver(ListeningFailed(reason))

    async def _join(self) -> None:
        """addChannel; a 422 just after StasisStart is retried briefly (a race on Asterisk)."""
        for attempt in range(JOIN_RETRIES):
            try:
                await self._client.add_channels(self.bridge_id, [self.snoop_id, self.media_id])
                return
            except AriConflict:
                if attempt == JOIN_RETRIES - 1:
                    raise
                await asyncio.sleep(0.02 * (attempt + 1))

    def _on_audio(self, pcm: bytes) -> None:
        endpointer = self._endpointer
        if endpointer is None:
            return
        for event in endpointer.feed(pcm):
            if isinstance(event, SpeechBegan):
                self._deliver(SpeechStarted(self.epoch))
            elif isinstance(event, SpeechPausing):
                self._early_decode(event.audio)
            elif isinstance(event, SpeechDone):
                self._early_decode(event.audio, ended=True)
                self._deliver(SpeechEnded(event.audio, 8000, event.reason, self.epoch))
                endpointer.reset()  # ready for the next answer on the same path
            else:
                endpointer.reset()  # NoInput: keep listening all the same

    def _early_decode(self, audio: bytes | None, *, ended: bool = False) -> None:
        """Start on the utterance as it stands; drop an earlier guess the caller talked over."""
        early = self._settings.early
        if early is None:
            return
        previous, self._early_audio = self._early_audio, None
        if previous is not None and previous != audio:
            early.forget(previous)
        if audio is not None and not ended:
            early.prefetch(audio)
            self._early_audio = audio

    def reset(self) -> int:
        """A new question: forget half-heard speech; returns the question's epoch."""
        self.epoch += 1
        if self._endpointer is not None:
            self._endpointer.reset()
        self._early_decode(None)
        return self.epoch

    async def stop(self) -> None:
        """Undo everything; safe at any point of start() and more than once."""
        self.active = False
        self._endpointer = None
        self._early_decode(None)
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None and watchdog is not asyncio.current_task():
            watchdog.cancel()
        for channel_id in self._created:
            with contextlib.suppress(AriError):
                await self._client.hangup(channel_id)
        self._created.clear()
        if self._bridge_made:
            self._bridge_made = False
            with contextlib.suppress(AriNotFound, AriError):
                await self._client.destroy_bridge(self.bridge_id)
        receiver, self._receiver = self._receiver, None
        if receiver is not None:
            await receiver.close()
        for object_id in (self.snoop_id, self.media_id, self.bridge_id):
            self._router.unwatch(object_id)
