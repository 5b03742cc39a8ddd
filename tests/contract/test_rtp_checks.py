"""Self-test of the RTP checks on hand-made streams (good, and each defect alone)."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest

from tests.contract.rtp import Datagram, check_rtp

TS = 0.1
SRC = ("127.0.0.1", 11208)
OBSERVED: dict[str, Any] = {
    "packets": 200,
    "payload_types": {"10": 200},
    "payload_sizes": {"320": 200},
    "rtp_header_bytes": 12,
    "timestamp_increments": {"160": 199},
    "ssrcs": 1,
    "first_header_hex": "800a4b49000000a032498d8d",
    "mean_interval_ms": 20.0,
    "non_silent_packets": 99,
    "silent_packets": 101,
}
SPEECH = [int(8000 * math.sin(i / 9.0) * math.sin(i / 700.0)) for i in range(8000)]


def _stream(**bad: Any) -> list[Datagram]:
    samples = [0] * 8000 + [s // 2 for s in SPEECH] + [0] * 16000
    if bad.get("loud"):
        samples = [0] * 8000 + SPEECH + [0] * 16000
    out = []
    for n in range(len(samples) // 160):
        frame = samples[n * 160 : (n + 1) * 160]
        order = "<" if bad.get("little_endian") else ">"
        payload = struct.pack(f"{order}160h", *frame)
        marker = 0x80 if bad.get("marker") and n == 0 else 0
        pt = bad.get("pt", 10)
        seq = 1000 + n + (1 if bad.get("seq_gap") and n > 50 else 0)
        ts = bad.get("first_ts", 160) + 160 * n
        ssrc = 7 if not (bad.get("two_ssrc") and n > 100) else 8
        header = struct.pack("!BBHII", 0x80, marker | pt, seq % 65536, ts, ssrc)
        src = bad.get("source", SRC)
        out.append(Datagram(100.0 + n * 0.020 * TS, src, header + payload))
    return out


def _check(packets: list[Datagram], joined_at: float = 99.99) -> list[str]:
    return check_rtp(
        packets,
        OBSERVED,
        local_address="127.0.0.1",
        local_port="11208",
        time_scale=TS,
        joined_at=joined_at,
        left_at=packets[-1].at,
        caller_speech=SPEECH,
    )


def test_a_faithful_stream_passes() -> None:
    assert _check(_stream()) == []


@pytest.mark.parametrize(
    ("defect", "message_start"),
    [
        ({"marker": True}, "RTP marker bit set on 1 packets"),
        ({"pt": 11}, "RTP payload types [11], expected [10]"),
        ({"first_ts": 0}, "first RTP timestamp 0, expected 160"),
        ({"seq_gap": True}, "RTP sequence increments [1, 2], expected [1]"),
        ({"two_ssrc": True}, "2 SSRCs, expected 1"),
        ({"source": ("127.0.0.1", 4000)}, "RTP sent from [('127.0.0.1', 4000)]"),
        ({"loud": True}, "received speech is at 1.00 x the caller's amplitude"),
        ({"little_endian": True}, "received audio correlates"),
    ],
)
def test_each_defect_is_flagged(defect: dict[str, Any], message_start: str) -> None:
    problems = _check(_stream(**defect))
    assert any(p.startswith(message_start) for p in problems), problems


def test_packets_before_the_bridge_join_are_flagged() -> None:
    packets = _stream()
    assert "3 RTP packets arrived before the bridge join" in _check(packets, packets[3].at)


def test_no_packets_at_all_is_flagged() -> None:
    assert check_rtp(
        [],
        OBSERVED,
        local_address=None,
        local_port=None,
        time_scale=TS,
        joined_at=None,
        left_at=None,
    ) == ["no RTP packet reached the external_host UDP socket"]
