"""A crime reference heard one digit off is read back and, once the caller says it is
theirs, put through to the officer in charge (issue 16 item 4). Through the simulator,
over real HTTP and WS."""

from __future__ import annotations

from pathlib import Path

from tests.integration.app.stack import running_stack
from tests.integration.app.test_case_updates import heard
from tests.integration.app.test_speech_path import SAYS_THE_NAME, RecordingSpeech


async def test_a_near_reference_is_read_back_and_confirmed(tmp_path: Path) -> None:
    async with running_stack(tmp_path, settings={"speech.engine": "none"}) as stack:
        # 42/18735/24: one digit from the shipped case 42/18734/24 (rhian-jones)
        stack.runtime.speech = RecordingSpeech(
            "it's about my crime reference four two stroke one eight seven three five"
            " stroke twenty for"
        )
        call = await stack.place([*SAYS_THE_NAME, {"wait": 3000}])
        await stack.until_heard(call, "sound:ivr101/confirm_suffix")  # read back: answered
        await stack.sim_post(f"/_sim/calls/{call}/dtmf", {"digits": "1"})
        row = await stack.call_row(call)
        assert (row["outcome"], row["destination"]) == ("transferred", "directory:rhian-jones")
        media = await heard(stack, call)
        asked = media.index("sound:ivr101/confirm_reference")
        assert media[asked + 1 : asked + 6] == [
            "digits:42",
            "sound:ivr101/stroke",
            "digits:18734",
            "sound:ivr101/stroke",
            "digits:24",
        ]
        assert not any("case_status_" in m for m in media[:asked])  # nothing said of the case
        decisions = await stack.runtime.call_log.query(lambda s: s.decisions_for(call))
        assert [(d["action"], d["rule"]) for d in decisions][:2] == [
            ("confirm", "reference-near"),
            ("route", "caller-confirmed"),
        ]
        await stack.nothing_left()
