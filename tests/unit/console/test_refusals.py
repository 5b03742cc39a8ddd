"""RefusalAudit: a row per refusal up to a budget per address and in all, per window; what
was not written is counted into the address's next row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr.console.audit import AuditOrigin
from ivr.console.refusals import (
    ROWS_IN_ALL,
    ROWS_PER_ADDRESS,
    SUMMARY_WHO,
    WINDOW_S,
    RefusalAudit,
)


class Rows:
    def __init__(self) -> None:
        self.rows: list[tuple[str, dict[str, Any], str, str]] = []
        self.actions: list[str] = []

    def record(
        self,
        who: str,
        action: str,
        detail: Mapping[str, Any],
        *,
        client: str | None = None,
        session: str | None = None,
    ) -> None:
        self.rows.append((who, dict(detail), client or "", session or ""))
        self.actions.append(action)


class Seconds:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_past_the_budget_refusals_are_counted_into_the_next_window_s_first_row() -> None:
    rows, clock = Rows(), Seconds()
    refusals = RefusalAudit(rows, rows_per_address=2, window_s=60.0, clock=clock)
    here = AuditOrigin("10.0.0.1", "ab12cd34")
    written = [refusals.refused("ann", "csrf-refused", {"n": n}, here) for n in range(5)]
    assert written == [True, True, False, False, False]
    clock.now += 60.0
    assert refusals.refused("ann", "csrf-refused", {"n": 5}, here)
    assert rows.rows == [
        ("ann", {"n": 0}, "10.0.0.1", "ab12cd34"),
        ("ann", {"n": 1}, "10.0.0.1", "ab12cd34"),
        ("ann", {"n": 5, "unaudited_before": 3}, "10.0.0.1", "ab12cd34"),
    ]


def test_each_address_has_its_own_budget_an_ipv6_64_is_one_address_and_all_share_a_cap() -> None:
    rows, clock = Rows(), Seconds()
    refusals = RefusalAudit(rows, rows_per_address=1, rows_in_all=3, clock=clock)
    assert refusals.refused("api-token", "x", {}, AuditOrigin("2001:db8::1"))
    assert not refusals.refused("api-token", "x", {}, AuditOrigin("2001:db8::2"))  # same /64
    assert refusals.refused("api-token", "x", {}, AuditOrigin("10.0.0.1"))
    assert refusals.refused("api-token", "x", {}, AuditOrigin("10.0.0.2"))
    assert not refusals.refused("api-token", "x", {}, AuditOrigin("10.0.0.3"))  # 3 in all
    clock.now += 60.0
    assert refusals.refused("api-token", "x", {}, AuditOrigin("10.0.0.3"))
    assert rows.rows[-1] == ("api-token", {"unaudited_before": 1}, "10.0.0.3", "")


def test_memory_is_bounded_the_oldest_address_forgotten_first() -> None:
    rows, clock = Rows(), Seconds()
    refusals = RefusalAudit(rows, rows_per_address=1, max_addresses=2, clock=clock)
    for n in range(3):
        clock.now += 1
        refusals.refused("api-token", "x", {}, AuditOrigin(f"10.0.0.{n}"))
    assert refusals.refused("api-token", "x", {}, AuditOrigin("10.0.0.0"))  # forgotten: anew
    assert not refusals.refused("api-token", "x", {}, AuditOrigin("10.0.0.2"))


def test_the_least_recently_refused_address_is_forgotten_not_the_first_seen() -> None:
    """LRU: an address refused again just now is kept over one quiet since."""
    rows, clock = Rows(), Seconds()
    refusals = RefusalAudit(rows, rows_per_address=1, max_addresses=2, clock=clock)
    a, b, c = (AuditOrigin(f"10.0.0.{n}") for n in (1, 2, 3))
    assert refusals.refused("api-token", "x", {}, a)
    clock.now += 1
    assert refusals.refused("api-token", "x", {}, b)
    clock.now += 1
    assert not refusals.refused("api-token", "x", {}, a)  # a: over its budget, and recent
    assert refusals.refused("api-token", "x", {}, c)  # b, least recently refused, goes
    assert not refusals.refused("api-token", "x", {}, a)  # a still remembered: no new row
    assert refusals.refused("api-token", "x", {}, b)  # b forgotten: a row anew


def test_a_flood_from_many_addresses_writes_the_budget_then_one_summary_row_a_window() -> None:
    """Each new IPv6 /64 is a new address: past the overall budget, the window's refusals
    are one summary row (how many, from how many addresses, of which kinds), written when
    the next window begins; at most ROWS_IN_ALL + 1 rows a window however many come."""
    rows, clock = Rows(), Seconds()
    refusals = RefusalAudit(rows, clock=clock)
    for n in range(5000):
        origin = AuditOrigin(f"2001:db8:{n // 65536:x}:{n % 65536:x}::1")
        action = "csrf-refused" if n % 2 else "api-token-refused"
        refusals.refused("api-token", action, {}, origin)
    assert len(rows.rows) == ROWS_IN_ALL
    clock.now += WINDOW_S
    refusals.refused("api-token", "api-token-refused", {}, AuditOrigin("10.0.0.1"))
    assert len(rows.rows) == ROWS_IN_ALL + 2
    who, detail, client, session = rows.rows[ROWS_IN_ALL]
    assert (who, client, session) == (SUMMARY_WHO, "", "")
    assert rows.actions[ROWS_IN_ALL] == "refusals-unaudited"
    assert detail == {
        "refused": 5000 - ROWS_IN_ALL,
        "addresses": 5000 - ROWS_IN_ALL,
        "actions": {
            "api-token-refused": 2500 - (ROWS_IN_ALL + 1) // 2,
            "csrf-refused": 2500 - ROWS_IN_ALL // 2,
        },
        "window_s": WINDOW_S,
    }
    assert rows.rows[-1] == ("api-token", {}, "10.0.0.1", "")
    assert ROWS_IN_ALL + 1 <= 6 and WINDOW_S >= 60  # ≤ 6 rows a minute, not 100


def test_a_window_within_its_overall_budget_writes_no_summary() -> None:
    """One address past its own budget: its next row says how many it missed; no summary."""
    rows, clock = Rows(), Seconds()
    refusals = RefusalAudit(rows, clock=clock)
    here = AuditOrigin("10.0.0.1")
    for _ in range(ROWS_PER_ADDRESS + 2):
        refusals.refused("ann", "csrf-refused", {}, here)
    clock.now += WINDOW_S
    assert refusals.refused("ann", "csrf-refused", {}, here)
    assert [who for who, *_ in rows.rows] == ["ann"] * (ROWS_PER_ADDRESS + 1)
    assert rows.rows[-1][1] == {"unaudited_before": 2}
