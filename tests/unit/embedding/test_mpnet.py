"""The numpy MPNet encoder's own parts, with tiny random weights (the real model is not
shipped: bench/sentence_models.py measures it against MiniLM where its files are)."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, processors

from ivr.embedding.encoder import load_encoder
from ivr.embedding.mpnet import MPNetConfig, MPNetEncoder, MPNetError, relative_position_bucket

CONFIG: dict[str, Any] = {
    "model_type": "mpnet",
    "hidden_size": 8,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 16,
    "max_position_embeddings": 20,
    "layer_norm_eps": 1e-5,
    "relative_attention_num_buckets": 32,
    "pad_token_id": 1,
    "vocab_size": 12,
}


def random_weights(config: MPNetConfig, vocabulary: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    h, i = config.hidden, config.intermediate

    def r(*shape: int) -> np.ndarray:
        return rng.normal(0.0, 0.5, shape).astype(np.float32)

    tensors = {
        "embeddings.word_embeddings.weight": r(vocabulary, h),
        "embeddings.position_embeddings.weight": r(config.max_positions, h),
        "embeddings.LayerNorm.weight": 1 + r(h) / 5,
        "embeddings.LayerNorm.bias": r(h) / 5,
        "encoder.relative_attention_bias.weight": r(config.buckets, config.heads),
    }
    for n in range(config.layers):
        p = f"encoder.layer.{n}."
        for part in "qkvo":
            tensors[f"{p}attention.attn.{part}.weight"] = r(h, h)
            tensors[f"{p}attention.attn.{part}.bias"] = r(h)
        tensors[f"{p}intermediate.dense.weight"] = r(i, h)
        tensors[f"{p}intermediate.dense.bias"] = r(i)
        tensors[f"{p}output.dense.weight"] = r(h, i)
        tensors[f"{p}output.dense.bias"] = r(h)
        for norm in ("attention.LayerNorm", "output.LayerNorm"):
            tensors[f"{p}{norm}.weight"] = 1 + r(h) / 5
            tensors[f"{p}{norm}.bias"] = r(h) / 5
    return tensors


@pytest.fixture
def tiny() -> MPNetEncoder:
    config = MPNetConfig.from_json(CONFIG)
    return MPNetEncoder(config, random_weights(config, CONFIG["vocab_size"]))


# key - query offset -> bucket, worked by hand from T5's formula with 32 buckets and a
# maximum distance of 128: keys before the query use 0..15 (exact below 8, then
# 8 + floor(log(n/8) / log(16) * 8)), keys after it the same + 16.
HAND_WORKED = {
    0: 0,
    -1: 1,
    -7: 7,
    -8: 8,  # log(1) = 0
    -11: 8,  # 8 + floor(0.92)
    -12: 9,  # 8 + floor(1.17)
    -16: 10,  # 8 + 2 exactly
    -32: 12,
    -64: 14,
    -100: 15,  # 8 + floor(7.29)
    -128: 15,  # 8 + 8 = 16, held to the half's last bucket
    -500: 15,
    1: 17,
    7: 23,
    8: 24,
    16: 26,
    200: 31,
}


def test_relative_position_buckets_match_hand_worked_values() -> None:
    offsets = np.array(list(HAND_WORKED), dtype=np.int64)
    assert relative_position_bucket(offsets).tolist() == list(HAND_WORKED.values())


def test_buckets_with_fewer_of_them_keep_the_two_directions_apart() -> None:
    # 8 buckets: 4 per direction, exact below 2, then log up to 128 (3 at most).
    offsets = np.array([0, -1, -2, -3, -127, 1, 2, 127])
    assert relative_position_bucket(offsets, 8, 128).tolist() == [0, 1, 2, 2, 3, 5, 6, 7]


def test_position_bias_depends_only_on_the_offset(tiny: MPNetEncoder) -> None:
    bias = tiny.position_bias(6)
    assert bias.shape == (2, 6, 6)
    for d in range(-5, 6):
        diagonal = np.diagonal(bias, offset=d, axis1=1, axis2=2)
        assert np.all(diagonal == diagonal[:, :1])
    assert not np.array_equal(bias[:, 0, 1], bias[:, 1, 0])  # before is not after


def test_a_forward_pass_gives_one_unit_vector_per_sequence(tiny: MPNetEncoder) -> None:
    ids = np.array([[0, 5, 6, 7, 2], [0, 8, 2, 1, 1]], dtype=np.int64)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=np.int64)
    vectors = tiny.encode(ids, mask)
    assert vectors.shape == (2, 8) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1])


def test_padding_on_the_right_does_not_change_a_sequence(tiny: MPNetEncoder) -> None:
    alone = tiny.encode(np.array([[0, 8, 9, 2]]), np.array([[1, 1, 1, 1]]))
    padded = tiny.encode(np.array([[0, 8, 9, 2, 1, 1, 1]]), np.array([[1, 1, 1, 1, 0, 0, 0]]))
    assert np.abs(alone - padded).max() < 1e-5


def test_word_order_matters(tiny: MPNetEncoder) -> None:
    # Mean pooling alone is order-blind; positions and the relative bias are not.
    mask = np.ones((2, 4), dtype=np.int64)
    a, b = tiny.encode(np.array([[0, 5, 9, 2], [0, 9, 5, 2]]), mask)
    assert float(a @ b) < 0.9999


def test_too_long_a_sequence_is_refused(tiny: MPNetEncoder) -> None:
    ids = np.zeros((1, 19), dtype=np.int64)  # positions run 2..20: past the 20 learned
    with pytest.raises(MPNetError, match="19 tokens"):
        tiny.encode(ids, np.ones_like(ids))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model_type": "bert"}, "is not mpnet"),
        ({"relative_attention_num_buckets": 7}, "not even"),
        ({"hidden_act": "relu"}, "not supported"),
        ({"num_attention_heads": 3}, "multiple"),
        ({"hidden_size": None}, "not an MPNet config"),
    ],
)
def test_a_config_this_code_cannot_run_says_why(change: dict[str, Any], message: str) -> None:
    with pytest.raises(MPNetError, match=message):
        MPNetConfig.from_json({**CONFIG, **change})


def test_missing_or_misshapen_weights_are_named() -> None:
    config = MPNetConfig.from_json(CONFIG)
    weights = random_weights(config, 12)
    del weights["encoder.relative_attention_bias.weight"]
    with pytest.raises(MPNetError, match=r"relative_attention_bias\.weight is missing"):
        MPNetEncoder(config, weights)
    weights = random_weights(config, 12)
    weights["encoder.layer.1.attention.attn.k.weight"] = np.zeros((8, 4), np.float32)
    with pytest.raises(MPNetError, match=r"attn\.k\.weight: shape \(8, 4\)"):
        MPNetEncoder(config, weights)


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header: dict[str, Any] = {}
    body = b""
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, np.float32).tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(array.shape),
            "data_offsets": [len(body), len(body) + len(data)],
        }
        body += data
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + body)


def test_a_model_folder_that_says_mpnet_is_run_as_mpnet(tmp_path: Path) -> None:
    words = ["<s>", "<pad>", "</s>", "[UNK]", "someone", "stole", "my", "bike", "lost", "purse"]
    tokenizer = Tokenizer(models.WordLevel({w: n for n, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    config = {**CONFIG, "vocab_size": len(words)}
    (tmp_path / "config.json").write_text(json.dumps(config))
    write_safetensors(
        tmp_path / "model.safetensors",
        random_weights(MPNetConfig.from_json(config), len(words)),
    )
    encoder = load_encoder(tmp_path)
    vectors = encoder.encode(["someone stole my bike", "lost my purse", ""])
    assert encoder.dimension == 8
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert not vectors[2].any()
