"""People asked for by first name and team, through the engine and the shipped directory.

A department found by the MEANING of the team words must not outrank the person the
same words describe; an everyday word that is a first name must not take a report.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.decisions import Decision, Hypothesis
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

TUESDAY_10 = datetime(2030, 1, 8, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def _decide(engine: RoutingEngine, text: str) -> Decision:
    return engine.decide(RoutingInputs(at=TUESDAY_10, hypotheses=(Hypothesis(text),)))


def test_first_name_and_team_is_the_person_not_the_teams_department(
    engine: RoutingEngine,
) -> None:
    # One Harry works in Roads Policing (Collision Reporting answers for the team).
    decision = _decide(engine, "Harry in roads policing please")
    assert (decision.action, decision.destination) == ("confirm", "directory:harry-ward")
    assert "first name with their role" in decision.reason


def test_a_first_name_two_of_the_team_share_goes_to_a_person_who_asks_which(
    engine: RoutingEngine,
) -> None:
    # Reading out two surnames to a caller who knows only "Fraser" is a guess for them
    # (as for a surname several share: rule directory-shared-name).
    decision = _decide(engine, "Fraser in roads policing")
    assert (decision.action, decision.destination, decision.rule) == (
        "route",
        "switchboard",
        "directory-shared-name",
    )
    assert decision.evidence["shared_first_name"] == "Fraser"
    offered = sorted(decision.evidence["choices"])
    assert offered == ["directory:fraser-desai", "directory:fraser-lawrence"]


def test_a_common_word_that_is_a_first_name_does_not_take_a_report(
    engine: RoutingEngine,
) -> None:
    # PC Mark Johnston works in Roads Policing; this caller is not asking for him.
    decision = _decide(
        engine, "a roads policing car left a mark on my wall when it reversed, I want to report it"
    )
    offered = decision.candidates[0].destination if decision.candidates else None
    assert "directory:mark-johnston" not in (decision.destination, offered)


def test_someone_asked_for_in_the_intents_own_words_is_not_a_name_heard_in_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4100'}\n"
        "- {id: thomas-reilly, kind: person, name: Thomas Reilly, rank: PC, team: Traffic,"
        " extension: '4001'}\n"
    )
    engine = RoutingEngine(load_bundle(tmp_path))
    decision = _decide(engine, "can I just speak to a real person please")
    assert (decision.action, decision.destination) == ("route", "switchboard"), decision.reason
    # ... the name said is still who the caller wants.
    decision = _decide(engine, "can I speak to PC Reilly please")
    assert (decision.action, decision.destination) == ("route", "directory:thomas-reilly")


def test_a_department_that_fits_is_offered_over_an_unsure_someone(tmp_path: Path) -> None:
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4100'}\n"
        "- {id: rishdale-npt, kind: department, name: Rishdale and Mill Towns Neighbourhood"
        " Policing Team, extension: '4200'}\n"
    )
    engine = RoutingEngine(load_bundle(tmp_path))
    decision = _decide(engine, "can I speak to the local bobbies in Rishdale")
    assert (decision.action, decision.destination) == ("confirm", "directory:rishdale-npt")


def test_a_department_said_as_its_own_sentence_before_the_story_is_named(
    engine: RoutingEngine,
) -> None:
    said = (
        "The professional standards department. An officer came to my house last month"
        " and he was really rude to my elderly mother."
    )
    decision = _decide(engine, said)
    assert (decision.destination, decision.rule) == (
        "directory:professional-standards",
        "directory-high",
    )


def _engine_with(tmp_path: Path, *entries: str) -> RoutingEngine:
    """An engine whose directory holds ``entries`` (flow-style YAML lines) and the firearms
    licensing team the shipped rules name."""
    licensing = (
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing, extension: '4100'}"
    )
    lines = "\n".join((*entries, licensing))
    (tmp_path / "directory.yaml").write_text(f"entries:\n{lines}\n")
    return RoutingEngine(load_bundle(tmp_path))


def test_a_first_sentence_saying_who_the_caller_is_asks_for_nobody(tmp_path: Path) -> None:
    engine = _engine_with(
        tmp_path,
        "- {id: rebecca-hale, kind: person, name: Rebecca Hale, rank: Chief Constable,"
        " extension: '5900'}",
    )
    decision = _decide(engine, "I'm a haulier. I need some advice about something.")
    assert decision.destination != "directory:rebecca-hale", decision.reason
    # ... a first sentence that asks still names
    decision = _decide(engine, "Rebecca Hale. It's about the letter she sent me last week.")
    assert decision.destination == "directory:rebecca-hale", decision.reason


def test_a_place_said_only_as_where_asks_for_no_team_there(tmp_path: Path) -> None:
    engine = _engine_with(
        tmp_path,
        "- {id: hessleford-npt, kind: department, name: Hessleford Neighbourhood Policing"
        " Team, extension: '4200'}",
    )
    said = "is the coast road at Hessleford open yet, I heard there'd been a police incident"
    decision = _decide(engine, said)
    assert "directory:hessleford-npt" not in {c.destination for c in decision.candidates}
    # ... said with its station, it is the team asked for
    decision = _decide(engine, "I'd like to speak to someone at Hessleford police station")
    assert decision.destination == "directory:hessleford-npt", decision.reason


def test_the_police_s_own_office_said_with_its_place_is_the_team_there(tmp_path: Path) -> None:
    # "on the university campus" says where the office is, and the office is the ask;
    # the name's "university" beside the alias is no word the entry leaves unexplained.
    engine = _engine_with(
        tmp_path,
        "- {id: campus-team, kind: department, name: University Neighbourhood Team,"
        " aliases: [Campus Police Office], extension: '4200'}",
    )
    decision = _decide(engine, "The police office on the university campus.")
    assert decision.destination == "directory:campus-team", decision.reason


def test_the_police_office_said_a_few_words_before_its_place_is_the_team_there(
    tmp_path: Path,
) -> None:
    engine = _engine_with(
        tmp_path,
        "- {id: wansmouth-npt, kind: department, name: Wansmouth Neighbourhood Policing Team,"
        " extension: '4200'}",
        "- {id: alnbridge-npt, kind: department, name: Alnbridge Neighbourhood Policing Team,"
        " extension: '4201'}",
    )
    decision = _decide(engine, "Can I have the police office on the quay at Wansmouth?")
    assert decision.destination == "directory:wansmouth-npt", decision.reason


def test_a_department_named_then_please_is_asked_for_before_the_reason(tmp_path: Path) -> None:
    # "Cyber crime, please": the unit asked for, then why; not a crime report by the why.
    engine = _engine_with(
        tmp_path,
        "- {id: cyber-crime, kind: department, name: Cyber Crime Unit, extension: '4300'}",
    )
    decision = _decide(engine, "Cyber crime, please, somebody's hacked our business email.")
    assert decision.destination == "directory:cyber-crime", decision.reason


def test_a_title_in_the_callers_own_language_names_as_mrs_does(tmp_path: Path) -> None:
    engine = _engine_with(
        tmp_path,
        "- {id: anke-pringel, kind: person, name: Anke Pringel, rank: Ms,"
        " team: Information Rights, extension: '3351'}",
    )
    said = (
        "Guten Tag. Please, I am looking for Frau Pringel, from the data protection office,"
        " she wrote to me about my request."
    )
    decision = _decide(engine, said)
    assert decision.destination == "directory:anke-pringel", decision.reason


def test_a_title_the_first_name_contradicts_does_not_put_the_caller_through(
    tmp_path: Path,
) -> None:
    # "Mr Ray" is not Deborah Ray: offered at most, not routed; "Mrs Ray" is her.
    engine = _engine_with(
        tmp_path,
        "- {id: deborah-ray, kind: person, name: Deborah Ray, rank: Ms, extension: '3001'}",
        "- {id: craig-reay, kind: person, name: Craig Reay, rank: PC, extension: '3002'}",
        "- {id: gillian-hayes, kind: person, name: Gillian Hayes, rank: Ms,"
        " team: Firearms Licensing, extension: '3003'}",
        "- {id: martin-hays, kind: person, name: Martin Hays, rank: Mr,"
        " team: Firearms Licensing, extension: '3004'}",
    )
    decision = _decide(engine, "Can I speak to Mr Ray please?")
    assert decision.action != "route", decision.reason
    decision = _decide(engine, "Can I speak to Mrs Ray please?")
    assert (decision.action, decision.destination) == ("route", "directory:deborah-ray")
    # ... and it tells apart two sound-alikes the surname alone cannot
    decision = _decide(engine, "Mr Hays in firearms licensing, he sent me a letter")
    assert decision.destination == "directory:martin-hays", decision.reason


def test_a_team_s_alias_said_only_as_where_something_happened_asks_for_no_team(
    tmp_path: Path,
) -> None:
    engine = _engine_with(
        tmp_path,
        "- {id: south-npt, kind: department, name: Lagmouth South Neighbourhood Team,"
        " aliases: [Rope Quarter team], extension: '4200'}",
    )
    decision = _decide(engine, "My purse was lifted in the Rope Quarter on Friday night")
    assert "directory:south-npt" not in {c.destination for c in decision.candidates}
    # ... asked for by its alias, or someone there asked for, it is the team
    decision = _decide(engine, "can I speak to the Rope Quarter team please")
    assert decision.destination == "directory:south-npt", decision.reason
    decision = _decide(engine, "I need to talk to someone in the Rope Quarter")
    assert decision.destination == "directory:south-npt", decision.reason
