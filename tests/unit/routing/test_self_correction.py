"""Words a caller takes back are not matched (ivr.routing.self_correction)."""

from __future__ import annotations

import pytest

from ivr.decisions import Hypothesis
from ivr.routing.self_correction import SelfCorrection, corrected


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        (
            "Can I talk to Aoife, the traffic, no sorry, the collision officer",
            "Can I talk to Aoife, the collision officer",
        ),
        (
            "can I speak to the fraud team, no, sorry, the cyber people, I've been hacked",
            "can I speak to the cyber people, I've been hacked",
        ),
        ("I left my bag on the train... no sorry, on the bus", "I left my bag on the bus"),
        ("can I talk to PC Reid no sorry PC Read", "can I talk to PC Read"),
        ("Forensics, er, I mean the scenes of crime people", "the scenes of crime people"),
        ("a bomb, no sorry, I mean a suitcase left there", "a suitcase left there"),
        # a short repair after a whole request puts right as many words (and the rank
        # said with a name), not the request
        ("Can I speak to DC Nowak, sorry, no, Novak, the PCSO", "Can I speak to Novak, the PCSO"),
        (
            "I want to report my car being broken into on Hamilton Street, sorry, no, Hampton"
            " Street, in Latchmere, on Sunday night.",
            "I want to report my car being broken into on Hampton Street, in Latchmere, on"
            " Sunday night.",
        ),
        (
            "my daughter's not back from school and she's only nine, sorry, no, eight",
            "my daughter's not back from school and she's only eight",
        ),
        # ... but a repair unlike those words puts right whom the request asked for
        (
            "I need to speak to PC Sarah Johnson about my stolen bike, sorry, no, DC Emma Clarke",
            "DC Emma Clarke",
        ),
    ],
)
def test_the_phrase_taken_back_is_replaced_by_its_repair(said: str, meant: str) -> None:
    assert corrected(said) == meant


@pytest.mark.parametrize(
    "said",
    [
        "hello, sorry, there's a young girl alone at the tram stop",  # politeness
        "sorry, no one was hurt",  # "no" of "no one"
        "I rang twice, sorry no one answered",  # "sorry, no" only with its comma
        "I mean it, he said he'd come back",  # nothing before to take back
        "my bike was stolen from the station",
    ],
)
def test_nothing_is_taken_back_without_a_correction(said: str) -> None:
    assert corrected(said) is None


def test_every_alternative_is_read_as_meant_and_keeps_its_confidence() -> None:
    heard = (
        Hypothesis("the fraud team no sorry the cyber people", 0.8, (("whisper", 0),)),
        Hypothesis("the cyber people", 0.6),
    )
    meant = SelfCorrection().applied(heard)
    assert [h.text for h in meant] == ["the cyber people", "the cyber people"]
    assert (meant[0].confidence, meant[0].heard_by) == (0.8, (("whisper", 0),))


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("The Ross Hamilton in traffic, not the detective one.", "The Ross Hamilton in traffic,"),
        (
            "I'm wanting the licensing. No, not the pub licensing, the firearms licensing.",
            "I'm wanting the licensing. the firearms licensing.",
        ),
        (
            "Could I have the police for Lidbury? Not the emergency, just the local station.",
            "Could I have the police for Lidbury? just the local station.",
        ),
        (
            "Andrew Clegg, the PC in St Bride's, not the detective",
            "Andrew Clegg, the PC in St Bride's,",
        ),
    ],
)
def test_a_phrase_set_aside_as_not_meant_is_not_matched(said: str, meant: str) -> None:
    assert SelfCorrection().applied((Hypothesis(said),))[0].text == meant


@pytest.mark.parametrize(
    "said",
    [
        "a nasty letter through the door. It's not the first one.",  # not a clause of its own
        "not the police",  # nothing else said
        "is it not the case that he has to give it back",
    ],
)
def test_not_the_inside_a_clause_is_kept(said: str) -> None:
    assert SelfCorrection().applied((Hypothesis(said),))[0].text == said


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        (
            "Sergeant Barker, sorry, Baker, at Westhaven please.",
            "Sergeant Baker, at Westhaven please.",
        ),
        ("DC Hughes, sorry, Hewes", "DC Hewes"),
    ],
)
def test_a_word_put_right_by_a_word_like_it_is_said_once(said: str, meant: str) -> None:
    assert SelfCorrection().applied((Hypothesis(said),))[0].text == meant


@pytest.mark.parametrize(
    "said",
    ["hello, sorry, there's a girl on the bridge", "I'm so sorry, sorry to bother you"],
)
def test_politeness_takes_nothing_back(said: str) -> None:
    assert SelfCorrection().applied((Hypothesis(said),))[0].text == said
