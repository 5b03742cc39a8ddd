"""Shared speech fixtures: the shipped bundle, its vocabulary, engines and rendered speech."""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ivr.routing.bundle import RoutingBundle, load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs
from ivr.speech.model import Transcript, Vocabulary
from ivr.speech.sphinx import PocketSphinxRecognizer
from ivr.speech.vocabulary import vocabulary_from_bundle

FIXTURES = Path(__file__).parent / "fixtures"
WEEKDAY_MORNING = datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/London"))

# Committed 8 kHz telephone-band fixtures (flite voices; *_ulaw went through G.711 u-law).
COMMITTED = {
    "priya_patel_slt.wav": "directory:priya-patel",
    "firearms_licensing_kal16.wav": "directory:firearms-licensing",
    "professional_standards_rms_ulaw.wav": "directory:professional-standards",
    "imran_hussain_awb_ulaw.wav": "directory:imran-hussain",
    "breaking_in_kal16_ulaw.wav": "emergency",
    "david_johnson_slt.wav": "directory:david-johnson",
}

# Rendered at test time (flite + sox), one voice each in rotation.
RENDERED = [
    ("can I speak to sergeant Priya Patel", "directory:priya-patel"),
    ("put me through to PC Sarah Johnson", "directory:sarah-johnson"),
    ("firearms licensing please", "directory:firearms-licensing"),
    ("I'd like to speak to detective constable Emma Clarke", "directory:emma-clarke"),
    ("inspector Gareth Jones", "directory:gareth-jones"),
    ("missing persons unit", "directory:missing-persons-unit"),
    ("professional standards", "directory:professional-standards"),
    ("can I speak to Imran Hussain", "directory:imran-hussain"),
    ("custody enquiries", "directory:custody-enquiries"),
    ("someone is breaking in right now", "emergency"),
    ("victim care unit", "directory:victim-care-unit"),
    ("David Johnson please", "directory:david-johnson"),
    ("freedom of information", "directory:freedom-of-information"),
    ("collision reporting", "directory:collision-reporting"),
    ("fraud and cyber crime", "directory:fraud-and-cyber-crime"),
    ("I want to report a burglary from last week", "rc"),
]
VOICES = ("slt", "kal16", "rms", "awb")


@dataclass(frozen=True)
class Utterance:
    name: str
    pcm: bytes
    destination: str


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path), "rb") as handle:
        assert handle.getframerate() == 8000 and handle.getsampwidth() == 2
        return handle.readframes(handle.getnframes())


@pytest.fixture(scope="session")
def bundle() -> RoutingBundle:
    return load_bundle(None)


@pytest.fixture(scope="session")
def vocabulary(bundle: RoutingBundle) -> Vocabulary:
    return vocabulary_from_bundle(bundle)


@pytest.fixture(scope="session")
def sphinx(vocabulary: Vocabulary) -> PocketSphinxRecognizer:
    return PocketSphinxRecognizer(vocabulary)


@pytest.fixture(scope="session")
def route(bundle: RoutingBundle) -> object:
    engine = RoutingEngine(bundle)

    def decide(transcript: Transcript) -> str | None:
        inputs = RoutingInputs(at=WEEKDAY_MORNING, hypotheses=transcript.alternatives)
        return engine.decide(inputs).destination

    return decide


@pytest.fixture(scope="session")
def committed_utterances() -> list[Utterance]:
    return [Utterance(n, read_pcm(FIXTURES / n), d) for n, d in COMMITTED.items()]


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: cannot render test speech")


@pytest.fixture(scope="session")
def rendered_utterances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Utterance]]:
    """RENDERED spoken by flite, band-limited to 300-3400 Hz at 8 kHz; odd ones via u-law.
    SoX runs repeatable (-R): its dither is otherwise new noise each run, and a decode of
    it may differ by a digit from one run to the next."""
    _need("flite", "sox")
    folder = tmp_path_factory.mktemp("flite")
    result = []
    for n, (text, destination) in enumerate(RENDERED):
        voice = VOICES[n % len(VOICES)]
        raw, out = folder / f"{n}.wav", folder / f"{n}_8k.wav"
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True)
        if n % 2:
            ulaw = folder / f"{n}_ulaw.wav"
            band = ["sinc", "300-3400"]
            subprocess.run(["sox", "-R", str(raw), "-r", "8000", "-e", "u-law", str(ulaw), *band])
            subprocess.run(
                ["sox", "-R", str(ulaw), "-e", "signed", "-b", "16", str(out)], check=True
            )
        else:
            cmd = ["sox", "-R", str(raw), "-r", "8000", "-b", "16", "-c", "1", str(out)]
            subprocess.run([*cmd, "sinc", "300-3400"], check=True)
        result.append(Utterance(f"{voice}: {text}", read_pcm(out), destination))
    yield result
