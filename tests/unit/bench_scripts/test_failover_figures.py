"""The failover bench's figures: spreads over runs, and `ivr serve` log lines read back
into times and kinds of message."""

from __future__ import annotations

import logging

import pytest

from bench.failover_figures import (
    LogRecord,
    RunFigures,
    Spread,
    log_epoch,
    log_records,
    message_kind,
    nearest_rank,
    summary,
)
from ivr.cli import LOG_FORMAT


def test_a_quantile_is_a_value_some_run_had() -> None:
    ten = [float(n) for n in range(10, 0, -1)]
    assert nearest_rank(ten, 0.5) == 5.0
    assert nearest_rank(ten, 0.95) == 10.0
    assert nearest_rank([3.0], 0.5) == 3.0


def test_a_figure_a_run_never_reached_is_left_out_of_its_spread() -> None:
    assert Spread.of([None, 2.0, 1.0, 4.0]) == Spread(2.0, 4.0, 4.0, runs=3)
    assert Spread.of([None, None]) is None


def test_the_time_of_a_log_line_is_the_moment_ivr_serve_logged_it() -> None:
    record = logging.LogRecord("ivr.ha", logging.INFO, __file__, 1, "active: b", None, None)
    record.created, record.msecs = 1_764_835_591.25, 250.0
    line = logging.Formatter(LOG_FORMAT).format(record)
    assert log_epoch(line) == pytest.approx(1_764_835_591.25, abs=0.001)
    assert log_epoch("Traceback (most recent call last):") is None


def test_a_traceback_belongs_to_the_record_before_it_with_its_exception_kept() -> None:
    lines = [
        "2026-12-04 08:10:39,934 ERROR ivr.store.retention: retention: purge failed",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in f',
        "TypeError: execute() argument 1 must be str, not Guard",
        "2026-12-04 08:10:40,001 INFO ivr.ha.leadership: standby: a holds; b waits",
    ]
    first, second = log_records(lines)
    assert str(first) == f"{lines[0]} | {lines[3]}"
    assert second == LogRecord(log_epoch(lines[4]) or 0.0, lines[4])


def test_the_same_message_about_different_calls_is_one_kind() -> None:
    one = "2026-12-04 08:11:06,056 WARNING x: no PlaybackFinished for pb-1a2b on caller-3;2"
    other = "2026-12-04 08:11:07,100 WARNING x: no PlaybackFinished for pb-9f on caller-17;2"
    assert (
        message_kind(one)
        == message_kind(other)
        == ("WARNING x: no PlaybackFinished for <id> on <id>")
    )


def test_the_summary_adds_up_losses_and_failures_over_the_runs() -> None:
    runs = [
        RunFigures(1, t_lease=4.0, t_heard=9.0, key_to_ring=5.5, calls=20, lost=1),
        RunFigures(2, t_lease=5.0, calls=20, failed="TimeoutError: menu"),
    ]
    text = "\n".join(summary(runs))
    assert "t_lease (kill → b 'active:')" in text and "4.00 / 5.00 / 5.00 s (2 runs)" in text
    assert "3.50 / 3.50 / 3.50 s (1 runs)" in text  # what the failover added, run 1 only
    assert "calls lost 1 of 40" in text
    assert "runs failed 1" in text
