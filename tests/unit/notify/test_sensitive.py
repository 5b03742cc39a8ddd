"""Sensitive topics: no unasked-for text about a call the caller's phone must not reveal."""

from __future__ import annotations

from ivr.notify.outbox import SmsOutbox
from ivr.notify.sensitive import Sensitivity
from ivr.notify.texts import Texts

EXCLUDED = ("domestic_abuse", "sexual_offence", "stalking_harassment", "child_abuse")


def test_an_excluded_category_blocks_whatever_its_spelling() -> None:
    assert Sensitivity(EXCLUDED).blocked({"report_crime", "Domestic abuse"}) == ["domestic_abuse"]


def test_words_heard_block_a_call_whose_intent_is_harmless() -> None:
    sensitivity = Sensitivity(EXCLUDED)
    assert sensitivity.blocked({"report_crime", "rc"}, ["my ex keeps turning up"]) == [
        "domestic_abuse"
    ]
    assert sensitivity.blocked({"report_crime"}, ["my bike was stolen from next door"]) == []


def test_only_the_forces_own_exclusions_block() -> None:
    assert Sensitivity(["hate_incident"]).blocked({"report_crime"}, ["he raped her"]) == []
    assert Sensitivity(["hate_incident"]).blocked({"Hate-Incident"}) == ["hate_incident"]


async def test_an_abandoned_call_about_domestic_abuse_is_not_texted(outbox: SmsOutbox) -> None:
    texts = Texts(outbox, "https://example.police.uk/", Sensitivity(EXCLUDED))
    assert not await texts.abandoned("c1", "07700900123", {"rc"}, ["my husband hit me"])
    assert not await texts.abandoned("c2", "07700900123", {"domestic_abuse"})
    assert await texts.abandoned("c3", "07700900123", {"rc"}, ["my car was broken into"])
    assert (await outbox.counts()).get("queued") == 1
