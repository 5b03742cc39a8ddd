#!/usr/bin/env python3
"""Make the simulator's stand-ins for the Asterisk core sounds the golden traces play.

Asterisk's own sound files are not ours to ship, but the simulator needs audio of the
right length (playback timing) and real speech (the ext 203 caller speaks tt-weasels
into snoop/ExternalMedia). So: espeak-ng says the same words, sox converts to 8 kHz
mono 16-bit, speeds up if it runs long, and pads/trims to the exact stock duration.
The trailing silence costs almost nothing in git (zlib).

Needs espeak-ng and sox on PATH. Output: ivr/simulator/sounds/en/<name>.wav.
Run from the repo root:  .venv/bin/python scripts/make_sim_sounds.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ivr.simulator.sounds import BUNDLED_SOUNDS, STOCK_SOUNDS  # noqa: E402

RATE = 8000

# What each stock sound says (tt-monkeys is screeching monkeys; chatter stands in).
SPEECH: dict[str, str] = {
    "hello-world": "Hello world.",
    "tt-weasels": "Weasels have eaten our phone system.",
    "vm-intro": (
        "Please leave your message after the tone. When done, hang up, or press the pound key."
    ),
    "tt-monkeys": (
        "Ooh ooh ooh, aah aah aah! Eek eek eek! Ooh ooh aah aah! "
        "Eek! Ooh ooh ooh! Aah aah, eek eek, ooh ooh ooh aah! "
        "Ooh ooh ooh, aah aah aah! Eek eek eek! Ooh ooh aah aah! Eek!"
    ),
}
TONES: dict[str, list[str]] = {
    # a 1 kHz beep with short fades, so it does not click
    "beep": ["synth", "{dur}", "sine", "1000", "vol", "0.5", "fade", "q", "0.01", "-0", "0.01"],
}
LEAD_IN = 0.05  # seconds of silence before speech, like Asterisk's recordings


def _sox(*args: str) -> None:
    subprocess.run(["sox", "-D", "-V1", *args], check=True)


def _frames(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        return w.getnframes()


def make(name: str, duration: float, out: Path, tmp: Path) -> None:
    target = round(duration * RATE)
    fmt = ["-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
    if name in TONES:
        effects = [a.format(dur=f"{duration:.3f}") for a in TONES[name]]
        _sox("-n", *fmt, str(out), *effects)
    else:
        room = duration - LEAD_IN - 0.1  # keep a little tail of silence
        speech = tmp / f"{name}.8k.wav"
        wpm = 175  # espeak-ng's default; a second pass sets it so the words fill the room
        for _ in range(2):
            raw = tmp / f"{name}.espeak.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-gb", "-s", str(wpm), "-w", str(raw), SPEECH[name]],
                check=True,
            )
            # trim espeak's own leading/trailing silence, normalise to -3 dBFS peak
            _sox(
                str(raw),
                *fmt,
                str(speech),
                "silence",
                "1",
                "0.01",
                "0.1%",
                "reverse",
                "silence",
                "1",
                "0.01",
                "0.1%",
                "reverse",
                "gain",
                "-n",
                "-3",
            )
            spoken = _frames(speech) / RATE
            wpm = max(80, min(450, int(wpm * spoken / room)))
        effects = ["pad", str(LEAD_IN), "0"]
        if spoken > room:
            effects = ["tempo", "-s", f"{spoken / room:.4f}", *effects]
        _sox(
            str(speech),
            *fmt,
            str(out),
            *effects,
            "pad",
            "0",
            str(duration),
            "trim",
            "0",
            f"{target}s",
        )
    got = _frames(out)
    if got != target:
        raise SystemExit(f"{out}: {got} frames, expected {target}")
    print(f"{out.relative_to(ROOT)}: {got / RATE:.3f} s, {out.stat().st_size} bytes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUNDLED_SOUNDS / "en")
    args = parser.parse_args()
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} not found on PATH", file=sys.stderr)
            return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, duration in STOCK_SOUNDS.items():
            make(name, duration, args.out / f"{name}.wav", Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
