"""A danger check as the admin pages show it: where a "no" goes beside the question, for
a decision made now and for one read back from the log (a replay's "was")."""

from __future__ import annotations

import json

from ivr.decisions import Decision
from ivr.routing.danger_check import DangerDoubt, ask_first
from ivr.rulesets.draft_view import logged_decision, view

DOUBT = DangerDoubt("past-emergency-cue", "a threat last week", {}, "emergency")
CHECK = ask_first(DOUBT, Decision("route", "rc", "intent", "intent report_crime"))


def test_a_danger_check_shows_where_a_no_goes() -> None:
    shown = view(CHECK, None)
    assert (shown["action"], shown["destination"]) == ("confirm", "emergency")
    assert shown["otherwise"] == {
        "action": "route",
        "destination": "rc",
        "destination_label": "Resolution Centre",
        "rule": "intent",
    }


def test_a_logged_danger_check_is_read_back_with_its_no_and_others_without() -> None:
    stored = CHECK.to_json()  # the row's columns, evidence as the writer keeps it
    row = {**stored, "evidence": json.dumps(stored["evidence"])}
    logged = logged_decision(row)
    assert logged.is_danger_check and logged.otherwise is not None
    assert (logged.otherwise.action, logged.otherwise.destination) == ("route", "rc")
    assert view(logged, None)["otherwise"]["destination"] == "rc"
    plain = Decision("confirm", "rc", "intent-confirm", "did you mean").to_json()
    assert view(logged_decision({**plain, "evidence": "{}"}), None)["otherwise"] is None
