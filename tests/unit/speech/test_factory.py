"""build_recognizer by name, and the vocabulary drawn from the routing bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.routing.bundle import RoutingBundle
from ivr.speech.factory import build_recognizer
from ivr.speech.model import RecognizerError, Vocabulary
from ivr.speech.vocabulary import spoken_words, vocabulary_from_bundle


def test_vocabulary_holds_names_ranks_aliases_teams_keywords(bundle: RoutingBundle) -> None:
    vocabulary = vocabulary_from_bundle(bundle)
    for word in ("priya", "patel", "sergeant", "pc", "firearms", "siobhan", "burglary", "misper"):
        assert word in vocabulary.words, word
    phrases = set(vocabulary.phrases)
    assert "can i speak to sergeant priya patel" in phrases
    assert "sergeant patel" in phrases
    assert "lost property" in phrases  # department alias
    assert "can i speak to firearms licensing" in phrases
    # every request frame, so the LM knows "<name> please" (not "<name> quick")
    assert "sergeant priya patel please" in phrases
    assert "put me through to sergeant priya patel" in phrases
    assert "someone is breaking in right now" in phrases  # intent example
    assert len(phrases) == len(vocabulary.phrases)  # no duplicates


def test_spoken_words_normalise_accents_and_apostrophes() -> None:
    assert spoken_words("Siobhán O’Neill & Tomasz Wiśniewski") == [
        "siobhan", "o'neill", "and", "tomasz", "wisniewski",
    ]  # fmt: skip
    assert spoken_words("안녕하세요!") == ["안녕하세요"]


def test_build_pocketsphinx() -> None:
    recognizer = build_recognizer(
        "pocketsphinx", model=None, vocabulary=Vocabulary.from_texts(["patel"], [])
    )
    assert recognizer.name == "pocketsphinx"


def test_unknown_engine_and_missing_models_are_clear(tmp_path: Path) -> None:
    with pytest.raises(RecognizerError, match="unknown speech engine 'kaldi'"):
        build_recognizer("kaldi", model=None, vocabulary=Vocabulary())
    with pytest.raises(RecognizerError, match="needs a model folder"):
        build_recognizer("vosk", model=None, vocabulary=Vocabulary())
    with pytest.raises(RecognizerError, match="not a Vosk model folder"):
        build_recognizer("vosk", model=tmp_path, vocabulary=Vocabulary())
    with pytest.raises(RecognizerError):
        build_recognizer("whisper", model=tmp_path / "absent", vocabulary=Vocabulary())
