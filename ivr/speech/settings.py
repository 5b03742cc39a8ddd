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


class WhisperPrompt(StrEnum):
    """What Whisper is primed with at an open question (the menu): ``[speech] whisper_prompt``.

    A question that asks for a name is always primed with the force's names; priming
    the menu with them made Whisper hear surnames and ranks in ordinary sentences on
    real calls (issue 16). bench/README.md "Whisper's prompt" has the figures behind
    the default.
    """

    DOMAIN = "domain"  # "UK police 101 call." and the ranks: no people's names
    NAMES = "names"  # the names prompt at every question (as before session 9)
    NONE = "none"  # no prompt at all


# Measured best on the dev sets' new sentences (bench/README.md "Whisper's prompt").
DEFAULT_WHISPER_PROMPT = WhisperPrompt.NONE


@dataclass(frozen=True)
class SpeechSettings(Section):
    TABLE = "speech"

    engine: SpeechEngine = option(
        SpeechEngine.COMBINED, Choice(SpeechEngine), env="IVR_SPEECH_ENGINE"
    )
    # vosk: required; whisper: None = the packaged base model, assembled into var/models.
    model: Path | None = option(None, PATH, env="IVR_SPEECH_MODEL")
    whisper_prompt: WhisperPrompt = option(DEFAULT_WHISPER_PROMPT, Choice(WhisperPrompt))
