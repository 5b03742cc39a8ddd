"""KPIs on a hand-built log (handlog.py) against figures worked by hand; the log read
from a SQLite file or PostgreSQL alike (``db_location``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.analysis.journey import JourneyPoint, Source, Via, VisitEnd
from ivr.analysis.kpis import KpiCollector, Kpis
from ivr.analysis.reader import CallLogSource, LogUnreadable, Period
from ivr.analysis.stored import text_figures
from tests.unit.analysis.handlog import DAY, write_log


@pytest.fixture
def db(db_location: str) -> str:
    return write_log(db_location)


ALL = Period()


def kpis(db: str, period: Period = ALL, target_s: float = 300) -> Kpis:
    collector = KpiCollector(target_s=target_s)
    with CallLogSource(db) as log:
        for journey in log.journeys(period):
            collector.add(journey)
    return collector.figures()


def test_queue_service_level_and_time_to_answer(db: str) -> None:
    rc = kpis(db).queue("rc")
    assert rc is not None
    # A (60 s), B (400 s) answered; C abandoned after 130 s; G took a callback.
    assert (rc.offered, rc.answered, rc.abandoned, rc.callbacks) == (4, 2, 1, 1)
    assert rc.answered_in_target == 1  # only A within 300 s
    assert rc.service_level == pytest.approx(0.25)
    assert rc.mean_answer_s == pytest.approx(230.0)
    assert rc.p90_answer_s == 400.0
    assert rc.mean_talk_s == pytest.approx(195.0)  # (300 + 90) / 2
    assert rc.abandoned_by_minute == {2: 1}
    assert rc.abandon_rate == pytest.approx(0.25)


def test_a_longer_target_counts_both_answers(db: str) -> None:
    rc = kpis(db, target_s=400).queue("rc")
    assert rc is not None and rc.answered_in_target == 2


def test_abandonment_by_journey_point_and_how_long(db: str) -> None:
    k = kpis(db)
    assert k.calls == 8 and k.abandoned == 3  # C, D, E; F deflected is not abandoned
    # bands: <10, <30, <60, <120, <300 ...: D after 5 s, E after 40 s, C after 140 s
    assert k.abandoned_at[JourneyPoint.WELCOME][0] == 1
    assert k.abandoned_at[JourneyPoint.MENU][2] == 1
    assert k.abandoned_at[JourneyPoint.QUEUE][4] == 1
    assert sum(sum(b) for b in k.abandoned_at.values()) == 3


def test_deflection_is_counted_apart(db: str) -> None:
    k = kpis(db)
    assert (k.offers.links_offered, k.offers.deflected) == (1, 1)
    assert k.outcomes["deflected"] == 1
    assert k.outcomes["abandoned"] == 3
    assert (k.offers.callbacks_offered, k.offers.callbacks_accepted) == (1, 1)


def test_understanding_and_misroutes(db: str) -> None:
    u = kpis(db).understanding
    # A, B, E, F, H decided by the engine; E was asked again (no-match).
    assert (u.calls, u.first_time_right, u.decisions, u.no_match) == (5, 4, 5, 1)
    assert u.by_source[Source.KEYPAD] == 3 and u.by_source[Source.SPEECH] == 2
    assert u.confidence_bands[3] == 1 and u.confidence_bands[9] == 1
    (move,) = u.misroutes
    assert (move.source, move.target, move.moves) == ("fcr", "rc", 1)
    assert move.phrases == (("my bike was stolen", 1),)


def test_volumes_callers_and_dialled(db: str) -> None:
    k = kpis(db)
    assert k.by_hour[9] == 5 and k.by_hour[10] == 3  # A-E at 9:00-9:55 | F G H (GMT = UTC)
    assert k.by_weekday[0] == 8
    assert k.dialled == {"101": 7, "geographic": 1}
    assert (k.callers.vulnerable, k.callers.repeat) == (1, 1)
    assert k.routes["rc"] == 5 and k.routes["none"] == 2


def test_period_selects_by_start(db: str) -> None:
    from datetime import timedelta

    k = kpis(db, Period(DAY, DAY + timedelta(minutes=45)))
    assert k.calls == 3


def test_visits_carry_their_ends(db: str) -> None:
    with CallLogSource(db) as log:
        ends = {j.call_id: [v.end for v in j.visits] for j in log.journeys(Period())}
    assert ends["C"] == [VisitEnd.ABANDONED] and ends["G"] == [VisitEnd.CALLBACK]
    assert ends["D"] == []


def test_texts_without_an_outbox_row(db: str) -> None:
    with CallLogSource(db) as log:
        assert text_figures(log, Period()).deflection_sent == 0


def test_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "x.db"
    bad.write_text("not sqlite")
    with pytest.raises(LogUnreadable):
        CallLogSource(bad)
    with pytest.raises(LogUnreadable):
        CallLogSource(tmp_path / "missing.db")


def test_queue_helper_is_by_queue_only(db: str) -> None:
    k = kpis(db)
    assert all(d.via is Via.QUEUE for d in k.destinations if d.destination == "rc")
