"""A BERT encoder's forward pass in numpy (inference only, float32, CPU).

Sentence models of the BERT family (all-MiniLM-L6-v2: 6 layers, 384 wide)
are small enough that plain numpy matrix products run a caller's utterance
in a few milliseconds on one core, so the IVR needs no deep-learning
framework (hundreds of MB, another supply chain) to understand meaning.
Checked against the model's published similarity figures
(tests/unit/embedding/test_encoder.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["BertConfig", "BertEncoder", "BertError"]

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]

QKV = ("query", "key", "value")
NEG = np.float32(-1e9)  # an attention score that softmax turns into 0 (padding)


class BertError(ValueError):
    """The config or weights do not describe a BERT encoder this code runs."""


@dataclass(frozen=True)
class BertConfig:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    eps: float

    @classmethod
    def from_json(cls, config: Mapping[str, Any]) -> BertConfig:
        try:
            made = cls(
                hidden=int(config["hidden_size"]),
                layers=int(config["num_hidden_layers"]),
                heads=int(config["num_attention_heads"]),
                intermediate=int(config["intermediate_size"]),
                max_positions=int(config["max_position_embeddings"]),
                eps=float(config.get("layer_norm_eps", 1e-12)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BertError(f"config.json is not a BERT config: {exc}") from exc
        if config.get("hidden_act", "gelu") != "gelu":
            raise BertError(f"activation {config.get('hidden_act')!r} is not supported (gelu)")
        if made.hidden % made.heads:
            raise BertError("hidden_size is not a multiple of num_attention_heads")
        return made


@dataclass(frozen=True)
class Layer:
    """One transformer layer's weights (BERT's and MPNet's have the same shape)."""

    qkv_w: Floats  # (hidden, 3*hidden): query, key, value side by side
    qkv_b: Floats
    out_w: Floats
    out_b: Floats
    ln1: tuple[Floats, Floats]
    up_w: Floats
    up_b: Floats
    down_w: Floats
    down_b: Floats
    ln2: tuple[Floats, Floats]


