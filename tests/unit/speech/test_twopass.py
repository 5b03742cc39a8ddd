"""The two-pass strategy: confident and actionable stays fast, the rest gets Whisper."""

from __future__ import annotations

import asyncio

from ivr.decisions import Candidate, Decision, Expect, Hint, Hypothesis
from ivr.speech.model import RecognizerError, Transcript
from ivr.speech.twopass import TwoPassSpeech, Verdict, actionable_by, merge


class Said:
    def __init__(
        self,
        text: str,
        confidence: float,
        engine: str,
        fail: bool = False,
        more: tuple[tuple[str, float], ...] = (),
    ) -> None:
        said = (Hypothesis(text, confidence), *(Hypothesis(t, c) for t, c in more))
        self.transcript = Transcript(said, engine, 1.0, 0.1)
        self.fail = fail
        self.calls = 0

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.calls += 1
        if self.fail:
            raise RecognizerError("down")
        return self.transcript


def routes(transcript: Transcript) -> Verdict:
    return "route" if "johnson" in transcript.text else ""


async def test_a_confident_actionable_first_pass_is_kept() -> None:
    fast, slow = Said("pc johnson", 0.8, "pocketsphinx"), Said("x", 0.9, "whisper")
    two = TwoPassSpeech(fast, slow, routes)
    assert (await two.recognize(b"")).engine == "pocketsphinx"
    assert slow.calls == 0 and two.kept == 1


async def test_an_unsure_or_unactionable_first_pass_gets_a_second_opinion() -> None:
    for first in (Said("pc johnson", 0.3, "pocketsphinx"), Said("mumble", 0.9, "pocketsphinx")):
        slow = Said("PC Johnston", 0.9, "whisper")
        result = await TwoPassSpeech(first, slow, routes).recognize(b"")
        assert result.text == "PC Johnston" and result.engine.startswith("whisper")
        assert result.decode_seconds == 0.2


async def test_a_failed_second_opinion_keeps_the_first() -> None:
    fast = Said("mumble", 0.2, "pocketsphinx")
    result = await TwoPassSpeech(fast, Said("", 0, "whisper", fail=True), routes).recognize(b"")
    assert result.text == "mumble"


async def test_the_second_opinion_comes_first_and_the_first_pass_follows() -> None:
    fast = Said("ewan mcdonald please", 0.4, "pocketsphinx")
    slow = Said("Even with Donald, please.", 0.9, "whisper")
    result = await TwoPassSpeech(fast, slow, routes).recognize(b"")
    assert [h.text for h in result.alternatives] == [
        "Even with Donald, please.",
        "ewan mcdonald please",
    ]
    assert result.alternatives[1].confidence == 0.4


async def test_an_unsure_first_pass_emergency_cue_survives_the_second_opinion() -> None:
    # Whisper mishears "bleeding"; the router must still see PocketSphinx's cue.
    fast = Said("there's a fight outside and someone is bleeding", 0.17, "pocketsphinx")
    slow = Said("They're going to find outside and come one of leading.", 0.72, "whisper")
    result = await TwoPassSpeech(fast, slow, routes).recognize(b"")
    assert any("bleeding" in h.text for h in result.alternatives)


def test_merge_drops_what_the_second_opinion_already_said() -> None:
    first = Transcript((Hypothesis("pc johnson", 0.4), Hypothesis("pc jonson", 0.3)), "ps")
    second = Transcript((Hypothesis("PC Johnson", 0.9),), "whisper")
    assert [h.text for h in merge(first, second).alternatives] == ["PC Johnson", "pc jonson"]


def test_merge_marks_who_heard_each_alternative_and_where() -> None:
    first = Transcript(
        (Hypothesis("pc johnson", 0.8), Hypothesis("PC Johnston", 0.5), Hypothesis("gun", 0.2)),
        "pocketsphinx",
    )
    second = Transcript((Hypothesis("PC Johnston", 0.9),), "whisper")
    assert merge(first, second).alternatives == (
        Hypothesis("PC Johnston", 0.9, (("whisper", 0), ("pocketsphinx", 1))),
        Hypothesis("pc johnson", 0.8, (("pocketsphinx", 0),)),
        Hypothesis("gun", 0.2, (("pocketsphinx", 2),)),
    )


def fake_decide(hypotheses: tuple[Hypothesis, ...]) -> Decision:
    """'gun' in any alternative is an emergency, 'johnson' a route (recall first, as the router)."""
    if any("gun" in h.text for h in hypotheses):
        return Decision("route", "emergency", "emergency-cue", "gun")
    if any("johnson" in h.text for h in hypotheses):
        return Decision("route", "directory:pc-johnson", "directory", "johnson")
    return Decision("reprompt", None, "nothing", "?")


def test_an_emergency_only_a_lower_alternative_carries_is_not_yet_actionable() -> None:
    judge = actionable_by(fake_decide)
    top = Hypothesis("can you put me through to pc johnson", 0.83)
    runner_up = Hypothesis("gun you put me through to pc johnson", 0.42)
    assert judge(Transcript((top, runner_up), "pocketsphinx")) == "cue-below"
    assert judge(Transcript((runner_up, top), "pocketsphinx")) == "emergency"  # at once
    assert judge(Transcript((runner_up,), "pocketsphinx")) == "emergency"
    assert judge(Transcript((top,), "pocketsphinx")) == "route"


