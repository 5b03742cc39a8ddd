"""Texts: what the app texts callers goes through the outbox, and never breaks a call."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ivr.notify.outbox import OutboxStore, SmsOutbox
from ivr.notify.texts import AbandonedOffer, Texts

LINK = "https://example.police.uk/report"
MOBILE = "07700 900123"


async def stored(outbox: SmsOutbox) -> list[tuple[str, str, str, str]]:
    def read(store: OutboxStore) -> list[tuple[str, str, str, str]]:
        rows = store.db.execute(
            "SELECT kind, call_id, to_number, body FROM sms_outbox ORDER BY id"
        ).fetchall()
        return [(str(k), str(c), str(n), str(b)) for k, c, n, b in rows]

    return await outbox.run(read)


async def test_each_text_is_stored_with_its_kind_and_call(outbox: SmsOutbox) -> None:
    texts = Texts(outbox, LINK)
    promised = datetime(2024, 7, 1, 12, 0, tzinfo=UTC).timestamp()
    assert await texts.online_link("c1", MOBILE)
    assert await texts.abandoned("c2", MOBILE)
    assert await texts.callback_missed("c3", MOBILE, 3)
    assert await texts.callback_late("c4", MOBILE, promised)
    rows = await stored(outbox)
    assert [(kind, call_id, to) for kind, call_id, to, _ in rows] == [
        ("deflection", "c1", "+447700900123"),
        ("abandoned-callback-offer", "c2", "+447700900123"),
        ("callback-update", "c3", "+447700900123"),
        ("callback-update", "c4", "+447700900123"),
    ]
    bodies = [body for *_, body in rows]
    assert all(LINK in body for body in bodies)
    assert "3 times" in bodies[2]
    assert "by 13:00" in bodies[3]  # 12:00 UTC is 13:00 in London in July (BST)


async def test_a_caller_who_answered_is_not_told_we_never_reached_them(
    outbox: SmsOutbox,
) -> None:
    texts = Texts(outbox, LINK)
    assert await texts.callback_missed("c1", MOBILE, 2, reached=True)
    assert await texts.callback_missed("c2", MOBILE, 2)
    reached, missed = [body for *_, body in await stored(outbox)]
    assert "could not put you through" in reached and "without reaching you" not in reached
    assert "without reaching you" in missed


@pytest.mark.parametrize("number", ["01632 960123", "0800 123456", "withheld", "", "+33612345678"])
async def test_a_number_that_cannot_take_a_text_is_not_texted(
    outbox: SmsOutbox, number: str
) -> None:
    texts = Texts(outbox, LINK)
    assert not await texts.online_link("c1", number)
    assert not await texts.abandoned("c1", number)
    assert not await texts.callback_missed("c1", number, 3)
    assert not await texts.callback_late("c1", number, 0.0)
    assert await outbox.counts() == {}


async def test_texts_never_raise_when_the_outbox_is_closed(tmp_path: Path) -> None:
    never_opened = SmsOutbox(str(tmp_path / "a.db"))
    closed = SmsOutbox(str(tmp_path / "b.db"))
    await closed.open()
    await closed.close()
    try:
        for box in (never_opened, closed):
            texts = Texts(box, LINK)
            assert not await texts.online_link("c1", MOBILE)
            assert not await texts.abandoned("c1", MOBILE)
            assert not await texts.callback_missed("c1", MOBILE, 3)
            assert not await texts.callback_late("c1", MOBILE, 0.0)
    finally:
        await never_opened.close()


@pytest.mark.parametrize(
    ("categories", "heard"),
    [
        (("domestic_abuse",), ()),
        (("report_crime",), ("he keeps following me home",)),
    ],
)
async def test_an_abandoned_call_about_a_sensitive_topic_gets_no_text(
    outbox: SmsOutbox, categories: tuple[str, ...], heard: tuple[str, ...]
) -> None:
    texts = Texts(outbox, LINK)
    assert not await texts.abandoned("c1", MOBILE, categories, heard)
    assert await outbox.counts() == {}
    assert await texts.abandoned("c2", MOBILE, ("report_crime",), ("my bike was stolen",))
    assert await outbox.counts() == {"queued": 1}


@pytest.mark.parametrize(
    ("offer", "says", "never"),
    [
        (AbandonedOffer.BOTH, ["choose a callback", LINK], []),
        (AbandonedOffer.CALLBACK, ["choose a callback"], [LINK]),
        (AbandonedOffer.LINK, [LINK], ["callback"]),
    ],
)
async def test_the_abandoned_call_text_offers_what_the_force_chose(
    outbox: SmsOutbox, offer: AbandonedOffer, says: list[str], never: list[str]
) -> None:
    assert await Texts(outbox, LINK, abandoned_offer=offer).abandoned("c1", MOBILE)
    body = (await stored(outbox))[0][3]
    assert all(s in body for s in says) and not any(n in body for n in never)


async def test_a_case_status_text_says_the_public_status_and_the_tracking_link(
    outbox: SmsOutbox,
) -> None:
    from ivr.routing.case_status import PublicStatus

    texts = Texts(outbox, LINK)
    sentence = PublicStatus.WITH_PROSECUTORS.sentence
    assert await texts.case_status("c1", MOBILE, "42/18734/24", sentence)
    assert not await texts.case_status("c2", "01632 960123", "42/18734/24", sentence)
    ((kind, call_id, to, body),) = await stored(outbox)
    assert (kind, call_id, to) == ("case-status", "c1", "+447700900123")
    assert body == (
        "Police 101: an update on your report 42/18734/24: it is with prosecutors or going"
        f" through the courts. Track it at {LINK} In an emergency call 999."
    )


async def test_the_chat_link_text_carries_only_the_link_and_how_long_it_works(
    outbox: SmsOutbox,
) -> None:
    texts = Texts(outbox, LINK)
    url = "https://101.example.police.uk/chat/AbC123.sIg456"
    assert await texts.chat_link("c1", MOBILE, url, 30.0)
    [(kind, call_id, to, body)] = await stored(outbox)
    assert (kind, call_id, to) == ("chat-link", "c1", "+447700900123")
    assert body == (
        f"Police 101: chat to us at {url} (link works once, for 30 minutes). "
        "In an emergency call 999."
    )
    assert not await texts.chat_link("c2", "01632 960123", url, 30.0)  # a landline


async def test_texts_that_do_not_offer_chat_never_promise_it(outbox: SmsOutbox) -> None:
    """Chat is offered by its own text, only while it can answer (issue 17)."""
    for offer in AbandonedOffer:
        texts = Texts(outbox, LINK, abandoned_offer=offer)
        assert await texts.abandoned(f"a-{offer}", MOBILE)
    assert await Texts(outbox, LINK).online_link("c1", MOBILE)
    bodies = [body for *_, body in await stored(outbox)]
    assert len(bodies) == len(AbandonedOffer) + 1
    assert not [b for b in bodies if "chat" in b.lower()]
