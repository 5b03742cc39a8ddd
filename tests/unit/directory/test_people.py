"""People asked for by first name and what they do: named, described, or only a word."""

from __future__ import annotations

import pytest

from ivr.decisions import Candidate, Hypothesis
from ivr.directory import Directory, DirectoryEntry, DirectoryMatcher
from ivr.directory.query import says_no_surname

LOW, HIGH, MARGIN = 0.6, 0.85, 0.05  # the shipped rules' bands

PEOPLE = [  # id, first name, surname, rank, team
    ("kwame-mensah", "Kwame", "Mensah", "PC", "Roads Policing"),
    ("daniel-smith", "Daniel", "Smith", "PC", "Roads Policing"),
    ("hope-okafor", "Hope", "Okafor", "PC", "Roads Policing"),
    ("mark-evans", "Mark", "Evans", "PC", "Roads Policing"),
    ("sarah-hughes", "Sarah", "Hughes", "DC", "Domestic Abuse"),
    ("sarah-jenkins", "Sarah", "Jenkins", "DC", "CID Aldbridge"),
    ("priya-nair", "Priya", "Nair", "DC", "Domestic Abuse"),
    ("priya-shah", "Priya", "Shah", "DS", "Domestic Abuse"),
    ("abena-asante", "Abena", "Asante", "PC", "Student Liaison"),
    ("siobhan-odonnell", "Siobhan", "O'Donnell", "PS", "Missing Persons"),
    ("hannah-greenwood", "Hannah", "Greenwood", "STAFF", "Missing Persons"),
    ("sian-johnson", "Sian", "Johnson", "PC", "Neighbourhood North"),
    ("sian-johnston", "Sian", "Johnston", "PC", "Roads Policing"),
    ("tomasz-nowak", "Tomasz", "Nowak", "DC", "CID Aldbridge"),
    ("joan-hartley", "Joan", "Hartley", "ACC", "Chief Officers"),
    ("peter-hartley", "Peter", "Hartley", "PC", "Roads Policing"),
    ("bartlomiej-zielinski", "Bartłomiej", "Zieliński", "PCSO", "Harbour Neighbourhood"),
    ("oluwaseun-adeyemi", "Oluwaseun", "Adeyemi", "DC", "CID Aldbridge"),
    ("agnieszka-wojcik", "Agnieszka", "Wojcik", "PC", "Port Policing"),
    ("margaret-halliday", "Margaret", "Halliday", "PCSO", "Neighbourhood North"),
    ("lauren-pryce", "Lauren", "Pryce", "SC", "Specials"),
    ("tom-bailey", "Tom", "Bailey", "PS", "Roads Policing"),
    ("mohammed-khan", "Mohammed", "Khan", "DC", "CID Aldbridge"),
    ("imran-khan", "Imran", "Khan", "DC", "CID Aldbridge"),
    ("owain-davies", "Owain", "Davies", "PC", "Neighbourhood North"),
]
DEPARTMENTS = [  # id, name, aliases, teams
    ("roads-policing-unit", "Roads Policing Unit", ("Traffic",), ("Roads Policing",)),
    ("domestic-abuse-team", "Domestic Abuse Investigation Team", ("DAIT",), ("Domestic Abuse",)),
    ("missing-persons-unit", "Missing Persons Unit", (), ("Missing Persons",)),
    ("npt-aldbridge", "Aldbridge Neighbourhood Policing Team", (), ("Student Liaison",)),
    ("cid", "Criminal Investigation Department", ("CID",), ("CID Aldbridge",)),
    ("npt-saxby", "Saxby Neighbourhood Team", ("Saxby police station",), ()),
]


def _person(entry_id: str, first: str, surname: str, rank: str, team: str) -> DirectoryEntry:
    return DirectoryEntry(
        id=entry_id,
        kind="person",
        name=f"{first} {surname}",
        first_name=first,
        surname=surname,
        rank=rank,
        team=team,
        extension="4000",
    )


def _department(
    entry_id: str, name: str, aliases: tuple[str, ...] = (), teams: tuple[str, ...] = ()
) -> DirectoryEntry:
    return DirectoryEntry(
        id=entry_id, kind="department", name=name, aliases=aliases, teams=teams, extension="2000"
    )


