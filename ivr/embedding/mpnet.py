"""An MPNet encoder's forward pass in numpy (inference only, float32, CPU).

all-mpnet-base-v2 is the sentence-transformers model that scores best on their
sentence benchmarks; it is twice as wide and deep as all-MiniLM-L6-v2. MPNet
is BERT's layer stack with three differences that change the vectors:
no token-type embedding; absolute positions counted from ``padding_idx + 1``
(RoBERTa style); and a learned bias on every attention score for the
*relative* distance between the two tokens, bucketed as in T5 (exact up to 8,
then logarithmic up to 128), computed once per forward and shared by every
layer. Pooling is sentence-transformers' mean over real tokens + L2 norm, as
for MiniLM. Measured against MiniLM by bench/sentence_models.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ivr.embedding.bert import NEG, Layer, _layer_norm, mean_pooled, run_layers

__all__ = ["MPNetConfig", "MPNetEncoder", "MPNetError", "relative_position_bucket"]

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]


class MPNetError(ValueError):
    """The config or weights do not describe an MPNet encoder this code runs."""


@dataclass(frozen=True)
class MPNetConfig:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    max_positions: int
    eps: float
    buckets: int  # relative-position buckets (both directions together)
    padding_idx: int
    max_distance: int = 128  # fixed in MPNet's code, not in config.json

    @classmethod
    def from_json(cls, config: Mapping[str, Any]) -> MPNetConfig:
        if config.get("model_type") != "mpnet":
            raise MPNetError(f"model_type {config.get('model_type')!r} is not mpnet")
        try:
            made = cls(
                hidden=int(config["hidden_size"]),
                layers=int(config["num_hidden_layers"]),
                heads=int(config["num_attention_heads"]),
                intermediate=int(config["intermediate_size"]),
                max_positions=int(config["max_position_embeddings"]),
                eps=float(config.get("layer_norm_eps", 1e-5)),
                buckets=int(config.get("relative_attention_num_buckets", 32)),
                padding_idx=int(config.get("pad_token_id", 1)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MPNetError(f"config.json is not an MPNet config: {exc}") from exc
        if config.get("hidden_act", "gelu") != "gelu":
            raise MPNetError(f"activation {config.get('hidden_act')!r} is not supported (gelu)")
        if made.hidden % made.heads:
            raise MPNetError("hidden_size is not a multiple of num_attention_heads")
        if made.buckets < 4 or made.buckets % 2:
            raise MPNetError(f"relative_attention_num_buckets {made.buckets} is not even and >= 4")
        return made


def relative_position_bucket(relative: Ints, buckets: int = 32, max_distance: int = 128) -> Ints:
    """T5's bidirectional bucket of ``key - query`` offsets, as MPNet computes it.

    Half the buckets are for keys before the query, half for keys after; within a
    half, offsets below a quarter of ``buckets`` get a bucket each, larger ones share
    logarithmically wider buckets up to ``max_distance`` (and the last one beyond).
    """
    half = buckets // 2
    n = -np.asarray(relative, dtype=np.int64)
    result = np.where(n < 0, half, 0).astype(np.int64)
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0): a branch np.where drops
        scaled = np.log(n.astype(np.float32) / exact) / math.log(max_distance / exact)
        large = exact + (scaled * (half - exact)).astype(np.int64)
    large = np.minimum(large, half - 1)
    out: Ints = result + np.where(n < exact, n, large)
    return out


class MPNetEncoder:
    """Token ids in, one mean-pooled, unit-length vector per sequence out."""

    def __init__(self, config: MPNetConfig, tensors: Mapping[str, np.ndarray]) -> None:
        self.config = config
        self.dimension = config.hidden

        def get(name: str, shape: tuple[int, ...] | None) -> Floats:
            for key in (name, "mpnet." + name):
                if key in tensors:
                    array = np.asarray(tensors[key], dtype=np.float32)
                    if shape is not None and array.shape != shape:
                        raise MPNetError(f"weight {name}: shape {array.shape}, expected {shape}")
                    return array
            raise MPNetError(f"weight {name} is missing")

        h, i = config.hidden, config.intermediate
        self._words = get("embeddings.word_embeddings.weight", None)
        if self._words.ndim != 2 or self._words.shape[1] != h:
            raise MPNetError(f"word embeddings: shape {self._words.shape}, expected (*, {h})")
        self._positions = get("embeddings.position_embeddings.weight", (config.max_positions, h))
        self._ln0 = (
            get("embeddings.LayerNorm.weight", (h,)),
            get("embeddings.LayerNorm.bias", (h,)),
        )
        self._bias = get("encoder.relative_attention_bias.weight", (config.buckets, config.heads))

        def linear(prefix: str, rows: int, cols: int) -> tuple[Floats, Floats]:
            # Stored (out, in) as torch keeps them: x @ W.T, a view BLAS reads transposed,
            # so the weights are not copied (a copy leaves the freed original in the heap).
            return get(prefix + ".weight", (rows, cols)).T, get(prefix + ".bias", (rows,))

        layers: list[Layer] = []
        for n in range(config.layers):
            p = f"encoder.layer.{n}."
            q, k, v = (get(f"{p}attention.attn.{part}.weight", (h, h)) for part in "qkv")
            out_w, out_b = linear(f"{p}attention.attn.o", h, h)
            up_w, up_b = linear(f"{p}intermediate.dense", i, h)
            down_w, down_b = linear(f"{p}output.dense", h, i)
            layers.append(
                Layer(
                    qkv_w=np.concatenate([q, k, v]).T,  # one product for the three
                    qkv_b=np.concatenate(
                        [get(f"{p}attention.attn.{part}.bias", (h,)) for part in "qkv"]
                    ),
                    out_w=out_w,
                    out_b=out_b,
                    ln1=(
                        get(f"{p}attention.LayerNorm.weight", (h,)),
                        get(f"{p}attention.LayerNorm.bias", (h,)),
                    ),
                    up_w=up_w,
                    up_b=up_b,
                    down_w=down_w,
                    down_b=down_b,
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

    def position_bias(self, length: int) -> Floats:
        """(heads, length, length): the learned score for each key's offset from each query."""
        offsets = np.arange(length)[None, :] - np.arange(length)[:, None]
        buckets = relative_position_bucket(offsets, self.config.buckets, self.config.max_distance)
        bias: Floats = np.ascontiguousarray(self._bias[buckets].transpose(2, 0, 1))
        return bias

    def encode(self, ids: Ints, mask: Ints) -> Floats:
        """(batch, length) token ids and attention mask → (batch, hidden) unit vectors.

        Padding goes on the right (positions and relative offsets of the real tokens
        are then the same as without it).
        """
        cfg = self.config
        batch, length = ids.shape
        if length + cfg.padding_idx + 1 > cfg.max_positions:
            raise MPNetError(f"{length} tokens is more than the model takes")
        real = (mask > 0).astype(np.int64)
        # RoBERTa-style positions: padding_idx + 1, + 2, ... for real tokens; pads keep
        # padding_idx (their rows are masked out of attention and pooling anyway).
        positions = np.cumsum(real, axis=1) * real + cfg.padding_idx
        x = self._words[ids.reshape(-1)] + self._positions[positions.reshape(-1)]
        x = _layer_norm(x.astype(np.float32), self._ln0, cfg.eps)
        pad = np.where(real[:, None, None, :] > 0, np.float32(0), NEG).astype(np.float32)
        bias = self.position_bias(length)[None] + pad  # (b, heads, l, l), shared by all layers
        x = run_layers(x, self._layers, bias, (batch, length, cfg.heads), cfg.eps)
        return mean_pooled(x, real)
