"""Case statuses as a caller may hear them: the fixed keyword table and the admin's pin."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.prompts import PromptCatalogue
from ivr.routing.case_status import PublicStatus, public_status_of
from ivr.routing.cases import CaseBook, CasesError

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("status", "public"),
    [
        ("closed - no further action", PublicStatus.CLOSED_NFA),
        ("Closed: NFA", PublicStatus.CLOSED_NFA),
        ("filed", PublicStatus.CLOSED_NFA),
        ("closed - charged", PublicStatus.CLOSED),  # closed outranks what it was closed with
        ("finalised", PublicStatus.CLOSED),
        ("with CPS", PublicStatus.WITH_PROSECUTORS),
        ("charged", PublicStatus.WITH_PROSECUTORS),
        ("awaiting CCTV", PublicStatus.AWAITING_INFORMATION),
        ("awaiting forensics", PublicStatus.AWAITING_INFORMATION),
        ("under investigation", PublicStatus.UNDER_INVESTIGATION),
        ("suspect identified", PublicStatus.UNDER_INVESTIGATION),
        ("new", PublicStatus.RECEIVED),
        # Words the table does not know are "open", never a guess at "investigated".
        ("with DC Smith re: Mr Jones", PublicStatus.OPEN),
        ("", PublicStatus.OPEN),
        ("renewed", PublicStatus.OPEN),  # whole words only: not "new"
        # A negated keyword does not count: the status falls through the table.
        ("not charged", PublicStatus.OPEN),
        ("CPS declined to charge", PublicStatus.OPEN),
        ("reopened - not closed", PublicStatus.OPEN),
        ("never charged", PublicStatus.OPEN),
        ("charges withdrawn at court", PublicStatus.OPEN),
        ("not closed - awaiting CCTV", PublicStatus.AWAITING_INFORMATION),
        ("not with CPS, under investigation", PublicStatus.UNDER_INVESTIGATION),
        ("not charged yet, closed", PublicStatus.CLOSED),  # the un-negated keyword counts
        ("closed - no further action", PublicStatus.CLOSED_NFA),  # its own "no" is no negation
        ("closed-no further action", PublicStatus.CLOSED_NFA),
    ],
)
def test_the_keyword_table(status: str, public: PublicStatus) -> None:
    assert public_status_of(status) is public


def test_every_shipped_status_has_a_meaning_the_table_knows() -> None:
    book = CaseBook.load_csv(ROOT / "routing_rules" / "cases.csv")
    unread = {case.status for case in book if case.public_status is PublicStatus.OPEN}
    assert not unread


def test_every_public_status_has_its_prompt() -> None:
    catalogue = PromptCatalogue.load(ROOT / "prompts" / "catalogue.yaml")
    for public in PublicStatus:
        assert public.prompt in catalogue.ids, public
        assert public.sentence


def test_the_public_status_column_pins_a_case_and_bad_words_are_listed() -> None:
    book = CaseBook.parse_csv(
        "reference,officer_id,status,public_status\n"
        "42/18734/24,p-1,suspect named Smith,Under Investigation\n"
        "42/18735/24,p-1,closed - no further action,\n"
    )
    pinned = book.get("42/18734/24")
    assert pinned is not None and pinned.public_status is PublicStatus.UNDER_INVESTIGATION
    read = book.get("42/18735/24")
    assert read is not None and (read.pinned, read.public_status) == (None, PublicStatus.CLOSED_NFA)
    with pytest.raises(CasesError) as raised:
        CaseBook.parse_csv(
            "reference,officer_id,status,public_status\n42/18734/24,p-1,x,solved\n", "cases.csv"
        )
    (error,) = raised.value.errors
    assert error.startswith("cases.csv:2: public_status 'solved' is not one of received,")
