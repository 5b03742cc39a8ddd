"""Render the labelled test speech (tests/speech/) with flite, espeak-ng and sox.

.venv/bin/python scripts/make_test_speech.py            # committed set: clean + 15 dB
.venv/bin/python scripts/make_test_speech.py --full     # + _ulaw, 25/20/15 dB in full/
.venv/bin/python scripts/make_test_speech.py --check    # labels vs the routing engine only

Synthetic callers are no substitute for real ones, but they are free,
repeatable and labelled, so the ASR benchmark and the tests can compare
engines on the same utterances without a recording campaign or a download.

Each utterance is spoken by one voice (flite kal16/rms/slt/awb at several
speeds, some espeak-ng), trimmed, put through the telephone band (sox sinc
300-3400 Hz, 8 kHz) and a G.711 u-law round trip (ivr.media.codecs, the
codec the IVR receives). Noisy variants add, at the caller's end (before
the codec), a mix of pink and brown noise from ``sox synth`` and babble made
from other utterances played backwards (speech-like, never intelligible
words), scaled so that 20 log10(RMS speech / RMS noise) is exactly the
stated SNR, speech RMS taken over the spoken part only (not the padding).

Labels: ``destination`` is what the routing engine must route the *clean
text* to at AT (a weekday morning, every department open); ``--check``
re-checks every label against RoutingEngine.decide (what ``ivr route --text``
prints) and exits 1 on a mismatch.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from ivr.decisions import Decision, Hypothesis
from ivr.media.codecs import ulaw_decode, ulaw_encode
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT / "tests" / "speech"
AUDIO = SPEECH / "audio"
FULL = SPEECH / "full"  # git-ignored: the bench's full set
LABELS = "labels.csv"
RATE = 8000
AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # a Tuesday, 10:00
COMMITTED_SNR = 15
FULL_SNRS = (25, 20, 15)
PAD_S = 0.25
FLITE_VOICES = ("kal16", "rms", "slt", "awb")
FLITE_STRETCH = (1.0, 0.9, 1.15)  # duration_stretch: 1.0 normal, < 1 faster, > 1 slower
ESPEAK = ("en-gb", 150)  # voice, words per minute


@dataclass(frozen=True)
class Utterance:
    id: str
    text: str
    destination: str


def _d(entry: str) -> str:
    return f"directory:{entry}"


# fmt: off
UTTERANCES: tuple[Utterance, ...] = (
    # --- directory: people (near-homophones first), departments by alias -----------------
    Utterance("dir01", "Can I speak to PC Sarah Johnson please", _d("sarah-johnson")),
    Utterance("dir02", "I need to talk to Mark Johnston in roads policing", _d("mark-johnston")),
    Utterance("dir03", "Detective Sergeant David Johnson please", _d("david-johnson")),
    Utterance("dir04", "Put me through to Emma Clarke please", _d("emma-clarke")),
    Utterance("dir05", "Sergeant James Clark please", _d("james-clark")),
    Utterance("dir06", "Could I speak to John Smith", _d("john-smith")),
    Utterance("dir07", "I'm trying to reach Rachel Smyth in child protection",
              _d("rachel-smyth")),
    Utterance("dir08", "Priya Patel please", _d("priya-patel")),
    Utterance("dir09", "Can I speak to Inspector Gareth Jones", _d("gareth-jones")),
    Utterance("dir10", "Is Imran Hussain available", _d("imran-hussain")),
    Utterance("dir11", "Marcia Thompson from public protection please", _d("marcia-thompson")),
    Utterance("dir12", "Can you put me through to Helen Whitfield", _d("helen-whitfield")),
    Utterance("dir13", "I'd like to speak to Harpreet Kaur", _d("harpreet-kaur")),
    Utterance("dir14", "Delroy Campbell please", _d("delroy-campbell")),
    Utterance("dir15", "Could I speak to Richard Mason", _d("richard-mason")),
    Utterance("dir16", "Megan Wright in the criminal justice unit", _d("megan-wright")),
    Utterance("dir17", "Ewan McDonald please", _d("ewan-mcdonald")),
    Utterance("dir18", "Firearms licensing please", _d("firearms-licensing")),
    Utterance("dir19", "I'm calling about my shotgun certificate", _d("firearms-licensing")),
    Utterance("dir20", "Custody enquiries please", _d("custody-enquiries")),
    Utterance("dir21", "I want to make a complaint about an officer",
              _d("professional-standards")),
    Utterance("dir22", "Freedom of information please", _d("freedom-of-information")),
    Utterance("dir23", "Victim care unit please", _d("victim-care-unit")),
    Utterance("dir24", "I want to join the police", _d("recruitment")),
    Utterance("dir25", "Put me through to the control room", _d("force-control-room")),
    Utterance("dir26", "Fraud and cyber crime please", _d("fraud-and-cyber-crime")),
    # --- intents -----------------------------------------------------------------------
    Utterance("int01", "I want to report a crime", "rc"),
    Utterance("int02", "My car was broken into last night", "rc"),
    Utterance("int03", "Someone stole my bike from outside the shop yesterday", "rc"),
    Utterance("int04", "My shed was burgled over the weekend", "rc"),
    Utterance("int05", "I need to report a theft", "rc"),
    Utterance("int06", "My car has been vandalised", "rc"),
    Utterance("int07", "I'd like to report criminal damage to my fence", "rc"),
    Utterance("int08", "There are youths causing anti social behaviour outside my house", "fcr"),
    Utterance("int09", "I'm worried about my elderly neighbour, I haven't seen her for days",
              "fcr"),
    Utterance("int10", "There's a suspicious car parked on our street", "fcr"),
    Utterance("int11", "My daughter hasn't come home", "fcr"),
    Utterance("int12", "Someone is dealing drugs on the corner", "fcr"),
    Utterance("int13", "There's a man hanging around the school looking suspicious", "fcr"),
    Utterance("int14", "I'd like an update on my case", "online"),
    Utterance("int15", "I'm calling for an update on a crime I already reported", "online"),
    Utterance("int16", "Has there been any progress with my crime number", "online"),
    Utterance("int17", "Can I report it online", "online"),
    Utterance("int18", "I've lost my wallet", "online"),
    Utterance("int19", "Can you send me a link", "online"),
    Utterance("int20", "I want to report fly tipping", "online"),
    Utterance("int21", "Can I speak to an operator", "switchboard"),
    Utterance("int22", "I just want to talk to a real person", "switchboard"),
    Utterance("int23", "None of those", "switchboard"),
    Utterance("int24", "I have a general enquiry", "switchboard"),
    Utterance("int25", "I need some advice", "switchboard"),
    # --- emergencies -------------------------------------------------------------------
    Utterance("emg01", "There's someone breaking into my house right now", "emergency"),
    Utterance("emg02", "He's got a knife", "emergency"),
    Utterance("emg03", "My neighbour has collapsed and he's not breathing", "emergency"),
    Utterance("emg04", "There's a fight outside and someone is bleeding", "emergency"),
    Utterance("emg05", "My husband is attacking me", "emergency"),
    Utterance("emg06", "Someone is following me and I'm scared", "emergency"),
    Utterance("emg07", "The house next door is on fire", "emergency"),
    Utterance("emg08", "There's a robbery in progress at the shop", "emergency"),
    Utterance("emg09", "He's threatening to kill me", "emergency"),
    Utterance("emg10", "There's been a crash and people are hurt", "emergency"),
)
# fmt: on


def voice_for(index: int) -> str:
    """Rotate voices and speeds so every kind of request meets every voice; 1 in 7 espeak."""
    if index % 7 == 6:
        return f"espeak:{ESPEAK[0]}@{ESPEAK[1]}"
    voice = FLITE_VOICES[index % len(FLITE_VOICES)]
    stretch = FLITE_STRETCH[(index // len(FLITE_VOICES)) % len(FLITE_STRETCH)]
    return f"{voice}@{stretch}"


# --- routing check -------------------------------------------------------------------------


def route(engine: RoutingEngine, text: str) -> Decision:
    return engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 1.0),)))


def check_labels() -> list[str]:
    """Every label whose clean text the engine does not route (or confirm) to it."""
    engine = RoutingEngine(load_bundle(None))
    problems = []
    for u in UTTERANCES:
        d = route(engine, u.text)
        first = d.candidates[0].destination if d.candidates else None
        ok = d.destination == u.destination if d.action == "route" else first == u.destination
        if not ok or d.action not in ("route", "confirm"):
            problems.append(
                f"{u.id} {u.text!r}: labelled {u.destination}, engine {d.action}"
                f" {d.destination} (first candidate {first}; {d.rule}: {d.reason})"
            )
    return problems


# --- audio -------------------------------------------------------------------------------


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def _read(path: Path) -> np.ndarray[Any, np.dtype[np.float64]]:
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: not 8 kHz mono 16-bit")
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float64)


def _write(path: Path, samples: np.ndarray[Any, np.dtype[np.float64]]) -> None:
    pcm = np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)


def _ulaw(samples: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    pcm = np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()
    back = ulaw_decode(ulaw_encode(pcm))
    return np.frombuffer(back, dtype="<i2").astype(np.float64)


def synthesize(text: str, voice: str, out: Path, tmp: Path) -> None:
    """Speech in the telephone band at 8 kHz, silence trimmed, PAD_S of silence either side."""
    raw = tmp / "raw.wav"
    name, _, speed = voice.partition("@")
    if name.startswith("espeak:"):
        _run(["espeak-ng", "-v", name.split(":", 1)[1], "-s", speed, "-w", str(raw), text])
    else:
        stretch = ["--setf", f"duration_stretch={speed}"]
        _run(["flite", "-voice", name, *stretch, "-t", text, "-o", str(raw)])
    trim = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]
    band = ["sinc", "300-3400", "gain", "-n", "-6", "pad", str(PAD_S), str(PAD_S)]
    _run(["sox", str(raw), "-r", str(RATE), "-b", "16", "-c", "1", str(out), *trim, *band])


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:4], "big")


def make_noise(
    seconds: float, seed: int, babble_from: list[np.ndarray[Any, np.dtype[np.float64]]], tmp: Path
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Pink + brown noise (sox synth, repeatable) plus reversed-speech babble, unit RMS."""
    n = round(seconds * RATE)
    colours = tmp / "colours.wav"
    synth = ["synth", f"{seconds + 1:.3f}", "pinknoise", "synth", "brownnoise", "mix"]
    shape = ["sinc", "300-3400", "trim", f"{(seed % 97) / 100:.2f}", f"{seconds:.3f}"]
    dest = ["-r", str(RATE), "-b", "16", "-c", "1", str(colours)]
    _run(["sox", "-R", "-n", *dest, *synth, *shape, "gain", "-n", "-10"])
    noise = _read(colours)[:n]
    noise = np.pad(noise, (0, n - noise.size))
    noise /= max(1e-9, float(np.sqrt(np.mean(noise**2))))
    rng = np.random.default_rng(seed)
    babble = np.zeros(n)
    for k in rng.choice(len(babble_from), size=min(6, len(babble_from)), replace=False):
        voice = babble_from[int(k)][::-1]
        start = int(rng.integers(0, max(1, voice.size)))
        loop = np.resize(np.roll(voice, -start), n)
        babble += loop / max(1e-9, float(np.sqrt(np.mean(loop**2))))
    babble /= max(1e-9, float(np.sqrt(np.mean(babble**2))))
    mix = noise + babble
    out: np.ndarray[Any, np.dtype[np.float64]] = mix / float(np.sqrt(np.mean(mix**2)))
    return out