@pytest.fixture(scope="module")
def matcher() -> DirectoryMatcher:
    entries = [_person(*person) for person in PEOPLE] + [_department(*d) for d in DEPARTMENTS]
    return DirectoryMatcher(Directory(entries))


def _found(matcher: DirectoryMatcher, text: str) -> list[Candidate]:
    return matcher.match([Hypothesis(text)], limit=10)


def _scores(matcher: DirectoryMatcher, text: str) -> dict[str, float]:
    return {c.destination.removeprefix("directory:"): c.score for c in _found(matcher, text)}


def _clearly_first(matcher: DirectoryMatcher, text: str) -> Candidate:
    found = _found(matcher, text)
    assert found, f"nothing for {text!r}"
    runner_up = found[1].score if len(found) > 1 else 0.0
    assert found[0].score - runner_up > MARGIN, [(c.destination, c.score) for c in found[:3]]
    return found[0]


def test_first_name_and_team_is_the_person_whatever_else_the_caller_says(
    matcher: DirectoryMatcher,
) -> None:
    top = _clearly_first(
        matcher, "I'm after Kwame, he's a PC in roads policing, he dealt with my accident"
    )
    assert top.destination == "directory:kwame-mensah" and LOW <= top.score < HIGH
    assert "first name with their role" in top.evidence
    assert "team 'Roads Policing'" in top.evidence and "rank PC" in top.evidence


def test_first_name_and_the_department_alias_that_is_also_a_team_word_is_the_person(
    matcher: DirectoryMatcher,
) -> None:
    # "CID" is a word of the team ("CID Aldbridge") and the department's whole alias: the
    # alias says the role whole, so Tomasz is described, and his other words are a reason.
    top = _clearly_first(matcher, "can I speak to Tomasz in CID please, he's looking after my case")
    assert top.destination == "directory:tomasz-nowak" and top.score >= LOW
    assert top.said_who and "first name with their role" in top.evidence
    assert not _found(matcher, "Tomasz please")[0].said_who  # a first name alone says less


def test_first_name_and_the_teams_department_is_the_person(matcher: DirectoryMatcher) -> None:
    top = _clearly_first(matcher, "Kwame from traffic please")
    assert top.destination == "directory:kwame-mensah" and top.score >= LOW
    assert "the department for team 'Roads Policing'" in top.evidence


def test_a_surname_not_known_costs_a_first_name_nothing(matcher: DirectoryMatcher) -> None:
    alone = _scores(matcher, "Kwame please")["kwame-mensah"]
    assert _scores(matcher, "Kwame something please")["kwame-mensah"] == alone >= LOW
    assert _scores(matcher, "Kwame whatshisname please")["kwame-mensah"] == alone


def test_first_name_and_team_beats_the_team_alone(matcher: DirectoryMatcher) -> None:
    scores = _scores(matcher, "can I talk to Abena, she's the student liaison officer")
    assert scores["abena-asante"] >= LOW > scores["npt-aldbridge"]


def test_a_shared_first_name_is_narrowed_by_the_team(matcher: DirectoryMatcher) -> None:
    top = _clearly_first(
        matcher, "I need Sarah from the domestic abuse team, she gave me her card but I lost it"
    )
    assert top.destination == "directory:sarah-hughes" and top.score >= LOW


def test_a_shared_first_name_alone_asks_which(matcher: DirectoryMatcher) -> None:
    found = _found(matcher, "Sarah please")
    assert {c.destination for c in found[:2]} == {
        "directory:sarah-hughes",
        "directory:sarah-jenkins",
    }
    assert found[0].score - found[1].score <= MARGIN and found[0].score >= LOW


def test_a_first_name_shared_within_the_team_still_asks_which(matcher: DirectoryMatcher) -> None:
    found = _found(matcher, "Priya in domestic abuse please")
    assert {c.destination for c in found[:2]} == {"directory:priya-nair", "directory:priya-shah"}
    assert found[0].score - found[1].score <= MARGIN and found[0].score >= LOW


def test_the_rank_picks_between_people_of_the_same_name_and_team(
    matcher: DirectoryMatcher,
) -> None:
    top = _clearly_first(matcher, "Sergeant Priya in domestic abuse please")
    assert top.destination == "directory:priya-shah"


