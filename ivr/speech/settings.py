"""[speech]: which engine hears callers, and its model folder."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ivr.sections import PATH, Choice, Section, option


class SpeechEngine(StrEnum):
    # PocketSphinx, and Whisper when it is unsure (the default, chosen by bench/asr.py).
    COMBINED = "combined"
    POCKETSPHINX = "pocketsphinx"
    WHISPER = "whisper"
    VOSK = "vosk"
    NONE = "none"  # keypad only


@dataclass(frozen=True)
class SpeechSettings(Section):
    TABLE = "speech"

    engine: SpeechEngine = option(
        SpeechEngine.COMBINED, Choice(SpeechEngine), env="IVR_SPEECH_ENGINE"
    )
    # vosk: required; whisper: None = the packaged base model, assembled into var/models.
    model: Path | None = option(None, PATH, env="IVR_SPEECH_MODEL")
