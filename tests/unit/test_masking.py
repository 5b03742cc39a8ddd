"""Caller numbers reach logs masked (077009•••01), wherever the log line comes from."""

from __future__ import annotations

import asyncio
import io
import logging

import aiohttp
import pytest

from ivr.ari import events as ari
from ivr.ari.client import AriClient
from ivr.ari.models import Channel
from ivr.masking import MaskingFormatter, mask_for_console, mask_number, mask_numbers
from ivr.session.control import AriCallControl
from ivr.session.manager import CallManager
from ivr.session.model import CallInfo
from ivr.session.reconciler import Adoption
from ivr.session.session import CallSession
from tests.fakes import FakePrompts, MemoryCallLog


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("07700900001", "077009•••01"),
        ("+447700900001", "+44770•••••01"),
        ("2001", "••••"),
        ("", "?"),
    ],
)
def test_a_number_keeps_at_most_its_first_six_and_last_two_characters(
    number: str, masked: str
) -> None:
    assert mask_number(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("07700900123", "07•••••••23"),
        ("+447700900123", "+44••••••••23"),
        ("00447700900123", "00••••••••••23"),
        ("2001", "••••"),
        ("9001234", "•••••••"),
        ("", "?"),
    ],
)
def test_the_console_shows_only_the_kind_of_number_and_its_last_two_digits(
    number: str, masked: str
) -> None:
    """The log mask leaves 1,000 candidates (077009•••23): an operator could guess a
    number without the audited reveal. The console's leaves ten million."""
    assert mask_for_console(number) == masked


def test_numbers_in_free_text_are_masked_and_ids_and_times_are_not() -> None:
    text = (
        "provider: 07700900001 invalid; to +447700900002 via Local/447700900003@ivr-callback"
        " channel 1732456789.42 at 2026-11-24T09:00:00 call pb-1a2b leg-00123456789"
    )
    assert mask_numbers(text) == (
        "provider: 077009•••01 invalid; to +44770•••••02 via Local/447700••••03@ivr-callback"
        " channel 1732456789.42 at 2026-11-24T09:00:00 call pb-1a2b leg-00123456789"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call +44 7700 900123 back", "call +44 77•••••••23 back"),
        ("call 07700 900123 back", "call 07700 ••••23 back"),
        ("call 07700-900-123 back", "call 07700-•••••23 back"),
        ("switchboard 020 7946 0000.", "switchboard 020 79•••••00."),
        ("abroad +44 20 7946 0000", "abroad +44 20••••••••00"),
        ("POST /sms?to=%2B447700900123&ref=9", "POST /sms?to=%2B44770•••••23&ref=9"),
        ("GET /callers%2F07700900123/calls", "GET /callers%2F077009•••23/calls"),
        ("q=%2007700900123", "q=%20077009•••23"),
        # a spaced number between ordinary numbers: only the number
        ("ref 5060 07700 900123 5060", "ref 5060 07700 ••••23 5060"),
    ],
)
def test_spaced_and_url_encoded_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "channel 1732456789.42 answered",
        "leg-00123456789 and cb-00123456789-2.agent1 and pb-0012345678901",
        "bridge 00123456-0000-0000-0000-000000000000",
        "at 2026-11-24T09:00:00 and 2026-11-24 09:00:00+00:00",
        "listening on 127.0.0.1:8088, rtp 10000-20000",
        "took 12.5 s, 0 12 calls, 1500 ms, 30 s ring, 86400 s",
        "id 07700900001abc",
    ],
)
def test_ids_times_and_ordinary_numbers_are_not_masked(text: str) -> None:
    assert mask_numbers(text) == text


def test_the_log_formatter_masks_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(message)s"))
    logger = logging.getLogger("test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError("cannot text 07700900001")
        except ValueError:
            logger.exception("sms to %s failed", "07700900001")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "07700900001" not in out
    assert out.count("077009•••01") == 3  # the message, the source line, the error


async def test_a_new_call_is_logged_with_its_id_and_a_masked_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = Channel.from_json(
        {
            "id": "1732456789.42",
            "name": "PJSIP/trunk-0001",
            "state": "Ring",
            "caller": {"name": "Test", "number": "07700900001"},
            "dialplan": {"app_name": "Stasis", "app_data": "ivr101", "exten": "101"},
        }
    )

    def make(
        channel: Channel, dialled: str, control: AriCallControl, adoption: Adoption | None
    ) -> CallSession:
        info = CallInfo(channel.id, channel.id, channel.caller.number, "", dialled)
        return CallSession(info, control, FakePrompts(), MemoryCallLog(), [], lambda: [])

    with caplog.at_level(logging.INFO, logger="ivr.session.manager"):
        async with aiohttp.ClientSession() as http:
            manager = CallManager(AriClient(http, "http://127.0.0.1:9", "u", "p"), "ivr101", make)
            manager.on_event(
                ari.StasisStarted("StasisStart", "", "ivr101", channel=channel, args=("101",))
            )
            await asyncio.gather(*(c.task for c in manager.calls.values()))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "call 1732456789.42 from 077009•••01 to 101" in logged
    assert "07700900001" not in logged