def add_noise(
    speech: np.ndarray[Any, np.dtype[np.float64]],
    noise: np.ndarray[Any, np.dtype[np.float64]],
    snr_db: float,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Speech plus noise at exactly ``snr_db`` (speech RMS over the spoken part, not the pads)."""
    pad = round(PAD_S * RATE)
    spoken = speech[pad : speech.size - pad] if speech.size > 2 * pad else speech
    speech_rms = float(np.sqrt(np.mean(spoken**2)))
    noise_rms = float(np.sqrt(np.mean(noise**2)))
    scale = speech_rms / (noise_rms * 10 ** (snr_db / 20))
    mixed: np.ndarray[Any, np.dtype[np.float64]] = speech + noise * scale
    peak = float(np.max(np.abs(mixed)))
    if peak > 32000:  # keep the SNR: scale both down rather than clip
        mixed *= 32000 / peak
    return mixed


def render(full: bool) -> None:
    folder = FULL if full else AUDIO
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        clean: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
        voices: dict[str, str] = {}
        for i, u in enumerate(UTTERANCES):
            voices[u.id] = voice_for(i)
            synthesize(u.text, voices[u.id], tmp / f"{u.id}.wav", tmp)
            clean[u.id] = _read(tmp / f"{u.id}.wav")
        snrs = FULL_SNRS if full else (COMMITTED_SNR,)
        for u in UTTERANCES:
            speech = clean[u.id]
            voice = voices[u.id]
            base = f"{u.id}_{voice.replace('espeak:', 'espeak-').replace('@', '-')}"
            variants: list[tuple[str, np.ndarray[Any, np.dtype[np.float64]], str]] = [
                (f"{base}.wav", speech, "")
            ]
            if full:
                variants.append((f"{base}_ulaw.wav", _ulaw(speech), ""))
            others = [clean[o.id] for o in UTTERANCES if o.id != u.id]
            noise = make_noise(speech.size / RATE, _seed(u.id), others, tmp)
            for snr in snrs:
                noisy = _ulaw(add_noise(speech, noise, snr))
                variants.append((f"{base}_snr{snr}.wav", noisy, str(snr)))
            for name, samples, noise_db in variants:
                _write(folder / name, samples)
                rows.append(
                    {
                        "file": name,
                        "text": u.text,
                        "destination": u.destination,
                        "voice": voice,
                        "noise_db": noise_db,
                    }
                )
    with (folder.parent / LABELS if not full else folder / LABELS).open(
        "w", newline="", encoding="utf-8"
    ) as f:
        writer = csv.DictWriter(f, ["file", "text", "destination", "voice", "noise_db"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} files in {folder}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--full", action="store_true", help="all SNRs and _ulaw, into full/")
    parser.add_argument("--check", action="store_true", help="only check labels vs the engine")
    args = parser.parse_args(argv)
    problems = check_labels()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    if args.check:
        print(f"{len(UTTERANCES)} labels agree with the routing engine")
        return 0
    render(args.full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
