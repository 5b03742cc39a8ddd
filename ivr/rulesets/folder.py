"""Writing a version's files into the rules folder whole, or not at all.

The files are written to a sibling folder first (``stage``), checked there, then
swapped with the live folder in one step (``swap_in``: ``renameat2(RENAME_EXCHANGE)``
on Linux), so a reload never reads a half-written folder, and nothing reads a folder
that is missing. Where the kernel or file system cannot exchange, two renames do it
(a reload in the instant between them is refused, and the live rules stay).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from ivr.queues.model import DEFAULT_QUEUES_FILE, QueuesConfigError
from ivr.queues.queues_yaml import load_queues_config
from ivr.routing.bundle import BundleError, load_bundle
from ivr.routing.snapshot import RulesetFiles

log = logging.getLogger(__name__)

NEW_FILE_MODE = 0o640  # as `ivr directory import` gives a file it creates
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class UnsafePath(ValueError):
    error_id = "ruleset-path-unsafe"


def _safe(folder: Path, relative: str) -> Path:
    """``folder / relative``, refusing a stored path that would leave the folder."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        raise UnsafePath(f"a ruleset file has an unsafe path: {relative!r}")
    return folder.joinpath(*parts)


@contextlib.contextmanager
def stage(folder: Path, files: RulesetFiles) -> Iterator[Path]:
    """A sibling of ``folder`` holding exactly ``files`` (modes kept from the live folder);
    removed on leaving unless it was swapped in."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staged-", dir=folder.parent))
    try:
        with contextlib.suppress(OSError):
            os.chmod(staged, stat.S_IMODE(folder.stat().st_mode))
        for relative, data in files.files.items():
            path = _safe(staged, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            try:
                mode = stat.S_IMODE(_safe(folder, relative).stat().st_mode)
            except OSError:
                mode = NEW_FILE_MODE
            os.chmod(path, mode)
        yield staged
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def swap_in(staged: Path, folder: Path) -> None:
    """``staged`` becomes ``folder``; the old folder's files go (they are in a version)."""
    folder = folder.resolve()
    if not folder.exists():
        os.rename(staged, folder)
        return
    if _exchange(staged, folder):
        shutil.rmtree(staged, ignore_errors=True)  # now the old folder
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    os.rename(folder, old / folder.name)
    os.rename(staged, folder)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def check_folder(folder: Path, prompts: Collection[str] | None, shown_as: Path) -> list[str]:
    """Every error ``ivr rules check`` would print for ``folder`` (its queues included),
    naming ``shown_as`` where the files will be (a staged folder is not where they live)."""
    errors: list[str] = []
    try:
        load_bundle(folder, prompts)
    except BundleError as exc:
        errors.extend(exc.errors)
    return shown([*errors, *check_queues(folder)], folder, shown_as)


def check_queues(folder: Path) -> list[str]:
    """queues.yaml's errors (the shipped one where the folder has none)."""
    queues = folder / "queues.yaml"
    try:
        load_queues_config(queues if queues.is_file() else DEFAULT_QUEUES_FILE)
    except QueuesConfigError as exc:
        return list(exc.errors)
    return []


def shown(errors: list[str], staged: Path, folder: Path) -> list[str]:
    return [e.replace(str(staged), str(folder)) for e in errors]
