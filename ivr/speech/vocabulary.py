"""The force's vocabulary, from its routing bundle, and words as a recogniser spells them.

The vocabulary is what makes a small engine usable on a 101 line: callers
ask for a few hundred names and a few dozen services, so the recogniser is
told those words (PocketSphinx builds its language model from them, Vosk
restricts its grammar, Whisper is primed with them). It is rebuilt whenever
new rules are published, so it always matches the directory in force.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ivr.directory.ranks import RANK_TITLES, RANKS
from ivr.routing.bundle import RoutingBundle
from ivr.speech.model import Vocabulary

__all__ = ["spoken_words", "vocabulary_from_bundle"]

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
    people: set[str] = set()

    def add_phrase(text: str) -> None:
        phrase = _phrase(text)
        if phrase:
            phrases.append(phrase)
            words.update(phrase.split())

    rank_forms = {code: tuple(forms) for code, forms in RANKS.items()}
    for entry in bundle.directory:
        names = [entry.name, *entry.aliases]
        if entry.kind == "person":
            people.update(spoken_words(entry.name))
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
    return Vocabulary.from_texts(words, dict.fromkeys(phrases), people)


def _texts(values: object) -> Iterable[str]:
    """Intent attributes the bundle's protocol does not promise (real IntentMatcher has them)."""
    if isinstance(values, tuple | list):
        return [v for v in values if isinstance(v, str)]
    return []
