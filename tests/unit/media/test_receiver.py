"""RtpReceiver over real UDP on 127.0.0.1: decoding, the jitter buffer, bad input."""

from __future__ import annotations

import asyncio
import logging
import math
import socket
from array import array
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import pytest

from ivr.media.codecs import alaw_decode, alaw_encode, slin_to_network, ulaw_decode, ulaw_encode
from ivr.media.receiver import RtpReceiver
from ivr.media.rtp import PT_ALAW, PT_SLIN, PT_ULAW, RtpPacket
from ivr.simulator.media import CallerAudio, ExternalMediaEndpoint
from tests.pulse import Pulse

SSRC = 0x32498D8D


class Collector:
    """on_audio that keeps every chunk (and beats ``pulse`` for each)."""

    def __init__(self, pulse: Pulse | None = None) -> None:
        self.chunks: list[bytes] = []
        self.pulse = pulse or Pulse()

    def __call__(self, pcm: bytes) -> None:
        self.chunks.append(pcm)
        self.pulse.beat()

    def samples(self) -> array[int]:
        out = array("h")
        out.frombytes(b"".join(self.chunks))
        return out

    @property
    def total(self) -> int:
        return sum(len(c) for c in self.chunks) // 2


def frame(k: int, n: int = 160) -> array[int]:
    """A recognisable frame: every sample is 100 * (k + 1)."""
    return array("h", [100 * (k + 1)] * n)


def slin_packet(k: int, seq: int, ts: int, *, n: int = 160, ssrc: int = SSRC) -> bytes:
    payload = slin_to_network(frame(k, n))
    return RtpPacket(PT_SLIN, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc, False, payload).pack()


class WatchedReceiver(RtpReceiver):
    """The receiver under test, beating its Collector's pulse on each datagram too."""

    def __init__(self, codec: str, on_audio: Collector, **kwargs: Any) -> None:
        super().__init__(codec, on_audio, **kwargs)
        self.pulse = on_audio.pulse

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        super().datagram_received(data, addr)
        self.pulse.beat()


class Rig:
    """A receiver and a plain UDP socket sending to it."""

    def __init__(self, receiver: WatchedReceiver, audio: Collector) -> None:
        self.receiver = receiver
        self.audio = audio
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def send(self, datagrams: Iterable[bytes]) -> int:
        n = 0
        for d in datagrams:
            self.sock.sendto(d, ("127.0.0.1", self.receiver.local_port))
            n += 1
        return n

    async def settle(self, count: int) -> None:
        """Wait until ``count`` datagrams (good or bad) have reached the receiver."""
        rx = self.receiver
        await self.until(lambda: rx.stats.packets + rx.stats.malformed >= count)

    async def until(self, condition: Callable[[], bool], timeout: float = 2.0) -> None:
        """Re-checked on each datagram and each chunk of audio played out (both beat)."""
        await self.receiver.pulse.until(condition, timeout)


MakeRig = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig() -> AsyncIterator[MakeRig]:
    rigs: list[Rig] = []

    async def make(codec: str = "slin", jitter_packets: int = 3) -> Rig:
        audio = Collector()
        rx = await WatchedReceiver.open("127.0.0.1", 0, codec, audio, jitter_packets=jitter_packets)
        assert isinstance(rx, WatchedReceiver)
        rig = Rig(rx, audio)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.sock.close()
        await rig.receiver.close()


def expected(ks: Iterable[int | None], n: int = 160) -> array[int]:
    """Frames k in order; None is a lost packet (silence)."""
    out = array("h")
    for k in ks:
        out.extend(array("h", bytes(2 * n)) if k is None else frame(k, n))
    return out


async def test_in_order_slin_is_decoded_big_endian(make_rig: MakeRig) -> None:
    rig = await make_rig("slin")
    assert rig.receiver.local_address == "127.0.0.1" and rig.receiver.local_port > 0
    src = array("h", (int(12000 * math.sin(i / 7)) - 300 for i in range(1600)))
    sent = rig.send(
        RtpPacket(
            PT_SLIN,
            100 + k,
            160 * (k + 1),
            SSRC,
            False,
            slin_to_network(src[160 * k : 160 * (k + 1)]),
        ).pack()
        for k in range(10)
    )
    await rig.settle(sent)
    await rig.until(lambda: rig.audio.total == 1600)
    assert rig.audio.samples() == src
    s = rig.receiver.stats
    assert (s.packets, s.bytes, s.lost, s.late, s.reordered, s.malformed) == (10, 3200, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("codec", "pt", "encode", "decode"),
    [("ulaw", PT_ULAW, ulaw_encode, ulaw_decode), ("alaw", PT_ALAW, alaw_encode, alaw_decode)],
)
async def test_g711_decode(
    make_rig: MakeRig,
    codec: str,
    pt: int,
    encode: Callable[[bytes], bytes],
    decode: Callable[[bytes], bytes],
) -> None:
    rig = await make_rig(codec)
    src = array("h", (int(20000 * math.sin(i / 5)) for i in range(800))).tobytes()
    coded = encode(src)
    rig.send(
        RtpPacket(pt, 7 + k, 160 * k, SSRC, False, coded[160 * k : 160 * (k + 1)]).pack()
        for k in range(5)
    )
    await rig.until(lambda: rig.audio.total == 800)
    assert b"".join(rig.audio.chunks) == decode(coded)
    assert rig.receiver.stats.bytes == 800