def test_a_chief_officers_rank_is_not_read_as_the_constable_in_it(
    matcher: DirectoryMatcher,
) -> None:
    said = "can I speak to the assistant chief constable, Mrs Hartley"
    assert _clearly_first(matcher, said).destination == "directory:joan-hartley"
    assert _clearly_first(matcher, "PC Hartley please").destination == "directory:peter-hartley"


def test_a_common_word_that_is_a_first_name_does_not_describe_a_person(
    matcher: DirectoryMatcher,
) -> None:
    # "Hope" and "Mark" work in Roads Policing, but these callers are reporting something.
    for text in (
        "I hope roads policing can do something, a van keeps speeding past the school",
        "a roads policing car left a mark on my wall when it reversed, I want to report it",
    ):
        scores = _scores(matcher, text)
        assert max(scores.get("hope-okafor", 0.0), scores.get("mark-evans", 0.0)) < LOW, scores
    # The same words with a first name that is only a name describe the person.
    scores = _scores(
        matcher, "I asked Kwame roads policing to do something, a van keeps speeding past"
    )
    assert scores["kwame-mensah"] >= LOW


def test_one_word_of_a_team_does_not_describe_its_member(matcher: DirectoryMatcher) -> None:
    # A report that says "missing" is no request for the Hannah in Missing Persons...
    scores = _scores(matcher, "my daughter Hannah is missing, she didn't come home from school")
    assert scores.get("hannah-greenwood", 0.0) < LOW, scores
    # ...but the team said whole is.
    top = _clearly_first(matcher, "Hannah from missing persons please")
    assert top.destination == "directory:hannah-greenwood" and top.score >= LOW


def test_a_full_name_is_as_sure_as_a_route_with_its_team(matcher: DirectoryMatcher) -> None:
    top = _clearly_first(matcher, "could I have Siobhan O'Donnell in missing persons")
    assert top.destination == "directory:siobhan-odonnell" and top.score >= HIGH


def test_a_named_person_is_not_sure_when_the_words_name_another_team(
    matcher: DirectoryMatcher,
) -> None:
    # Sian Johnson is named exactly, but works in Neighbourhood North: the caller's
    # "roads policing" is Sian Johnston's team, and costs the exact name its easy ride.
    scores = _scores(matcher, "Sian Johnson in roads policing")
    assert scores["sian-johnston"] >= HIGH and scores["sian-johnson"] < LOW
    alone = _scores(matcher, "Sian Johnson, she dealt with my car crash")
    assert alone["sian-johnson"] >= LOW


def test_a_letter_with_no_accent_to_drop_keeps_the_name_whole(matcher: DirectoryMatcher) -> None:
    # NFKD leaves "Ł" whole: folded to nothing, "Bartłomiej" was "bart omiej".
    top = _clearly_first(matcher, "Bartlomiej Zielinski please")
    assert top.destination == "directory:bartlomiej-zielinski" and top.score >= HIGH


@pytest.mark.parametrize(
    ("said", "who"),
    [
        ("Bartek, the PCSO at the harbour", "bartlomiej-zielinski"),
        ("can I speak to Seun Adeyemi", "oluwaseun-adeyemi"),
        ("Pete Hartley from traffic, please", "peter-hartley"),
    ],
)
def test_a_first_names_usual_short_form_finds_the_person(
    matcher: DirectoryMatcher, said: str, who: str
) -> None:
    top = _clearly_first(matcher, said)
    assert top.destination == f"directory:{who}" and top.score >= LOW
    assert "nickname" in top.evidence


@pytest.mark.parametrize(
    ("said", "who"),
    [
        # a short form listed: its longer pet form and its full name find it
        ("Tommy Bailey from traffic, he knows me, I'm the farmer up at the ridge", "tom-bailey"),
        ("Thomas Bailey in roads policing please", "tom-bailey"),
        # ... and a short form of a name not from the English table
        ("Is Mo Khan in? The detective, CID.", "mohammed-khan"),
    ],
)
def test_a_name_said_in_another_form_of_the_listed_one_is_a_nickname(
    matcher: DirectoryMatcher, said: str, who: str
) -> None:
    top = _clearly_first(matcher, said)
    assert top.destination == f"directory:{who}" and top.score >= LOW, top
    assert "nickname" in top.evidence


