"""The numpy sentence encoder reproduces the model's published figures and fails clearly."""

from __future__ import annotations

import logging
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ivr.embedding.encoder import MeaningEncoder, shared_encoder
from ivr.embedding.files import EmbeddingModelError, _read_zip, read_model
from ivr.embedding.safetensors_np import SafetensorsError, read_safetensors
from ivr.routing.bundle import load_bundle


@pytest.fixture(scope="module")
def encoder() -> MeaningEncoder:
    return shared_encoder()


def test_reproduces_the_published_similarity_matrix(encoder: MeaningEncoder) -> None:
    # sentence-transformers' own quickstart figures for all-MiniLM-L6-v2 (PyTorch).
    vectors = encoder.encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    expected = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    assert np.abs(vectors @ vectors.T - expected).max() < 1e-3


def test_vectors_are_unit_length_and_the_empty_text_is_zero(encoder: MeaningEncoder) -> None:
    vectors = encoder.encode(["someone stole my bike", "", "   "])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not vectors[1].any() and not vectors[2].any()


def test_a_text_reads_the_same_alone_as_in_a_batch(encoder: MeaningEncoder) -> None:
    alone = encoder.encode(["my car window was smashed last night"])[0]
    batch = encoder.encode(["hi", "my car window was smashed last night", "a much longer " * 5])
    assert np.abs(batch[1] - alone).max() < 1e-5


def test_meaning_beats_wording(encoder: MeaningEncoder) -> None:
    crime, lost, noise = encoder.encode(
        [
            "someone nicked my motorbike from outside my flat",
            "I have lost my purse somewhere in town",
            "my neighbours are playing loud music",
        ]
    )
    (theft,) = encoder.encode(["my scooter was stolen from my driveway"])
    assert float(theft @ crime) > float(theft @ lost) and float(theft @ crime) > float(
        theft @ noise
    )


def test_an_encoder_travels_between_processes_by_reference(encoder: MeaningEncoder) -> None:
    # Rulesets are built in another process; the 90 MB of weights must not ride the pipe.
    data = pickle.dumps(encoder)
    assert len(data) < 1_000
    assert pickle.loads(data) is shared_encoder()


def test_a_truncated_or_garbled_weights_file_is_refused() -> None:
    with pytest.raises(SafetensorsError, match="too short"):
        read_safetensors(b"abc")
    with pytest.raises(SafetensorsError, match="does not fit"):
        read_safetensors(struct.pack("<Q", 10_000) + b"{}")
    header = b'{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}'
    with pytest.raises(SafetensorsError, match="offsets"):
        read_safetensors(struct.pack("<Q", len(header)) + header + b"\0" * 8)


def test_weights_read_back_as_written() -> None:
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = b'{"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}'
    tensors = read_safetensors(struct.pack("<Q", len(header)) + header + values.tobytes())
    assert np.array_equal(tensors["w"], values)


def test_a_model_zip_other_than_the_pinned_one_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.zip"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("config.json", "{}")
    with pytest.raises(EmbeddingModelError, match="not the pinned"):
        _read_zip(fake)


def test_a_model_folder_missing_files_says_which(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(EmbeddingModelError, match=r"missing model\.safetensors, tokenizer\.json"):
        read_model(tmp_path)
    with pytest.raises(EmbeddingModelError, match="no such model folder"):
        read_model(tmp_path / "nowhere")


def test_a_ruleset_whose_model_will_not_load_is_matched_by_words(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A caller must still be routed: no model means fuzzy examples and keywords, logged.
    with caplog.at_level(logging.ERROR):
        bundle = load_bundle(None, meaning=str(tmp_path / "no-model"))
    assert getattr(bundle.intents, "meaning", "?") is None and bundle.departments is None
    assert "intents matched by words only" in caplog.text
    assert "by words only" in bundle.summary()


def test_a_model_folder_that_cannot_be_read_is_a_model_error(tmp_path: Path) -> None:
    for name in ("config.json", "model.safetensors"):
        (tmp_path / name).write_bytes(b"{}")
    (tmp_path / "tokenizer.json").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(EmbeddingModelError, match="the model cannot be read"):
        read_model(tmp_path)
