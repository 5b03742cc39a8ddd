"""Failed sign-ins are limited per (name, address) and, more loosely, per address; an
attempt counts before its password is checked; the limit lifts with time."""

from __future__ import annotations

from ivr.console.ratelimit import (
    Limited,
    LimitKey,
    LoginLimiter,
    Pending,
    RefusalTally,
    Scope,
    address_group,
)


class Ticks:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _fail(limiter: LoginLimiter, name: str, client: str) -> None:
    pending = limiter.begin(name, client)
    assert isinstance(pending, Pending), pending
    limiter.failed(pending)


def _wait(limiter: LoginLimiter, name: str, client: str) -> int:
    """Seconds a new attempt must wait (0: it may go ahead; it is then abandoned)."""
    pending = limiter.begin(name, client)
    if isinstance(pending, Limited):
        return pending.retry_after
    limiter.abandoned(pending)
    return 0


def test_the_hard_limit_is_per_name_at_one_address() -> None:
    ticks = Ticks()
    limiter = LoginLimiter(limit=3, window_s=60, clock=ticks)
    for _ in range(3):
        assert _wait(limiter, "alice", "10.0.0.1") == 0
        _fail(limiter, "alice", "10.0.0.1")
        ticks.t += 1
    assert _wait(limiter, "alice", "10.0.0.1") == 57
    # Neither the operator at another desk nor the same desk's other names are locked out.
    assert _wait(limiter, "alice", "10.0.0.2") == 0
    assert _wait(limiter, "bob", "10.0.0.1") == 0
    ticks.t += 57
    assert _wait(limiter, "alice", "10.0.0.1") == 0


def test_one_address_spraying_names_meets_the_looser_address_limit() -> None:
    limiter = LoginLimiter(limit=2, window_s=60, clock=Ticks(), address_factor=4)
    for n in range(8):
        _fail(limiter, f"user{n}", "10.0.0.1")
    limited = limiter.begin("someone", "10.0.0.1")
    assert isinstance(limited, Limited) and limited.key.scope is Scope.ADDRESS
    assert _wait(limiter, "someone", "10.0.0.2") == 0


def test_an_attempt_counts_before_its_check_and_one_at_a_time_per_name_and_address() -> None:
    limiter = LoginLimiter(limit=5, window_s=60, clock=Ticks())
    started = [limiter.begin("alice", "10.0.0.1") for _ in range(40)]
    assert sum(isinstance(p, Pending) for p in started) == 1  # the rest refused at once
    assert all(p.retry_after >= 1 for p in started if isinstance(p, Limited))
    first = started[0]
    assert isinstance(first, Pending)
    limiter.failed(first)
    # Even settled one at a time, no more than the limit get a password check.
    checked = 0
    for _ in range(40):
        pending = limiter.begin("alice", "10.0.0.1")
        if isinstance(pending, Pending):
            checked += 1
            limiter.failed(pending)
    assert checked == 5 - 1  # the first was one of the five


def test_success_takes_back_the_pending_failure_and_clears_the_name_at_the_address() -> None:
    limiter = LoginLimiter(limit=2, window_s=60, clock=Ticks(), address_factor=1)
    _fail(limiter, "alice", "10.0.0.1")
    pending = limiter.begin("alice", "10.0.0.1")
    assert isinstance(pending, Pending)
    limiter.succeeded(pending)
    assert _wait(limiter, "alice", "10.0.0.1") == 0
    _fail(limiter, "bob", "10.0.0.1")  # the address's count: alice's failure and bob's
    assert _wait(limiter, "carol", "10.0.0.1") > 0


def test_an_abandoned_attempt_is_not_a_failure() -> None:
    limiter = LoginLimiter(limit=1, window_s=60, clock=Ticks())
    for _ in range(3):
        pending = limiter.begin("alice", "10.0.0.1")
        assert isinstance(pending, Pending)
        limiter.abandoned(pending)


def test_ipv6_clients_are_grouped_by_64() -> None:
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:bbbb::9")
    assert address_group("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_group("2001:db8:1:3::1") != address_group("2001:db8:1:2::1")
    assert address_group("::ffff:10.0.0.1") == "10.0.0.1"
    assert address_group("10.0.0.1") == "10.0.0.1"
    assert address_group("") == ""
    limiter = LoginLimiter(limit=1, window_s=60, clock=Ticks())
    _fail(limiter, "alice", "2001:db8::1")
    assert _wait(limiter, "alice", "2001:db8::ffff") > 0


def test_memory_is_bounded() -> None:
    limiter = LoginLimiter(limit=2, window_s=60, clock=Ticks(), max_keys=10)
    for n in range(100):
        _fail(limiter, f"user{n}", f"10.0.{n}.1")
    assert len(limiter._failures) <= 10


def test_the_tally_says_first_per_window_then_how_many_were_not() -> None:
    ticks = Ticks()
    tally = RefusalTally(window_s=60, clock=ticks)
    key = LimitKey(Scope.USER_AT, "10.0.0.1", "alice")
    assert tally.first(key) == (True, 0)
    assert [tally.first(key) for _ in range(3)] == [(False, 0)] * 3
    assert tally.first(LimitKey(Scope.ADDRESS, "10.0.0.1")) == (True, 0)
    ticks.t += 60
    assert tally.first(key) == (True, 3)