async def test_reordered_packets_are_put_back_in_order(make_rig: MakeRig) -> None:
    rig = await make_rig()
    order = [0, 1, 3, 2, 5, 4, 6, 9, 7, 8, 10]
    rig.send(slin_packet(k, 500 + k, 160 * k) for k in order)
    await rig.until(lambda: rig.audio.total == 11 * 160)
    assert rig.audio.samples() == expected(range(11))
    s = rig.receiver.stats
    assert (s.reordered, s.lost, s.late, s.duplicate) == (4, 0, 0, 0)


async def test_lost_packet_becomes_silence_once_the_jitter_is_exceeded(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(jitter_packets=3)
    rig.send(slin_packet(k, 10 + k, 160 * k) for k in [0, 1, 3, 4, 5])
    await rig.settle(5)
    assert rig.audio.total == 2 * 160  # 3, 4, 5 are held waiting for 2
    rig.send([slin_packet(6, 16, 160 * 6)])  # 4 packets past the gap: give up on 2
    await rig.until(lambda: rig.audio.total == 7 * 160)
    assert rig.audio.samples() == expected([0, 1, None, 3, 4, 5, 6])
    assert rig.receiver.stats.lost == 1


async def test_gap_is_played_out_when_the_stream_goes_quiet(make_rig: MakeRig) -> None:
    rig = await make_rig(jitter_packets=3)
    rig.send(slin_packet(k, 10 + k, 160 * k) for k in [0, 1, 4])
    await rig.settle(3)
    # nothing more arrives: ~3 packet times (60 ms) later the held packet is played out
    await rig.until(lambda: rig.audio.total == 5 * 160, timeout=0.5)
    assert rig.audio.samples() == expected([0, 1, None, None, 4])
    assert rig.receiver.stats.lost == 2


async def test_duplicates_and_late_packets_are_dropped(make_rig: MakeRig) -> None:
    rig = await make_rig(jitter_packets=1)
    # 1 twice (played), 3 twice (buffered), 2 lost once 4 is 2 ahead, then 2 arrives late
    order = [0, 1, 1, 3, 3, 4, 2, 5]
    rig.send(slin_packet(k, 300 + k, 160 * k) for k in order)
    await rig.settle(len(order))
    await rig.until(lambda: rig.audio.total == 6 * 160)
    assert rig.audio.samples() == expected([0, 1, None, 3, 4, 5])
    s = rig.receiver.stats
    assert (s.duplicate, s.late, s.lost, s.packets) == (2, 1, 1, 8)


async def test_30ms_packets_and_a_size_change(make_rig: MakeRig) -> None:
    rig = await make_rig("ulaw")
    # 30 ms (240 samples) x3, one 30 ms packet lost, then 20 ms packets
    sizes = [240, 240, 240, 240, 160, 160, 160, 160, 160]
    ts, packets = 240, []
    for k, n in enumerate(sizes):
        payload = ulaw_encode(frame(k, n))
        packets.append(RtpPacket(PT_ULAW, 60000 + k, ts, SSRC, False, payload).pack())
        ts += n
    del packets[2]
    rig.send(packets)
    await rig.until(lambda: rig.audio.total == sum(sizes))
    want = array("h")
    for k, n in enumerate(sizes):
        chunk = array("h", bytes(2 * n)) if k == 2 else frame(k, n)
        want.extend(array("h", ulaw_decode(ulaw_encode(chunk))) if k != 2 else chunk)
    assert rig.audio.samples() == want
    assert rig.receiver.stats.lost == 1


async def test_loss_duration_comes_from_timestamps(make_rig: MakeRig) -> None:
    rig = await make_rig(jitter_packets=0)
    # a 20 ms packet then a lost 30 ms one (timestamp step 240), then 20 ms again
    rig.send([slin_packet(0, 1, 0), slin_packet(2, 3, 160 + 240)])
    await rig.until(lambda: rig.audio.total == 160 + 240 + 160)
    assert rig.audio.samples() == frame(0) + array("h", bytes(480)) + frame(2)


async def test_malformed_datagrams_are_counted_and_dropped(make_rig: MakeRig) -> None:
    rig = await make_rig("slin")
    good = slin_packet(0, 1, 160)
    bad = [
        b"\x80\x0a\x00",  # too short
        b"\x40" + good[1:],  # RTP version 1
        RtpPacket(PT_ULAW, 1, 160, SSRC, False, bytes(160)).pack(),  # not our codec
        RtpPacket(PT_SLIN, 1, 160, SSRC, False, bytes(321)).pack(),  # half a sample
        RtpPacket(PT_SLIN, 1, 160, SSRC, False, b"").pack(),  # no audio
        b"",
    ]
    rig.send([*bad, good])
    await rig.settle(len(bad) + 1)
    await rig.until(lambda: rig.audio.total == 160)
    s = rig.receiver.stats
    assert (s.malformed, s.packets) == (len(bad), 1)
    assert rig.audio.samples() == frame(0)


async def test_sequence_wraps_at_65535(make_rig: MakeRig) -> None:
    rig = await make_rig()
    order = [0, 1, 3, 2, 4, 5]  # seq 65533, 65534, 0, 65535, 1, 2
    rig.send(slin_packet(k, 65533 + k, 2**32 - 480 + 160 * k) for k in order)
    await rig.until(lambda: rig.audio.total == 6 * 160)
    assert rig.audio.samples() == expected(range(6))
    s = rig.receiver.stats
    assert (s.reordered, s.lost, s.late, s.resyncs) == (1, 0, 0, 0)


async def test_ssrc_change_starts_a_new_stream(make_rig: MakeRig) -> None:
    rig = await make_rig()
    rig.send(slin_packet(k, 100 + k, 160 * k) for k in range(3))
    rig.send(slin_packet(k, 40000 + k, 9999 + 160 * k, ssrc=7) for k in range(3, 6))
    await rig.until(lambda: rig.audio.total == 6 * 160)
    assert rig.audio.samples() == expected(range(6))
    s = rig.receiver.stats
    assert (s.resyncs, s.lost, s.late) == (1, 0, 0)


async def test_big_sequence_jump_is_a_new_stream_but_a_stray_is_late(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig()
    rig.send(slin_packet(k, 100 + k, 160 * k) for k in range(3))
    rig.send([slin_packet(99, 30000, 0)])  # one stray: dropped when 103 follows
    rig.send([slin_packet(3, 103, 480)])
    rig.send(slin_packet(k, 20000 + k, 160 * k) for k in range(4, 7))  # a restart
    await rig.until(lambda: rig.audio.total == 7 * 160)
    assert rig.audio.samples() == expected(range(7))
    s = rig.receiver.stats
    assert (s.resyncs, s.late, s.lost) == (1, 1, 0)


async def test_on_audio_errors_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[bytes] = []
    called = Pulse()

    def bad(pcm: bytes) -> None:
        calls.append(pcm)
        called.beat()
        raise RuntimeError("boom")

    rx = await RtpReceiver.open("127.0.0.1", 0, "slin", bad)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        with caplog.at_level(logging.ERROR, logger="ivr.media.receiver"):
            for k in range(3):
                sock.sendto(slin_packet(k, k, 160 * k), ("127.0.0.1", rx.local_port))
            await called.until(lambda: len(calls) == 3, 2.0)
        assert "rtp-audio-callback-failed" in caplog.text
    finally:
        sock.close()
        await rx.close()


async def test_close_flushes_the_buffer_and_is_idempotent(make_rig: MakeRig) -> None:
    rig = await make_rig(jitter_packets=50)  # timer ~1 s: not it
    rig.send(slin_packet(k, 10 + k, 160 * k) for k in [0, 2, 3])
    await rig.settle(3)
    assert rig.audio.total == 160
    await rig.receiver.close()
    assert rig.audio.samples() == expected([0, None, 2, 3])
    await rig.receiver.close()
    rig.send([slin_packet(4, 14, 640)])  # nobody listening any more
    await asyncio.sleep(0.01)
    assert rig.audio.total == 4 * 160


@pytest.mark.parametrize("fmt", ["slin", "ulaw"])
async def test_from_the_simulators_external_media(fmt: str) -> None:
    audio = Collector()
    rx = await RtpReceiver.open("127.0.0.1", 0, fmt, audio)
    sender = await ExternalMediaEndpoint.open(
        "127.0.0.1", ("127.0.0.1", rx.local_port), fmt, time_scale=0.05
    )
    try:
        src = array("h", (int(16000 * math.sin(i / 9) * math.sin(i / 700)) for i in range(8000)))
        caller = CallerAudio()
        caller.say(src)
        sender.start_streaming(caller.next_frame)
        await audio.pulse.until(lambda: audio.total >= len(src) + 320, 5.0)
    finally:
        await sender.close()
        await rx.close()
    half = array("h", (int(x / 2) for x in src))
    if fmt == "ulaw":
        half = array("h", ulaw_decode(ulaw_encode(half)))
    got = audio.samples()
    assert got[: len(src)] == half
    assert not any(got[len(src) : len(src) + 320])  # then the silence Asterisk sends
    s = rx.stats
    assert (s.lost, s.late, s.malformed, s.reordered) == (0, 0, 0, 0)