@pytest.mark.parametrize(
    "said",
    [
        "Abena, the lady from the student team, she gave a talk at my daughter's college",
    ],
)
def test_a_first_name_only_one_person_has_said_with_their_role_finds_them(
    matcher: DirectoryMatcher, said: str
) -> None:
    # The caller's other words describe whom they named: no unexplained-word toll each.
    top = _clearly_first(matcher, said)
    assert top.score >= LOW, top


def test_a_first_name_said_alone_is_no_near_surname(matcher: DirectoryMatcher) -> None:
    said = "I want to speak to Dave, he came round last week about my mum's car"
    assert _scores(matcher, said).get("owain-davies", 0.0) < 0.2
    # ... while after a rank a near word is still a surname heard unclearly
    assert _clearly_first(matcher, "PC Dave please").destination == "directory:owain-davies"


def test_when_it_happened_and_knowing_only_the_first_name_are_no_name_words(
    matcher: DirectoryMatcher,
) -> None:
    top = _clearly_first(matcher, "I remember the first name, Agnieszka, she's on port policing")
    assert top.destination == "directory:agnieszka-wojcik", top
    assert "unexplained" not in top.evidence
    top = _clearly_first(matcher, "Mark Evans came out about three weeks ago, it's about my car")
    assert top.destination == "directory:mark-evans" and top.score >= HIGH, top
    assert "unexplained" not in top.evidence


@pytest.mark.parametrize(
    ("said", "first_only"),
    [
        ("I remember the first name, Agnieszka", True),
        ("I only know her first name", True),
        ("I don't know his last name", True),
        # knowing no first name says the surname was said
        ("I don't know her first name, it's PC Nowak", False),
        ("I can't remember his first name, Evans I think", False),
    ],
)
def test_a_caller_who_knows_only_the_first_name_says_so(said: str, first_only: bool) -> None:
    assert says_no_surname(said) is first_only


def test_words_that_describe_a_person_cost_nothing(matcher: DirectoryMatcher) -> None:
    # "Polish", "lady": how the caller knows her, not a word of anyone's name.
    top = _clearly_first(matcher, "Agnieszka, the Polish lady officer at the port")
    assert top.destination == "directory:agnieszka-wojcik" and top.score >= LOW
    assert "unexplained" not in top.evidence
    # ... nor "policewoman", nor what she does ("she speaks Polish").
    top = _clearly_first(matcher, "Agnieszka, the policewoman at the port, she speaks Polish")
    assert top.destination == "directory:agnieszka-wojcik" and top.score >= LOW
    assert "unexplained" not in top.evidence


def test_a_full_name_after_what_it_is_about_still_says_who(matcher: DirectoryMatcher) -> None:
    top = _clearly_first(
        matcher, "the lady PCSO who came round about my fence, Margaret Halliday her name was"
    )
    assert top.destination == "directory:margaret-halliday" and top.score >= HIGH
    # ... but one name word after "about" is still the reason, not who is asked for.
    assert _scores(matcher, "it's about my neighbour Margaret").get("margaret-halliday", 0) < LOW


def test_a_neighbour_told_of_by_title_and_surname_is_not_asked_for(
    matcher: DirectoryMatcher,
) -> None:
    for text in (
        "I've not seen old Mrs Halliday next door for three days, her curtains are still shut",
        "my neighbour Mrs Halliday's ninety and nobody's seen her since Sunday",
        "my neighbours Mr and Mrs Halliday haven't been seen since Sunday",
    ):
        assert _scores(matcher, text).get("margaret-halliday", 0) < LOW, text
    # ... but asked for by title alone, she is the one asked for
    assert _clearly_first(matcher, "can I speak to Mrs Halliday").destination == (
        "directory:margaret-halliday"
    )


def test_a_special_constable_is_found_by_the_rank_callers_say(matcher: DirectoryMatcher) -> None:
    assert _clearly_first(matcher, "PC Pryce").destination == "directory:lauren-pryce"
    assert _clearly_first(matcher, "special constable Pryce").destination == (
        "directory:lauren-pryce"
    )


