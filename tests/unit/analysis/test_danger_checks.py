"""Danger checks in the report's figures: counted apart from "did you mean" confirms
(asked, yes, no, no answer), and a call that ends at the question has its own point."""

from __future__ import annotations

from ivr.analysis.journey import JourneyPoint, journey_point
from ivr.analysis.kpis import KpiCollector, Kpis
from ivr.analysis.reader import CallLogSource, Period
from ivr.analysis.report import ReportInput, render
from ivr.analysis.stored import CallbackFigures, TextFigures
from ivr.decisions import Decision, Hypothesis
from ivr.routing.danger_check import DangerDoubt, ask_first
from ivr.session.emergency import breakout_decision
from tests.unit.analysis.handlog import Call, keyed, write_log

THREAT = "he threatened me last week"
DOUBT = DangerDoubt("past-emergency-cue", f"emergency cue in context: {THREAT!r}", {}, "emergency")
HEARD = {"digits": None, "heard": [{"text": THREAT, "confidence": 0.8}], "attempt": 1}
RC = Decision("route", "rc", "intent", "intent report_crime")
RC_ASKED = Decision("confirm", "rc", "intent-confirm", "intent report_crime (0.6)")


def checked(ordinary: Decision) -> tuple[Decision, Decision]:
    """The check as RouteCall stores it (with its inputs), and as AskDanger answers it."""
    check = ask_first(DOUBT, ordinary)
    return check.with_evidence(inputs=HEARD), check


def calls() -> list[Call]:
    yes_stored, yes = checked(RC)
    no_stored, no = checked(RC_ASKED)
    quiet_stored, quiet = checked(RC)
    gone_stored, _ = checked(RC)
    queued = "queue:rc"
    cue = Decision("route", "emergency", "emergency-cue", "said 'knife'")
    later = breakout_decision(
        cue, queued, digits=None, heard=(Hypothesis("knife"),), checked="key 9"
    )
    return [
        Call("yes", 0, "transferred", "transfer:emergency", 60, "emergency",
             decisions=[(5, yes_stored), (15, yes.answered(True, "key 9"))]),
        Call("no", 5, "transferred", queued, 300, "rc",
             decisions=[(5, no_stored), (15, no.answered(False, "said 'no'")), (200, later)]),
        Call("quiet", 10, "transferred", "transfer:emergency", 60, "emergency",
             decisions=[(5, quiet_stored), (20, quiet.answered(True, "no-input"))]),
        Call("gone", 15, "abandoned", "danger-check:rc", 12, "",
             decisions=[(5, gone_stored)]),
        Call("asked", 20, "transferred", queued, 120, "rc",
             decisions=[(5, keyed("rc", "1", "confirm", "intent-confirm"))]),
    ]  # fmt: skip


def kpis(db: str) -> Kpis:
    collector = KpiCollector()
    with CallLogSource(db) as log:
        for journey in log.journeys(Period()):
            collector.add(journey)
    return collector.figures()


def test_danger_checks_are_counted_apart_from_did_you_mean_confirms(db_location: str) -> None:
    u = kpis(write_log(db_location, calls())).understanding
    assert u.calls == 5
    assert u.confirmed == 2  # "asked", and the confirm a "no" carried on with
    d = u.danger_checks
    assert (d.asked, d.yes, d.no, d.no_answer) == (4, 1, 1, 2)  # a break-out's own is not


def test_a_call_that_ends_at_the_danger_check_is_abandoned_there(db_location: str) -> None:
    assert journey_point("danger-check:rc") is JourneyPoint.DANGER_CHECK
    k = kpis(write_log(db_location, calls()))
    assert sum(k.abandoned_at[JourneyPoint.DANGER_CHECK]) == 1
    assert JourneyPoint.OTHER not in k.abandoned_at


def test_the_report_names_the_danger_check_figures(db_location: str) -> None:
    k = kpis(write_log(db_location, calls()))
    none = CallbackFigures(0, 0, 0, 0, 0, 0)
    page = render(ReportInput("t", "p", k, none, TextFigures(0, 0, {}), 0.8))
    assert "danger checks asked" in page and "answered no (routed as asked)" in page
    assert "danger checks apart" in page
