"""Live chat in the figures (issue 17): offered, taken, never opened, and the chats
themselves, counted apart from abandonment; a call sent to chat is a deflection. From a
SQLite file or PostgreSQL alike (``db_location``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ivr.analysis.kpis import KpiCollector, Kpis
from ivr.analysis.reader import CallLogSource, Period
from ivr.analysis.report import ReportInput, render
from ivr.analysis.stored import CallbackFigures, TextFigures, chat_figures
from ivr.chat.model import ChatCounts, ChatOutcome
from ivr.store.db import CallStore, iso
from ivr.store.engine import open_database
from tests.unit.analysis.handlog import DAY, Call, keyed, write_log
from tests.unit.store.rows import insert_all

Event = tuple[float, str, dict[str, Any]]
TO_CHAT: list[Event] = [
    (10, "chat-offered", {"wait_min": 4}),
    (20, "chat-accepted", {"wait_min": 4}),
    (20, "deflected", {"channel": "chat-link"}),
]
CHAT_CALLS = [
    # I took the link and never opened it (the chore's event comes after the call ended).
    Call("I", 0, "deflected:chat", "hangup:chat_sms_sent", 30, "chat",
         [*TO_CHAT, (1900, "chat-link-expired", {"link_id": "l-1"})], [(5, keyed("online", "5"))]),
    Call("J", 10, "deflected:chat", "hangup:chat_sms_sent", 30, "chat", TO_CHAT),
    Call("K", 20, "transferred", "transfer:rc", 90, "rc",
         [(10, "chat-offered", {"wait_min": 2}), (20, "chat-declined", {"answer": "key 2"})]),
    Call("L", 30, "deflected", "hangup:online_sms_sent", 30, "online",
         [(5, "chat-not-offered", {"reason": "no chat agent signed in"}),
          (10, "link-offered", {}), (20, "deflected", {"channel": "sms-link"})]),
    Call("M", 40, "abandoned", "route:main_menu", 20, "",
         [(2, "redial-of", {"linked_call_id": "I", "after_s": 2000.0, "after": "deflected:chat"})]),
    # O said yes but the text could not be stored: its link expires, never counted as one.
    Call("O", 45, "transferred", "transfer:rc", 90, "rc",
         [(10, "chat-offered", {"wait_min": 2}), (20, "chat-link-not-sent", {}),
          (1900, "chat-link-expired", {"link_id": "l-9"})]),
    Call("N", 50, "abandoned", "play:welcome", 5,
         events=[(2, "redial-of", {"linked_call_id": "M", "after_s": 60.0})]),
]  # fmt: skip


@pytest.fixture
def db(db_location: str) -> str:
    return write_log(db_location, CHAT_CALLS)


def kpis(db: str) -> Kpis:
    collector = KpiCollector()
    with CallLogSource(db) as log:
        for journey in log.journeys(Period()):
            collector.add(journey)
    return collector.figures()


def test_chat_is_counted_apart_and_a_call_sent_to_chat_is_a_deflection(db: str) -> None:
    k = kpis(db)
    assert k.chat == ChatCounts(offered=4, accepted=2, link_expired=1)
    assert k.chat_not_offered == {"no chat agent signed in": 1}
    assert k.offers.deflected == 3  # I and J to chat, L online
    assert k.outcomes["deflected:chat"] == 2 and k.abandoned == 2  # M and N only
    assert k.routes["chat"] == 2  # a route of its own, not "directory"
    assert (k.callers.redials, k.callers.redials_after_chat) == (1, 1)


def add_chats(db: str) -> None:
    """Chats as ivr.chat.store keeps them (the migrated table; the columns figures read)."""

    def at(minutes: float) -> str:
        return iso(DAY + timedelta(minutes=minutes))

    rows = [
        ("c1", "J", at(5), at(7), "closed", "advice-given"),  # waited 120 s
        ("c2", "X", at(10), at(15), "closed", "report-taken"),  # 300 s
        ("c3", "Y", at(20), "", "waiting", ""),  # nobody yet
        ("c4", "Z", at(25), at(26), "closed", "something-new"),  # a later release's outcome
        ("c5", "W", at(60 * 24 * 3), at(60 * 24 * 3 + 1), "closed", "advice-given"),  # later
    ]
    names = ("chat_id", "call_id", "opened_at", "answered_at", "state", "outcome")
    database = open_database(db)
    chats = [{**dict(zip(names, row, strict=True)), "priority": 1, "context": "{}"} for row in rows]
    insert_all(database, "chats", chats)
    database.close()


def test_the_chats_table_gives_opened_answered_waits_and_outcomes(db: str) -> None:
    add_chats(db)
    period = Period(DAY, DAY + timedelta(days=1))
    with CallLogSource(db) as log:
        counts = chat_figures(log, period, ChatCounts(offered=3, accepted=2, link_expired=1))
    assert (counts.offered, counts.accepted, counts.link_expired) == (3, 2, 1)
    assert (counts.opened, counts.answered) == (4, 3)
    assert sorted(counts.waits_s) == [60.0, 120.0, 300.0]
    assert counts.outcomes == {ChatOutcome.ADVICE_GIVEN: 1, ChatOutcome.REPORT_TAKEN: 1}


def test_without_a_chats_table_the_calls_counts_stand_alone(db: str) -> None:
    database = open_database(db)  # a database from before live chat's migration
    database.execute("DROP TABLE chat_messages")
    database.execute("DROP TABLE chats")
    database.close()
    calls = ChatCounts(offered=3, accepted=2, link_expired=1)
    with CallLogSource(db) as log:
        assert chat_figures(log, Period(), calls) is calls


def test_the_report_has_a_chat_section_apart_from_abandonment(db: str) -> None:
    add_chats(db)
    k = kpis(db)
    with CallLogSource(db) as log:
        chat = chat_figures(log, Period(DAY, DAY + timedelta(days=1)), k.chat)
    none = CallbackFigures(0, 0, 0, 0, 0, 0)
    page = render(ReportInput("t", "p", k, none, TextFigures(0, 0, {}), 0.8, chat))
    section = page.split("<h2>Live chat (counted apart from abandonment)</h2>")[1]
    section = section.split("</section>")[0]
    assert "<td>took the chat link (ended deflected:chat)</td><td>2 (50.0%)</td>" in section
    assert "<td>link never opened in time</td><td>1 (50.0%)</td>" in section
    assert "<td>chats an agent joined</td><td>3 (75.0%)</td>" in section
    assert "<td>average chat wait (opened to an agent joining)</td><td>160 s</td>" in section
    assert "<td>no chat agent signed in</td><td>1</td>" in section
    assert "<td>advice-given</td><td>1</td>" in section


def test_the_interval_view_counts_a_call_sent_to_chat_as_deflected(db: str) -> None:
    store = CallStore(db)
    try:
        rows = store.db.query("SELECT interval_start_utc, deflected FROM v_calls_by_interval")
    finally:
        store.close()
    assert sum(row["deflected"] for row in rows) == 3
