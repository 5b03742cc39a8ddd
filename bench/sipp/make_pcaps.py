"""The RTP a SIPp caller sends, as pcap files for SIPp's ``play_pcap_audio``.

SIPp replays a pcap's UDP payloads at the pcap's own pace, to the port the far end's SDP
names (it rewrites only the UDP ports), so each file here is a whole caller's stream:
Ethernet / IPv4 / UDP / RTP, one packet per 20 ms.

- ``keypad_<digits>.pcap``: a little u-law silence, then each key as an RFC 4733
  telephone-event (payload type 101): a 100 ms tone, the first packet marked, the
  duration growing per packet, then three end packets (E bit) with the final duration;
  audio (silence) resumes after each key on the same timestamp clock.
- ``speech_<name>.pcap``: a spoken request (8 kHz 16-bit mono WAV) as u-law (payload
  type 0), with silence before it and after it, so the app's endpointer hears the end.

    .venv/bin/python bench/sipp/make_pcaps.py OUT_DIR
"""

from __future__ import annotations

import argparse
import struct
import sys
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ivr.media.codecs import ulaw_encode
from ivr.media.rtp import RtpPacket

RATE = 8000
FRAME_S = 0.02
FRAME = int(RATE * FRAME_S)  # 160 samples per 20 ms packet
PT_ULAW = 0
PT_EVENT = 101  # the SDP's telephone-event payload type (bench/sipp/*.xml)
ULAW_SILENCE = b"\xff" * FRAME
KEY_PACKETS = 5  # a 100 ms tone
END_PACKETS = 3  # RFC 4733 2.5.1.4: the final packet is sent three times
EVENT_VOLUME = 10  # -10 dBm0
EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}
# Addresses in the file are placeholders: SIPp sends from its media port to the far end's.
SRC = (bytes([127, 0, 0, 1]), 6000)
DST = (bytes([127, 0, 0, 1]), 7000)
SSRC = 0x51B10AD
HERE = Path(__file__).resolve().parent
SPEECH_WAV = HERE.parents[1] / "tests" / "speech" / "audio" / "int01_slt-1.0.wav"


@dataclass(frozen=True)
class Timed:
    """One RTP packet and when it is sent, in seconds from the stream's start."""

    at: float
    packet: RtpPacket


class RtpStream:
    """One caller's packets: sequence numbers and the 8 kHz timestamp clock kept."""

    def __init__(self) -> None:
        self.packets: list[Timed] = []
        self._seq = 1
        self._samples = 0  # the media clock: samples since the stream began
        self._first_audio = True

    @property
    def _now(self) -> float:
        return len(self.packets) * FRAME_S

    def _add(self, payload_type: int, timestamp: int, marker: bool, payload: bytes) -> None:
        packet = RtpPacket(payload_type, self._seq & 0xFFFF, timestamp, SSRC, marker, payload)
        self.packets.append(Timed(self._now, packet))
        self._seq += 1

    def audio(self, ulaw: bytes) -> None:
        """u-law audio, cut into 20 ms packets (the last padded with silence)."""
        for start in range(0, len(ulaw), FRAME):
            frame = ulaw[start : start + FRAME].ljust(FRAME, b"\xff")
            self._add(PT_ULAW, self._samples, self._first_audio, frame)
            self._first_audio = False
            self._samples += FRAME

    def silence(self, seconds: float) -> None:
        self.audio(ULAW_SILENCE * round(seconds / FRAME_S))

    def key(self, digit: str) -> None:
        """One key as an RFC 4733 event: every packet carries the event's start time."""
        event, start = EVENTS[digit], self._samples
        for n in range(1, KEY_PACKETS + 1):
            self._add(PT_EVENT, start, n == 1, _event(event, end=False, duration=n * FRAME))
        for _ in range(END_PACKETS):
            self._add(PT_EVENT, start, False, _event(event, end=True, duration=KEY_PACKETS * FRAME))
        self._samples += (KEY_PACKETS + END_PACKETS) * FRAME


