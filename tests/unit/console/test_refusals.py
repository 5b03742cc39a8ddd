"""RefusalAudit: a row per refusal up to a budget per address and in all, per window; what
was not written is counted into the address's next row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr.console.audit import AuditOrigin
from ivr.console.refusals import RefusalAudit


class Rows:
    def __init__(self) -> None:
        self.rows: list[tuple[str, dict[str, Any], str, str]] = []

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
