"""How a speech run speaks its requests, how its transcripts are keyed, how it is tallied."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.first_decision import EngineRun, Reach, figures_table, reach
from bench.heldout_score import Scored, judge
from bench.heldout_sets import Request
from bench.journey import End, Journey
from bench.speech_conditions import Speech, conditions, parse_noise, parse_voices
from bench.transcripts import OWN_CLEAN, Job, TranscriptCache
from bench.voices import INDEPENDENT, Channel, Voicing, speech_script
from ivr.decisions import EMERGENCY, RC, Candidate, Decision, Hint, Hypothesis
from ivr.speech.model import Transcript

FLITE = ("kal16", "rms", "slt", "awb")
REQUEST = Request("my bike was stolen", RC)
HEARD = Transcript((Hypothesis("my bike was stolen", 0.8),), "pocketsphinx", 1.5, 0.2)


def test_the_cache_key_holds_the_voice_and_the_line(tmp_path: Path) -> None:
    cache = TranscriptCache(tmp_path, "dev_c")
    lines = [OWN_CLEAN, Channel(None), Channel(15), Channel(20)]
    paths = {cache.path(Job(REQUEST, "festival:kal", line), "whisper") for line in lines}
    assert len(paths) == len(lines)
    # the own voices' clean band keeps the folder the transcripts had before issue 16
    own = cache.path(Job(REQUEST, "kal16@1.0"), "pocketsphinx")
    assert own.parent.parent.name == "kal16@1.0"


def test_a_yes_or_no_question_keeps_its_transcripts_apart_from_the_menu(tmp_path: Path) -> None:
    cache = TranscriptCache(tmp_path, "dev_c")
    menu = Job(Request("no", RC), "festival:kal")
    asked = Job(Request("no", RC), "festival:kal", expect=Hint.YES_NO)
    assert cache.path(menu, "pocketsphinx") != cache.path(asked, "pocketsphinx")
    cache.put(asked, HEARD, "v1")
    assert cache.get(asked, "pocketsphinx", "v1", keep_stale=False) == HEARD
    assert cache.get(menu, "pocketsphinx", "v1", keep_stale=False) is None
    noisy = Job(REQUEST, "festival:kal", Channel(15))
    cache.put(noisy, HEARD, "v1")
    assert cache.get(noisy, "pocketsphinx", "v1", keep_stale=False) == HEARD
    for other in (
        Job(REQUEST, "festival:kal", Channel(None)),
        Job(REQUEST, "festival:ked", Channel(15)),
    ):
        assert cache.get(other, "pocketsphinx", "v1", keep_stale=False) is None


def test_voices_mix_rotations_and_listed_specs() -> None:
    assert parse_voices("rotate, independent, festival:kal", FLITE) == (
        "rotate",
        "independent",
        "festival:kal",
    )
    with pytest.raises(ValueError, match="festival"):
        parse_voices("rotate,festival:nobody", FLITE)
    assert parse_noise("clean,15") == (None, 15)
    for bad in ("15dB", "-3", "loud", "clean,,15"):
        with pytest.raises(ValueError, match="noise"):
            parse_noise(bad)


def test_each_rotation_and_the_listed_voices_meet_every_noise_level() -> None:
    found = conditions(("rotate", "independent", "festival:kal", "kal16@1.0"), (None, 15))
    assert [s.label for s in found] == [
        "own clean",
        "own 15 dB",
        "independent clean",
        "independent 15 dB",
        "listed clean",
        "listed 15 dB",
    ]
    assert found[-1].listed == ("festival:kal", "kal16@1.0")


def test_a_request_keeps_its_voice_and_is_asked_again_in_the_next() -> None:
    script = speech_script()
    independent = Speech(Voicing.INDEPENDENT)
    first = independent.jobs([REQUEST], script)[0]
    assert first.voice in INDEPENDENT
    assert independent.jobs([Request("something else", RC), REQUEST], script)[1] == first
    again = independent.job_at(first, REQUEST.text, 2, script)
    assert again.voice != first.voice and again.voice in INDEPENDENT
    own = Speech(Voicing.OWN)
    assert own.jobs([REQUEST], script)[0].channel == OWN_CLEAN  # as cached before
    assert Speech(Voicing.OWN, snr_db=15).jobs([REQUEST], script)[0].channel == Channel(15)
    assert first.channel == Channel(None)  # independent voices always through G.711
    listed = Speech(None, ("festival:kal", "kal16@1.0"))
    assert [j.voice for j in listed.jobs([REQUEST], script)] == ["festival:kal", "kal16@1.0"]
    assert [j.channel.codec for j in listed.jobs([REQUEST], script)] == [True, False]


def _scored(request: Request, decision: Decision) -> Scored:
    return Scored(request, decision, judge(decision, request.expect, request.also))


def test_where_an_emergency_first_goes() -> None:
    otherwise = Decision("reprompt", None, "no-match", "nothing")
    check = Decision("confirm", EMERGENCY, "doubt", "unsure", otherwise=otherwise)
    offer = Decision("confirm", None, "t", "t", candidates=(Candidate(EMERGENCY, "999", 0.5),))
    assert reach(Decision("route", EMERGENCY, "cue", "knife")) is Reach.HANDLED
    assert reach(check) is Reach.CHECK
    assert reach(offer) is Reach.OFFER
    assert reach(otherwise) is Reach.REPROMPT
    assert reach(Decision("route", RC, "t", "t")) is Reach.OTHER


def test_the_table_counts_first_decisions_and_journeys() -> None:
    urgent = Request("he has a knife", EMERGENCY)
    scored = [
        _scored(REQUEST, Decision("route", RC, "t", "t")),
        _scored(REQUEST, Decision("route", "fcr", "t", "t")),
        _scored(urgent, Decision("reprompt", None, "no-match", "t")),
    ]
    journeys = [
        Journey(End.RIGHT, RC, 4.0, 1, 0, 0.9),
        Journey(End.WRONG, "fcr", 5.0, 1, 0, 1.1),
        Journey(End.PERSON, "switchboard", 20.0, 2, 0, 3.0),
    ]
    table = figures_table(
        [EngineRun(("dev_c", "own clean", "whisper"), scored, journeys)],
        ("set", "speech", "engine"),
    )
    cells = [c.strip() for c in table[-1].strip("|").split("|")]
    assert cells[3:] == [
        "3",
        "33.3 %",  # first right
        "33.3 %",  # silent misroute
        "0 / 0 / 0 / 1 / 0",  # the emergency was reprompted
        "33.3 %",
        "33.3 %",
        "33.3 %",
        "4.0 / 4.0",
        "1",
        "3.0",
    ]


def test_decode_factors_name_both_engines() -> None:
    from bench.heldout_asr import parse_rtf

    assert parse_rtf(None) is None
    assert parse_rtf("pocketsphinx=0.12,whisper=0.27") == {"pocketsphinx": 0.12, "whisper": 0.27}
    for bad in ("pocketsphinx=0.1", "pocketsphinx=x,whisper=0.2", "pocketsphinx=0,whisper=0.2"):
        with pytest.raises(ValueError, match="decode-rtf"):
            parse_rtf(bad)
