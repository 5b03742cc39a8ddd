"""Text to an 8 kHz telephone WAV with espeak-ng and sox: the one voice every prompt uses.

scripts/render_prompts.py renders the catalogue with it (WAVs committed, so Asterisk
hosts need no synthesizer); the console renders the messages admins add
(``Synthesizer``, off the event loop, one at a time, with a time limit). The tools are
looked up on PATH at each render, so installing them needs no restart.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

SAMPLE_RATE = 8000
BAND_HZ = (300, 3400)
# Part of every catalogue prompt's hash: change any of these and every prompt is stale.
VOICE: dict[str, object] = {
    "engine": "espeak-ng",
    "voice": "en-gb",
    "words_per_minute": 150,
    "pitch": 50,
    "sample_rate": SAMPLE_RATE,
    "band_hz": list(BAND_HZ),
    "peak_dbfs": -3,
    "pipeline": 1,
}
TOOLS = ("espeak-ng", "sox")
RENDER_TIMEOUT_S = 30.0  # 600 characters take about 2 s here; a hung tool is killed
WAV_MODE = 0o644  # read by Asterisk, which runs as another user


class RenderError(RuntimeError):
    error_id = "prompt-render-failed"


class ToolsMissing(RenderError):
    """espeak-ng or sox is not on PATH: nothing can be rendered on this host."""

    error_id = "prompt-render-tools-missing"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{' and '.join(missing)} not found on PATH")
        self.missing = missing


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def wav_problem(path: Path) -> str | None:
    """Why Asterisk's format_wav would refuse this file (or the test would), if it would."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            frames = wav.getnframes()
    except (OSError, EOFError, wave.Error) as exc:
        return f"unreadable WAV ({exc})"
    if (rate, channels, width) != (SAMPLE_RATE, 1, 2):
        return f"{rate} Hz, {channels} channel(s), {8 * width}-bit; want 8000 Hz mono 16-bit"
    if frames == 0:
        return "no audio"
    return None


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def _commands(raw: Path, final: Path) -> list[list[str]]:
    voice = ["-v", str(VOICE["voice"]), "-s", str(VOICE["words_per_minute"])]
    espeak = ["espeak-ng", *voice, "-p", str(VOICE["pitch"]), "-w", str(raw), "--stdin"]
    out_format = ["-D", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
    trim = ["silence", "1", "0.02", "0.1%"]
    effects = [*trim, "reverse", *trim, "reverse", "sinc", f"{BAND_HZ[0]}-{BAND_HZ[1]}"]
    effects += ["rate", "-h", str(SAMPLE_RATE), "norm", str(VOICE["peak_dbfs"])]
    return [espeak, ["sox", "-V1", str(raw), *out_format, str(final), *effects]]


def synthesize(text: str, out: Path, timeout_s: float | None = None) -> None:
    """espeak-ng → sox: trim silence, telephone band, 8 kHz, peak at -3 dBFS.

    Dithering is off so the same text always gives the same bytes, and a
    re-render of unchanged prompts leaves git clean. ``out`` is replaced whole
    (moved in from a temporary folder) or not at all, and is 0644 whatever the umask:
    Asterisk, another user, plays it (a service's UMask=0077 would leave it 0600).
    """
    with tempfile.TemporaryDirectory(prefix="ivr-prompt-") as tmpdir:
        raw = Path(tmpdir) / "raw.wav"
        final = Path(tmpdir) / "out.wav"
        for number, cmd in enumerate(_commands(raw, final)):
            try:
                result = subprocess.run(
                    cmd,
                    input=text if number == 0 else None,
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=timeout_s,
                )
            except subprocess.TimeoutExpired:
                raise RenderError(f"{cmd[0]} took longer than {timeout_s:g} s") from None
            except FileNotFoundError:
                raise ToolsMissing([cmd[0]]) from None
            if result.returncode != 0:
                raise RenderError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()}")
        problem = wav_problem(final)
        if problem:
            raise RenderError(f"rendered audio is wrong: {problem}")
        final.chmod(WAV_MODE)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(final), out)


class Synthesizer:
    """Renders from the event loop without blocking it: in a thread, one render at a
    time (each is two CPU-bound processes), each command killed after ``timeout_s``."""

    def __init__(self, timeout_s: float = RENDER_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._one_at_a_time = asyncio.Lock()

    async def render(self, text: str, out: Path) -> float:
        """Write ``out``; its length in seconds. ToolsMissing or RenderError if not."""
        missing = missing_tools()
        if missing:
            raise ToolsMissing(missing)
        async with self._one_at_a_time:
            await asyncio.to_thread(synthesize, text, out, self.timeout_s)
        return wav_seconds(out)
