"""SoundLibrary: Asterisk-style lookup, language fallback, traversal refused, stock durations."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from ivr.media.wav import write_wav_8k
from ivr.simulator.sounds import BUNDLED_SOUNDS, STOCK_SOUNDS, SoundLibrary, valid_sound_name


def make(path: Path, seconds: float, value: int = 100) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav_8k(path, array("h", [value]) * int(seconds * 8000))
    return path


def test_stock_table_matches_traces() -> None:
    assert dict(STOCK_SOUNDS) == {
        "hello-world": 1.40,
        "tt-monkeys": 16.2,
        "beep": 0.43,
        "vm-intro": 5.65,
        "tt-weasels": 2.95,
    }


@pytest.mark.parametrize("name", sorted(STOCK_SOUNDS))
def test_bundled_stand_ins_have_the_stock_durations(name: str) -> None:
    lib = SoundLibrary([])
    assert lib.path(name) == BUNDLED_SOUNDS / "en" / f"{name}.wav"
    assert lib.duration(name) == pytest.approx(STOCK_SOUNDS[name], abs=1e-9)
    samples = lib.samples(name)
    assert samples is not None
    assert len(samples) == round(STOCK_SOUNDS[name] * 8000)
    assert max(abs(v) for v in samples) > 5000  # real audio, not silence


def test_stock_only_without_files() -> None:
    lib = SoundLibrary([], bundled=False)
    assert lib.duration("hello-world") == 1.40
    assert lib.duration("hello-world", "fr") == 1.40
    assert lib.samples("hello-world") is None
    assert lib.duration("no-such-sound") is None
    assert SoundLibrary([], stock={}, bundled=False).duration("beep") is None


def test_layout_language_and_fallbacks(tmp_path: Path) -> None:
    make(tmp_path / "en" / "ivr101" / "welcome.wav", 1.0)
    make(tmp_path / "fr" / "ivr101" / "welcome.wav", 2.0)
    make(tmp_path / "plain.wav", 0.5)
    lib = SoundLibrary([tmp_path])
    assert lib.duration("ivr101/welcome") == 1.0
    assert lib.duration("ivr101/welcome", "fr") == 2.0
    assert lib.duration("ivr101/welcome", "cy") == 1.0  # falls back to en, like Asterisk
    assert lib.duration("plain") == 0.5  # no language folder
    assert lib.duration("plain", "fr") == 0.5
    assert lib.duration("ivr101/missing") is None
    samples = lib.samples("ivr101/welcome", "fr")
    assert samples is not None and len(samples) == 16000
    assert lib.samples("ivr101/welcome", "fr") is samples  # cached


def test_first_root_wins_and_overrides_bundled(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    make(a / "en" / "x.wav", 0.25)
    make(b / "en" / "x.wav", 0.75)
    make(b / "en" / "hello-world.wav", 3.0)
    lib = SoundLibrary([a, b])
    assert lib.duration("x") == 0.25
    assert lib.duration("hello-world") == 3.0


def test_files_added_later_are_found(tmp_path: Path) -> None:
    lib = SoundLibrary([tmp_path])
    assert lib.duration("later") is None
    make(tmp_path / "en" / "later.wav", 0.5)
    assert lib.duration("later") == 0.5


@pytest.mark.parametrize(
    "name",
    [
        "../secret",
        "en/../../etc/passwd",
        "/etc/passwd",
        "a//b",
        "./x",
        "a/./b",
        "x\\..\\y",
        "",
        "a\x00b",
        "c:/x",
        "x/..",
    ],
)
def test_traversal_and_odd_names_rejected(tmp_path: Path, name: str) -> None:
    root = tmp_path / "root"
    make(tmp_path / "secret.wav", 1.0)
    make(root / "en" / "x.wav", 1.0)
    lib = SoundLibrary([root], bundled=False)
    assert not valid_sound_name(name)
    assert lib.duration(name) is None
    assert lib.samples(name) is None
    assert lib.path(name) is None


def test_bad_language_cannot_escape(tmp_path: Path) -> None:
    root = tmp_path / "root"
    make(tmp_path / "x.wav", 1.0)
    lib = SoundLibrary([root], bundled=False)
    assert lib.duration("x", "..") is None
    assert lib.duration("x", "../..") is None


def test_unreadable_wav_is_no_sound(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "broken.wav").write_bytes(b"not a wav")
    lib = SoundLibrary([tmp_path], bundled=False)
    assert lib.duration("broken") is None
    assert lib.samples("broken") is None
    assert "wav-unreadable" in caplog.text
