"""Choosing an engine by name, and the force's vocabulary from its routing bundle.

The vocabulary is what makes a small engine usable on a 101 line: callers
ask for a few hundred names and a few dozen services, so the recogniser is
told those words (PocketSphinx builds its language model from them, Vosk
restricts its grammar, Whisper is primed with them). It is rebuilt whenever
new rules are published, so it always matches the directory in force.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ivr.directory.ranks import RANK_TITLES, RANKS
from ivr.routing.bundle import RoutingBundle
from ivr.speech.model import Recognizer, RecognizerError, Vocabulary

__all__ = ["DEFAULT_WHISPER_CACHE", "ENGINES", "build_recognizer", "vocabulary_from_bundle"]

log = logging.getLogger(__name__)

ENGINES = ("pocketsphinx", "vosk", "whisper")
DEFAULT_WHISPER_CACHE = Path("var/models/whisper-base")

# What callers say around a name or a service (LM context for names, not routing logic).
_REQUEST_FRAMES = (
    "can i speak to {}",
    "i'd like to speak to {}",
    "put me through to {}",
    "i want to talk to {}",
    "{} please",
)
_SMALL_WORDS = (
    "yes no yeah yep nope correct wrong that's right not sorry please thank you hello hi"
    " zero oh one two three four five six seven eight nine ten hundred"
    " i'm i'd i want need to speak talk with the a an for about my it is"
)


def build_recognizer(engine: str, *, model: Path | None, vocabulary: Vocabulary) -> Recognizer:
    """The named engine, loaded; RecognizerError says what is missing or unknown."""
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
            from ivr.speech import whisper
        except ImportError as exc:  # faster-whisper (or its module) not installed
            raise RecognizerError(f"the whisper engine is not available: {exc}") from exc
        model_dir = model
        if model_dir is None:
            try:
                model_dir = whisper.assemble_whisper_base(DEFAULT_WHISPER_CACHE)
            except (OSError, ValueError) as exc:
                raise RecognizerError(f"cannot assemble the whisper base model: {exc}") from exc
        if not model_dir.is_dir():
            raise RecognizerError(f"whisper model folder {model_dir} does not exist")
        recognizer: Recognizer = whisper.WhisperRecognizer(model_dir, vocabulary)
        return recognizer
    raise RecognizerError(f"unknown speech engine {engine!r} (choose one of {', '.join(ENGINES)})")


def spoken_words(text: str) -> list[str]:
    """Lower-case words as a recogniser would emit them ("Siobhán O'Neill" -> siobhan o'neill)."""
    plain = unicodedata.normalize("NFKD", text.replace("’", "'"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))  # accents off
    plain = unicodedata.normalize("NFC", plain).lower()  # re-forms Hangul and the like
    plain = plain.replace("ł", "l").replace("ø", "o").replace("đ", "d").replace("ß", "ss")
    plain = plain.replace("&", " and ").replace("_", " ")
    return [w.strip("'") for w in re.findall(r"[\w']+", plain) if w.strip("'")]


def _phrase(text: str) -> str:
    return " ".join(spoken_words(text))


def vocabulary_from_bundle(bundle: RoutingBundle) -> Vocabulary:
    """Words and whole phrasings a caller may use with this force's directory and intents."""
    words: set[str] = set(_SMALL_WORDS.split())
    phrases: list[str] = []

    def add_phrase(text: str) -> None:
        phrase = _phrase(text)
        if phrase:
            phrases.append(phrase)
            words.update(phrase.split())

    rank_forms = {code: tuple(forms) for code, forms in RANKS.items()}
    for entry in bundle.directory:
        names = [entry.name, *entry.aliases]
        if entry.kind == "person":
            firsts = [entry.first_name, *entry.aliases] if entry.first_name else list(entry.aliases)
            names += [f"{first} {entry.surname}" for first in firsts if first]
            names.append(entry.surname)
            said = [RANK_TITLES.get(entry.rank, ""), *rank_forms.get(entry.rank, ())]
            for title in dict.fromkeys(t for t in said if t):
                names.append(f"{title} {entry.surname}")
                names.append(f"{title} {entry.name}")
        if entry.team:
            names.append(entry.team)
        for name in dict.fromkeys(names):
            add_phrase(name)
        # Every frame, not just the first two: without "{name} please" in the LM,
        # PocketSphinx filled a trailing "please" with any loose word ("ewan mcdonald
        # quick"), and a low alternative with a cue word sent the call to 999 advice.
        for frame in _REQUEST_FRAMES:
            add_phrase(frame.format(entry.spoken_name))
        if entry.kind == "department":
            for alias in entry.aliases:
                add_phrase(_REQUEST_FRAMES[0].format(alias))
    for forms in RANKS.values():
        for form in forms:
            words.update(spoken_words(form))
    for intent in bundle.intents.intents:
        for example in _texts(getattr(intent, "examples", ())):
            add_phrase(example)
        for keyword in _texts(getattr(intent, "keywords", ())):
            words.update(spoken_words(keyword))
    return Vocabulary.from_texts(words, dict.fromkeys(phrases))


def _texts(values: object) -> Iterable[str]:
    """Intent attributes the bundle's protocol does not promise (real IntentMatcher has them)."""
    if isinstance(values, tuple | list):
        return [v for v in values if isinstance(v, str)]
    return []
