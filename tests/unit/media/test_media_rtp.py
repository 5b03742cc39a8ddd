"""RTP framing: the header Asterisk sends, tolerant parsing, malformed input."""

from __future__ import annotations

import itertools
import random
import struct

import pytest

from ivr.media.rtp import PT_SLIN, PT_ULAW, RtpError, RtpPacket, RtpSession

# First packet headers recorded from Asterisk 22 (snoop_externalmedia*.json).
TRACE_SLIN_HEADER = bytes.fromhex("800a4b49000000a032498d8d")
TRACE_ULAW_HEADER = bytes.fromhex("8000e735000000a05d5970bf")


def test_parse_trace_headers() -> None:
    p = RtpPacket.parse(TRACE_SLIN_HEADER + bytes(320))
    assert (p.payload_type, p.sequence, p.timestamp, p.ssrc, p.marker) == (
        10,
        0x4B49,
        160,
        0x32498D8D,
        False,
    )
    assert len(p.payload) == 320
    assert p.pack() == TRACE_SLIN_HEADER + bytes(320)
    u = RtpPacket.parse(TRACE_ULAW_HEADER + b"\xff" * 160)
    assert (u.payload_type, u.timestamp, u.marker) == (0, 160, False)


def test_pack_parse_round_trip_with_marker() -> None:
    p = RtpPacket(
        payload_type=8, sequence=65535, timestamp=2**32 - 1, ssrc=1, marker=True, payload=b"abc"
    )
    data = p.pack()
    assert data[0] == 0x80 and data[1] == 0x88
    assert RtpPacket.parse(data) == p
    assert RtpPacket.parse(bytearray(data)) == p


def test_parse_skips_csrcs_extension_and_padding() -> None:
    b0 = 0x80 | 0x20 | 0x10 | 2  # padding, extension, two CSRCs
    header = struct.pack("!BBHII", b0, 0, 7, 320, 99) + struct.pack("!II", 1, 2)
    extension = struct.pack("!HH", 0xBEDE, 1) + b"\x00" * 4
    payload = b"\x11\x22\x33"
    padding = b"\x00\x00\x03"
    p = RtpPacket.parse(header + extension + payload + padding)
    assert p.payload == payload and p.sequence == 7 and p.ssrc == 99


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x80\x00\x00",
        bytes.fromhex("400a4b49000000a032498d8d"),  # version 1
        bytes.fromhex("000a4b49000000a032498d8d"),  # version 0
        bytes.fromhex("8f0a4b49000000a032498d8d"),  # 15 CSRCs announced, none present
        bytes.fromhex("900a4b49000000a032498d8d"),  # extension flag, no extension
        bytes.fromhex("900a4b49000000a032498d8d") + b"\x00\x00\x00\x09",  # extension too long
        bytes.fromhex("a00a4b49000000a032498d8d"),  # padding flag, nothing to pad
        bytes.fromhex("a00a4b49000000a032498d8d") + b"\x01\x09",  # padding longer than payload
        bytes.fromhex("a00a4b49000000a032498d8d") + b"\x01\x00",  # padding count 0
    ],
)
def test_malformed_raises_rtp_error(data: bytes) -> None:
    with pytest.raises(RtpError) as err:
        RtpPacket.parse(data)
    assert err.value.error_id == "rtp-malformed"


def test_pack_rejects_out_of_range_fields() -> None:
    for bad in (
        RtpPacket(128, 0, 0, 0, False, b""),
        RtpPacket(0, 70000, 0, 0, False, b""),
        RtpPacket(0, 0, -1, 0, False, b""),
        RtpPacket(0, 0, 0, 2**32, False, b""),
    ):
        with pytest.raises(RtpError) as err:
            bad.pack()
        assert err.value.error_id == "rtp-invalid-field"


def test_session_numbers_like_asterisk() -> None:
    s = RtpSession(PT_SLIN, rng=random.Random(1))
    packets = [RtpPacket.parse(s.next_packet(bytes(320))) for _ in range(5)]
    assert packets[0].timestamp == 160
    assert [p.timestamp for p in packets] == [160, 320, 480, 640, 800]
    seqs = [p.sequence for p in packets]
    assert all((b - a) & 0xFFFF == 1 for a, b in itertools.pairwise(seqs))
    assert len({p.ssrc for p in packets}) == 1
    assert not any(p.marker for p in packets)
    assert {p.payload_type for p in packets} == {PT_SLIN}


def test_session_start_is_random_and_wraps() -> None:
    starts = {RtpSession(PT_ULAW).sequence for _ in range(20)}
    assert len(starts) > 1
    s = RtpSession(PT_ULAW, sequence=65535, first_timestamp=2**32 - 160, ssrc=5)
    a = RtpPacket.parse(s.next_packet(b""))
    b = RtpPacket.parse(s.next_packet(b""))
    assert (a.sequence, b.sequence) == (65535, 0)
    assert (a.timestamp, b.timestamp) == (2**32 - 160, 0)
    with pytest.raises(RtpError):
        RtpSession(200)