def _event(event: int, *, end: bool, duration: int) -> bytes:
    return struct.pack("!BBH", event, (0x80 if end else 0) | EVENT_VOLUME, duration)


def keypad_stream(digits: str, lead_s: float = 0.2, gap_s: float = 0.3) -> RtpStream:
    stream = RtpStream()
    stream.silence(lead_s)
    for digit in digits:
        stream.key(digit)
        stream.silence(gap_s)
    return stream


def speech_stream(wav: Path, lead_s: float = 0.5, tail_s: float = 2.5) -> RtpStream:
    with wave.open(str(wav), "rb") as w:
        shape = (w.getframerate(), w.getsampwidth(), w.getnchannels())
        if shape != (RATE, 2, 1):
            raise ValueError(f"{wav}: need 8 kHz 16-bit mono, got {shape}")
        pcm = w.readframes(w.getnframes())
    if sys.byteorder != "little":  # WAV is little-endian; ulaw_encode takes native order
        pcm = bytes(b for pair in zip(pcm[1::2], pcm[::2], strict=True) for b in pair)
    stream = RtpStream()
    stream.silence(lead_s)
    stream.audio(ulaw_encode(pcm))
    stream.silence(tail_s)
    return stream


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _frame(payload: bytes, ident: int) -> bytes:
    """Ethernet II + IPv4 + UDP around one RTP packet."""
    (src_ip, src_port), (dst_ip, dst_port) = SRC, DST
    udp_len = 8 + len(payload)
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", src_port, dst_port, udp_len, 0) + payload
    udp = udp[:6] + struct.pack("!H", _checksum(pseudo + udp) or 0xFFFF) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0xB8, 20 + udp_len, ident, 0, 64, 17, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    ethernet = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return ethernet + ip + udp


def pcap_bytes(packets: Iterable[Timed]) -> bytes:
    """A classic pcap (microsecond timestamps, link type 1 = Ethernet)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for ident, timed in enumerate(packets):
        frame = _frame(timed.packet.pack(), ident & 0xFFFF)
        micros = round(timed.at * 1_000_000)
        out.append(
            struct.pack("<IIII", micros // 1_000_000, micros % 1_000_000, len(frame), len(frame))
        )
        out.append(frame)
    return b"".join(out)


@dataclass(frozen=True)
class Pcaps:
    """The files SIPp's scenarios name, and how long each caller's stream lasts."""

    keypad: Path
    speech: Path
    speech_end_s: float  # the caller's last voiced 20 ms, from the stream's start


def voiced_end_s(wav: Path, floor: int = 100) -> float:
    """Where the last 20 ms with a sample above ``floor`` ends (the WAV's own trailing
    silence is not speech)."""
    with wave.open(str(wav), "rb") as w:
        samples = array("h", w.readframes(w.getnframes()))
    if sys.byteorder != "little":
        samples.byteswap()
    frames = range(0, len(samples), FRAME)
    last = max((i for i in frames if max(map(abs, samples[i : i + FRAME])) > floor), default=0)
    return (last + FRAME) / RATE


def make_pcaps(out: Path, digits: str = "1", wav: Path = SPEECH_WAV) -> Pcaps:
    out.mkdir(parents=True, exist_ok=True)
    keypad = out / f"keypad_{digits}.pcap"
    keypad.write_bytes(pcap_bytes(keypad_stream(digits).packets))
    speech = out / "speech.pcap"
    lead = 0.5
    speech.write_bytes(pcap_bytes(speech_stream(wav, lead_s=lead).packets))
    return Pcaps(keypad, speech, lead + voiced_end_s(wav))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--digits", default="1")
    parser.add_argument("--wav", type=Path, default=SPEECH_WAV)
    args = parser.parse_args()
    made = make_pcaps(args.out, args.digits, args.wav)
    print(f"{made.keypad}\n{made.speech} (speech ends {made.speech_end_s:.2f} s in)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
