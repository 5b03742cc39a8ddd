"""A caller with a crime reference hears the case's public status, by words or keys at any
question, and is routed by it: open → the officer in charge, closed with no further action
→ the Resolution Centre (issue 15, item 5). Through the simulator, over real HTTP and WS."""

from __future__ import annotations

from pathlib import Path

from tests.integration.app.stack import Stack, running_stack
from tests.integration.app.test_speech_path import SAYS_THE_NAME, RecordingSpeech
from tests.integration.app.test_texts_through_calls import outbox_kinds, provider, texts_of

STATUS = "sound:ivr101/case_status_"


async def heard(stack: Stack, call_id: str) -> list[str]:
    record = await stack.sim_get(f"/_sim/calls/{call_id}")
    return [h["media_uri"] for h in record["heard"]]


async def test_a_reference_said_at_the_menu_is_heard_texted_and_put_through(
    tmp_path: Path,
) -> None:
    async with provider() as fake:
        settings = {"speech.engine": "none", "sms.url": fake.url, "sms.survey": False}
        async with running_stack(tmp_path, settings=settings) as stack:
            stack.runtime.speech = RecordingSpeech("it's about my crime reference 42/18734/24")
            call = await stack.place([*SAYS_THE_NAME, {"wait": 3000}])
            await stack.until_event(call, "status-text-offered")
            await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "1"})
            row = await stack.call_row(call)
            assert (row["outcome"], row["destination"]) == ("transferred", "directory:rhian-jones")
            media = await heard(stack, call)
            status = media.index(STATUS + "under_investigation")
            assert media[status + 1] == STATUS + "sms_offer"
            assert media.index(STATUS + "sms_sent") < media.index("sound:ivr101/transfer_directory")
            (decision,) = await stack.runtime.call_log.query(lambda s: s.decisions_for(call))
            assert decision["rule"] == "reference-officer"
            (text,) = await texts_of(fake, 1)
            assert "42/18734/24: it is being investigated." in text["body"]
            assert "under investigation" not in text["body"]  # never the record's own words
            assert await outbox_kinds(stack, call) == ["case-status"]
            await stack.nothing_left()


async def test_a_reference_keyed_at_a_confirmation_of_a_closed_case_reaches_the_rc(
    tmp_path: Path,
) -> None:
    async with running_stack(tmp_path, settings={"speech.engine": "none"}) as stack:
        stack.runtime.speech = RecordingSpeech("PC Johnsen")  # a name heard well enough to ask
        call = await stack.place([*SAYS_THE_NAME, {"wait": 3000}])
        await stack.until_heard(call, "sound:ivr101/confirm_prefix")
        await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "42*2526150*24#"})
        row = await stack.call_row(call)
        assert (row["outcome"], row["destination"]) == ("transferred", "rc")
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call))
        assert [(d["action"], d["rule"]) for d in decisions] == [
            ("confirm", "directory-confirm"),
            ("route", "reference-closed"),
        ]
        assert "case closed, no further action → Resolution Centre" in decisions[1]["reason"]
        media = await heard(stack, call)
        assert "sound:ivr101/confirm_prefix" in media
        closed = media.index(STATUS + "closed_nfa")
        assert media[closed + 1] == "sound:ivr101/transfer_rc"
        assert "sound:ivr101/transfer_directory" not in media  # never the officer who had it
        await stack.nothing_left()
