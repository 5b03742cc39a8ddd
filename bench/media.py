"""Media costs: G.711 per frame, and simulator externalMedia endpoints streaming at once.

.venv/bin/python bench/media.py --endpoints 300 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
import timeit
from array import array

from ivr.media.codecs import alaw_encode, ulaw_decode, ulaw_encode
from ivr.simulator.media import CallerAudio, ExternalMediaEndpoint


def codec_figures() -> None:
    frame = array("h", (int(8000 * math.sin(i / 5)) for i in range(160))).tobytes()
    coded = ulaw_encode(frame)
    for name, fn in (
        ("ulaw encode", lambda: ulaw_encode(frame)),
        ("alaw encode", lambda: alaw_encode(frame)),
        ("ulaw decode", lambda: ulaw_decode(coded)),
    ):
        n = 20000
        per = timeit.timeit(fn, number=n) / n
        print(f"{name}: {per * 1e6:.1f} us per 20 ms frame ({1 / per:,.0f} frames/s)")


class _Sink(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.packets = 0

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.packets += 1


async def streaming_figures(endpoints: int, seconds: float, fmt: str) -> None:
    loop = asyncio.get_running_loop()
    transport, sink = await loop.create_datagram_endpoint(_Sink, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    speech = array("h", (int(8000 * math.sin(i / 7)) for i in range(8000 * 60)))
    opened = []
    for _ in range(endpoints):
        ep = await ExternalMediaEndpoint.open("127.0.0.1", ("127.0.0.1", port), fmt, 1.0)
        audio = CallerAudio()
        audio.say(speech)
        ep.start_streaming(audio.next_frame)
        opened.append(ep)
    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    for ep in opened:
        await ep.close()
    transport.close()
    expected = endpoints * wall / 0.02
    print(
        f"{endpoints} endpoints streaming {fmt} speech for {wall:.1f} s: "
        f"{cpu / wall * 100:.1f}% of one core (sender + receiver), "
        f"{sink.packets:,} packets received of ~{expected:,.0f} due"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    codec_figures()
    for fmt in ("slin", "ulaw"):
        asyncio.run(streaming_figures(args.endpoints, args.seconds, fmt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
