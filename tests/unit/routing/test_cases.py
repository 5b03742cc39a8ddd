"""The case book: reference -> officer in charge."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.directory import Directory
from ivr.routing.cases import Case, CaseBook, CasesError

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_sample_loads() -> None:
    book = CaseBook.load_csv(ROOT / "routing_rules" / "cases.csv")
    assert len(book) >= 30
    case = book.get("42/18734/24")
    assert case == Case("42/18734/24", "rhian-jones", "under investigation")
    directory = Directory.load_yaml(ROOT / "routing_rules" / "directory.yaml")
    assert all(directory.get(c.officer_id) is not None for c in book)


def test_get_accepts_spoken_and_keyed_forms() -> None:
    book = CaseBook.parse_csv("reference,officer_id,status\n42/18734/24,p-0012,open\n")
    assert book.get("42*18734*24#") == book.get("42/18734/24")
    assert book.get("forty two stroke one eight seven three four stroke two four") is not None
    assert "42/18734/24" in book
    assert book.get("42/99999/24") is None
    assert book.get("nonsense") is None


def test_extra_columns_ignored_any_order_and_blank_lines() -> None:
    text = "\ufeffStatus,Reference,Notes,Officer_ID\n\nopen,42/18734/24,x,p-0001\n"
    book = CaseBook.parse_csv(text)
    assert book.get("42/18734/24") == Case("42/18734/24", "p-0001", "open")


def test_every_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "reference,officer_id,status\n"
        "42/18734/24,p-0012,open\n"
        "42 18735 24,p-0012,open\n"
        "42/18734/24,p-0013,open\n"
        ",p-0014,open\n"
        "42/18736/24,,\n"
        "42/1/24,p-0015,open\n",
        encoding="utf-8",
    )
    with pytest.raises(CasesError) as caught:
        CaseBook.load_csv(path)
    assert caught.value.error_id == "cases-invalid"
    assert caught.value.errors == [
        f"{path}:3: reference '42 18735 24' is not FF/SSSSS/YY"
        " (2-digit force / 4-7 digit serial / 2-digit year) (did you mean 42/18735/24?)",
        f"{path}:4: duplicate reference 42/18734/24 (first on line 2)",
        f"{path}:5: empty reference",
        f"{path}:6: empty officer_id",
        f"{path}:6: empty status",
        f"{path}:7: reference '42/1/24' is not FF/SSSSS/YY"
        " (2-digit force / 4-7 digit serial / 2-digit year)",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "<c>:1: empty file"),
        ("reference,officer\n42/18734/24,p-1\n", "<c>:1: header lacks officer_id, status"),
    ],
)
def test_bad_headers(text: str, message: str) -> None:
    with pytest.raises(CasesError) as caught:
        CaseBook.parse_csv(text, "<c>")
    assert caught.value.errors[0].startswith(message)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CasesError) as caught:
        CaseBook.load_csv(tmp_path / "missing.csv")
    assert "cannot read" in caught.value.errors[0]
