"""``ivr recognize FILE.wav``: text and JSON output, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr.cli import main
from tests.unit.speech.conftest import FIXTURES


def test_recognize_json(capsys: pytest.CaptureFixture[str]) -> None:
    wav = FIXTURES / "priya_patel_slt.wav"
    assert main(["recognize", str(wav), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["engine"] == "pocketsphinx"
    assert "patel" in out["text"]
    assert 0.0 <= out["confidence"] <= 1.0
    assert out["alternatives"][0]["text"] == out["text"]
    assert out["audio_seconds"] > 1


def test_recognize_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["recognize", str(FIXTURES / "david_johnson_slt.wav")]) == 0
    out = capsys.readouterr().out
    assert "johnson" in out and "pocketsphinx:" in out


def test_recognize_bad_file_and_engine_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"not a wav")
    assert main(["recognize", str(bad)]) == 2
    assert "cannot read WAV" in capsys.readouterr().err
    assert main(["recognize", str(FIXTURES / "ko_gamsahamnida.wav"), "--engine", "vosk"]) == 2
    assert "needs a model folder" in capsys.readouterr().err