def test_a_danger_check_waits_for_a_second_opinion_but_not_for_long() -> None:
    """A check only asks: the slower engine may hear the danger surely (or not at all),
    within the cue wait, as a cue in a lower alternative does."""
    rc = Decision("route", "rc", "intent", "past threat")

    def doubtful(hypotheses: tuple[Hypothesis, ...]) -> Decision:
        return Decision("confirm", "emergency", "danger-check", "last week",
                        candidates=(Candidate("emergency", "999 handling", 1.0),),
                        otherwise=rc)  # fmt: skip

    judge = actionable_by(doubtful)
    assert judge(Transcript((Hypothesis("he threatened me last week", 0.9),), "x")) == "cue-below"


async def test_a_runner_up_cue_gets_a_second_opinion_and_stays_in_the_n_best() -> None:
    fast = Said(
        "can you put me through to pc johnson",
        0.83,
        "pocketsphinx",
        more=(("gun you put me through to pc johnson", 0.42),),
    )
    slow = Said("Can you put me through to PC Johnson?", 0.9, "whisper")
    two = TwoPassSpeech(fast, slow, actionable_by(fake_decide))
    result = await two.recognize(b"")
    assert slow.calls == 1 and two.escalated == 1
    assert [h.text for h in result.alternatives] == [
        "Can you put me through to PC Johnson?",
        "can you put me through to pc johnson",
        "gun you put me through to pc johnson",
    ]
    assert isinstance(result.alternatives[2], Hypothesis)
    assert result.alternatives[2].heard_by == (("pocketsphinx", 1),)


async def test_a_cue_in_the_first_pass_top_is_kept_at_once() -> None:
    fast = Said("he has a gun", 0.7, "pocketsphinx", more=(("he has a gull", 0.5),))
    slow = Said("x", 0.9, "whisper")
    two = TwoPassSpeech(fast, slow, actionable_by(fake_decide))
    assert (await two.recognize(b"")).engine == "pocketsphinx"
    assert slow.calls == 0 and two.kept == 1


async def test_an_unsure_first_pass_whose_top_is_an_emergency_hears_whisper_too() -> None:
    # Unsure, PocketSphinx's LM hears a garbled request as the nearest words it knows:
    # the router weighs both engines' words (a cue only it heard is asked about).
    fast = Said("he has a gun", 0.2, "pocketsphinx")
    slow = Said("He has a gum.", 0.9, "whisper")
    two = TwoPassSpeech(fast, slow, actionable_by(fake_decide))
    result = await two.recognize(b"")
    assert slow.calls == 1 and two.escalated == 1
    assert [h.text for h in result.alternatives] == ["He has a gum.", "he has a gun"]


class Stalled:
    """A second opinion that never comes (an overloaded pool)."""

    def __init__(self) -> None:
        self.calls = 0

    async def recognize(
        self, pcm: bytes, sample_rate: int = 8000, *, expect: Expect | None = None
    ) -> Transcript:
        self.calls += 1
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


async def test_a_possible_emergency_waits_only_briefly_for_the_second_opinion() -> None:
    fast = Said(
        "can you put me through to pc johnson",
        0.83,
        "pocketsphinx",
        more=(("gun you put me through to pc johnson", 0.42),),
    )
    slow = Stalled()
    two = TwoPassSpeech(fast, slow, actionable_by(fake_decide), cue_wait_s=0.05)
    result = await asyncio.wait_for(two.recognize(b""), 1.0)
    assert slow.calls == 1 and result.engine == "pocketsphinx"
    assert fake_decide(result.alternatives).destination == "emergency"  # the cue still counts


async def test_an_unsure_emergency_is_acted_on_alone_when_the_second_opinion_is_slow() -> None:
    fast = Said("he has a gun", 0.2, "pocketsphinx")
    slow = Stalled()
    two = TwoPassSpeech(fast, slow, actionable_by(fake_decide), cue_wait_s=0.05)
    result = await asyncio.wait_for(two.recognize(b""), 1.0)
    assert slow.calls == 1 and result.engine == "pocketsphinx"
    assert fake_decide(result.alternatives).destination == "emergency"


async def test_a_yes_or_no_is_always_heard_by_the_second_engine_too() -> None:
    # PocketSphinx's LM is the force's requests: a confident, routable reading of a
    # one-word answer is still no reading of a yes or a no.
    fast, slow = Said("pc johnson", 0.9, "pocketsphinx"), Said("No.", 0.8, "whisper")
    two = TwoPassSpeech(fast, slow, routes)
    result = await two.recognize(b"", expect=Hint.YES_NO)
    assert slow.calls == 1 and two.escalated == 1
    assert result.text == "No."


async def test_a_cue_heard_in_a_yes_or_no_waits_only_briefly_for_the_second_engine() -> None:
    fast = Said("he has a gun", 0.7, "pocketsphinx")
    slow = Stalled()
    two = TwoPassSpeech(fast, slow, actionable_by(fake_decide), cue_wait_s=0.05)
    result = await asyncio.wait_for(two.recognize(b"", expect=Hint.YES_NO), 1.0)
    assert slow.calls == 1 and result.text == "he has a gun"


def test_a_route_for_what_the_force_does_not_have_is_heard_again() -> None:
    """A reference the case book lacks or a unit nobody lists is the fast engine's digits
    or names misheard ("slash twenty to" for "slash twenty six"): Whisper hears it first."""
    heard = Transcript((Hypothesis("seventy seven slash twenty to", 0.9),), "x")
    for rule in ("reference-unknown", "unit-not-listed", "directory-high"):
        decision = Decision("route", "switchboard", rule, "as decided")

        def decide(_: tuple[Hypothesis, ...], d: Decision = decision) -> Decision:
            return d

        assert actionable_by(decide)(heard) == ("route" if rule == "directory-high" else "")
