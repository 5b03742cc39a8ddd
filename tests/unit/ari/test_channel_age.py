"""A channel's age from Asterisk's creationtime: how an adopted call's duration counts
from the caller's start, not from the restart that adopted it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ivr.ari.models import Channel


def channel(creationtime: str) -> Channel:
    return Channel("c1", "PJSIP/c1", "Up", creationtime=creationtime)


def test_a_channels_age_counts_from_asterisks_creationtime() -> None:
    now = datetime(2026, 11, 24, 6, 1, 9, 786000, tzinfo=UTC)
    assert channel("2026-11-24T06:00:59.786+0000").age(now) == timedelta(seconds=10)


def test_a_channel_with_no_readable_creationtime_has_no_age() -> None:
    now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert channel("").age(now) == timedelta(0)
    assert channel("yesterday").age(now) == timedelta(0)


def test_a_channel_created_after_now_by_another_clock_is_not_negative() -> None:
    now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert channel("2026-11-24T06:00:01.000+0000").age(now) == timedelta(0)
