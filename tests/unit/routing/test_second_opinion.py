"""Two engines' n-best (Hypothesis): a cue only one engine's runner-up carries can be outvoted.

The router reads every alternative for an emergency cue (recall first). The one
exception needs a second opinion: when no engine's top alternative carries a cue and
another engine's top is confident, a cue in a lower alternative is discounted, and
the Decision says why. A cue in an engine's confident top wins, negation as ever, unless
another engine as confident heard none: then, as for a cue only an unsure engine heard,
the caller is asked (yes, 9 or silence: 999 handling).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr.decisions import Decision, Hypothesis
from ivr.routing.bundle import RoutingBundle
from ivr.routing.danger_check import SAID_DANGER, SECOND_OPINION
from ivr.routing.emergency import UNSURE_RULE
from ivr.routing.engine import RoutingEngine
from ivr.routing.model import RoutingInputs

HERE = Path(__file__).parent / "fixtures"
AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))
W, PS = "whisper", "pocketsphinx"
BURGLARY = "I want to report a burglary"


def decide(engine: RoutingEngine, *heard: Hypothesis) -> Decision:
    return engine.decide(RoutingInputs(at=AT, hypotheses=heard))


def plain(*heard: Hypothesis) -> tuple[Hypothesis, ...]:
    return tuple(Hypothesis(h.text, h.confidence) for h in heard)


def handled(decision: Decision) -> tuple[object, ...]:
    """What the screen decided, and where a "no" goes: the marks may move an intent's
    score (two engines agreeing: ivr.routing.support), never the emergency handling."""
    otherwise = decision.otherwise
    after = (otherwise.action, otherwise.destination) if otherwise is not None else None
    return (decision.action, decision.destination, decision.rule, after)


def runner_up_cue(whisper: float = 0.8) -> tuple[Hypothesis, ...]:
    """Whisper's top, PocketSphinx's (cue-free) top, and a PocketSphinx runner-up with 'hurt'."""
    return (
        Hypothesis(f"{BURGLARY}.", whisper, ((W, 0),)),
        Hypothesis(BURGLARY.lower(), 0.83, ((PS, 0),)),
        Hypothesis("i want to report a burglary please", 0.7, ((PS, 1),)),
        Hypothesis("i want to report a hurt burglary", 0.42, ((PS, 4),)),
    )


def cue_in_one_top(
    cue: str, top: str, confidence: float, other_sure: float = 0.99
) -> tuple[Hypothesis, ...]:
    """A cue in one engine's top at ``confidence``, the other engine's top cue-free at
    ``other_sure`` (sure by default)."""
    other = W if top == PS else PS
    return (
        Hypothesis(f"{BURGLARY} {cue}", confidence, ((top, 0),)),
        Hypothesis(BURGLARY, other_sure, ((other, 0),)),
        Hypothesis(f"{BURGLARY} please", min(other_sure, 0.9), ((other, 1),)),
    )


def test_a_runner_up_cue_against_a_confident_second_opinion_is_discounted(
    engine: RoutingEngine,
) -> None:
    d = decide(engine, *runner_up_cue())
    assert (d.action, d.destination) == ("route", "rc")
    found = d.evidence["discounted_cue"]
    assert found["matched"] == "i want to report a hurt burglary"
    assert found["heard_by"] == [[PS, 4]] and found["second_opinion"] == {W: 0.8}
    assert "discounted" in d.reason and "pocketsphinx alternative #5" in d.reason
    assert "whisper 0.80" in d.reason


def test_the_same_words_from_one_engine_are_an_emergency(engine: RoutingEngine) -> None:
    # No marks (one engine, or typed text): every alternative counts, as ever.
    d = decide(engine, *plain(*runner_up_cue()))
    assert cue_counted(d)
    assert "discounted_cue" not in d.evidence


def test_an_unsure_second_opinion_cannot_outvote_a_cue(engine: RoutingEngine) -> None:
    d = decide(engine, *runner_up_cue(whisper=SECOND_OPINION - 0.01))
    assert cue_counted(d)


def test_a_cue_in_a_confident_pocketsphinx_top_wins_over_an_unsure_whisper(
    engine: RoutingEngine,
) -> None:
    d = decide(
        engine,
        Hypothesis(f"{BURGLARY}.", SECOND_OPINION - 0.01, ((W, 0),)),
        Hypothesis("i want to report a burglary he has a gun", SECOND_OPINION, ((PS, 0),)),
    )
    assert cue_counted(d)


def test_a_cue_in_a_confident_whisper_top_wins_over_an_unsure_pocketsphinx(
    engine: RoutingEngine,
) -> None:
    d = decide(
        engine,
        Hypothesis("Someone is hurt, I want to report a burglary.", 0.6, ((W, 0),)),
        Hypothesis(BURGLARY.lower(), 0.45, ((PS, 0),)),
        Hypothesis("i want to report a burglary please", 0.4, ((PS, 1),)),
    )
    assert cue_counted(d)


def test_two_sure_engines_that_disagree_on_a_cue_ask_the_caller(engine: RoutingEngine) -> None:
    # Whisper's "at the fire shop" for "the Fara shop", PocketSphinx sure of the shop's
    # name: which heard right the words cannot say; the caller can, and a "no" goes as
    # asked. Either engine may be the one that heard the cue.
    for heard in (
        (
            Hypothesis(f"{BURGLARY}.", 0.95, ((W, 0),)),
            Hypothesis("i want to report a burglary he has a gun", SECOND_OPINION, ((PS, 0),)),
        ),
        (
            Hypothesis("Someone is hurt, I want to report a burglary.", 0.6, ((W, 0),)),
            Hypothesis(BURGLARY.lower(), 0.95, ((PS, 0),)),
        ),
    ):
        d = decide(engine, *heard)
        assert handled(d) == ("confirm", "emergency", "danger-check", ("route", "rc")), d.reason
        assert d.evidence["raised_by"] == UNSURE_RULE
        assert "as sure of its words, heard none" in d.reason
        assert cue_counted(decide(engine, *plain(*heard)))  # one engine's words alone: 999
    # ... but a life at risk said in so many words is not asked about
    said = (
        Hypothesis(f"{BURGLARY}.", 0.95, ((W, 0),)),
        Hypothesis("he's not breathing i want to report a burglary", 0.9, ((PS, 0),)),
    )
    assert decide(engine, *said).destination == "emergency"
    assert not decide(engine, *said).is_danger_check


def test_a_cue_only_an_unsure_engine_heard_is_asked_about(engine: RoutingEngine) -> None:
    # PocketSphinx's LM hears a garbled request as the nearest words it knows, "gun"
    # among them; Whisper, sure, heard the burglary: ask, and a "no" reaches the RC.
    d = decide(
        engine,
        Hypothesis(f"{BURGLARY}.", 0.95, ((W, 0),)),
        Hypothesis("i want to report a burglary he has a gun", 0.3, ((PS, 0),)),
    )
    assert handled(d) == ("confirm", "emergency", "danger-check", ("route", "rc"))
    assert d.evidence["raised_by"] == UNSURE_RULE
    assert "only pocketsphinx heard a cue" in d.reason and "0.30" in d.reason


def test_a_cue_both_engines_heard_is_not_asked_about_however_unsure(
    engine: RoutingEngine,
) -> None:
    d = decide(
        engine,
        Hypothesis("He has a gun, I want to report a burglary.", 0.3, ((W, 0),)),
        Hypothesis("he has a gun i want to report a burglary", 0.2, ((PS, 0),)),
    )
    assert cue_counted(d)


def test_a_cue_an_unsure_engine_heard_alone_is_asked_about_when_no_engine_is_sure(
    engine: RoutingEngine,
) -> None:
    # Whisper looping "My name is Kate. I'm in Rome." at 0.44 beside PocketSphinx's
    # "whiteley kill me really got the all ...": nobody heard the words surely, and the
    # one reading with a cue is asked about (yes, 9 or silence: 999 handling).
    d = decide(
        engine,
        Hypothesis(f"{BURGLARY}.", SECOND_OPINION - 0.01, ((W, 0),)),
        Hypothesis("i want to report a burglary he has a gun", 0.3, ((PS, 0),)),
    )
    assert d.is_danger_check and d.evidence["raised_by"] == UNSURE_RULE, d.reason
    assert "no engine heard the words surely" in d.reason


def test_a_short_middling_reading_only_one_engine_heard_a_cue_in_is_asked_about(
    engine: RoutingEngine,
) -> None:
    # "Drugs squad." as Whisper heard it (0.54); PocketSphinx, unsure, heard no cue.
    def heard(confidence: float) -> Decision:
        return decide(
            engine,
            Hypothesis("Blood is water.", confidence, ((W, 0),)),
            Hypothesis("onto wallet", 0.08, ((PS, 0),)),
        )

    d = heard(0.54)
    assert d.is_danger_check and d.evidence["raised_by"] == UNSURE_RULE, d.reason
    assert "in a few words read at 0.54" in d.reason
    assert cue_counted(heard(0.7))  # read surely: 999 handling at once


def test_an_unsure_engines_cue_beside_a_sure_engines_cue_read_as_a_message_is_asked_about(
    engine: RoutingEngine,
) -> None:
    # Whisper, sure, heard a threat made on a game's chat (no danger here now);
    # PocketSphinx, unsure, heard "blood all up on the floor": danger only it heard.
    d = decide(
        engine,
        Hypothesis(
            "Someone threatened to kill me on a game chat, my mum told me to ring.", 0.86, ((W, 0),)
        ),
        Hypothesis("can you the on the or be blood all up on the floor legal", 0.37, ((PS, 0),)),
    )
    assert d.is_danger_check and d.evidence["raised_by"] == UNSURE_RULE, d.reason
    assert "only pocketsphinx heard a cue" in d.reason


def test_a_runner_up_both_engines_heard_counts(engine: RoutingEngine) -> None:
    # Whisper's top is PocketSphinx's runner-up: a top, so its cue counts.
    d = decide(
        engine,
        Hypothesis("i want to report a hurt burglary", 0.9, ((W, 0), (PS, 2))),
        Hypothesis(BURGLARY.lower(), 0.83, ((PS, 0),)),
    )
    assert cue_counted(d)


def test_a_negated_cue_in_a_top_leaves_the_scan_as_it_was(engine: RoutingEngine) -> None:
    heard = (
        Hypothesis("Nobody is hurt, I want to report a burglary.", 0.9, ((W, 0),)),
        Hypothesis("nobody is hurt i want to report a burglary", 0.8, ((PS, 0),)),
        Hypothesis("somebody is hurt i want to report a burglary", 0.4, ((PS, 1),)),
    )
    d = decide(engine, *heard)
    assert d == decide(engine, *plain(*heard))
    assert d.destination == "emergency"  # the clear runner-up outranks the negated tops
    d = decide(engine, *heard[:2])
    # Nobody hurt, and a burglary to report: routed as asked, the negated cue on record.
    assert d.destination == "rc" and d.evidence["negated_cue"]["matched"] == heard[0].text


def _cues(bundle: RoutingBundle) -> list[str]:
    cues: list[str] = list(getattr(bundle.intents, "cues", ()))
    assert cues, "the emergency intent lists its cues"
    return cues


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), top=st.sampled_from([W, PS]), confidence=st.floats(SECOND_OPINION, 1.0))
def test_a_cue_in_a_confident_top_is_decided_as_heard_unless_as_sure_an_engine_heard_none(
    engine: RoutingEngine,
    bundle: RoutingBundle,
    data: st.DataObject,
    top: str,
    confidence: float,
) -> None:
    # Beside an unsure second opinion: decided as if one engine had heard it all.
    cue = data.draw(st.sampled_from(_cues(bundle)))
    heard = cue_in_one_top(cue, top, confidence, other_sure=SECOND_OPINION - 0.01)
    d = decide(engine, *heard)
    assert handled(d) == handled(decide(engine, *plain(*heard)))
    assert "discounted_cue" not in d.evidence
    # Beside a sure one that heard no cue: asked where it was 999 handling, unless a life
    # at risk was said in so many words.
    sure = cue_in_one_top(cue, top, confidence)
    unmarked = decide(engine, *plain(*sure))
    if unmarked.action == "route" and unmarked.destination == "emergency":
        asked = decide(engine, *sure)
        if unmarked.evidence.get(SAID_DANGER):
            assert handled(asked) == handled(unmarked)
        else:
            assert asked.is_danger_check and asked.evidence["raised_by"] == UNSURE_RULE
    if "negated_cue" in d.evidence:
        assert d.destination != "emergency", d.reason  # "nobody is hurt": routed as asked
    elif d.rule == "negated-emergency-cue":
        assert d.destination == "fcr", d.reason
    elif d.is_danger_check:  # asked first: a cue beside a time, or words meaning danger
        raised_by = d.evidence["raised_by"]
        assert raised_by.endswith("emergency-cue") or raised_by == "danger-meaning", raised_by
    else:
        assert d.destination == "emergency", d.reason


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    top=st.sampled_from([W, PS]),
    confidence=st.floats(0.0, SECOND_OPINION, exclude_max=True),
)
def test_a_cue_only_an_unsure_top_carries_is_never_dropped(
    engine: RoutingEngine,
    bundle: RoutingBundle,
    data: st.DataObject,
    top: str,
    confidence: float,
) -> None:
    # Against a confident cue-free second opinion: asked about where it was 999 handling,
    # otherwise decided as if one engine had heard it all.
    heard = cue_in_one_top(data.draw(st.sampled_from(_cues(bundle))), top, confidence)
    d, unmarked = decide(engine, *heard), decide(engine, *plain(*heard))
    if unmarked.action == "route" and unmarked.destination == "emergency":
        assert d.is_danger_check and d.evidence["raised_by"] == UNSURE_RULE, d.reason
        assert d.destination == "emergency"
    else:
        assert handled(d) == handled(unmarked)


def cue_counted(d: Decision) -> bool:
    """The cue raised emergency handling: 999 advice, or (in words that do not mean
    danger, like these tests' "i want to report a hurt burglary") the danger check."""
    raised = d.rule == "emergency-cue" or d.evidence.get("raised_by") == "unmeant-emergency-cue"
    return d.destination == "emergency" and raised


def test_alternatives_naming_different_people_ask_which(engine: RoutingEngine) -> None:
    # "sergeant crowe" @0.94 and "sergeant cole" @0.74 (a dev set's own voice): each said
    # in so many words; only the recogniser's confidence put one first.
    d = decide(
        engine,
        Hypothesis("sergeant clark", 0.94),
        Hypothesis("sergeant boateng", 0.74),
    )
    assert (d.action, d.rule) == ("disambiguate", "directory-disambiguate")
    assert d.evidence["choices"][:2] == ["directory:james-clark", "directory:rajinder-boateng"]


def test_a_person_only_the_surname_or_a_weak_alternative_names_is_no_rival(
    engine: RoutingEngine,
) -> None:
    for rival in (Hypothesis("boateng", 0.74), Hypothesis("sergeant boateng", 0.4)):
        d = decide(engine, Hypothesis("sergeant clark", 0.94), rival)
        assert (d.action, d.destination) == ("route", "directory:james-clark"), d.reason


def test_danger_only_an_unsure_engines_words_mean_is_asked_and_a_no_goes_as_asked(
    engine: RoutingEngine,
) -> None:
    # Whisper, sure, heard a lost bag; PocketSphinx's LM, unsure, made words that read
    # like danger. Still asked (an emergency said without cue words must not be lost),
    # but a "no" is the lost property it was, not the control room.
    heard = (
        Hypothesis("My son left his school bag on the bus with his laptop in it.", 0.78, ((W, 0),)),
        Hypothesis("let but the lad on the bus with his laptop in it", 0.35, ((PS, 0),)),
    )
    d = decide(engine, *heard)
    assert handled(d) == ("confirm", "emergency", "danger-check", ("route", "online"))
    assert "only an unsure engine's words mean it" in d.reason
    # The same words from one engine: danger heard, so a "no" goes to a person.
    d = decide(engine, *plain(*heard))
    assert handled(d) == ("confirm", "emergency", "danger-check", ("route", "fcr"))
