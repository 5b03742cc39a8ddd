"""A ruleset's files as one value, and the digest that names them.

A published version (ivr.rulesets) stores the whole rules folder; a running app knows
which version it routes by from the digest of the files its bundle was built from. The
files are the folder's own (every file, however deep, but hidden ones) plus the shipped
default of each part the folder lacks, since those are what the bundle was built from
too; a version written back into a folder therefore holds everything it needs.

The digest is SHA-256 over the files in path order, each as its path, a NUL, its length
and its bytes: unambiguous, so two different folders never share one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ivr.routing.bundle import DEFAULT_FOLDER, BundleError, RoutingBundle, resolve_files

# Read from the shipped folder when an admin's folder lacks them (not bundle parts).
OTHER_DEFAULTS = ("queues.yaml",)
SKIPPED_DIRS = frozenset({"__pycache__"})
BUILD_ATTEMPTS = 3


@dataclass(frozen=True)
class RulesetFiles:
    """Relative POSIX path -> the file's bytes."""

    files: Mapping[str, bytes]
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", digest_of(self.files))

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())


def digest_of(files: Mapping[str, bytes]) -> str:
    sha = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        sha.update(path.encode("utf-8") + b"\0" + len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(names):
            path = Path(here) / name
            if not name.startswith(".") and path.is_file():
                yield path.relative_to(root).as_posix(), path


def read_ruleset(folder: Path | None) -> RulesetFiles:
    """The files a bundle of ``folder`` is built from (None: the shipped folder).

    OSError if one cannot be read.
    """
    if folder is None:
        return RulesetFiles({name: path.read_bytes() for name, path in _walk(DEFAULT_FOLDER)})
    files = {name: path.read_bytes() for name, path in _walk(folder)} if folder.is_dir() else {}
    chosen, _ = resolve_files(folder)
    defaults = [p for p in chosen.values() if p.parent == DEFAULT_FOLDER]
    defaults += [DEFAULT_FOLDER / n for n in OTHER_DEFAULTS if not (folder / n).is_file()]
    for path in defaults:
        if path.is_file() and path.name not in files:
            files[path.name] = path.read_bytes()
    return RulesetFiles(files)


def build_fingerprinted(
    make: Callable[[], RoutingBundle], folder: Path | None, attempts: int = BUILD_ATTEMPTS
) -> RoutingBundle:
    """``make()``'s bundle, with the digest of the files it was built from.

    The digest is taken before and after the build; a folder edited meanwhile is built
    again (a bundle must never carry the digest of files it was not built from).
    Runs where the build runs (a builder process): it only reads files.
    """
    for _ in range(attempts):
        before = _digest_or_refuse(folder)
        bundle = make()
        if _digest_or_refuse(folder) == before:
            return replace(bundle, digest=before)
    raise BundleError([f"{folder}:0: the folder kept changing while it was built; try again"])


def _digest_or_refuse(folder: Path | None) -> str:
    try:
        return read_ruleset(folder).digest
    except OSError as exc:
        raise BundleError([f"{exc.filename or folder}:0: cannot be read: {exc.strerror}"]) from None