def _erf(x: Floats) -> Floats:
    """erf to 1.5e-7 (Abramowitz & Stegun 7.1.26): numpy has none, scipy is not needed."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    result: Floats = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return result


def _gelu(x: Floats) -> Floats:
    result: Floats = (0.5 * x * (1.0 + _erf(x * np.float32(1 / math.sqrt(2))))).astype(np.float32)
    return result


def _layer_norm(x: Floats, ln: tuple[Floats, Floats], eps: float) -> Floats:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    result: Floats = (centred / np.sqrt(var + np.float32(eps)) * ln[0] + ln[1]).astype(np.float32)
    return result


class BertEncoder:
    """Token ids in, one mean-pooled, unit-length vector per sequence out."""

    def __init__(self, config: BertConfig, tensors: Mapping[str, np.ndarray]) -> None:
        self.config = config
        self.dimension = config.hidden

        def get(name: str, shape: tuple[int, ...]) -> Floats:
            for key in (name, "bert." + name):
                if key in tensors:
                    array = np.asarray(tensors[key], dtype=np.float32)
                    if array.shape != shape:
                        raise BertError(f"weight {name}: shape {array.shape}, expected {shape}")
                    return array
            raise BertError(f"weight {name} is missing")

        h, i = config.hidden, config.intermediate
        self._words = get("embeddings.word_embeddings.weight", _rows(tensors, h))
        self._positions = get("embeddings.position_embeddings.weight", (config.max_positions, h))
        self._type0 = get("embeddings.token_type_embeddings.weight", (2, h))[0].copy()
        self._ln0 = (
            get("embeddings.LayerNorm.weight", (h,)),
            get("embeddings.LayerNorm.bias", (h,)),
        )
        layers: list[Layer] = []
        for n in range(config.layers):
            p = f"encoder.layer.{n}."
            att = p + "attention."
            layers.append(
                Layer(
                    qkv_w=np.ascontiguousarray(
                        np.concatenate(
                            [
                                get(f"{att}self.{part}.weight", (h, h)).T
                                for part in ("query", "key", "value")
                            ],
                            axis=1,
                        )
                    ),
                    qkv_b=np.concatenate(
                        [get(f"{att}self.{part}.bias", (h,)) for part in ("query", "key", "value")]
                    ),
                    out_w=np.ascontiguousarray(get(f"{att}output.dense.weight", (h, h)).T),
                    out_b=get(f"{att}output.dense.bias", (h,)),
                    ln1=(
                        get(f"{att}output.LayerNorm.weight", (h,)),
                        get(f"{att}output.LayerNorm.bias", (h,)),
                    ),
                    up_w=np.ascontiguousarray(get(f"{p}intermediate.dense.weight", (i, h)).T),
                    up_b=get(f"{p}intermediate.dense.bias", (i,)),
                    down_w=np.ascontiguousarray(get(f"{p}output.dense.weight", (h, i)).T),
                    down_b=get(f"{p}output.dense.bias", (h,)),
                    ln2=(
                        get(f"{p}output.LayerNorm.weight", (h,)),
                        get(f"{p}output.LayerNorm.bias", (h,)),
                    ),
                )
            )
        self._layers = tuple(layers)

    @property
    def vocabulary_size(self) -> int:
        return int(self._words.shape[0])

    def encode(self, ids: Ints, mask: Ints) -> Floats:
        """(batch, length) token ids and attention mask → (batch, hidden) unit vectors."""
        cfg = self.config
        batch, length = ids.shape
        if length > cfg.max_positions:
            raise BertError(f"{length} tokens is more than the model's {cfg.max_positions}")
        # Dense layers run on (batch*length, hidden): one matrix product each, not one per
        # sequence; only attention needs the (batch, heads, length, width) view.
        x = self._words[ids.reshape(-1)] + np.tile(self._positions[:length], (batch, 1))
        x = _layer_norm((x + self._type0).astype(np.float32), self._ln0, cfg.eps)
        heads = cfg.heads
        pad = np.where(mask[:, None, None, :] > 0, np.float32(0), NEG).astype(np.float32)
        x = run_layers(x, self._layers, pad, (batch, length, heads), cfg.eps)
        return mean_pooled(x, mask)


def run_layers(
    x: Floats, layers: Sequence[Layer], bias: Floats, shape: tuple[int, int, int], eps: float
) -> Floats:
    """The layers on (batch*length, hidden) rows; ``bias`` is added to every attention
    score (padding masked out, and MPNet's relative positions); ``shape``: batch, length,
    heads. Dense layers run as one matrix product each; only attention needs the
    (batch, heads, length, width) view. Returns (batch, length, hidden)."""
    batch, length, heads = shape
    hidden_size = x.shape[1]
    width = hidden_size // heads
    scale = np.float32(1 / math.sqrt(width))
    for layer in layers:
        qkv = x @ layer.qkv_w + layer.qkv_b  # (b*l, 3h)
        qkv = qkv.reshape(batch, length, 3, heads, width).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # (b, heads, l, width)
        scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
        scores -= scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(axis=-1, keepdims=True)
        context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch * length, hidden_size)
        x = _layer_norm(x + context @ layer.out_w + layer.out_b, layer.ln1, eps)
        hidden = _gelu(x @ layer.up_w + layer.up_b)
        x = _layer_norm(x + hidden @ layer.down_w + layer.down_b, layer.ln2, eps)
    result: Floats = x.reshape(batch, length, hidden_size)
    return result


def mean_pooled(x: Floats, real: npt.NDArray[Any]) -> Floats:
    """Sentence vectors: the real tokens' mean, unit length (as sentence-transformers)."""
    weight = real.astype(np.float32)[:, :, None]
    pooled = (x * weight).sum(axis=1) / np.maximum(weight.sum(axis=1), np.float32(1e-9))
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    result: Floats = (pooled / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
    return result


def _rows(tensors: Mapping[str, np.ndarray], hidden: int) -> tuple[int, int]:
    """The word-embedding shape as stored (the vocabulary size is the model's own)."""
    for key in ("embeddings.word_embeddings.weight", "bert.embeddings.word_embeddings.weight"):
        if key in tensors:
            return (int(tensors[key].shape[0]), hidden)
    raise BertError("weight embeddings.word_embeddings.weight is missing")
