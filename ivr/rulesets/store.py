"""The ``rulesets`` table: every published ruleset, whole, with who, when and why.

Versions are numbered 1, 2, 3 ... in the order they were stored and never changed
(triggers refuse it): a rollback to N is a new version holding N's files. ``files`` is
the folder's parts as zlib-compressed JSON (text files as text, anything else as base64,
and which are the shipped defaults): the shipped rules are 30 kB, a 100,000-entry
directory a few MB before compression (``bench/rulesets.py`` prints the row size).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from ivr.routing.snapshot import RulesetFiles, read_ruleset
from ivr.store.db import iso, write_transaction
from ivr.store.engine import Database, Dialect

ON_DISK = "files on disk"  # the author of a folder nobody published
# SQLite's INTEGER and PostgreSQL's BIGINT: a larger number is no version (not an overflow).
MAX_VERSION = 2**63 - 1


class VersionKind(StrEnum):
    PUBLISH = "publish"  # `ivr rules publish`
    ROLLBACK = "rollback"  # the files of an earlier version, written back
    ADOPTED = "adopted"  # found live in the folder (edited by hand), stored by the app


class NoSuchVersion(LookupError):
    error_id = "ruleset-version-unknown"


@dataclass(frozen=True)
class RulesetVersion:
    """One version without its files (history lists many)."""

    version: int
    at: str
    author: str
    kind: VersionKind
    comment: str
    digest: str
    size: int  # the files' bytes, uncompressed

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": self.at,
            "author": self.author,
            "kind": self.kind.value,
            "comment": self.comment,
            "digest": self.digest,
            "size": self.size,
        }


def pack(files: RulesetFiles) -> bytes:
    text: dict[str, str] = {}
    binary: dict[str, str] = {}
    for path, data in files.files.items():
        try:
            text[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            binary[path] = base64.b64encode(data).decode("ascii")
    body = json.dumps(
        {"text": text, "binary": binary, "defaults": sorted(files.defaults)},
        ensure_ascii=False,
        sort_keys=True,
    )
    return zlib.compress(body.encode("utf-8"), 6)


def unpack(blob: bytes) -> RulesetFiles:
    body = json.loads(zlib.decompress(blob).decode("utf-8"))
    files: dict[str, bytes] = {p: t.encode("utf-8") for p, t in body["text"].items()}
    files.update({p: base64.b64decode(b) for p, b in body["binary"].items()})
    # Versions stored before defaults were marked hold them as the folder's own.
    return RulesetFiles(files, frozenset(body.get("defaults", ())))


def _known_range(version: int) -> None:
    if not 1 <= version <= MAX_VERSION:
        raise NoSuchVersion(f"there is no ruleset version {version}")


_COLUMNS = "version, at, author, kind, comment, digest, size"


def _version(row: Mapping[str, Any]) -> RulesetVersion:
    return RulesetVersion(
        int(row["version"]),
        str(row["at"]),
        str(row["author"]),
        VersionKind(row["kind"]),
        str(row["comment"] or ""),
        str(row["digest"]),
        int(row["size"] or 0),
    )


class RulesetStore:
    """Synchronous reads and writes of ``rulesets`` (one thread: a CLI, or a store thread)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, files: RulesetFiles, at: datetime, author: str, kind: VersionKind, comment: str = ""
    ) -> RulesetVersion:
        blob = pack(files)
        with write_transaction(self.db):
            _lock_versions(self.db)
            last = self.db.scalar("SELECT COALESCE(MAX(version), 0) FROM rulesets")
            row = {
                "version": int(last) + 1,
                "at": iso(at),
                "author": author,
                "kind": kind.value,
                "comment": comment,
                "digest": files.digest,
                "size": files.size,
                "files": blob,
            }
            self.db.insert("rulesets", row)
        return _version(row)

    def history(self, limit: int | None = None) -> list[RulesetVersion]:
        """Newest first."""
        sql = f"SELECT {_COLUMNS} FROM rulesets ORDER BY version DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_version(dict(zip(_COLUMNS.split(", "), r, strict=True))) for r in self._rows(sql)]

    def get(self, version: int) -> RulesetVersion:
        _known_range(version)
        rows = self._rows(f"SELECT {_COLUMNS} FROM rulesets WHERE version = ?", [version])
        if not rows:
            raise NoSuchVersion(f"there is no ruleset version {version}")
        return _version(dict(zip(_COLUMNS.split(", "), rows[0], strict=True)))

    def files(self, version: int) -> RulesetFiles:
        _known_range(version)
        rows = self._rows("SELECT files FROM rulesets WHERE version = ?", [version])
        if not rows:
            raise NoSuchVersion(f"there is no ruleset version {version}")
        return unpack(rows[0][0])

    def latest(self) -> RulesetVersion | None:
        found = self.history(limit=1)
        return found[0] if found else None

    def with_digest(self, digest: str) -> RulesetVersion | None:
        """The newest version whose files have ``digest``."""
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM rulesets WHERE digest = ? ORDER BY version DESC LIMIT 1",
            [digest],
        )
        return _version(dict(zip(_COLUMNS.split(", "), rows[0], strict=True))) if rows else None

    def version_of(
        self, digest: str, folder: Path | None, at: datetime, why: str = ""
    ) -> int | None:
        """The version with ``digest``; else the folder, if it holds those files, stored as
        an adopted version; None if the folder holds other files now."""
        known = self.with_digest(digest)
        if known is not None:
            return known.version
        files = read_ruleset(folder)
        if files.digest != digest:
            return None
        why = why or f"found live in {folder or 'the shipped rules'}"
        return self.add(files, at, ON_DISK, VersionKind.ADOPTED, why).version

    def _rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return list(self.db.execute(sql, params or []).fetchall())


def _lock_versions(db: Database) -> None:
    """Inside ``add``'s transaction: no other writer numbers a version until it commits.

    SQLite's BEGIN IMMEDIATE holds the one write lock already. PostgreSQL's transaction
    locks nothing by reading MAX(version): two processes publishing at once would take
    the same number, and the second INSERT fail. A lock that lets readers on is enough.
    """
    if db.dialect is Dialect.POSTGRES:
        db.execute("LOCK TABLE rulesets IN SHARE ROW EXCLUSIVE MODE")
