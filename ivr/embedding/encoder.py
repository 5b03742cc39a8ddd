"""SentenceEncoder: text in, a unit vector of its meaning out (cached, thread-safe).

The router asks for the caller's n-best (a handful of short texts) once per
decision, and for every intent example once per ruleset build; both hit a
cache keyed by text, because the same examples are embedded at every
publish and callers repeat themselves ("report a crime").
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

from ivr.embedding.anchor_store import DEFAULT_STORE, AnchorStore, Weights
from ivr.embedding.bert import BertConfig, BertEncoder
from ivr.embedding.files import PACKAGED, EmbeddingModelError, ModelFiles, read_model
from ivr.embedding.mpnet import MPNetConfig, MPNetEncoder
from ivr.embedding.safetensors_np import read_safetensors

__all__ = [
    "MAX_TOKENS",
    "EmbeddingModelError",
    "MeaningEncoder",
    "SentenceEncoder",
    "load_encoder",
    "shared_encoder",
]

Floats = npt.NDArray[np.float32]

MAX_TOKENS = 64  # a caller's request; longer rambles keep their first 64 word pieces
BATCH = 32
CACHE_SIZE = 20_000  # ~30 MB of vectors at 384 floats


class SentenceEncoder(Protocol):
    """What the router needs of a sentence model."""

    @property
    def identity(self) -> str: ...
    @property
    def dimension(self) -> int: ...
    def encode(self, texts: Sequence[str]) -> Floats: ...
    def encode_anchors(self, texts: Sequence[str]) -> Floats: ...
    def fit_kept(self, key: str, length: int, fit: Callable[[], Weights]) -> Weights: ...


class MeaningEncoder:
    """A BERT-family sentence model: tokenizer + numpy encoder + mean pooling."""

    def __init__(
        self, files: ModelFiles, where: str | Path = PACKAGED, store: AnchorStore | None = None
    ) -> None:
        try:
            self._bert = _network(files)
            tokenizer = Tokenizer.from_str(files.tokenizer)
        except Exception as exc:
            raise EmbeddingModelError(
                f"{files.source}: cannot load the sentence model: {exc}"
            ) from exc
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer = tokenizer
        self.source = files.source
        self.where = str(where)
        self._identity = files.identity
        self._cache: OrderedDict[str, Floats] = OrderedDict()
        self._fits: dict[str, Weights] = {}  # a handful: one per intents file built
        self._lock = threading.Lock()
        self._store = store
        self._store_key = f"{self._identity}:{MAX_TOKENS}"  # truncation changes vectors

    def __reduce__(self) -> tuple[object, tuple[str]]:
        # By reference: the receiving process uses (or loads) its own shared copy.
        return (shared_encoder, (self.where,))

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def dimension(self) -> int:
        return self._bert.dimension

    @property
    def store_key(self) -> str:
        """The model as the anchor store names it (identity and truncation)."""
        return self._store_key

    def forget(self) -> None:
        """Drop every cached vector (a bench measures the model, not the cache)."""
        with self._lock:
            self._cache.clear()

    def encode_anchors(self, texts: Sequence[str]) -> Floats:
        """Like ``encode``, for texts admins wrote (examples, names): kept on disk too, so
        the next ruleset build (another process) does not run the model on them again."""
        if self._store is None:
            return self.encode(texts)
        wanted = [t for t in dict.fromkeys(texts) if t.strip()]
        with self._lock:
            missing = [t for t in wanted if t not in self._cache]
        if missing:
            stored = self._store.get(self._store_key, missing, self.dimension)
            with self._lock:
                self._cache.update(stored)
            fresh = [t for t in missing if t not in stored]
            if fresh:
                vectors = self.encode(fresh)
                self._store.put(self._store_key, dict(zip(fresh, vectors, strict=True)))
        return self.encode(texts)

    def fit_kept(self, key: str, length: int, fit: Callable[[], Weights]) -> Weights:
        """``fit()``'s weights over this model's anchors, computed once per machine: kept in
        memory and beside the anchors on disk under ``key`` (a digest of what they are
        fitted on), as the anchors' vectors are."""
        with self._lock:
            known = self._fits.get(key)
        if known is None:
            known = self._store.get_fit(self._store_key, key, length) if self._store else None
            if known is None:
                known = fit()
                if self._store is not None:
                    self._store.put_fit(self._store_key, key, known)
            with self._lock:
                self._fits[key] = known
        return known.copy()

    def encode(self, texts: Sequence[str]) -> Floats:
        """One unit row per text (the empty text is the zero vector)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                cached = self._cache.get(text)
                if cached is not None:
                    self._cache.move_to_end(text)
                    out[row] = cached
                elif text.strip():
                    todo.setdefault(text, []).append(row)
        if todo:
            fresh = list(todo)
            vectors = self._run(fresh)
            with self._lock:
                for text, vector in zip(fresh, vectors, strict=True):
                    for row in todo[text]:
                        out[row] = vector
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out

    def _run(self, texts: list[str]) -> Floats:
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.int64)
            for row, i in enumerate(chunk):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            np.clip(ids, 0, self._bert.vocabulary_size - 1, out=ids)
            result[chunk] = self._bert.encode(ids, mask)
        return result


def _network(files: ModelFiles) -> BertEncoder | MPNetEncoder:
    """The layer stack config.json names: BERT (MiniLM, the default) or MPNet."""
    tensors = read_safetensors(files.weights)
    if files.config.get("model_type") == "mpnet":
        return MPNetEncoder(MPNetConfig.from_json(files.config), tensors)
    return BertEncoder(BertConfig.from_json(files.config), tensors)


def load_encoder(where: str | Path = PACKAGED) -> MeaningEncoder:
    """Read and check the model files, then build the encoder (about a second)."""
    return MeaningEncoder(read_model(where), where)


def shared_encoder(where: str | Path = PACKAGED) -> MeaningEncoder:
    """One encoder per model per process: 90 MB of read-only weights are loaded once.

    Rulesets built in another process (ivr.routing.builders) pickle their encoder as
    this call, so the app's own copy is reused when the bundle comes back.
    """
    return _shared(str(where))


@functools.cache
def _shared(where: str) -> MeaningEncoder:
    return MeaningEncoder(read_model(where), where, AnchorStore(DEFAULT_STORE))
