"""ExternalMediaEndpoint over real UDP on 127.0.0.1: the stream Asterisk 22 was seen sending."""

from __future__ import annotations

import asyncio
import itertools
import math
import struct
from array import array
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import pytest

from ivr.media import MediaError
from ivr.media.codecs import (
    alaw_decode,
    alaw_encode,
    slin_from_network,
    slin_to_network,
    ulaw_decode,
    ulaw_encode,
)
from ivr.media.rtp import RtpPacket
from ivr.simulator.media import CallerAudio, ExternalMediaEndpoint
from tests.pulse import Pulse

SCALE = 0.02  # 0.4 ms per packet: fast, still paced


class Receiver(asyncio.DatagramProtocol):
    """The app's RTP socket in these tests: keeps every datagram and who sent it."""

    def __init__(self) -> None:
        self.packets: list[tuple[bytes, tuple[str, int]]] = []
        self.transport: asyncio.DatagramTransport | None = None
        self.pulse = Pulse()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.packets.append((data, addr))
        self.pulse.beat()

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(Receiver, local_addr=("127.0.0.1", 0))
    yield proto
    transport.close()


class Watched(ExternalMediaEndpoint):
    """The endpoint under test, beating a pulse on each datagram it receives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pulse = Pulse()

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        super().datagram_received(data, addr)
        self.pulse.beat()


def counted(source: Callable[[], array[int]], pulse: Pulse) -> Callable[[], array[int]]:
    """A media source that beats ``pulse`` each time a packet is made from it."""

    def frame() -> array[int]:
        pulse.beat()
        return source()

    return frame


def tone(samples: int, amp: int = 12001) -> array[int]:
    return array("h", (round(amp * math.sin(2 * math.pi * n / 8)) for n in range(samples)))


def halved(samples: array[int]) -> array[int]:
    return array("h", (int(v / 2) for v in samples))


async def stream(
    receiver: Receiver, fmt: str, speech: array[int], count: int
) -> tuple[ExternalMediaEndpoint, list[RtpPacket]]:
    endpoint = await ExternalMediaEndpoint.open(
        "127.0.0.1", ("127.0.0.1", receiver.port), fmt, SCALE
    )
    audio = CallerAudio()
    audio.say(speech)
    endpoint.start_streaming(audio.next_frame)
    await receiver.pulse.until(lambda: len(receiver.packets) >= count)
    await endpoint.close()
    assert {addr for _, addr in receiver.packets} == {("127.0.0.1", endpoint.local_port)}
    return endpoint, [RtpPacket.parse(data) for data, _ in receiver.packets]


def check_numbering(packets: list[RtpPacket], payload_type: int, size: int) -> None:
    assert {p.payload_type for p in packets} == {payload_type}
    assert {len(p.payload) for p in packets} == {size}
    assert packets[0].timestamp == 160
    assert not any(p.marker for p in packets)
    assert len({p.ssrc for p in packets}) == 1
    for a, b in itertools.pairwise(packets):
        assert (b.sequence - a.sequence) & 0xFFFF == 1
        assert (b.timestamp - a.timestamp) & 0xFFFFFFFF == 160


async def test_slin_stream_matches_trace(receiver: Receiver) -> None:
    speech = tone(800)  # 5 frames, then silence
    endpoint, packets = await stream(receiver, "slin", speech, 12)
    check_numbering(packets, 10, 320)
    assert endpoint.local_address == "127.0.0.1"
    pcm = array("h")
    for p in packets:
        pcm.frombytes(slin_from_network(p.payload))
    assert pcm[:800] == halved(speech)  # -6 dB, exactly
    assert not any(pcm[800:])  # silence frames are sent too
    # big-endian on the wire
    assert packets[0].payload == slin_to_network(halved(speech)[:160])


@pytest.mark.parametrize(
    ("fmt", "pt", "encode", "decode", "silence"),
    [
        ("ulaw", 0, ulaw_encode, ulaw_decode, 0xFF),
        ("alaw", 8, alaw_encode, alaw_decode, 0xD5),
    ],
)
async def test_g711_streams(
    receiver: Receiver,
    fmt: str,
    pt: int,
    encode: Callable[[array[int]], bytes],
    decode: Callable[[bytes], bytes],
    silence: int,
) -> None:
    speech = tone(480)
    _, packets = await stream(receiver, fmt, speech, 6)
    check_numbering(packets, pt, 160)
    payload = b"".join(p.payload for p in packets)
    assert payload[:480] == encode(halved(speech))
    assert set(payload[480:]) == {silence}
    decoded = array("h", decode(payload[:480]))
    half = halved(speech)
    assert max(abs(a - b) for a, b in zip(decoded, half, strict=True)) < 300


async def test_restart_keeps_numbering_and_swaps_source(receiver: Receiver) -> None:
    endpoint = await ExternalMediaEndpoint.open(
        "127.0.0.1", ("127.0.0.1", receiver.port), "slin", SCALE
    )
    endpoint.start_streaming(lambda: array("h", [2]) * 160)
    await receiver.pulse.until(lambda: len(receiver.packets) >= 3)
    endpoint.stop_streaming()
    assert not endpoint.streaming
    sent = endpoint.sent_packets
    await receiver.pulse.until(lambda: len(receiver.packets) >= sent)  # those on the wire
    assert len(receiver.packets) == sent
    endpoint.start_streaming(lambda: array("h", [4]) * 100)  # short frames are padded
    await receiver.pulse.until(lambda: len(receiver.packets) >= sent + 3)
    endpoint.start_streaming(lambda: array("h", [6]) * 200)  # long frames are cut
    await receiver.pulse.until(lambda: any(d[12:14] == b"\x00\x03" for d, _ in receiver.packets))
    await endpoint.close()
    packets = [RtpPacket.parse(d) for d, _ in receiver.packets]
    check_numbering(packets, 10, 320)
    values = [array("h", slin_from_network(p.payload)) for p in packets]
    assert values[0].tolist() == [1] * 160
    padded = next(v for v in values if v[0] == 2)
    assert padded.tolist() == [2] * 100 + [0] * 60
    assert values[-1].tolist() == [3] * 160


async def test_receives_rtp_from_the_app(receiver: Receiver) -> None:
    endpoint = await Watched.open("127.0.0.1", ("127.0.0.1", receiver.port), "ulaw", SCALE)
    assert receiver.transport is not None
    target = ("127.0.0.1", endpoint.local_port)
    speech = array("h", [1000, -1000, 0, 32000] * 40)
    for seq in range(3):
        receiver.transport.sendto(
            RtpPacket(0, seq, 160 * seq, 7, False, ulaw_encode(speech)).pack(), target
        )
    receiver.transport.sendto(
        RtpPacket(10, 3, 480, 7, False, slin_to_network(speech)).pack(), target
    )
    receiver.transport.sendto(RtpPacket(8, 4, 640, 7, False, alaw_encode(speech)).pack(), target)
    receiver.transport.sendto(b"\x00garbage", target)
    receiver.transport.sendto(
        RtpPacket(96, 5, 800, 7, False, b"\x01\x02").pack(), target
    )  # unknown PT
    receiver.transport.sendto(
        RtpPacket(10, 6, 960, 7, False, b"\x01\x02\x03").pack(), target
    )  # odd slin
    endpoint.datagram_received(b"", target)  # asyncio will not send an empty datagram
    assert isinstance(endpoint, Watched)
    await endpoint.pulse.until(lambda: endpoint.received_packets + endpoint.malformed_packets >= 9)
    assert endpoint.received_packets == 5
    assert endpoint.malformed_packets == 4
    got = endpoint.received_samples()
    assert len(got) == 5 * 160
    assert got[:160] == array("h", ulaw_decode(ulaw_encode(speech)))
    assert got[480:640] == speech
    assert got[640:] == array("h", alaw_decode(alaw_encode(speech)))
    await endpoint.close()


async def test_received_audio_is_bounded() -> None:
    endpoint = await ExternalMediaEndpoint.open(
        "127.0.0.1", ("127.0.0.1", 9), "slin", 1.0, keep_seconds=0.05
    )
    for seq in range(10):
        frame = array("h", [seq]) * 160
        endpoint.datagram_received(
            RtpPacket(10, seq, 0, 1, False, slin_to_network(frame)).pack(), ("127.0.0.1", 1)
        )
    got = endpoint.received_samples()
    assert len(got) == 400  # 50 ms at 8 kHz
    assert got[-1] == 9 and got[0] == 7
    assert endpoint.received_packets == 10
    await endpoint.close()


async def test_close_is_idempotent_and_stops_everything(receiver: Receiver) -> None:
    endpoint = await ExternalMediaEndpoint.open(
        "127.0.0.1", ("127.0.0.1", receiver.port), "slin", SCALE
    )
    endpoint.start_streaming(CallerAudio().next_frame)
    await receiver.pulse.until(lambda: len(receiver.packets) >= 2)
    await endpoint.close()
    await endpoint.close()
    assert not endpoint.streaming
    count = endpoint.sent_packets
    asked = Pulse()
    endpoint.start_streaming(counted(CallerAudio().next_frame, asked))  # ignored after close
    assert not endpoint.streaming  # nothing scheduled, so no tick can ever ask for a frame
    assert endpoint.sent_packets == count and not asked.beaten


async def test_failing_source_stops_the_stream(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = await ExternalMediaEndpoint.open(
        "127.0.0.1", ("127.0.0.1", receiver.port), "ulaw", SCALE
    )

    asked = asyncio.Event()

    def broken() -> array[int]:
        asked.set()
        raise RuntimeError("boom")

    endpoint.start_streaming(broken)
    await asked.wait()  # the tick that asked it has stopped the stream by now
    assert not endpoint.streaming and endpoint.sent_packets == 0
    assert "media-source-failed" in caplog.text
    await endpoint.close()


async def test_unreachable_remote_is_counted_not_raised() -> None:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(Receiver, local_addr=("127.0.0.1", 0))
    port = proto.port
    transport.close()  # nobody listens there now
    endpoint = await ExternalMediaEndpoint.open("127.0.0.1", ("127.0.0.1", port), "slin", SCALE)
    made = Pulse()
    endpoint.start_streaming(counted(CallerAudio().next_frame, made))
    await made.until(lambda: endpoint.sent_packets >= 5)
    assert endpoint.streaming  # nobody listening stops nothing: sends go on, none raised
    assert endpoint.sent_packets >= 5
    await endpoint.close()


async def test_remote_host_name_is_resolved(receiver: Receiver) -> None:
    endpoint = await ExternalMediaEndpoint.open(
        "127.0.0.1", ("localhost", receiver.port), "slin", SCALE
    )
    assert endpoint.remote == ("127.0.0.1", receiver.port)
    await endpoint.close()


async def test_unsupported_format() -> None:
    with pytest.raises(MediaError) as err:
        await ExternalMediaEndpoint.open("127.0.0.1", ("127.0.0.1", 9), "slin16", 1.0)
    assert err.value.error_id == "media-format-unsupported"
    with pytest.raises(ValueError):
        await ExternalMediaEndpoint.open("127.0.0.1", ("127.0.0.1", 9), "slin", 0)


def test_header_struct_sanity() -> None:
    assert struct.calcsize("!BBHII") == 12
