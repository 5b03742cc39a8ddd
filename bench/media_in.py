"""Media-in costs: RtpReceiver + Endpointer per 20 ms frame, and N live calls at once.

Senders are the simulator's ExternalMediaEndpoint (real time, 20 ms packets) in the same
process, so each streaming figure is also run against a do-nothing UDP sink: the
difference is what the receive path (socket read, jitter buffer, decode, webrtcvad)
costs the app. Figures only, no asserts.

.venv/bin/python bench/media_in.py --streams 100 300 --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import time
from array import array
from pathlib import Path
from typing import Any

from ivr.media.codecs import slin_to_network, ulaw_encode
from ivr.media.endpointing import Endpointer, NoInput, SpeechDone
from ivr.media.receiver import RtpReceiver
from ivr.media.rtp import FORMAT_PAYLOAD_TYPES, RtpSession
from ivr.media.wav import read_wav_8k
from ivr.simulator.media import CallerAudio, ExternalMediaEndpoint

SPEECH = Path(__file__).parent.parent / "tests/unit/media/fixtures/speech_pc_johnson.wav"


def caller_source(speech: array[int]) -> CallerAudio:
    """A caller who keeps talking: speech, 1.5 s of silence, again (for 10 minutes)."""
    audio = CallerAudio()
    for _ in range(150):
        audio.say(speech)
        audio.say(array("h", bytes(2 * 12000)))
    return audio


class Listener:
    """One call's media-in path: receiver -> endpointer, restarted after each utterance."""

    def __init__(self) -> None:
        self.endpointer = Endpointer()
        self.utterances = 0
        self.receiver: RtpReceiver | None = None

    def on_audio(self, pcm: bytes) -> None:
        for event in self.endpointer.feed(pcm):
            if isinstance(event, SpeechDone):
                self.utterances += 1
            if isinstance(event, SpeechDone | NoInput):
                self.endpointer.reset()


def frame_costs(speech: array[int]) -> None:
    """Per-frame cost without sockets: datagram_received (decode + jitter buffer) and VAD."""
    pcm = (speech + array("h", bytes(2 * 8000))).tobytes()
    frames = [pcm[i : i + 320] for i in range(0, len(pcm) - 319, 320)]
    for fmt in ("slin", "ulaw"):
        session = RtpSession(FORMAT_PAYLOAD_TYPES[fmt])
        enc = slin_to_network if fmt == "slin" else ulaw_encode
        packets = [session.next_packet(enc(f)) for f in frames] * 5
        rx = RtpReceiver(fmt, lambda _pcm: None)
        t0 = time.perf_counter()
        for p in packets:
            rx.datagram_received(p, ("127.0.0.1", 1))
        per = (time.perf_counter() - t0) / len(packets)
        print(f"RtpReceiver.datagram_received ({fmt}): {per * 1e6:.1f} us/frame")
    ep = Endpointer()
    t0 = time.perf_counter()
    n = 0
    for _ in range(5):
        for f in frames:
            if any(isinstance(e, SpeechDone | NoInput) for e in ep.feed(f)):
                ep.reset()
            n += 1
    per = (time.perf_counter() - t0) / n
    print(f"Endpointer.feed (speech + silence, webrtcvad + gate): {per * 1e6:.1f} us/frame")


class _Sink(asyncio.DatagramProtocol):
    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        pass


async def run_streams(n: int, seconds: float, fmt: str, speech: array[int], receive: bool) -> None:
    loop = asyncio.get_running_loop()
    listeners: list[Listener] = []
    sinks: list[asyncio.BaseTransport] = []
    senders: list[ExternalMediaEndpoint] = []
    for _ in range(n):
        if receive:
            listener = Listener()
            rx = await RtpReceiver.open("127.0.0.1", 0, fmt, listener.on_audio)
            listener.receiver = rx
            listeners.append(listener)
            port = rx.local_port
        else:
            transport, _ = await loop.create_datagram_endpoint(_Sink, local_addr=("127.0.0.1", 0))
            sinks.append(transport)
            port = transport.get_extra_info("sockname")[1]
        senders.append(await ExternalMediaEndpoint.open("127.0.0.1", ("127.0.0.1", port), fmt, 1.0))
    for i, sender in enumerate(senders):  # stagger starts across one 20 ms period
        loop.call_later(0.02 * i / n, sender.start_streaming, caller_source(speech).next_frame)
    await asyncio.sleep(0.1)
    cpu0, t0 = time.process_time(), time.perf_counter()
    sent0 = sum(s.sent_packets for s in senders)
    await asyncio.sleep(seconds)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    sent = sum(s.sent_packets for s in senders) - sent0
    for s in senders:
        await s.close()
    label = "senders + RtpReceiver + Endpointer" if receive else "senders -> sink (baseline)"
    line = f"  {n} streams, {label}: CPU {100 * cpu / wall:.0f}% of one core"
    line += f", {1e6 * cpu / max(1, sent):.1f} us per frame sent ({sent} frames)"
    if receive:
        stats = [lst.receiver.stats for lst in listeners if lst.receiver is not None]
        line += (
            f"; lost {sum(s.lost for s in stats)}, late {sum(s.late for s in stats)}"
            f", reordered {sum(s.reordered for s in stats)}"
            f", malformed {sum(s.malformed for s in stats)}"
            f", utterances {sum(lst.utterances for lst in listeners)}"
        )
        for lst in listeners:
            if lst.receiver is not None:
                await lst.receiver.close()
    for t in sinks:
        t.close()
    print(line, flush=True)
    return None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--format", default="slin", choices=["slin", "ulaw", "alaw"])
    args = parser.parse_args()
    speech = array("h", (int(x / 2) for x in read_wav_8k(SPEECH)))
    frame_costs(speech)
    print(f"Live streams ({args.format}, real time, {args.seconds:g} s each):")
    for n in args.streams:
        await run_streams(n, args.seconds, args.format, speech, receive=False)
        await run_streams(n, args.seconds, args.format, speech, receive=True)


if __name__ == "__main__":
    asyncio.run(main())