def test_an_aliass_words_said_apart_do_not_name_the_place_surely(
    matcher: DirectoryMatcher,
) -> None:
    whole = _scores(matcher, "put me through to Saxby police station please")["npt-saxby"]
    apart = _scores(
        matcher, "a suitcase has been left at the bus station in Saxby all day, nobody about"
    )
    assert whole >= HIGH
    assert apart.get("npt-saxby", 0.0) < LOW


def test_an_office_one_person_holds_names_them_by_the_rank_alone(
    matcher: DirectoryMatcher,
) -> None:
    found = _clearly_first(matcher, "put me through to the assistant chief constable please")
    assert found.destination == "directory:joan-hartley" and found.score >= HIGH
    assert found.said_who and "the only ACC here" in found.evidence


def test_an_office_nobody_here_holds_or_a_common_rank_names_nobody(
    matcher: DirectoryMatcher,
) -> None:
    assert not _scores(matcher, "can I speak to the chief constable")
    # One PS is listed, but "the sergeant" is no one person in a force.
    assert "siobhan-odonnell" not in _scores(matcher, "can I speak to the sergeant")


def test_one_word_of_a_department_in_a_long_sentence_is_not_its_name_said_whole() -> None:
    entries = [
        DirectoryEntry(
            id="dog-unit",
            kind="department",
            name="Dog Support Unit",
            aliases=("Dog Section",),
            extension="2100",
        )
    ]
    dogs = DirectoryMatcher(Directory(entries))
    said = "my wife's been bitten by a dog in the park and it ripped her arm open"
    found = dogs.match([Hypothesis(said)])
    assert not found or found[0].score < LOW
    asked = dogs.match([Hypothesis("the dog section please, I want to ask them something")])
    assert asked[0].destination == "directory:dog-unit" and asked[0].score >= LOW


def test_a_word_that_only_shares_a_sound_key_with_a_team_word_is_not_the_team(
    matcher: DirectoryMatcher,
) -> None:
    # "city" shares a key with CID but little spelling: Tomasz of CID Aldbridge is not
    # described by it, and the word costs as any other unexplained word.
    found = {c.destination: c for c in _found(matcher, "Tomasz from the city team")}
    tomasz = found["directory:tomasz-nowak"]
    assert "team 'CID Aldbridge'" not in tomasz.evidence and "unexplained" in tomasz.evidence


def test_the_rank_before_a_surname_heard_nearly_names_the_person(
    matcher: DirectoryMatcher,
) -> None:
    # "Nowack" is near DC Tomasz Nowak, and the rank said before it is his: the caller named
    # him, so what the call is about costs little (asked about, not put through: not exact).
    top = _clearly_first(matcher, "DC Nowack please, he is dealing with my burglary")
    assert top.destination == "directory:tomasz-nowak" and top.said_who
    assert LOW <= top.score < HIGH
    # Another rank said before the same word is no naming: the words cost as usual.
    other = _found(matcher, "PC Nowack please, he is dealing with my burglary")
    assert not other or (not other[0].said_who and other[0].score < LOW)


def test_a_rank_said_in_the_plural_is_the_persons_rank(matcher: DirectoryMatcher) -> None:
    # "one of the PCSOs": Bartłomiej is a PCSO of Harbour Neighbourhood, said with his team.
    top = _clearly_first(matcher, "I'm after Bartlomiej, he's one of the PCSOs down the harbour")
    assert top.destination == "directory:bartlomiej-zielinski" and top.said_who
    assert "rank PCSO = 'pcsos'" in top.evidence


def test_rank_and_full_name_say_who_whatever_team_the_caller_names(
    matcher: DirectoryMatcher,
) -> None:
    # The caller's own organisation names a team here (Roads Policing), but DC Sarah Hughes
    # is said whole: the rest is who is calling and why.
    said = "hi, it's Jo from roads policing, I need DC Sarah Hughes about the strategy meeting"
    top = _clearly_first(matcher, said)
    assert top.destination == "directory:sarah-hughes" and top.said_who and top.score >= LOW


