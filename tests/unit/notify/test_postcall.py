"""The post-call survey: only after a person helped, never about a sensitive call."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.notify.outbox import OutboxStore, SmsOutbox
from ivr.notify.postcall import PostCallSurvey
from ivr.notify.sensitive import sensitive_categories
from ivr.notify.survey import SurveyService
from ivr.session.model import FinishedCall

MOBILE = "07700 900123"


@pytest.mark.parametrize(
    ("heard", "categories"),
    [
        (["my ex keeps texting me"], {"domestic_abuse"}),
        (["MY EX-PARTNER won't leave me alone"], {"domestic_abuse"}),
        (["my husband hit me"], {"domestic_abuse"}),
        (["he raped her"], {"sexual_offence"}),
        (["someone flashed at my daughter"], {"sexual_offence"}),
        (["a man keeps following me home"], {"stalking_harassment"}),
        (["I think a child is being neglected"], {"child_abuse"}),
        (["my car was stolen", "he raped her"], {"sexual_offence"}),
        (["I'm being stalked by my ex"], {"domestic_abuse", "stalking_harassment"}),
    ],
)
def test_sensitive_topics_are_heard_in_any_alternative(
    heard: list[str], categories: set[str]
) -> None:
    assert sensitive_categories(heard) == categories


@pytest.mark.parametrize(
    "text",
    [
        "the people next door are noisy",  # "ex" inside a word is not "my ex"
        "my car was scraped in the car park",  # "rape" inside a word
        "an exhibition was vandalised",
        "my wifi was hacked",  # not "wife"
        "the grapes at the market were stolen",
        "asexual",
        "",
    ],
)
def test_cues_match_whole_words_only(text: str) -> None:
    assert sensitive_categories([text]) == set()


@pytest.fixture
def survey_observer(outbox: SmsOutbox) -> PostCallSurvey:
    return PostCallSurvey(SurveyService(outbox))


async def surveys(outbox: SmsOutbox) -> list[tuple[str, str]]:
    def read(store: OutboxStore) -> list[tuple[str, str]]:
        rows = store.db.execute("SELECT call_id, to_number FROM sms_outbox WHERE kind = 'survey'")
        return [(str(c), str(n)) for c, n in rows.fetchall()]

    return await outbox.run(read)


def finished(
    call_id: str = "c1",
    *,
    outcome: str = "transferred",
    categories: frozenset[str] = frozenset({"report_crime", "rc"}),
    heard: tuple[str, ...] = ("someone stole my bike",),
    dialled: str = "101",
    number: str = MOBILE,
) -> FinishedCall:
    return FinishedCall(call_id, number, dialled, outcome, categories, heard)


async def test_a_call_a_person_answered_gets_one_survey(
    survey_observer: PostCallSurvey, outbox: SmsOutbox
) -> None:
    survey_observer.call_ended(finished("c1"))
    await survey_observer.close()
    assert await surveys(outbox) == [("c1", "+447700900123")]
    survey_observer.call_ended(finished("c1"))  # told again later: still one text
    await survey_observer.close()
    assert await surveys(outbox) == [("c1", "+447700900123")]


@pytest.mark.parametrize(
    "call",
    [
        finished(categories=frozenset({"report_crime", "domestic_abuse"})),
        finished(categories=frozenset({"Domestic Abuse"})),
        finished(heard=("I want to report my ex", "I want to report my eggs")),
        finished(heard=("she was sexually assaulted",)),
    ],
    ids=["intent", "intent-spelt-otherwise", "heard-in-an-alternative", "heard"],
)
async def test_a_call_in_an_excluded_category_gets_no_survey(
    survey_observer: PostCallSurvey, outbox: SmsOutbox, call: FinishedCall
) -> None:
    survey_observer.call_ended(call)
    await survey_observer.close()
    assert await surveys(outbox) == []


@pytest.mark.parametrize(
    "call",
    [
        finished(outcome="abandoned"),
        finished(outcome="callback"),
        finished(outcome="deflected"),
        finished(outcome="unanswered"),
        finished(categories=frozenset()),  # adopted after a restart: not known what about
        finished(dialled="callback"),  # a callback leg
        finished(number="01632 960123"),  # a landline
        # treated as an emergency (then put through to the FCR): never surveyed
        finished(categories=frozenset({"emergency", "fcr"}), heard=("he has a knife",)),
    ],
    ids=[
        "abandoned",
        "callback",
        "deflected",
        "unanswered",
        "adopted",
        "callback-leg",
        "landline",
        "emergency",
    ],
)
async def test_only_transferred_calls_with_a_known_subject_get_a_survey(
    survey_observer: PostCallSurvey, outbox: SmsOutbox, call: FinishedCall
) -> None:
    survey_observer.call_ended(call)
    await survey_observer.close()
    assert await surveys(outbox) == []


async def test_a_survey_that_cannot_be_stored_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    closed = SmsOutbox(str(tmp_path / "closed.db"))  # never opened
    observer = PostCallSurvey(SurveyService(closed))
    try:
        observer.call_ended(finished("c9"))
        await observer.close()
    finally:
        await closed.close()
    assert "call c9: survey not queued" in caplog.text
