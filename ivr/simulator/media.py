"""Simulated audio: what a caller says, and the UnicastRTP socket of an ExternalMedia channel.

Matches what Asterisk 22 was seen sending on ExternalMedia (golden traces
``snoop_externalmedia*.json``): one RTP packet per 20 ms from the moment the channel
is bridged, silence included; one SSRC, sequence +1 from a random start, timestamp +160
starting at 160, marker never set; slin is PT 10 big-endian (320-byte payload), ulaw
PT 0 and alaw PT 8 (160 bytes); and the caller's audio arrives at half amplitude
(-6 dB), so the simulator halves it too (truncating toward zero, as C integer
division in Asterisk's volume code does).

Pacing is scheduled against ``loop.time()`` at the start of the stream (frame k is due
at ``t0 + k * 20 ms * time_scale``), so it never drifts; each endpoint is one
``call_at`` chain, cheap enough for hundreds on one loop.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from array import array
from collections import deque
from collections.abc import Callable
from typing import Any, Final, cast

from ivr.media import MediaError
from ivr.media.codecs import (
    alaw_decode,
    alaw_table,
    slin_from_network,
    ulaw_decode,
    ulaw_table,
)
from ivr.media.rtp import (
    FORMAT_PAYLOAD_TYPES,
    PT_ALAW,
    PT_SLIN,
    PT_ULAW,
    RtpError,
    RtpPacket,
    RtpSession,
)

log = logging.getLogger(__name__)

RATE: Final = 8000
FRAME_SAMPLES: Final = 160
FRAME_SECONDS: Final = FRAME_SAMPLES / RATE
SUPPORTED_FORMATS: Final = frozenset(FORMAT_PAYLOAD_TYPES)
_SILENCE: Final = array("h", bytes(2 * FRAME_SAMPLES))
_SILENT_BYTES: Final = bytes(2 * FRAME_SAMPLES)
_MAX_LAG_FRAMES: Final = 25  # further behind than this (0.5 s of audio): resync, don't burst
# ... but never less than this in real seconds: at time_scale 0.1 25 frames is 50 ms, and a
# busy 2-core runner stalls the loop that long, dropping audio a real Asterisk would send.
_MIN_LAG_S: Final = 0.25


class CallerAudio:
    """What one channel is saying: queued speech served as 20 ms frames, silence when idle."""

    __slots__ = ("_offset", "_queue", "_remaining")

    def __init__(self) -> None:
        self._queue: deque[array[int]] = deque()
        self._offset = 0  # samples of the head already served
        self._remaining = 0  # samples still queued

    def say(self, samples: array[int]) -> float:
        """Queue speech after anything already queued; returns its duration in seconds."""
        if samples:
            self._queue.append(samples)  # shared, never modified here
            self._remaining += len(samples)
        return len(samples) / RATE

    def clear(self) -> None:
        """Drop queued speech (hangup, or the caller's script moves on)."""
        self._queue.clear()
        self._offset = 0
        self._remaining = 0

    @property
    def speaking(self) -> bool:
        """True while queued speech remains."""
        return self._remaining > 0

    @property
    def remaining(self) -> float:
        """Seconds of queued speech not yet served."""
        return self._remaining / RATE

    def next_frame(self) -> array[int]:
        """Exactly 160 samples (20 ms): the next speech, padded with silence at the end."""
        if not self._remaining:
            return array("h", _SILENCE)
        head = self._queue[0]
        end = self._offset + FRAME_SAMPLES
        if end < len(head):  # the common case: one slice of the current utterance
            frame = head[self._offset : end]
            self._offset = end
            self._remaining -= FRAME_SAMPLES
            return frame
        frame = array("h")
        while len(frame) < FRAME_SAMPLES and self._queue:
            head = self._queue[0]
            take = min(FRAME_SAMPLES - len(frame), len(head) - self._offset)
            frame.extend(head[self._offset : self._offset + take])
            self._offset += take
            self._remaining -= take
            if self._offset >= len(head):
                self._queue.popleft()
                self._offset = 0
        if len(frame) < FRAME_SAMPLES:
            frame.extend(_SILENCE[: FRAME_SAMPLES - len(frame)])
        return frame


# --- half-amplitude encoders -------------------------------------------------------
# One 65536-entry table per format, indexed by the sample as unsigned 16-bit, that
# both halves the sample and encodes it, so a frame costs one C-level map.


def _half(u: int) -> int:
    s = u - 0x10000 if u & 0x8000 else u
    return int(s / 2)  # truncate toward zero


_tables: dict[str, bytes | list[int]] = {}


def _half_table(fmt: str) -> bytes | list[int]:
    table = _tables.get(fmt)
    if table is None:
        if fmt == "slin":
            # halved and byte-swapped to network order; a list of ready-made ints is the
            # fastest lookup (array indexing would box a new int per sample)
            values = (_half(u) & 0xFFFF for u in range(0x10000))
            table = [(v >> 8) | ((v & 0xFF) << 8) for v in values]
        else:
            enc = ulaw_table() if fmt == "ulaw" else alaw_table()
            table = bytes(enc[_half(u) & 0xFFFF] for u in range(0x10000))
        _tables[fmt] = table
    return table


def encode_frame_half(frame: array[int], fmt: str) -> bytes:
    """RTP payload for one frame at half amplitude, in ``fmt`` (slin big-endian/ulaw/alaw)."""
    table = _half_table(fmt)
    view = memoryview(frame).cast("B").cast("H")
    if isinstance(table, list):
        return array("H", map(table.__getitem__, view)).tobytes()
    return bytes(map(table.__getitem__, view))


_SILENT_PAYLOAD: Final = {
    "slin": bytes(2 * FRAME_SAMPLES),
    "ulaw": b"\xff" * FRAME_SAMPLES,
    "alaw": b"\xd5" * FRAME_SAMPLES,
}

_DECODERS: Final[dict[int, Callable[[bytes], bytes]]] = {
    PT_ULAW: ulaw_decode,
    PT_ALAW: alaw_decode,
    PT_SLIN: slin_from_network,
}


class ExternalMediaEndpoint(asyncio.DatagramProtocol):
    """The simulator's side of an ExternalMedia (UnicastRTP) channel: a UDP socket.

    Sends the bridged caller's audio to the app's ``external_host`` and keeps what the
    app sends back (bounded to the last ``keep_seconds``). Bad datagrams from the app are
    counted in ``malformed_packets`` and dropped; nothing the network does raises.
    """

    def __init__(
        self,
        remote: tuple[str, int],
        fmt: str,
        time_scale: float,
        *,
        keep_seconds: float = 10.0,
        session: RtpSession | None = None,
    ) -> None:
        if fmt not in SUPPORTED_FORMATS:
            raise MediaError(
                f"ExternalMedia format {fmt!r} not supported (use slin, ulaw or alaw)",
                "media-format-unsupported",
            )
        if not time_scale > 0:
            raise ValueError(f"time_scale must be > 0, got {time_scale}")
        self.remote = remote
        self.fmt = fmt
        self.time_scale = time_scale
        self.session = session or RtpSession(FORMAT_PAYLOAD_TYPES[fmt])
        self.local_address = ""
        self.local_port = 0
        self.sent_packets = 0
        self.send_errors = 0
        self.received_packets = 0
        self.malformed_packets = 0
        self.resyncs = 0
        self._keep = max(FRAME_SAMPLES, int(keep_seconds * RATE))
        self._received: deque[array[int]] = deque()
        self._received_total = 0
        self._interval = FRAME_SECONDS * time_scale
        self._transport: asyncio.DatagramTransport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._source: Callable[[], array[int]] | None = None
        self._handle: asyncio.Handle | None = None
        self._t0 = 0.0
        self._frames = 0
        self._closed = False
        self._lost: asyncio.Future[None] | None = None

    @classmethod
    async def open(
        cls,
        host: str,
        remote: tuple[str, int],
        fmt: str,
        time_scale: float,
        *,
        keep_seconds: float = 10.0,
    ) -> ExternalMediaEndpoint:
        """Bind a UDP socket on (host, 0) that will stream to ``remote``."""
        loop = asyncio.get_running_loop()
        endpoint = cls(remote, fmt, time_scale, keep_seconds=keep_seconds)
        endpoint._loop = loop
        endpoint._lost = loop.create_future()
        await loop.create_datagram_endpoint(lambda: endpoint, local_addr=(host, 0))
        transport = endpoint._transport
        assert transport is not None  # set by connection_made before the await returns
        sock = transport.get_extra_info("socket")
        family = sock.family if sock is not None else socket.AF_INET
        try:  # resolve once: sendto() with a host name would resolve on every packet
            infos = await loop.getaddrinfo(
                remote[0], remote[1], family=family, type=socket.SOCK_DGRAM
            )
            endpoint.remote = (str(infos[0][4][0]), int(infos[0][4][1]))
        except OSError:
            transport.close()
            raise
        return endpoint

    # --- asyncio.DatagramProtocol -------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (selector datagram transports do not subclass DatagramTransport on 3.11)
        self._transport = cast(asyncio.DatagramTransport, transport)
        sockname = transport.get_extra_info("sockname")
        self.local_address, self.local_port = sockname[0], sockname[1]

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._cancel_tick()
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    def error_received(self, exc: Exception) -> None:
        # e.g. ICMP port unreachable on loopback while the app is not listening yet
        self.send_errors += 1

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        try:
            packet = RtpPacket.parse(data)
        except RtpError:
            self.malformed_packets += 1
            return
        decode = _DECODERS.get(packet.payload_type)
        if decode is None or (packet.payload_type == PT_SLIN and len(packet.payload) % 2):
            self.malformed_packets += 1
            return
        samples = array("h")
        samples.frombytes(decode(packet.payload))
        self.received_packets += 1
        self._received.append(samples)
        self._received_total += len(samples)
        while self._received and self._received_total - len(self._received[0]) >= self._keep:
            self._received_total -= len(self._received.popleft())

    # --- public --------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self._source is not None

    def received_samples(self) -> array[int]:
        """Decoded audio the app sent back, in arrival order (the last ``keep_seconds``)."""
        out = array("h")
        for chunk in self._received:
            out.extend(chunk)
        return out[-self._keep :] if len(out) > self._keep else out

    def start_streaming(self, source: Callable[[], array[int]]) -> None:
        """Send ``source()`` as one RTP packet every 20 ms x time_scale, first one now.

        Calling it again swaps the source and keeps the RTP numbering and the pacing.
        Ignored after close(), because teardown races with bridge changes.
        """
        if self._closed or self._transport is None:
            return
        self._source = source
        if self._handle is None:
            loop = self._loop or asyncio.get_running_loop()
            self._t0 = loop.time()
            self._frames = 0
            self._handle = loop.call_soon(self._tick)

    def stop_streaming(self) -> None:
        """Stop sending (the channel left the bridge); numbering continues on restart."""
        self._source = None
        self._cancel_tick()

    async def close(self) -> None:
        """Stop streaming and close the socket; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        self.stop_streaming()
        transport = self._transport
        if transport is not None:
            transport.close()
            if self._lost is not None:
                await asyncio.shield(self._lost)

    # --- internals -----------------------------------------------------------------

    def _cancel_tick(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _tick(self) -> None:
        self._handle = None
        source, transport, loop = self._source, self._transport, self._loop
        if source is None or transport is None or loop is None:
            return
        try:
            frame = source()
        except Exception:
            log.exception("media source failed; stream stopped [media-source-failed]")
            self._source = None
            return
        if len(frame) != FRAME_SAMPLES:
            frame = array("h", frame[:FRAME_SAMPLES])
            frame.extend(_SILENCE[: FRAME_SAMPLES - len(frame)])
        if frame.tobytes() == _SILENT_BYTES:  # most frames: skip the encoder
            payload = _SILENT_PAYLOAD[self.fmt]
        else:
            payload = encode_frame_half(frame, self.fmt)
        transport.sendto(self.session.next_packet(payload), self.remote)
        self.sent_packets += 1
        self._frames += 1
        due = self._t0 + self._frames * self._interval
        now = loop.time()
        if now - due > max(_MAX_LAG_FRAMES * self._interval, _MIN_LAG_S):
            self.resyncs += 1
            self._t0 = now - (self._frames - 1) * self._interval
            due = now + self._interval
        self._handle = loop.call_at(due, self._tick)


__all__ = [
    "FRAME_SAMPLES",
    "FRAME_SECONDS",
    "SUPPORTED_FORMATS",
    "CallerAudio",
    "ExternalMediaEndpoint",
    "encode_frame_half",
]
