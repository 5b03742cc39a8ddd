"""Writing a version's files into the rules folder whole, or not at all.

The files are written to a sibling folder first (``stage``), checked there, then
swapped with the live folder in one step (``swap_in``: ``renameat2(RENAME_EXCHANGE)``
on Linux), so a reload never reads a half-written folder, and nothing reads a folder
that is missing. Where the kernel or file system cannot exchange, two renames do it
(a reload in the instant between them is refused, and the live rules stay; if the
second rename fails, the live folder is renamed back).

Only a version's own parts are written (ivr.routing.snapshot.PARTS, not the shipped
defaults it was built with); everything else in the live folder (``.git``, hidden files,
a README, sub-folders) is copied into the staged folder, so a rollback changes the
ruleset and nothing else. The replaced folder is kept beside it as ``.<name>.prev``
(the one before is removed). So the app needs write access to the folder's parent,
on the same file system: ``FolderUnwritable`` says so when it lacks it.
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
from ivr.routing.snapshot import PARTS, RulesetFiles

log = logging.getLogger(__name__)

NEW_FILE_MODE = 0o640  # as `ivr directory import` gives a file it creates
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class UnsafePath(ValueError):
    error_id = "ruleset-path-unsafe"


class FolderUnwritable(OSError):
    """Writing beside the rules folder failed: what failed, and what a rollback needs."""

    error_id = "rules-folder-unwritable"

    def __init__(self, folder: Path, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror)
        where = f" ({cause.filename})" if cause.filename else ""
        self.message = (
            f"cannot write the rules folder {folder}: {cause.strerror or cause}{where}; a"
            f" rollback writes a new folder in {folder.parent} and renames it into place, so"
            " the app needs write access there, on the same file system as the folder"
        )

    def __str__(self) -> str:
        return self.message


@contextlib.contextmanager
def _explained(folder: Path) -> Iterator[None]:
    try:
        yield
    except FolderUnwritable:
        raise
    except OSError as exc:
        raise FolderUnwritable(folder, exc) from exc


def previous_of(folder: Path) -> Path:
    """Where the folder a swap replaced is kept (until the next swap)."""
    folder = folder.resolve()
    return folder.parent / f".{folder.name}.prev"


def _safe(folder: Path, relative: str) -> Path:
    """``folder / relative``, refusing a stored path that would leave the folder."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        raise UnsafePath(f"a ruleset file has an unsafe path: {relative!r}")
    return folder.joinpath(*parts)


@contextlib.contextmanager
def stage(folder: Path, files: RulesetFiles) -> Iterator[Path]:
    """A sibling of ``folder`` holding ``files``' own parts (modes kept from the live
    folder) and everything of the live folder that is no part; removed on leaving
    unless it was swapped in. FolderUnwritable if it cannot be made."""
    folder = folder.resolve()
    with _explained(folder):
        folder.parent.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staged-", dir=folder.parent))
    try:
        with _explained(folder):
            with contextlib.suppress(OSError):
                os.chmod(staged, stat.S_IMODE(folder.stat().st_mode))
            for relative, data in files.own_parts().items():
                path = _safe(staged, relative)
                path.write_bytes(data)
                try:
                    mode = stat.S_IMODE(_safe(folder, relative).stat().st_mode)
                except OSError:
                    mode = NEW_FILE_MODE
                os.chmod(path, mode)
            _carry(folder, staged)
        yield staged
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _carry(folder: Path, staged: Path) -> None:
    """Copy what the live folder holds besides the ruleset's parts (links as links)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name in PARTS:
            continue
        target = staged / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target)


def swap_in(staged: Path, folder: Path) -> None:
    """``staged`` becomes ``folder``; the old folder is kept as ``previous_of(folder)``.

    FolderUnwritable if it cannot be done; the live folder is then left (or put back)
    where it was.
    """
    folder = folder.resolve()
    with _explained(folder):
        if not folder.exists():
            os.rename(staged, folder)
            return
        if _exchange(staged, folder):
            _keep(staged, folder)  # staged names the old folder now
            return
        shell = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
        old = shell / folder.name
        os.rename(folder, old)
        try:
            os.rename(staged, folder)
        except OSError:
            os.rename(old, folder)
            shell.rmdir()
            raise
    _keep(old, folder)
    shutil.rmtree(shell, ignore_errors=True)


def _keep(old: Path, folder: Path) -> None:
    """``old`` becomes ``previous_of(folder)``, the one before going. The swap is done by
    then: a failure here is logged, not raised (the old folder is then removed)."""
    previous = previous_of(folder)
    try:
        if previous.is_symlink() or previous.is_file():
            previous.unlink()
        elif previous.exists():
            shutil.rmtree(previous)
        os.rename(old, previous)
    except OSError as exc:
        log.warning("the replaced rules folder was not kept as %s: %s", previous, exc)


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
