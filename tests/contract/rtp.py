"""A UDP listener standing in for the external media server, and the RTP checks.

The expectations come from the trace's `observations.rtp_received_by_udp_listener`
(what a real Asterisk 22 sent to a Python UDP socket): 20 ms packets, one SSRC,
sequence +1, timestamp +160 starting at 160, marker 0, a 12-byte header, PT 10 with
320 bytes of big-endian slin or PT 0 with 160 bytes of u-law, sent from
UNICASTRTP_LOCAL_PORT.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Datagram:
    at: float
    source: tuple[str, int]
    data: bytes


@dataclass
class UdpSink(asyncio.DatagramProtocol):
    received: list[Datagram] = field(default_factory=list)
    transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        loop = asyncio.get_running_loop()
        self.received.append(Datagram(loop.time(), (str(addr[0]), int(addr[1])), data))

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_sink(host: str = "127.0.0.1") -> UdpSink:
    loop = asyncio.get_running_loop()
    _, proto = await loop.create_datagram_endpoint(UdpSink, local_addr=(host, 0))
    return proto


@dataclass(frozen=True)
class RtpHeader:
    version: int
    padding: bool
    extension: bool
    csrc_count: int
    marker: bool
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int


def parse_header(data: bytes) -> RtpHeader:
    b0, b1, seq, ts, ssrc = struct.unpack("!BBHII", data[:12])
    return RtpHeader(
        version=b0 >> 6,
        padding=bool(b0 & 0x20),
        extension=bool(b0 & 0x10),
        csrc_count=b0 & 0x0F,
        marker=bool(b1 & 0x80),
        payload_type=b1 & 0x7F,
        sequence=seq,
        timestamp=ts,
        ssrc=ssrc,
    )


def ulaw_to_linear(byte: int) -> int:
    """G.711 u-law to 16-bit linear (the standard table, written out)."""
    u = ~byte & 0xFF
    sign, exponent, mantissa = u & 0x80, (u >> 4) & 0x07, u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return -magnitude if sign else magnitude


def decode_payload(payload: bytes, payload_type: int) -> list[int]:
    if payload_type == 0:
        return [ulaw_to_linear(b) for b in payload]
    n = len(payload) // 2
    return list(struct.unpack(f">{n}h", payload[: 2 * n]))


def _rms(samples: list[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


def _roughness(samples: list[int]) -> float:
    """Mean |difference of neighbours| / RMS: speech read in the wrong byte order is rough."""
    rms = _rms(samples)
    if rms == 0 or len(samples) < 2:
        return 0.0
    return sum(abs(a - b) for a, b in itertools.pairwise(samples)) / ((len(samples) - 1) * rms)


def _onset(samples: Sequence[int], threshold: int = 64) -> int | None:
    return next((i for i, x in enumerate(samples) if abs(x) > threshold), None)


SPEECH_SHARE = 0.5  # of the caller's speech that must have arrived to be compared


def _check_speech(received: list[int], speech: list[int], *, ulaw: bool) -> list[str]:
    r0, s0 = _onset(received), _onset(speech, 128)
    if r0 is None or s0 is None:
        return ["no speech in the RTP stream (the caller says tt-weasels 1 s after answer)"]
    best = (-2.0, 0.0)
    for lag in range(-4, 5):
        start = r0 - s0 + lag
        if start < 0:
            continue
        seg = received[start : start + len(speech)]
        ref = speech[: len(seg)]
        # Half the speech is enough to compare: at time_scale 0.1 on a loaded runner the
        # trace's hang-up (wall clock) can cut the stream's last packets (a CI run got
        # under 90 % and read it as no speech); the packet counts above catch real loss.
        if len(seg) < SPEECH_SHARE * len(speech):
            continue
        num = sum(a * b for a, b in zip(seg, ref, strict=True))
        den = math.sqrt(sum(a * a for a in seg) * sum(b * b for b in ref))
        corr = num / den if den else 0.0
        if corr > best[0]:
            best = (corr, _rms(seg) / _rms(ref) if _rms(ref) else 0.0)
    corr, ratio = best
    problems = []
    if corr < (0.99 if ulaw else 0.999):
        problems.append(
            f"received audio correlates {corr:.4f} with the caller's tt-weasels, expected 0.9999"
        )
    elif not 0.45 <= ratio <= 0.55:
        problems.append(
            f"received speech is at {ratio:.2f} x the caller's amplitude, expected 0.5 (-6 dB)"
        )
    return problems


def check_rtp(
    packets: list[Datagram],
    observed: dict[str, Any],
    *,
    local_address: str | None,
    local_port: str | None,
    time_scale: float,
    joined_at: float | None,
    left_at: float | None,
    caller_speech: Sequence[int] | None = None,
) -> list[str]:
    """Problems of what the simulator sent, against the real Asterisk observations."""
    problems: list[str] = []
    if not packets:
        return ["no RTP packet reached the external_host UDP socket"]
    header_bytes = int(observed["rtp_header_bytes"])
    (pt_text,) = observed["payload_types"].keys()
    (size_text,) = observed["payload_sizes"].keys()
    want_pt, want_size = int(pt_text), int(size_text)
    (step_text,) = observed["timestamp_increments"].keys()
    want_step = int(step_text)
    first_hex = str(observed["first_header_hex"])
    want_first_ts = int(first_hex[8:16], 16)

    headers = [parse_header(p.data) for p in packets]
    sizes = {len(p.data) for p in packets}
    if sizes != {header_bytes + want_size}:
        problems.append(
            f"RTP datagram sizes {sorted(sizes)}, expected {header_bytes + want_size} "
            f"({header_bytes}-byte header + {want_size}-byte payload)"
        )
    bad_hdr = [h for h in headers if h.version != 2 or h.padding or h.extension or h.csrc_count]
    if bad_hdr:
        problems.append(f"RTP header is not a plain 12-byte v2 header: {bad_hdr[0]}")
    pts = sorted({h.payload_type for h in headers})
    if pts != [want_pt]:
        problems.append(f"RTP payload types {pts}, expected [{want_pt}]")
    if any(h.marker for h in headers):
        problems.append(
            f"RTP marker bit set on {sum(h.marker for h in headers)} packets "
            f"(first packet marker {int(headers[0].marker)}), expected 0 on all"
        )
    ssrcs = {h.ssrc for h in headers}
    if len(ssrcs) != int(observed["ssrcs"]):
        problems.append(f"{len(ssrcs)} SSRCs, expected {observed['ssrcs']}")
    if headers[0].timestamp != want_first_ts:
        problems.append(f"first RTP timestamp {headers[0].timestamp}, expected {want_first_ts}")
    seq_steps = {(b.sequence - a.sequence) % 65536 for a, b in itertools.pairwise(headers)}
    if seq_steps - {1}:
        problems.append(f"RTP sequence increments {sorted(seq_steps)}, expected [1]")
    ts_steps = {(b.timestamp - a.timestamp) % 2**32 for a, b in itertools.pairwise(headers)}
    if ts_steps - {want_step}:
        problems.append(f"RTP timestamp increments {sorted(ts_steps)}, expected [{want_step}]")
    sources = {p.source for p in packets}
    if local_port is not None:
        want_src = (local_address or "127.0.0.1", int(local_port))
        if sources != {want_src}:
            problems.append(
                f"RTP sent from {sorted(sources)}, expected only from "
                f"UNICASTRTP_LOCAL_ADDRESS:PORT {want_src}"
            )
    # Order, not rate: no packet before the join, none long after the hang-up. The 20 ms
    # pacing is a wall-clock property a loaded 2-core runner distorts at time_scale 0.1
    # (a CI run read 4.8 ms for 2.0), so bench/media.py measures it (packets due vs sent)
    # and the RTP timestamps (+160 per packet, checked above) pin the media clock here.
    if joined_at is not None:
        early = [p for p in packets if p.at < joined_at]
        if early:
            problems.append(f"{len(early)} RTP packets arrived before the bridge join")
    if left_at is not None:
        late = [p for p in packets if p.at > left_at + 20 * 0.020 * time_scale + 0.05]
        if late:
            problems.append(f"{len(late)} RTP packets after the external channel was hung up")
    # Content: the caller (ivr-in,203) speaks tt-weasels for 2.95 s after 1 s of silence.
    silence_byte = 0xFF if want_pt == 0 else 0x00
    payloads = [p.data[header_bytes:] for p in packets]
    non_silent = [
        pl for pl in payloads if any(b not in (silence_byte, silence_byte & 0x7F) for b in pl)
    ]
    want_voiced = int(observed.get("non_silent_packets", 0))
    want_silent = int(observed.get("silent_packets", 0))
    if want_voiced and len(non_silent) < 0.5 * want_voiced * len(packets) / observed["packets"]:
        problems.append(
            f"{len(non_silent)} of {len(packets)} RTP packets carry sound, expected about "
            f"{want_voiced} of {observed['packets']} (the caller speaks tt-weasels)"
        )
    if want_silent and len(packets) - len(non_silent) == 0:
        problems.append("no silent RTP packets: silence must be sent too while bridged")
    # Level and content: the caller's speech arrives unchanged but at half amplitude
    # (-6 dB); real Asterisk correlated 0.9999 with the caller's tt-weasels.wav. The
    # simulator ships stand-in WAVs, so this compares with the WAV it actually plays.
    if caller_speech:
        samples: list[int] = []
        for pl in payloads:
            samples.extend(decode_payload(pl, want_pt))
        problems.extend(_check_speech(samples, list(caller_speech), ulaw=want_pt == 0))
    if want_pt == 10 and non_silent:
        be: list[int] = []
        le: list[int] = []
        for pl in non_silent:
            n = len(pl) // 2
            be.extend(struct.unpack(f">{n}h", pl[: 2 * n]))
            le.extend(struct.unpack(f"<{n}h", pl[: 2 * n]))
        if _roughness(be) >= _roughness(le):
            problems.append(
                "slin payload does not look big-endian (network order): "
                f"roughness BE {_roughness(be):.3f} vs LE {_roughness(le):.3f}"
            )
    return problems
