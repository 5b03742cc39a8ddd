"""The chat load bench on a tiny case: it runs the real app in a child process, and
prints its figures with the command; every message arrives once. No timing asserted."""

from __future__ import annotations

import pytest

from bench.chat_load import PER_MINUTE, Plan, main, parse

FIGURES = (
    "command: .venv/bin/python bench/chat_load.py --quick",
    "chats: 20 open, held by 4 agents x 5",
    "file descriptor limit:",
    "memory before chats (agents at desks): VmRSS",
    "memory with all chats open: VmRSS",
    "memory per open chat:",
    "messages: 80 sent",
    "delivery p50 / p95 / p99 / max (all):",
    "delivery p50 / p95 / p99 / max (caller -> agent):",
    "delivery p50 / p95 / p99 / max (agent -> caller):",
    "lost: 0, duplicated: 0, misdelivered: 0, refused: 0",
)


def test_a_quick_run_prints_every_figure_and_loses_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    missing = [f for f in FIGURES if f not in out]
    assert not missing, out
    assert "exit code 0" in out  # the app shut down cleanly


def test_a_caller_never_sends_over_the_pages_rate_limit() -> None:
    fast = Plan(chats=2, agents=1, per_agent=2, messages=PER_MINUTE + 1, rate=1000.0)
    assert fast.round_s * PER_MINUTE > 60.0  # no minute holds more than PER_MINUTE rounds
    few = Plan(chats=2, agents=1, per_agent=2, messages=PER_MINUTE, rate=1000.0)
    assert few.round_s == pytest.approx(4 / 1000.0)  # within the limit: the rate alone


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--chats", "11", "--agents", "2", "--per-agent", "5"], "fewer than --chats 11"),
        (["--messages", "0"], "--messages must be at least 1"),
        (["--rate", "0"], "--rate must be above 0"),
        (["--chats", "many"], "invalid int value"),
    ],
)
def test_bad_options_are_refused_with_why(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse(argv)
    assert says in capsys.readouterr().err