def test_a_name_heard_exactly_names_nobody_else_by_sounding_near(
    matcher: DirectoryMatcher,
) -> None:
    # "Johnson" is PC Sian Johnson's surname exactly: PC Sian Johnston, near it and of the
    # same rank, is not named by it (the recognisers' alternatives would make a rival of her).
    found = {c.destination: c for c in _found(matcher, "PC Johnson please")}
    assert found["directory:sian-johnson"].said_who
    assert not found["directory:sian-johnston"].said_who


def test_a_place_named_as_where_something_happened_does_not_ask_for_its_team() -> None:
    park = _department("retail-park", "Retail Park Policing Team", teams=("Retail Park",))
    matcher = DirectoryMatcher(Directory([park]))
    assert _scores(matcher, "can I speak to someone at Retail Park")["retail-park"] >= HIGH
    # "at Retail Park": where the bag was taken, not the team asked for; the rest of what
    # was said costs what any words a name does not explain cost.
    told = "my nan had her handbag taken out of her trolley in Asda at Retail Park"
    assert _scores(matcher, told).get("retail-park", 0.0) < LOW


def test_a_street_an_alias_is_named_for_is_a_place_unless_said_with_its_team_word() -> None:
    nte = _department("nte-team", "Night-Time Economy Team", aliases=("Heol Eglwys Team",))
    matcher = DirectoryMatcher(Directory([nte]))
    # "on Heol Eglwys": the street where the phone was taken, not the team asked for
    told = "my phone got nicked out of my pocket on Heol Eglwys on Saturday night"
    assert _scores(matcher, told).get("nte-team", 0.0) < LOW
    assert _scores(matcher, "can I speak to someone on the Heol Eglwys team")["nte-team"] >= HIGH


def test_a_rank_said_with_a_team_names_its_one_holder_there() -> None:
    matcher = DirectoryMatcher(
        Directory(
            [
                _person("yvonne-stokoe", "Yvonne", "Stokoe", "INSP", "Marsby NPT"),
                _person("dan-ho", "Dan", "Ho", "PC", "Marsby NPT"),
                _person("amy-lee", "Amy", "Lee", "PC", "Marsby NPT"),
                _person("ian-bell", "Ian", "Bell", "INSP", "Dunholme NPT"),
                _department("npt-marsby", "Marsby Neighbourhood Team", teams=("Marsby NPT",)),
            ]
        )
    )
    top = _clearly_first(matcher, "can I speak to the inspector for Marsby")
    # Offered, not put through: the directory may not list the team's every officer.
    assert top.destination == "directory:yvonne-stokoe" and LOW <= top.score < HIGH
    assert "the only INSP in Marsby NPT" in top.evidence
    # Two PCs there: "the PC for Marsby" names neither.
    assert not {"dan-ho", "amy-lee"} & set(_scores(matcher, "the PC for Marsby"))


def test_a_word_said_as_where_is_a_surname_only_when_said_exactly() -> None:
    matcher = DirectoryMatcher(
        Directory(
            [
                _person("carl-ellis", "Carl", "Ellis", "DC", "CID"),
                _person("kim-ward", "Kim", "Ward", "PC", "Docks NPT"),
            ]
        )
    )
    # "at the cells": custody, however near "Ellis" it sounds
    assert "carl-ellis" not in _scores(matcher, "can I speak to someone at the cells")
    assert _scores(matcher, "can I speak to someone at Ward")["kim-ward"] >= LOW


def test_the_one_holder_of_a_rank_comes_before_the_station_named_with_it() -> None:
    entries = [
        _person("andris-ozols", "Andris", "Ozols", "PS", "Docks NPT"),
        _person("jo-hale", "Jo", "Hale", "PC", "Docks NPT"),
        _person("kim-ward", "Kim", "Ward", "PC", "Docks NPT"),
        _department("npt-docks", "Docks Neighbourhood Team", ("Docks Station",), ("Docks NPT",)),
    ]
    matcher = DirectoryMatcher(Directory(entries))
    found = _found(matcher, "the sergeant at the docks station please")
    assert [c.destination for c in found[:2]] == ["directory:andris-ozols", "directory:npt-docks"]
    # Two PCs there: "the PC at the docks station" is the station's to answer.
    assert _found(matcher, "the PC at the docks station please")[0].destination == (
        "directory:npt-docks"
    )


