"""A name several people answer to, with nothing said that tells them apart, goes to a
person who asks which; a list of names would be a guess for a caller who knows only one.
Names spelt two ways that sound one way are one name: the transcript's spelling is the
recogniser's guess, so it cannot pick between Clark and Clarke; the rank, the first name
or the caller's own spelling can."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.decisions import Decision, Hypothesis
from ivr.directory.index import sounds_same
from ivr.routing.bundle import load_bundle
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
# The fixture bundle's directory: PS Ffion Okafor, DS Gethin Okafor, DC Marek Okafor;
# PC Tariq Sharma and PC Tariq Fletcher; DC Emma Clarke and PS James Clark.
FFION, GETHIN = "directory:ffion-okafor", "directory:gethin-okafor"
EMMA, JAMES = "directory:emma-clarke", "directory:james-clark"


def with_people(tmp_path: Path, people: str) -> RoutingEngine:
    """An engine whose directory is one department and ``people`` (YAML entry lines)."""
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4100'}\n" + people
    )
    return RoutingEngine(load_bundle(tmp_path))


def decide(engine: RoutingEngine, text: str) -> Decision:
    return engine.decide(RoutingInputs(at=AT, hypotheses=(Hypothesis(text, 0.9),)))


def shared(engine: RoutingEngine, text: str) -> Decision:
    """The decision, asserted to be the switchboard for a name several share."""
    d = decide(engine, text)
    assert (d.action, d.destination, d.rule) == ("route", "switchboard", "directory-shared-name"), (
        d.reason
    )
    return d


def test_sergeant_is_a_detective_sergeants_title_too(engine: RoutingEngine) -> None:
    d = shared(engine, "Sergeant Okafor please")
    assert d.evidence["shared_surname"] == "Okafor"
    assert set(d.evidence["choices"]) == {FFION, GETHIN}  # not the DC
    # The detective's own rank, or the uniformed one's in full, picks one first.
    assert decide(engine, "DS Okafor please").candidates[0].destination == GETHIN
    assert decide(engine, "police sergeant okafor").candidates[0].destination == FFION


def test_a_first_name_two_people_share_goes_to_a_person_who_asks_which(
    engine: RoutingEngine,
) -> None:
    for text in ("Tariq please", "can I speak to Tariq"):
        assert shared(engine, text).evidence["shared_first_name"] == "Tariq"
    d = decide(engine, "Tariq Sharma please")
    assert (d.action, d.destination) == ("route", "directory:tariq-sharma")


def test_a_surname_said_that_two_spellings_share_goes_to_a_person_who_asks_which(
    engine: RoutingEngine,
) -> None:
    for text in ("Clark please", "Clarke please"):
        d = shared(engine, text)
        assert set(d.evidence["choices"]) == {EMMA, JAMES}
        # The evidence says why the other spelling fits as well: it sounds the same.
        assert any("(same sound 1.00)" in c.evidence for c in d.candidates), d.candidates


def test_the_rank_or_the_first_name_picks_whichever_spelling_was_heard(
    engine: RoutingEngine,
) -> None:
    for text, who in (
        ("DC Clark please", EMMA),
        ("sergeant clarke", JAMES),
        ("can I speak to Emma Clark", EMMA),
        ("james clarke", JAMES),
    ):
        d = decide(engine, text)
        assert (d.action, d.destination) == ("route", who), d.reason


def test_sounding_the_same_needs_the_sound_and_nearly_the_spelling() -> None:
    assert sounds_same("Reed", "Reid") and sounds_same("Read", "Reed")
    assert sounds_same("Clark", "clarke") and sounds_same("Elliott", "Elliot")
    assert not sounds_same("Johnson", "Johnston")  # another sound: the caller hears which
    assert not sounds_same("Rhys", "Rees")  # one sound, but spelt too far apart to tell
    assert not sounds_same("Kat", "Kate")  # too short: the e changes the vowel
    assert sounds_same("Ann", "Anne")  # ... unless it follows a doubled consonant
    # The keys leave vowels out, but a name that ends on a vowel said is another name.
    assert not sounds_same("Paul", "Paula") and not sounds_same("Paulo", "Paula")
    assert sounds_same("Hannah", "Hanna") and sounds_same("Greene", "Green")
    # The same letters moved between the same start and end: one sound.
    assert sounds_same("Howarth", "Haworth")
    assert not sounds_same("Aileen", "Elaine") and not sounds_same("Pellow", "Powell")
    # A Polish w between vowels is said as a v.
    assert sounds_same("Nowak", "Novak") and sounds_same("Kowalski", "Kovalski")


def test_a_name_the_caller_spells_is_told_from_its_sound_alike(engine: RoutingEngine) -> None:
    # Their spelling, not the recogniser's guess: the spelt one is offered first.
    for text, who in (("Clarke with an E please", EMMA), ("Clark, C-L-A-R-K", JAMES)):
        d = decide(engine, text)
        assert d.destination == who and d.action in ("route", "confirm"), d.reason


def test_a_name_that_is_one_persons_surname_and_anothers_first_name_asks_which(
    tmp_path: Path,
) -> None:
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: fraud, kind: department, name: Fraud Unit, teams: [Fraud], extension: '4000'}\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " extension: '4100'}\n"
        "- {id: alison-grant, kind: person, name: Alison Grant, rank: DC, team: Fraud,"
        " extension: '4001'}\n"
        "- {id: grant-ellis, kind: person, name: Grant Ellis, rank: DC, team: Fraud,"
        " extension: '4002'}\n"
    )
    engine = RoutingEngine(load_bundle(tmp_path))
    for text in ("Grant in the fraud team", "Grant please"):
        d = shared(engine, text)
        assert d.evidence["shared_surname_first_name"] == [
            "directory:alison-grant",
            "directory:grant-ellis",
        ]
    # Either name said with the other name or the rank says which.
    for text, who in (
        ("Alison Grant please", "directory:alison-grant"),
        ("Grant Ellis please", "directory:grant-ellis"),
        ("DC Grant in fraud", "directory:alison-grant"),
    ):
        d = decide(engine, text)
        assert (d.action, d.destination) == ("route", who), d.reason


def test_a_first_name_said_with_that_persons_own_team_is_offered_not_asked_which(
    tmp_path: Path,
) -> None:
    # "Grant from licensing, about the pub": Sgt Grant is in firearms licensing, Grant
    # Ellis in pub licensing; the team said tells which, so Grant Ellis is offered.
    (tmp_path / "directory.yaml").write_text(
        "entries:\n"
        "- {id: firearms-licensing, kind: department, name: Firearms Licensing,"
        " teams: [Firearms Licensing], extension: '4100'}\n"
        "- {id: pubs, kind: department, name: Alcohol Licensing, aliases: [Pub Licensing],"
        " teams: [Alcohol Licensing], extension: '4200'}\n"
        "- {id: fiona-grant, kind: person, name: Fiona Grant, rank: PS,"
        " team: Firearms Licensing, extension: '4101'}\n"
        "- {id: grant-ellis, kind: person, name: Grant Ellis, rank: PC,"
        " team: Alcohol Licensing, extension: '4201'}\n"
    )
    engine = RoutingEngine(load_bundle(tmp_path))
    d = decide(engine, "Grant from licensing, about the pub")
    assert (d.action, d.destination) == ("confirm", "directory:grant-ellis"), d.reason
    assert d.candidates[0].destination == "directory:grant-ellis"  # what the caller is asked


def test_a_first_name_heard_in_several_spellings_goes_to_a_person_through_any_of_them(
    tmp_path: Path,
) -> None:
    # "Sian" sounds like Shan, Siân and Siôn, though Shan and Siôn do not sound alike:
    # the name heard is shared through the spelling the caller's word is.
    engine = with_people(
        tmp_path,
        "- {id: shan-lloyd, kind: person, name: Shan Lloyd, rank: Ms, extension: '5301'}\n"
        "- {id: sian-davis, kind: person, name: Sian Davis, rank: PC, extension: '4413'}\n"
        "- {id: sian-howells, kind: person, name: Siân Howells, rank: DS, extension: '2810'}\n"
        "- {id: sion-parry, kind: person, name: Siôn Parry, rank: PC, extension: '3616'}\n",
    )
    d = shared(engine, "Can I speak to Sian please")
    assert d.evidence["shared_first_name"] == "Sian"
    assert len(d.evidence["choices"]) == 4


def test_a_first_name_shared_through_a_short_form_goes_to_a_person_who_asks_which(
    tmp_path: Path,
) -> None:
    # "Sean" is heard in Siân and in Oluwaseun's short form "Seun" alike: three people a
    # caller who knows only "Sean" may mean.
    engine = with_people(
        tmp_path,
        "- {id: sean-gallagher, kind: person, name: Sean Gallagher, rank: DC, extension: '2101'}\n"
        "- {id: sian-morgan, kind: person, name: Siân Morgan, rank: Ms, extension: '2302'}\n"
        "- {id: oluwaseun-adeyemi, kind: person, name: Oluwaseun Adeyemi, rank: DC,"
        " extension: '2753'}\n",
    )
    d = shared(engine, "I was told to ring Sean.")
    assert len(d.evidence["choices"]) == 3
    d = decide(engine, "Sean Gallagher please")
    assert (d.action, d.destination) == ("route", "directory:sean-gallagher"), d.reason


def test_a_gaelic_first_name_is_heard_in_its_english_spelling(tmp_path: Path) -> None:
    # "Ian" is how a recogniser (and many a caller) writes Iain, "Rory" Ruaridh: with
    # McDonald and MacDonald one sound, nothing said tells DI Iain MacDonald from DS Ian
    # McDonald.
    engine = with_people(
        tmp_path,
        "- {id: iain-macdonald, kind: person, name: Iain MacDonald, rank: DI,"
        " extension: '2001'}\n"
        "- {id: ian-mcdonald, kind: person, name: Ian McDonald, rank: DS, extension: '2002'}\n"
        "- {id: ruaridh-macleod, kind: person, name: Ruaridh Macleod, rank: PS,"
        " extension: '2003'}\n"
        "- {id: ian-parry, kind: person, name: Ian Parry, rank: PS, extension: '2004'}\n"
        "- {id: ioan-parry, kind: person, name: Ioan Parry, rank: DC, extension: '2005'}\n",
    )
    assert shared(engine, "Ian MacDonald please").evidence["shared_surname"] in (
        "MacDonald",
        "McDonald",
    )
    d = decide(engine, "DI Ian MacDonald please")
    assert (d.action, d.destination) == ("route", "directory:iain-macdonald"), d.reason
    d = decide(engine, "can I speak to Rory Macleod")
    assert (d.action, d.destination) == ("route", "directory:ruaridh-macleod"), d.reason
    # only the very spelling: "Ioan" is near "Iain" and is no Ian
    d = decide(engine, "Ioan Parry please")
    assert (d.action, d.destination) == ("route", "directory:ioan-parry"), d.reason


def test_a_final_ee_sound_is_one_name_however_it_is_spelt() -> None:
    assert sounds_same("Lee", "Leigh") and sounds_same("Ashley", "Ashleigh")
    assert sounds_same("Ashlee", "Ashleigh")
    assert not sounds_same("Lee", "Leah") and not sounds_same("Lee", "Lewis")


def test_a_caller_who_knows_no_surname_is_asking_for_a_first_name(tmp_path: Path) -> None:
    # "Stuart" is Anne Stuart's surname and PC Stuart Bell's first name; "I don't know his
    # last name" says which, in any clause.
    engine = with_people(
        tmp_path,
        "- {id: anne-stuart, kind: person, name: Anne Stuart, rank: DS, team: CID,"
        " extension: '2001'}\n"
        "- {id: stuart-bell, kind: person, name: Stuart Bell, rank: PC, team: Central NPT,"
        " extension: '3410'}\n",
    )
    assert shared(engine, "Can I speak to Stuart please").rule == "directory-shared-name"
    for text in (
        "Can I speak to Stuart please, I don't know his last name.",
        "Stuart, I only know his first name",
        "Put me through to Stuart, I can't say his surname, he's in Central NPT",
    ):
        d = decide(engine, text)
        assert d.destination == "directory:stuart-bell", d.reason


def test_an_unsaid_h_is_one_name_however_short() -> None:
    assert sounds_same("John", "Jon") and sounds_same("Sarah", "Sara")
    assert sounds_same("Leah", "Lea")
    assert not sounds_same("Mohammed", "Moammed")  # an h between vowels is said


def test_a_first_name_spelt_two_ways_asks_which_unless_the_team_says(tmp_path: Path) -> None:
    engine = with_people(
        tmp_path,
        "- {id: roads, kind: department, name: Roads Policing Unit, aliases: [Traffic],"
        " teams: [Roads Policing], extension: '2200'}\n"
        "- {id: jon-whitaker, kind: person, name: Jon Whitaker, rank: PC,"
        " team: Roads Policing, extension: '2205'}\n"
        "- {id: john-ellis, kind: person, name: John Ellis, rank: DC, team: Economic Crime,"
        " extension: '2402'}\n",
    )
    assert len(shared(engine, "I'd like to speak to John, please.").evidence["choices"]) == 2
    d = decide(engine, "Can I speak to John from traffic?")
    assert d.destination == "directory:jon-whitaker" and d.action in ("route", "confirm"), d.reason


def test_the_telling_word_of_a_team_says_which_of_two_people_a_shared_name_is(
    tmp_path: Path,
) -> None:
    # "Rural" is Rural Crime's own word; "crime" is half the directory's teams': the
    # rural officer called Grant is not DI Grant in CID.
    engine = with_people(
        tmp_path,
        "- {id: rural, kind: department, name: Rural Crime Team, teams: [Rural Crime],"
        " extension: '2750'}\n"
        "- {id: cid, kind: department, name: CID, teams: [CID], extension: '2300'}\n"
        "- {id: economic, kind: department, name: Economic Crime Unit,"
        " teams: [Economic Crime], extension: '2400'}\n"
        "- {id: cyber, kind: department, name: Cyber Crime Unit, teams: [Cyber Crime],"
        " extension: '2500'}\n"
        "- {id: louise-grant, kind: person, name: Louise Grant, rank: DI, team: CID,"
        " extension: '2302'}\n"
        "- {id: grant-hughes, kind: person, name: Grant Hughes, rank: PC, team: Rural Crime,"
        " extension: '2751'}\n",
    )
    d = decide(engine, "Can I speak to Grant, he's the rural officer who came out about my quad")
    assert (d.action, d.destination) == ("confirm", "directory:grant-hughes"), d.reason
    assert shared(engine, "Can I speak to Grant please").rule == "directory-shared-name"
