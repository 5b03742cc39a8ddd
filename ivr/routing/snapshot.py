"""A ruleset's files as one value, and the digest that names them.

A published version (ivr.rulesets) stores a rules folder's parts; a running app knows
which version it routes by from the digest of the files its bundle was built from. The
files are the folder's own parts (``PARTS``: what the bundle and the queues read; not
a stray HR export, a README or ``.git``, which are never stored) plus the shipped
default of each part the folder lacks, marked as such (``defaults``): they are what the
bundle was built from too, but a rollback leaves them out of the folder, so a later
release's defaults (its emergency cues, say) still apply.

The digest is SHA-256 over the files in path order, each as its path, a NUL (a 0x01 for
a shipped default), its length and its bytes: unambiguous, so two different folders
never share one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ivr.routing.bundle import DEFAULT_FOLDER, FILES, BundleError, RoutingBundle, resolve_files

# Read from the shipped folder when an admin's folder lacks them (not bundle parts).
OTHER_DEFAULTS = ("queues.yaml",)
DIRECTORY_FILES = ("directory.yaml", "directory.csv")  # the bundle's "directory" part
# The files of a rules folder a ruleset is: each read by the bundle or the queues.
PARTS = frozenset({*DIRECTORY_FILES, *(f for f in FILES if f != "directory"), *OTHER_DEFAULTS})
BUILD_ATTEMPTS = 3


@dataclass(frozen=True)
class RulesetFiles:
    """Relative POSIX path -> the file's bytes; ``defaults``: those read from the shipped
    folder because the rules folder lacks them."""

    files: Mapping[str, bytes]
    defaults: frozenset[str] = frozenset()
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", digest_of(self.files, self.defaults))

    @property
    def size(self) -> int:
        return sum(len(data) for data in self.files.values())

    def own_parts(self) -> dict[str, bytes]:
        """What a rules folder holding this ruleset holds itself: its parts but the
        defaults (a version stored before parts were known may hold other files too)."""
        return {p: d for p, d in self.files.items() if p in PARTS and p not in self.defaults}


def digest_of(files: Mapping[str, bytes], defaults: frozenset[str] = frozenset()) -> str:
    sha = hashlib.sha256()
    for path in sorted(files):
        data = files[path]
        mark = b"\1" if path in defaults else b"\0"
        sha.update(path.encode("utf-8") + mark + len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


def read_ruleset(folder: Path | None) -> RulesetFiles:
    """The files a bundle of ``folder`` is built from (None: the shipped folder).

    OSError if one cannot be read.
    """
    root = DEFAULT_FOLDER if folder is None else folder
    own = {name: (root / name).read_bytes() for name in PARTS if (root / name).is_file()}
    if folder is None:
        return RulesetFiles(own)
    chosen, _ = resolve_files(folder)
    shipped = [p for p in chosen.values() if p.parent == DEFAULT_FOLDER]
    shipped += [DEFAULT_FOLDER / n for n in OTHER_DEFAULTS if n not in own]
    defaults = {p.name: p.read_bytes() for p in shipped if p.is_file() and p.name not in own}
    return RulesetFiles({**own, **defaults}, frozenset(defaults))


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