def _little_and_stewart() -> DirectoryMatcher:
    return DirectoryMatcher(
        Directory(
            [
                _person("kevin-little", "Kevin", "Little", "PS", "Eskminster NPT"),
                _person("fiona-stewart", "Fiona", "Stewart", "DS", "CID"),
                _person("stewart-lowther", "Stewart", "Lowther", "DC", "CID"),
                _person("graham-dixon", "Graham", "Dixon", "STAFF", "Economic Crime"),
                _person("sarah-graham", "Sarah", "Graham", "DS", "Major Crime"),
            ]
        )
    )


def test_a_surname_that_is_an_everyday_word_said_alone_is_only_offered() -> None:
    matcher = _little_and_stewart()
    # "little" as a word: a child on a jetty is no request for Sergeant Little ("about
    # three" is an age, not what the call is about, so the story's words still count).
    told = "there's a little boy, about three I'd say, on his own at the end of the jetty"
    assert _scores(matcher, told).get("kevin-little", 0.0) < LOW
    alone = _scores(matcher, "Little please")["kevin-little"]
    assert LOW <= alone < HIGH
    # With a title or a rank it is the name.
    assert _scores(matcher, "Mr Little please")["kevin-little"] >= HIGH
    assert _scores(matcher, "Sergeant Little")["kevin-little"] >= HIGH


def test_a_word_said_as_a_first_name_is_nobodys_surname() -> None:
    matcher = _little_and_stewart()
    told = "a detective, his first name's Stewart, the surname's smudged on his card"
    top = _found(matcher, told)[0]
    assert top.destination == "directory:stewart-lowther"
    assert "fiona-stewart" not in _scores(matcher, told)


def test_a_name_said_again_in_full_is_not_a_request_of_its_own() -> None:
    matcher = _little_and_stewart()
    assert matcher.restated("Can I speak to Graham?", "Graham Dixon, the financial investigator.")
    assert not matcher.restated("Can I speak to Graham?", "It's about my son's car.")


def test_a_title_and_surname_name_the_person_whatever_role_words_follow(
    matcher: DirectoryMatcher,
) -> None:
    # The title says the surname is asked for, as a rank would: the words about what
    # they do are a description, not a mismatch.
    said = "Ms Greenwood, the civilian who coordinates the searches"
    top = _clearly_first(matcher, said)
    assert top.destination == "directory:hannah-greenwood" and top.score >= LOW
    assert _scores(matcher, "Mr Mensah the traffic accident investigator")["kwame-mensah"] >= LOW


def test_is_it_possible_to_is_how_callers_ask_not_a_name(matcher: DirectoryMatcher) -> None:
    plain = _scores(matcher, "can I speak to Kwame")["kwame-mensah"]
    assert _scores(matcher, "is it possible to speak to Kwame")["kwame-mensah"] == plain


def test_a_polish_w_heard_as_v_is_the_name_itself() -> None:
    # Every recogniser writes "Eva Novak" for Ewa Nowak: no near miss but the name as said;
    # an English name's w is not ("oven" is no Owen).
    matcher = DirectoryMatcher(
        Directory(
            [
                _person("ewa-nowak", "Ewa", "Nowak", "DS", "Modern Slavery"),
                _person("owen-price", "Owen", "Price", "PC", "Roads Policing"),
            ]
        )
    )
    top = _clearly_first(matcher, "Eva Novak please")
    assert top.destination == "directory:ewa-nowak" and top.score >= HIGH, top
    assert "said as" in top.evidence
    assert _scores(matcher, "I left the oven on").get("owen-price", 0.0) < LOW


def test_an_acronym_is_no_sound_alike_of_a_name() -> None:
    # "SCIU" is said letter by letter: its metaphone key is no sound of it, so "Zoe" said
    # alone is Zoe, not the collision unit.
    entries = [
        _person("zoe-adebayo", "Zoë", "Adebayo", "PC", "Missing Persons"),
        _department("collisions", "Serious Collision Investigation Unit", ("SCIU",)),
    ]
    found = _found(DirectoryMatcher(Directory(entries)), "Zoe please")
    assert [c.destination for c in found] == ["directory:zoe-adebayo"], found


