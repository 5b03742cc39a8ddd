"""Labellers' files are read strictly: a bad line names its file and line, never a guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.agreement import Label, LabelsError, read_labels


def labels_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "someone.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_request_is_read_in_order_with_its_alternatives(tmp_path: Path) -> None:
    path = labels_file(tmp_path, "1\tfcr\temergency, rc\tunsure\n\n0\tdirectory:cid\t-\tsure\n")
    assert read_labels(path, 2) == [
        Label("directory:cid", frozenset(), True),
        Label("fcr", frozenset({"emergency", "rc"}), False),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0\tfcr\t-\n", "someone.tsv:1: expected 4"),
        ("0\tfcr\t-\tsure\n2\trc\t-\tsure\n", "someone.tsv:2: index '2' is not 0..1"),
        ("0\tpolice\t-\tsure\n1\trc\t-\tsure\n", "'police' is not a destination"),
        ("0\tfcr\tnowhere\tsure\n1\trc\t-\tsure\n", "'nowhere' is not a destination"),
        ("0\tfcr\t-\tmaybe\n1\trc\t-\tsure\n", "'maybe' is neither sure nor unsure"),
        ("0\tfcr\t-\tsure\n0\trc\t-\tsure\n", "request 0 labelled twice"),
        ("1\tfcr\t-\tsure\n", "1 requests unlabelled (first: 0)"),
    ],
)
def test_a_bad_labels_file_says_where(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(LabelsError, match=says.replace("(", r"\(").replace(")", r"\)")):
        read_labels(labels_file(tmp_path, text), 2)
