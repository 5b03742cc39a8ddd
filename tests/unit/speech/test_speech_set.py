"""The committed labelled speech: well-formed, playable, and labelled with real destinations.

The ASR benchmark and the Whisper tests read tests/speech/ without a
synthesizer, so a broken label or file would silently skew every figure.
"""

from __future__ import annotations

import csv
import wave
from collections import Counter
from pathlib import Path

import pytest

from ivr.decisions import DIRECTORY_PREFIX, SERVICE_DESTINATIONS
from ivr.routing.bundle import load_bundle

SPEECH = Path(__file__).resolve().parents[2] / "speech"
COLUMNS = ["file", "text", "destination", "voice", "noise_db"]


def _rows() -> list[dict[str, str]]:
    with (SPEECH / "labels.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_labels_are_well_formed() -> None:
    rows = _rows()
    assert len(rows) >= 120
    assert len({r["file"] for r in rows}) == len(rows)
    for row in rows:
        assert row["file"].endswith(".wav") and "/" not in row["file"]
        assert row["text"].strip() and row["voice"].strip()
        assert row["noise_db"] in ("", "25", "20", "15")
        assert ("_snr" in row["file"]) == bool(row["noise_db"])
    kinds = Counter(r["file"][:3] for r in rows if not r["noise_db"])
    assert kinds["dir"] >= 25 and kinds["int"] >= 25 and kinds["emg"] >= 10
    voices = {r["voice"].split("@")[0] for r in rows}
    assert {"kal16", "rms", "slt", "awb"} <= voices and any(v.startswith("espeak") for v in voices)


def test_every_file_is_8khz_mono_16bit_speech() -> None:
    files = {r["file"] for r in _rows()}
    on_disk = {p.name for p in (SPEECH / "audio").glob("*.wav")}
    assert files == on_disk
    for name in files:
        with wave.open(str(SPEECH / "audio" / name), "rb") as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2), name
            assert 0.8 < w.getnframes() / 8000 < 8.0, name


def test_every_destination_exists_in_the_shipped_bundle() -> None:
    bundle = load_bundle(None)
    ids = {e.id for e in bundle.directory.entries}
    for row in _rows():
        dest = row["destination"]
        if dest.startswith(DIRECTORY_PREFIX):
            assert dest[len(DIRECTORY_PREFIX) :] in ids, dest
        else:
            assert dest in SERVICE_DESTINATIONS, dest


@pytest.mark.parametrize("pair", [("johnson", "johnston"), ("clarke", "clark"), ("smith", "smyth")])
def test_the_near_homophones_are_covered(pair: tuple[str, str]) -> None:
    said = " ".join(r["text"].lower() for r in _rows()).split()
    assert all(name in said for name in pair)
