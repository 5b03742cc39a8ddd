"""Survey replies, exclusions and backoff: the rules, without a network (each engine)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from ivr.notify.outbox import OutboxStore, RetryPolicy, SmsOutbox, backoff_delay
from ivr.notify.sensitive import normalise_category
from ivr.notify.survey import REPLY_WINDOW, ReplyError, SurveyService, parse_reply
from ivr.store.db import iso

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


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


async def test_excluded_categories_never_get_a_survey_and_nothing_is_queued(
    outbox: SmsOutbox,
) -> None:
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


class Days:
    """A clock the test moves on."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def dated(db_location: str) -> AsyncIterator[tuple[SmsOutbox, SurveyService, Days]]:
    """An outbox and its survey on one clock: the reply window runs from the survey's
    ``created_at``, which the outbox stamps."""
    clock = Days()
    box = SmsOutbox(db_location, clock=clock)
    await box.open()
    try:
        yield box, SurveyService(box, clock=clock), clock
    finally:
        await box.close()


async def sent_survey(outbox: SmsOutbox, survey: SurveyService, call_id: str) -> int:
    """A survey queued for the call and marked sent (as the worker would)."""
    offer = await survey.offer(call_id, "07700 900123", ["report_crime"])
    assert offer.outbox_id is not None
    outbox_id = offer.outbox_id

    def send(store: OutboxStore) -> None:
        # Claimed as the worker's claim leaves it: only its claimant settles a text.
        store.db.execute(
            "UPDATE sms_outbox SET state = 'sending', claimed_by = ? WHERE id = ?",
            [store.origin, outbox_id],
        )
        assert store.mark_sent(outbox_id, f"prov-{call_id}", iso(NOW))

    await outbox.run(send)
    return outbox_id


async def responses(outbox: SmsOutbox) -> list[tuple[int, str, int, int, int, str]]:
    def read(store: OutboxStore) -> list[tuple[int, str, int, int, int, str]]:
        rows = store.db.rows_where("survey_responses", order_by="id")
        return [
            (
                r["outbox_id"],
                r["call_id"],
                r["q1_overall"],
                r["q2_time_to_answer"],
                r["q3_dealt_with"],
                r["comment"],
            )
            for r in rows
        ]

    return await outbox.run(read)


async def test_a_reply_is_kept_against_the_latest_survey_and_a_second_one_replaces_it(
    dated: tuple[SmsOutbox, SurveyService, Days],
) -> None:
    outbox, survey, _ = dated
    await sent_survey(outbox, survey, "c1")
    latest = await sent_survey(outbox, survey, "c2")
    first = await survey.record_reply("+447700900123", "2 2 2 slow")
    assert (first.recorded, first.call_id) == (True, "c2")
    again = await survey.record_reply("07700 900123", "5 4 3 sorted in the end")
    assert (again.recorded, again.response_id) == (True, first.response_id)
    assert await responses(outbox) == [(latest, "c2", 5, 4, 3, "sorted in the end")]


async def test_a_reply_to_an_unsent_or_week_old_survey_is_not_recorded(
    dated: tuple[SmsOutbox, SurveyService, Days],
) -> None:
    outbox, survey, clock = dated
    await survey.offer("queued-only", "07700 900123", ["report_crime"])
    assert not (await survey.record_reply("07700 900123", "5 5 5")).recorded
    await sent_survey(outbox, survey, "c1")
    clock.now = NOW + REPLY_WINDOW - timedelta(seconds=1)
    assert (await survey.record_reply("07700 900123", "5 5 5")).recorded
    clock.now = NOW + REPLY_WINDOW + timedelta(seconds=1)
    assert not (await survey.record_reply("07700 900123", "4 4 4")).recorded
    assert [r[2] for r in await responses(outbox)] == [5]


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=10.0, max_delay=60.0)
    assert backoff_delay(1, policy, lambda: 0.0) == 5.0
    assert backoff_delay(1, policy, lambda: 1.0) == 10.0
    assert backoff_delay(2, policy, lambda: 1.0) == 20.0
    assert backoff_delay(3, policy, lambda: 0.5) == 30.0
    assert backoff_delay(10, policy, lambda: 1.0) == 60.0