def test_the_whole_request_that_says_who_counts_over_the_ask_alone(
    matcher: DirectoryMatcher,
) -> None:
    # The ask split off ("Siobhan, please") names her; the whole (her first name with her
    # team) says who surely, a little lower: the sure reading is the one kept.
    text = "Siobhan, please, she's the missing persons officer who's been dealing with my son."
    found = matcher.match([Hypothesis(text), Hypothesis("Siobhan, please")], limit=3)
    assert found[0].destination == "directory:siobhan-odonnell"
    assert found[0].said_who, found[0]


def test_a_complaint_about_something_else_is_no_complaints_department() -> None:
    psd = _department("psd", "Professional Standards Department", ("Complaints",))
    matcher = DirectoryMatcher(Directory([psd]))
    assert _found(matcher, "who do I complain to about the way an officer spoke to me")
    assert _found(matcher, "I want to complain")
    for text in (
        "who do I complain to about the noise from the concert last night",
        "I want to complain about my neighbours' dog barking",
    ):
        assert not [c for c in _found(matcher, text) if c.score >= LOW], text


def test_a_name_is_found_as_its_letters_sound_not_as_folding_spells_them() -> None:
    # "Wiśniewski" folds to "wisniewski", but callers say the ś: "Wishnevski".
    polish = _person("bartosz-wisniewski", "Bartosz", "Wiśniewski", "PC", "Dogs")
    matcher = DirectoryMatcher(Directory([polish, _department("dogs", "Dog Unit", (), ("Dogs",))]))
    top = _found(matcher, "PC Wishnevski please")[0]
    assert top.destination == "directory:bartosz-wisniewski" and top.score >= LOW, top
    assert "phonetic" in top.evidence


@pytest.mark.parametrize("said", ["PC Voychick please", "DC Voitchick please"])
def test_a_polish_name_is_found_as_an_english_ear_hears_it(said: str) -> None:
    # "Wójcik" said the Polish way (w as v, j as y, ci as chi): "Voychick".
    polish = _person("lukasz-wojcik", "Łukasz", "Wójcik", "PC", "Dogs")
    matcher = DirectoryMatcher(Directory([polish, _department("dogs", "Dog Unit", (), ("Dogs",))]))
    top = _found(matcher, said)[0]
    assert top.destination == "directory:lukasz-wojcik" and top.score >= LOW, top
    assert "phonetic" in top.evidence


def test_an_irish_or_english_name_is_not_read_the_polish_way() -> None:
    # "Róisín" and "Jowett" keep their own sounds: no "Royshin" or "Yovett" heard as them.
    entries = [
        _person("roisin-kelly", "Róisín", "Jowett", "PC", "Dogs"),
        _department("dogs", "Dog Unit", (), ("Dogs",)),
    ]
    matcher = DirectoryMatcher(Directory(entries))
    assert _scores(matcher, "PC Yovett please").get("roisin-kelly", 0.0) < LOW


def test_the_visit_a_caller_tells_of_costs_nothing(matcher: DirectoryMatcher) -> None:
    # "... who came out about the crash": what the officer did, not another name.
    plain = _scores(matcher, "Kwame from traffic about the crash")["kwame-mensah"]
    told = _scores(matcher, "Kwame from traffic, he came out about the crash")["kwame-mensah"]
    assert told == plain


def test_a_surname_heard_near_is_named_by_a_rank_said_before_it_or_after_it_as_its_title() -> None:
    matcher = DirectoryMatcher(
        Directory(
            [
                _person("manpreet-singh", "Manpreet", "Singh", "DS", "Economic Crime"),
                _person("tom-matthews", "Tom", "Matthews", "DC", "CID"),
                _person("kevin-little", "Kevin", "Little", "PS", "Eskminster NPT"),
            ]
        )
    )
    # A rank names a near word said after it: "saying" (near "Singh") before "he was a
    # detective" is a scam told, not DS Singh asked for; after the rank it names him.
    told = "a man rang me saying he was a detective from London and my bank card was cloned"
    assert _scores(matcher, told).get("manpreet-singh", 0.0) < LOW
    assert _scores(matcher, "detective sergeant sing please")["manpreet-singh"] >= LOW
    # ... and just before it, as its title, too
    assert _scores(matcher, "Mathews, the detective constable on my case")["tom-matthews"] >= LOW
