"""Choosing a speech engine by name, and loading it.

The engines are imported only when chosen: each pulls in a large library (and
its model) that an app using another engine never needs.
"""

from __future__ import annotations

from pathlib import Path

from ivr.speech.model import Recognizer, RecognizerError, Vocabulary
from ivr.speech.settings import DEFAULT_WHISPER_PROMPT, WhisperPrompt

__all__ = ["DEFAULT_WHISPER_CACHE", "ENGINES", "build_recognizer"]

ENGINES = ("pocketsphinx", "vosk", "whisper")
DEFAULT_WHISPER_CACHE = Path("var/models/whisper-base")


def build_recognizer(
    engine: str,
    *,
    model: Path | None,
    vocabulary: Vocabulary,
    whisper_prompt: WhisperPrompt = DEFAULT_WHISPER_PROMPT,
) -> Recognizer:
    """The named engine, loaded; RecognizerError says what is missing or unknown.

    ``whisper_prompt``: what Whisper is primed with at the menu ([speech] whisper_prompt).
    """
    if engine == "pocketsphinx":
        from ivr.speech.sphinx import PocketSphinxRecognizer

        return PocketSphinxRecognizer(vocabulary)
    if engine == "vosk":
        if model is None:
            raise RecognizerError(
                "the vosk engine needs a model folder (download an English Vosk model,"
                " e.g. vosk-model-small-en-us-0.15, and set the speech model path to it)"
            )
        from ivr.speech.vosk import VoskRecognizer

        return VoskRecognizer(model, vocabulary)
    if engine == "whisper":
        try:
            from ivr.speech import whisper, whisper_model
        except ImportError as exc:  # faster-whisper (or its module) not installed
            raise RecognizerError(f"the whisper engine is not available: {exc}") from exc
        model_dir = model
        if model_dir is None:
            try:
                model_dir = whisper_model.assemble_whisper_base(DEFAULT_WHISPER_CACHE)
            except (OSError, ValueError) as exc:
                raise RecognizerError(f"cannot assemble the whisper base model: {exc}") from exc
        if not model_dir.is_dir():
            raise RecognizerError(f"whisper model folder {model_dir} does not exist")
        recognizer: Recognizer = whisper.WhisperRecognizer(
            model_dir, vocabulary, policy=whisper_prompt
        )
        return recognizer
    raise RecognizerError(f"unknown speech engine {engine!r} (choose one of {', '.join(ENGINES)})")
