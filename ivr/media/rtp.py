"""RTP (RFC 3550) framing for Asterisk ExternalMedia (``encapsulation=rtp``, UDP).

Only what a UnicastRTP peer needs: the fixed 12-byte header out, and a tolerant
parser in (CSRCs, a header extension and padding are skipped, not rejected),
because the far end is another implementation we do not control.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from typing import Final

from ivr.media import MediaError

RTP_VERSION: Final = 2
HEADER_SIZE: Final = 12

# Static payload types Asterisk uses for the ExternalMedia formats we support.
PT_ULAW: Final = 0
PT_ALAW: Final = 8
PT_SLIN: Final = 10  # 8 kHz slin, big-endian; Asterisk's slin16 is dynamic (118)

FORMAT_PAYLOAD_TYPES: Final[dict[str, int]] = {"ulaw": PT_ULAW, "alaw": PT_ALAW, "slin": PT_SLIN}

_HEADER = struct.Struct("!BBHII")


class RtpError(MediaError):
    """A datagram that is not RTP we can read, or a packet we cannot encode."""

    error_id = "rtp-malformed"


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet; CSRCs, extensions and padding are not kept on parse."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes

    def pack(self) -> bytes:
        """The wire form: version 2, no padding, no extension, no CSRCs."""
        if not 0 <= self.payload_type <= 127:
            raise RtpError(f"payload type {self.payload_type} out of range", "rtp-invalid-field")
        try:
            header = _HEADER.pack(
                0x80,
                (0x80 if self.marker else 0) | self.payload_type,
                self.sequence,
                self.timestamp,
                self.ssrc,
            )
        except struct.error as exc:
            raise RtpError(f"RTP header field out of range: {exc}", "rtp-invalid-field") from exc
        return header + self.payload

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> RtpPacket:
        """Read a datagram; raises RtpError (error_id ``rtp-malformed``) if it is not RTP v2."""
        raw = bytes(data)
        if len(raw) < HEADER_SIZE:
            raise RtpError(f"RTP packet too short ({len(raw)} bytes)")
        b0, b1, sequence, timestamp, ssrc = _HEADER.unpack_from(raw)
        if b0 >> 6 != RTP_VERSION:
            raise RtpError(f"RTP version {b0 >> 6}, expected 2")
        offset = HEADER_SIZE + 4 * (b0 & 0x0F)
        if b0 & 0x10:  # header extension: 16-bit profile, 16-bit length in 32-bit words
            if len(raw) < offset + 4:
                raise RtpError("RTP header extension truncated")
            (words,) = struct.unpack_from("!H", raw, offset + 2)
            offset += 4 + 4 * words
        end = len(raw)
        if b0 & 0x20:  # padding: the last byte counts the padding bytes, itself included
            if end <= offset:
                raise RtpError("RTP padding flag set on an empty payload")
            pad = raw[-1]
            if pad == 0 or pad > end - offset:
                raise RtpError(f"RTP padding count {pad} invalid")
            end -= pad
        if offset > end:
            raise RtpError("RTP header longer than the packet")
        return cls(
            payload_type=b1 & 0x7F,
            sequence=sequence,
            timestamp=timestamp,
            ssrc=ssrc,
            marker=bool(b1 & 0x80),
            payload=raw[offset:end],
        )


class RtpSession:
    """The sending side of one RTP stream, numbered the way Asterisk 22 numbers it.

    Observed on ExternalMedia: one SSRC, the sequence starts at a random value and goes
    up by 1, the timestamp goes up by the samples per packet and the *first* packet
    already carries 160 (not 0), and the marker bit is never set.
    """

    __slots__ = ("payload_type", "samples_per_packet", "sequence", "ssrc", "timestamp")

    def __init__(
        self,
        payload_type: int,
        *,
        samples_per_packet: int = 160,
        ssrc: int | None = None,
        sequence: int | None = None,
        first_timestamp: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not 0 <= payload_type <= 127:
            raise RtpError(f"payload type {payload_type} out of range", "rtp-invalid-field")
        r = rng or random.Random()
        self.payload_type = payload_type
        self.samples_per_packet = samples_per_packet
        self.ssrc = r.getrandbits(32) if ssrc is None else ssrc & 0xFFFFFFFF
        # The next packet's numbers.
        self.sequence = r.getrandbits(16) if sequence is None else sequence & 0xFFFF
        self.timestamp = (
            samples_per_packet if first_timestamp is None else first_timestamp & 0xFFFFFFFF
        )

    def next_packet(self, payload: bytes) -> bytes:
        """Frame one payload and advance sequence and timestamp (both wrap)."""
        data = _HEADER.pack(0x80, self.payload_type, self.sequence, self.timestamp, self.ssrc)
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.timestamp = (self.timestamp + self.samples_per_packet) & 0xFFFFFFFF
        return data + payload


__all__ = [
    "FORMAT_PAYLOAD_TYPES",
    "HEADER_SIZE",
    "PT_ALAW",
    "PT_SLIN",
    "PT_ULAW",
    "RtpError",
    "RtpPacket",
    "RtpSession",
]
