"""Anchor vectors kept on disk: the next build reads them; callers' words are never kept."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from ivr.embedding.anchor_store import AnchorStore
from ivr.embedding.encoder import MeaningEncoder
from ivr.embedding.files import read_model


def test_a_second_encoder_reads_the_anchors_the_first_kept(tmp_path: Path) -> None:
    store = AnchorStore(tmp_path / "anchors.sqlite")
    first = MeaningEncoder(read_model(), store=store)
    kept = first.encode_anchors(["report a burglary", "lost property"])
    rows = sqlite3.connect(tmp_path / "anchors.sqlite").execute("SELECT text FROM anchors")
    assert sorted(r[0] for r in rows) == ["lost property", "report a burglary"]
    second = MeaningEncoder(read_model(), store=store)
    found = store.get(second.store_key, ["report a burglary", "lost property"], second.dimension)
    assert np.array_equal(found["report a burglary"], kept[0])
    assert np.array_equal(second.encode_anchors(["lost property"])[0], kept[1])


def test_a_callers_words_are_never_written_to_disk(tmp_path: Path) -> None:
    store = AnchorStore(tmp_path / "anchors.sqlite")
    encoder = MeaningEncoder(read_model(), store=store)
    encoder.encode(["my name is Jane Doe and my number is 07700900123"])
    encoder.encode_anchors(["an example admins wrote"])
    rows = sqlite3.connect(tmp_path / "anchors.sqlite").execute("SELECT text FROM anchors")
    assert [r[0] for r in rows] == ["an example admins wrote"]


def test_a_store_that_cannot_be_written_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = AnchorStore(blocker / "anchors.sqlite")
    with caplog.at_level(logging.WARNING):
        vectors = MeaningEncoder(read_model(), store=store).encode_anchors(["stolen bike"])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert "anchor vectors not kept on disk" in caplog.text


def test_weights_fitted_once_are_read_by_the_next_encoder_and_a_bad_copy_is_refitted(
    tmp_path: Path,
) -> None:
    store = AnchorStore(tmp_path / "anchors.sqlite")
    fits: list[str] = []

    def fit(value: float, length: int = 3) -> np.ndarray:
        fits.append("fitted")
        return np.full(length, value)

    first = MeaningEncoder(read_model(), store=store)
    assert first.fit_kept("examples-a", 3, lambda: fit(1.0)).tolist() == [1.0, 1.0, 1.0]
    assert first.fit_kept("examples-a", 3, lambda: fit(2.0)).tolist() == [1.0, 1.0, 1.0]
    second = MeaningEncoder(read_model(), store=store)  # another build process
    assert second.fit_kept("examples-a", 3, lambda: fit(2.0)).tolist() == [1.0, 1.0, 1.0]
    assert len(fits) == 1
    # Other examples are another fit; a kept copy of the wrong size is no fit at all.
    assert second.fit_kept("examples-b", 3, lambda: fit(3.0)).tolist() == [3.0, 3.0, 3.0]
    assert (
        MeaningEncoder(read_model(), store=store)
        .fit_kept("examples-a", 4, lambda: fit(4.0, 4))
        .tolist()
        == [4.0] * 4
    )
    assert len(fits) == 3
