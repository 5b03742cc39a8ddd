"""The app's side of an ExternalMedia channel: RTP in over UDP, PCM out, in order.

Asterisk 22 sends one packet every 20 ms, silence included, with one SSRC, sequence +1
and timestamp +160 (slin PT 10 big-endian, ulaw PT 0, alaw PT 8). Loopback rarely
reorders or loses anything, but a media server on another host can, and other peers
may pause, change packet size or restart the stream; so a small jitter buffer puts
packets back in sequence order, turns a loss into silence of the same duration (the
endpointer is driven by audio time, so time must not go missing) and drops anything
too late to place. Nothing the network sends can raise out of the protocol.

Latency is bounded: packets that arrive in order are delivered at once; only a gap
holds later packets, for at most ``jitter_packets`` of them, or about that many packet
times of wall clock if the stream goes quiet (so the end of an utterance is never held
hostage by a sender that stops sending).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, cast

from ivr.media import MediaError
from ivr.media.codecs import alaw_decode, slin_from_network, ulaw_decode
from ivr.media.rtp import FORMAT_PAYLOAD_TYPES, RtpError, RtpPacket

log = logging.getLogger(__name__)

RATE: Final = 8000
_MAX_JUMP: Final = 100  # packets (2 s at 20 ms): a bigger sequence jump is a new stream
_MAX_PACKET_SAMPLES: Final = 1920  # 240 ms; anything longer is not a telephony packet
_RECENT: Final = 64  # delivered sequence numbers remembered to tell duplicates from late
_ERROR_LOG_EVERY: Final = 500  # on_audio failures: log the first, then one in this many

_DECODERS: Final[dict[str, Callable[[bytes], bytes]]] = {
    "slin": slin_from_network,
    "ulaw": ulaw_decode,
    "alaw": alaw_decode,
}
_BYTES_PER_SAMPLE: Final = {"slin": 2, "ulaw": 1, "alaw": 1}


@dataclass(slots=True)
class RtpStats:
    """Counters for one receiver; ``RtpReceiver.stats`` hands out a copy.

    packets/bytes: RTP packets of our stream (right payload type) and their payload
    bytes, whatever became of them. lost: packets never received in time, replaced by
    silence. reordered: packets that arrived after a later one and were put back in
    order. late: packets that arrived after their place was played (as silence).
    duplicate: copies of packets already buffered or played. malformed: datagrams
    dropped as unreadable or not our codec. resyncs: new streams (SSRC change, big jump).
    """

    packets: int = 0
    bytes: int = 0
    lost: int = 0
    reordered: int = 0
    late: int = 0
    malformed: int = 0
    duplicate: int = 0
    resyncs: int = 0


def _delta(a: int, b: int) -> int:
    """Signed distance from sequence b to a, modulo 2**16."""
    d = (a - b) & 0xFFFF
    return d - 0x10000 if d >= 0x8000 else d


class RtpReceiver(asyncio.DatagramProtocol):
    """One UDP socket receiving one call's ExternalMedia RTP; see the module docstring.

    ``on_audio`` gets 16-bit native-endian PCM at 8 kHz, one call per packet (or per run
    of lost packets), in sequence order; it runs on the event loop and must be quick.
    """

    def __init__(
        self,
        codec: str,
        on_audio: Callable[[bytes], None],
        *,
        jitter_packets: int = 3,
    ) -> None:
        if codec not in _DECODERS:
            raise MediaError(
                f"RTP codec {codec!r} not supported (use slin, ulaw or alaw)",
                "media-format-unsupported",
            )
        if jitter_packets < 0:
            raise ValueError(f"jitter_packets must be >= 0, got {jitter_packets}")
        self.codec = codec
        self.local_address = ""
        self.local_port = 0
        self._on_audio = on_audio
        self._jitter = jitter_packets
        self._pt = FORMAT_PAYLOAD_TYPES[codec]
        self._decode = _DECODERS[codec]
        self._width = _BYTES_PER_SAMPLE[codec]
        self._stats = RtpStats()
        self._callback_errors = 0
        # stream state
        self._ssrc: int | None = None
        self._next_seq = 0  # sequence number to deliver next
        self._next_ts = 0  # its expected RTP timestamp
        self._last_samples = 160  # size of the last packet, for a loss with no timestamps
        self._buffer: dict[int, tuple[int, bytes]] = {}  # seq -> (timestamp, pcm)
        self._max_ahead = 0  # distance of the furthest buffered packet from _next_seq
        self._recent: deque[int] = deque(maxlen=_RECENT)
        self._recent_set: set[int] = set()
        self._probe: RtpPacket | None = None  # first packet after a big jump, on probation
        # asyncio
        self._transport: asyncio.DatagramTransport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._lost_future: asyncio.Future[None] | None = None

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        codec: str,
        on_audio: Callable[[bytes], None],
        *,
        jitter_packets: int = 3,
    ) -> RtpReceiver:
        """Bind (host, port); port 0 picks a free one (see ``local_port``)."""
        loop = asyncio.get_running_loop()
        receiver = cls(codec, on_audio, jitter_packets=jitter_packets)
        receiver._loop = loop
        receiver._lost_future = loop.create_future()
        await loop.create_datagram_endpoint(lambda: receiver, local_addr=(host, port))
        return receiver

    @property
    def stats(self) -> RtpStats:
        """A snapshot of the counters."""
        return dataclasses.replace(self._stats)

    async def close(self) -> None:
        """Deliver what is buffered, then close the socket; idempotent."""
        if self._closed:
            return
        self._closed = True
        self._flush()
        transport = self._transport
        if transport is not None:
            transport.close()
            if self._lost_future is not None:
                await asyncio.shield(self._lost_future)

    # --- asyncio.DatagramProtocol -------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (selector datagram transports do not subclass DatagramTransport on 3.11)
        self._transport = cast(asyncio.DatagramTransport, transport)
        sockname = transport.get_extra_info("sockname")
        self.local_address, self.local_port = str(sockname[0]), int(sockname[1])

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._cancel_timer()
        if self._lost_future is not None and not self._lost_future.done():
            self._lost_future.set_result(None)

    def error_received(self, exc: Exception) -> None:
        # ICMP errors on a receive-only socket say nothing about the stream.
        log.debug("RTP socket error on port %s: %s", self.local_port, exc)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self._closed:
            return
        try:
            packet = RtpPacket.parse(data)
        except RtpError:
            self._stats.malformed += 1
            return
        payload = packet.payload
        if (
            packet.payload_type != self._pt
            or not payload
            or len(payload) % self._width
            or len(payload) > _MAX_PACKET_SAMPLES * self._width
        ):
            self._stats.malformed += 1
            return
        self._stats.packets += 1
        self._stats.bytes += len(payload)
        self._accept(packet)

    # --- jitter buffer ------------------------------------------------------------

    def _accept(self, packet: RtpPacket) -> None:
        if self._ssrc is None:
            self._start(packet)
        elif packet.ssrc != self._ssrc:
            self._resync(packet)
            return
        d = _delta(packet.sequence, self._next_seq)
        if abs(d) > _MAX_JUMP:
            probe = self._probe
            if probe is not None and _delta(packet.sequence, probe.sequence) == 1:
                self._resync(probe)
                self._accept(packet)
            else:
                if probe is not None:
                    self._stats.late += 1
                self._probe = packet
            return
        if self._probe is not None:  # a stray packet, not a new stream
            self._probe = None
            self._stats.late += 1
        if d < 0:
            if packet.sequence in self._recent_set:
                self._stats.duplicate += 1
            else:
                self._stats.late += 1
            return
        if packet.sequence in self._buffer:
            self._stats.duplicate += 1
            return
        if d < self._max_ahead:
            self._stats.reordered += 1
        self._buffer[packet.sequence] = (packet.timestamp, self._decode(packet.payload))
        self._max_ahead = max(self._max_ahead, d)
        self._release(force=False)
        if self._buffer:
            self._arm_timer()
        else:
            self._cancel_timer()

    def _start(self, packet: RtpPacket) -> None:
        self._ssrc = packet.ssrc
        self._next_seq = packet.sequence
        self._next_ts = packet.timestamp
        self._max_ahead = 0
        self._probe = None
        self._recent.clear()
        self._recent_set.clear()

    def _resync(self, packet: RtpPacket) -> None:
        """A new stream: play out the old one's buffer, then start over at ``packet``."""
        self._flush()
        self._stats.resyncs += 1
        self._start(packet)
        self._accept(packet)

    def _release(self, *, force: bool) -> None:
        """Deliver the in-order run; give up on gaps held longer than the jitter allows."""
        buffer = self._buffer
        while buffer:
            entry = buffer.pop(self._next_seq, None)
            if entry is not None:
                self._deliver_packet(self._next_seq, entry)
                continue
            if not force and self._max_ahead <= self._jitter:
                return
            # the gap at _next_seq is lost: fill up to the first packet we do have
            first = min(buffer, key=lambda s: _delta(s, self._next_seq))
            missing = _delta(first, self._next_seq)
            self._fill_loss(missing, buffer[first][0])

    def _deliver_packet(self, seq: int, entry: tuple[int, bytes]) -> None:
        timestamp, pcm = entry
        samples = len(pcm) // 2
        self._last_samples = samples
        self._next_ts = (timestamp + samples) & 0xFFFFFFFF
        self._advance(1)
        if len(self._recent) == _RECENT:
            self._recent_set.discard(self._recent[0])
        self._recent.append(seq)
        self._recent_set.add(seq)
        self._emit(pcm)

    def _fill_loss(self, missing: int, next_timestamp: int) -> None:
        # Duration from the timestamps if they are plausible (a sender that paused
        # leaves a huge step); else from the size of the last packet.
        step = (next_timestamp - self._next_ts) & 0xFFFFFFFF
        if not 0 < step <= missing * _MAX_PACKET_SAMPLES:
            step = missing * self._last_samples
        self._stats.lost += missing
        self._advance(missing)
        self._next_ts = next_timestamp
        self._emit(bytes(2 * step))

    def _advance(self, n: int) -> None:
        self._next_seq = (self._next_seq + n) & 0xFFFF
        self._max_ahead = max(0, self._max_ahead - n)

    def _flush(self) -> None:
        self._cancel_timer()
        self._release(force=True)
        self._max_ahead = 0

    def _emit(self, pcm: bytes) -> None:
        try:
            self._on_audio(pcm)
        except Exception:
            self._callback_errors += 1
            if self._callback_errors % _ERROR_LOG_EVERY == 1:
                log.exception(
                    "on_audio failed (%d so far) [rtp-audio-callback-failed]",
                    self._callback_errors,
                )

    def _arm_timer(self) -> None:
        """Play out a held gap if the stream goes quiet for ~jitter_packets packet times."""
        self._cancel_timer()
        loop = self._loop
        if loop is None:
            return
        delay = max(1, self._jitter) * self._last_samples / RATE
        self._timer = loop.call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._flush()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


__all__ = ["RtpReceiver", "RtpStats"]
