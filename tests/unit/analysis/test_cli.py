"""``ivr report`` holds its charts and fetches nothing; ``ivr export``'s intervals add up;
from a SQLite file or a PostgreSQL URL alike (``db_location``)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ivr.analysis.intervals import BadInterval, parse_interval
from ivr.cli import main
from ivr.store.engine import open_database
from tests.unit.analysis.handlog import write_log


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


@pytest.fixture
def db(db_location: str) -> str:
    return write_log(db_location)


def change(db: str, sql: str) -> None:
    """A row changed behind the writer's back (another tool, a restored backup)."""
    database = open_database(db)
    database.execute(sql)
    database.close()


def test_report_is_self_contained_with_charts_and_tables(db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--db", db, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    charts = re.findall(r"<figure class=\"chart\"><svg .*?</svg><figcaption><table>", html)
    assert len(charts) >= 8  # each chart with its table beside it
    assert html.count("<title id=") == html.count("<svg ")  # every chart titled
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html)
    assert "<script" not in html and "@import" not in html and "url(" not in html
    assert "Service level by queue" in html and "fcr → rc" not in html
    assert "my bike was stolen" in html


def test_export_intervals_sum_to_the_totals(db: str, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    assert main(["export", "--db", db, "--interval", "15m", "--out", str(out)]) == 0
    rows = read(out)
    rc = [r for r in rows if r["queue"] == "rc"]
    assert len(rc) == 96  # the calls' whole (local) day, quiet intervals as zeros
    totals = {c: sum(int(r[c]) for r in rc) for c in ("offered", "answered", "abandoned")}
    assert totals == {"offered": 4, "answered": 2, "abandoned": 1}
    assert sum(int(r["answered_within_target"]) for r in rc) == 1
    assert sum(int(r["callbacks"]) for r in rc) == 1
    assert sum(int(r["offered_live"]) for r in rc) == 3  # the callback's place left out
    assert rc[0]["interval_start"] == "2026-03-02T00:00:00+00:00"
    (first,) = [r for r in rc if r["interval_start"] == "2026-03-02T09:00:00+00:00"]
    assert first["average_time_to_answer_s"] == "60.0"
    assert first["average_handling_time_s"] == "300.0"


def test_export_hourly_sums_match_quarter_hours(db: str, tmp_path: Path) -> None:
    sums = []
    for interval in ("15m", "1h"):
        out = tmp_path / f"{interval}.csv"
        assert main(["export", "--db", db, "--interval", interval, "--out", str(out)]) == 0
        sums.append(sum(int(r["offered"]) for r in read(out)))
    assert sums[0] == sums[1] == 4  # the four rc places, each in one interval


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--interval", "7m"], "does not divide an hour"),
        (["--interval", "24h"], "does not divide an hour"),
        (["--interval", "2h"], "does not divide an hour"),
        (["--from", "2020-01-01", "--to", "2026-01-01"], "longer than 366 days"),
        (["--interval", "x"], "not an interval"),
        (["--from", "2026-03-03", "--to", "2026-03-02"], "--from must be before --to"),
        (["--target", "-1"], "--target must be a positive"),
    ],
)
def test_export_refuses_bad_input(
    db: str, argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--db", db, *argv]) == 2
    assert says in capsys.readouterr().err


def test_report_refuses_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "--db", str(tmp_path / "no.db"), "--out", str(tmp_path / "r.html")])
    assert code == 2 and "no database" in capsys.readouterr().err


def test_intervals_parse() -> None:
    assert (parse_interval("15m"), parse_interval("1h"), parse_interval("30")) == (15, 60, 30)
    with pytest.raises(BadInterval):
        parse_interval("0m")


def test_export_rows_cover_the_period_for_every_queue(db: str, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    argv = ["--from", "2026-03-02T08:00", "--to", "2026-03-02T12:00", "--interval", "1h"]
    assert main(["export", "--db", db, *argv, "--out", str(out)]) == 0
    rows = read(out)
    starts = sorted({r["interval_start"] for r in rows})
    assert starts == [f"2026-03-02T{h:02d}:00:00+00:00" for h in (8, 9, 10, 11)]
    assert len(rows) == 4 * len({(r["queue"], r["via"]) for r in rows})  # every queue, every hour


def test_a_stray_time_cannot_stretch_the_export(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(
        db,
        "UPDATE call_events SET at = '9999-12-31T00:00:00Z'"
        " WHERE call_id = 'A' AND kind = 'queue-joined'",
    )
    out = tmp_path / "x.csv"
    assert main(["export", "--db", db, "--out", str(out)]) == 0
    rows = read(out)
    assert {r["interval_start"][:10] for r in rows} == {"2026-03-02"}
    assert "1 queue places outside the period" in capsys.readouterr().err
    change(db, "UPDATE calls SET started_at = '9999-12-31T00:00:00Z' WHERE call_id = 'H'")
    assert main(["export", "--db", db, "--out", str(out)]) == 2
    assert "give --from and --to" in capsys.readouterr().err


def test_summer_intervals_start_on_the_uk_hour(db: str, tmp_path: Path) -> None:
    for table, column in (("calls", "started_at"), ("call_events", "at")):  # a BST day
        change(db, f"UPDATE {table} SET {column} = replace({column}, '2026-03-02', '2026-07-06')")
    out = tmp_path / "x.csv"
    assert main(["export", "--db", db, "--interval", "1h", "--out", str(out)]) == 0
    starts = sorted({r["interval_start"] for r in read(out)})
    assert starts[0] == "2026-07-06T00:00:00+01:00" and len(starts) == 24
    assert all(s.endswith(":00:00+01:00") for s in starts)
