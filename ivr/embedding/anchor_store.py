"""AnchorStore: the vectors of intent examples and department names, kept on disk.

Every ruleset build embeds every example (some 700 sentences, seconds of CPU)
in a fresh build process (ivr.routing.builders) that has no memory of the last
one. Anchors rarely change, so their vectors are kept in a small SQLite file
per machine, keyed by the model's identity and the text; so are the weights fitted on
them (ivr.routing.danger_meaning: seconds of linear algebra per build), keyed by a digest
of every text and label they were fitted on. Only anchors admins
wrote are stored: never a caller's words (those are personal data and stay in
the call log, under its retention).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["DEFAULT_STORE", "AnchorStore", "Weights"]

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float32]
Weights = npt.NDArray[np.float64]

DEFAULT_STORE = Path(
    os.environ.get("IVR_MEANING_CACHE", str(Path.home() / ".cache" / "ivr101" / "anchors.sqlite"))
)
_CHUNK = 500  # texts per SELECT (SQLite's variable limit is higher; keep queries small)


def _vector(blob: object, dimension: int) -> Floats | None:
    """A stored vector, or None when it is not one this model made (size, NaN, length)."""
    if not isinstance(blob, bytes) or len(blob) != dimension * 4:
        return None
    vector = np.frombuffer(blob, dtype=np.float32).copy()
    if not np.isfinite(vector).all() or abs(float(np.linalg.norm(vector)) - 1.0) > 1e-3:
        return None
    return vector


class AnchorStore:
    """Vectors by (model, text); a store that cannot be opened or written is skipped."""

    def __init__(self, path: Path = DEFAULT_STORE) -> None:
        self.path = path
        self._broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS anchors (model TEXT NOT NULL, text TEXT NOT NULL,"
                " vector BLOB NOT NULL, PRIMARY KEY (model, text))"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS fits (model TEXT NOT NULL, key TEXT NOT NULL,"
                " weights BLOB NOT NULL, PRIMARY KEY (model, key))"
            )
            return db
        except (OSError, sqlite3.Error) as exc:
            log.warning("anchor vectors not kept on disk (%s): %s", self.path, exc)
            self._broken = True
            return None

    def get(self, model: str, texts: Sequence[str], dimension: int) -> dict[str, Floats]:
        db = self._connect()
        if db is None:
            return {}
        found: dict[str, Floats] = {}
        try:
            with db:
                for start in range(0, len(texts), _CHUNK):
                    chunk = list(texts[start : start + _CHUNK])
                    marks = ",".join("?" * len(chunk))
                    rows = db.execute(
                        f"SELECT text, vector FROM anchors WHERE model = ? AND text IN ({marks})",
                        [model, *chunk],
                    )
                    for text, blob in rows:
                        vector = _vector(blob, dimension)
                        if vector is not None:
                            found[text] = vector
        except sqlite3.Error as exc:
            log.warning("anchor vectors not read from %s: %s", self.path, exc)
        finally:
            db.close()
        return found

    def put(self, model: str, vectors: Mapping[str, Floats]) -> None:
        if not vectors:
            return
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO anchors (model, text, vector) VALUES (?, ?, ?)",
                    [(model, t, np.asarray(v, np.float32).tobytes()) for t, v in vectors.items()],
                )
        except sqlite3.Error as exc:
            log.warning("anchor vectors not kept in %s: %s", self.path, exc)
        finally:
            db.close()

    def get_fit(self, model: str, key: str, length: int) -> Weights | None:
        """Weights fitted over this model's anchors (``key``: what they were fitted on), or
        None when none are kept or they are not ``length`` finite numbers."""
        db = self._connect()
        if db is None:
            return None
        try:
            with db:
                row = db.execute(
                    "SELECT weights FROM fits WHERE model = ? AND key = ?", (model, key)
                ).fetchone()
        except sqlite3.Error as exc:
            log.warning("fitted weights not read from %s: %s", self.path, exc)
            return None
        finally:
            db.close()
        blob = row[0] if row else None
        if not isinstance(blob, bytes) or len(blob) != length * 8:
            return None
        weights = np.frombuffer(blob, dtype=np.float64).copy()
        return weights if np.isfinite(weights).all() else None

    def put_fit(self, model: str, key: str, weights: Weights) -> None:
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                db.execute(
                    "INSERT OR REPLACE INTO fits (model, key, weights) VALUES (?, ?, ?)",
                    (model, key, np.asarray(weights, np.float64).tobytes()),
                )
        except sqlite3.Error as exc:
            log.warning("fitted weights not kept in %s: %s", self.path, exc)
        finally:
            db.close()
