"""Failed sign-ins are limited per name and per address, and the limit lifts with time."""

from __future__ import annotations

from ivr.console.ratelimit import LoginLimiter


class Ticks:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_the_limit_per_name_and_per_address() -> None:
    ticks = Ticks()
    limiter = LoginLimiter(limit=3, window_s=60, clock=ticks)
    for _ in range(3):
        assert limiter.retry_after("alice", "10.0.0.1") == 0
        limiter.failed("alice", "10.0.0.1")
        ticks.t += 1
    assert limiter.retry_after("alice", "10.0.0.2") == 57  # the name, from anywhere
    assert limiter.retry_after("bob", "10.0.0.1") == 57  # the address, for any name
    assert limiter.retry_after("bob", "10.0.0.2") == 0
    ticks.t += 57
    assert limiter.retry_after("alice", "10.0.0.1") == 0


def test_success_clears_the_name_not_the_address() -> None:
    limiter = LoginLimiter(limit=2, window_s=60, clock=Ticks())
    limiter.failed("alice", "10.0.0.1")
    limiter.failed("bob", "10.0.0.1")
    limiter.succeeded("alice")
    assert limiter.retry_after("alice", "10.0.0.2") == 0
    assert limiter.retry_after("carol", "10.0.0.1") > 0


def test_memory_is_bounded() -> None:
    limiter = LoginLimiter(limit=2, window_s=60, clock=Ticks(), max_keys=10)
    for n in range(100):
        limiter.failed(f"user{n}", "")
    assert len(limiter._failures) <= 10
