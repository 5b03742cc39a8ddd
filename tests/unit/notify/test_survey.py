"""Survey replies, exclusions and backoff: the rules, without a network."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.notify.outbox import RetryPolicy, SmsOutbox, backoff_delay
from ivr.notify.sensitive import normalise_category
from ivr.notify.survey import ReplyError, SurveyService, parse_reply


@pytest.mark.parametrize(
    ("text", "scores", "comment"),
    [
        ("5 4 3 great service", (5, 4, 3), "great service"),
        ("5,4,3", (5, 4, 3), ""),
        ("5, 4, 3. Quick and kind", (5, 4, 3), "Quick and kind"),
        ("  1/2/5  too long a wait  ", (1, 2, 5), "too long a wait"),
        ("5;5;5", (5, 5, 5), ""),
        ("543 thanks", (5, 4, 3), "thanks"),
        ("4 4 4\nline two", (4, 4, 4), "line two"),
    ],
)
def test_replies_are_read_as_three_scores_and_a_comment(
    text: str, scores: tuple[int, int, int], comment: str
) -> None:
    reply = parse_reply(text)
    assert reply.scores == scores
    assert reply.comment == comment


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("great service", "three scores"),
        ("5 4", "three scores"),
        ("6 4 3", "score 6 is out of range"),
        ("5 0 3", "score 0 is out of range"),
        ("10 4 3", "score 10"),
        ("", "three scores"),
    ],
)
def test_unreadable_replies_say_what_format_is_expected(text: str, message: str) -> None:
    with pytest.raises(ReplyError, match=message):
        parse_reply(text)


def test_a_long_comment_is_cut() -> None:
    assert len(parse_reply("5 5 5 " + "x" * 5000).comment) == 1000


def test_categories_match_however_they_are_spelt() -> None:
    assert normalise_category("Domestic abuse") == "domestic_abuse"
    assert normalise_category("domestic-abuse") == "domestic_abuse"
    assert normalise_category(" DOMESTIC_ABUSE ") == "domestic_abuse"


async def test_excluded_categories_never_get_a_survey_and_nothing_is_queued(tmp_path: Path) -> None:
    outbox = SmsOutbox(str(tmp_path / "sms.db"))
    await outbox.open()
    try:
        survey = SurveyService(outbox)  # defaults: domestic abuse and the like
        offer = await survey.offer("c1", "07700 900123", ["report_crime", "Domestic Abuse"])
        assert offer.outcome == "excluded"
        assert "domestic_abuse" in offer.reason
        custom = SurveyService(outbox, ["hate-crime"])
        assert (await custom.offer("c2", "07700 900123", ["hate_crime"])).outcome == "excluded"
        assert await outbox.counts() == {}
        queued = await survey.offer("c3", "07700 900123", ["report_crime"])
        assert queued.outcome == "queued"
        assert (await survey.offer("c3", "07700 900123", [])).outcome == "already-sent"
        landline = await survey.offer("c4", "01632 960123", [])
        assert (landline.outcome, "landline" in landline.reason) == ("not-mobile", True)
        assert await outbox.counts() == {"queued": 1}
    finally:
        await outbox.close()


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=10.0, max_delay=60.0)
    assert backoff_delay(1, policy, lambda: 0.0) == 5.0
    assert backoff_delay(1, policy, lambda: 1.0) == 10.0
    assert backoff_delay(2, policy, lambda: 1.0) == 20.0
    assert backoff_delay(3, policy, lambda: 0.5) == 30.0
    assert backoff_delay(10, policy, lambda: 1.0) == 60.0
