"""Rendering text to telephone audio with the real espeak-ng and sox (installed here and by
``make test``: scripts/install_system.sh); skipped only on a host without them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ivr.media.synth import (
    RenderError,
    Synthesizer,
    ToolsMissing,
    missing_tools,
    synthesize,
    wav_problem,
    wav_seconds,
)

needs_tools = pytest.mark.skipif(
    bool(missing_tools()), reason="espeak-ng and sox are not installed (scripts/install_system.sh)"
)


@needs_tools
def test_a_sentence_becomes_8khz_mono_audio_asterisk_plays(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "flood.wav"
    synthesize("The river has flooded the high street.", out)
    assert wav_problem(out) is None
    assert wav_seconds(out) > 1.0
    again = tmp_path / "again.wav"
    synthesize("The river has flooded the high street.", again)
    assert again.read_bytes() == out.read_bytes()  # the same text, the same bytes


@needs_tools
async def test_the_synthesizer_renders_off_the_loop_and_says_how_long(tmp_path: Path) -> None:
    out = tmp_path / "notice.wav"
    seconds = await Synthesizer().render("Our phones are slow today.", out)
    assert seconds == wav_seconds(out) and seconds > 0.5


@needs_tools
def test_a_tool_that_overruns_its_time_is_stopped_with_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "long.wav"
    with pytest.raises(RenderError, match="took longer than"):
        synthesize("A sentence. " * 50, out, timeout_s=1e-6)
    assert not out.exists()


async def test_without_the_tools_nothing_is_started_and_the_error_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolsMissing) as raised:
        await Synthesizer().render("Hello.", tmp_path / "x.wav")
    assert raised.value.missing == ["espeak-ng", "sox"]
    assert not (tmp_path / "x.wav").exists()


def test_a_wav_that_is_not_telephone_audio_is_named_as_such(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF nonsense")
    assert wav_problem(bad) is not None and "unreadable" in str(wav_problem(bad))


@needs_tools
def test_the_rendered_file_is_readable_by_asterisk_whatever_the_umask(tmp_path: Path) -> None:
    """Under a service's UMask=0077 the temporary file is 0600: Asterisk, another user,
    could not play it. The written WAV is 0644 regardless."""
    out = tmp_path / "sounds" / "notice.wav"
    previous = os.umask(0o077)
    try:
        synthesize("Our phones are slow today.", out)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
