"""The miner over a call log written by the real writer, against the shipped rules."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ivr.routing.bundle import load_bundle
from ivr.routing.intents import IntentMatcher
from ivr.suggest.calls import CallLogReader
from ivr.suggest.miner import RulesInForce, SuggestionMiner
from ivr.suggest.model import LoggedCall, Suggestion, SuggestionKind
from ivr.suggest.settings import SuggestSettings
from tests.unit.suggest.logged import (
    CUSTODY,
    LOST,
    OTHERS,
    START,
    Caller,
    prisoner_calls,
    write_log,
)


@pytest.fixture(scope="module")
def rules() -> RulesInForce:
    bundle = load_bundle()
    assert isinstance(bundle.intents, IntentMatcher)
    return RulesInForce(bundle.directory, bundle.intents.intents)


async def logged(where: Path, callers: list[Caller]) -> list[LoggedCall]:
    """The calls as the miner reads them; ``where``: a folder, or the database file."""
    path = where if where.suffix == ".db" else where / "calls.db"
    await write_log(path, callers)
    reader = CallLogReader(path)
    try:
        return list(reader.calls(START - timedelta(days=1), START + timedelta(days=30)))
    finally:
        reader.close()


def of_kind(found: list[Suggestion], kind: SuggestionKind) -> list[Suggestion]:
    return [s for s in found if s.kind is kind]


async def test_seven_prisoner_calls_moved_to_custody_suggest_the_alias(
    tmp_path: Path, rules: RulesInForce
) -> None:
    calls = await logged(tmp_path, prisoner_calls())
    found = SuggestionMiner(rules).suggest(calls)
    (alias,) = of_kind(found, SuggestionKind.ALIAS)
    assert (alias.target, alias.text, alias.destination, alias.count) == (
        "custody-enquiries", "prisoner", CUSTODY, 7,
    )  # fmt: skip
    assert [c.call_id for c in alias.calls] == [f"pris-{n}" for n in range(7)]
    assert {(c.source, c.destination) for c in alias.calls} == {("online", CUSTODY)}
    assert alias.calls[1].said == "I want to visit a prisoner"
    assert alias.headline == (
        "callers saying 'prisoner' were moved from online to Custody Enquiries 7 times:"
        " add alias 'prisoner' to custody-enquiries?"
    )
    assert "7 of the 7 calls that said 'prisoner'" in alias.why
    first, last = alias.period
    assert first < last and first.startswith("2026-11-02T09:03")


async def test_a_word_unmoved_callers_say_as_often_suggests_nothing(
    tmp_path: Path, rules: RulesInForce
) -> None:
    moved = [
        Caller(f"phone-{n}", f"about my phone {what}", "rc", LOST)
        for n, what in enumerate(["screen", "charger", "case", "contract", "sim"])
    ]
    alike = [Caller(f"unmoved-{n}", f"my phone was {what}", "rc") for n, what in
             enumerate(["stolen", "taken", "snatched", "nicked", "grabbed", "lifted"])]  # fmt: skip
    miner = SuggestionMiner(rules)
    without = miner.suggest(await logged(tmp_path / "a.db", [*moved, *unmoved()]))
    assert [s.text for s in of_kind(without, SuggestionKind.ALIAS)] == ["phone"]
    with_them = miner.suggest(await logged(tmp_path / "b.db", [*moved, *alike, *unmoved()]))
    assert of_kind(with_them, SuggestionKind.ALIAS) == []  # 5 of 11 saying it: no clue


def unmoved() -> list[Caller]:
    return [Caller(f"other-{n}", said, "rc") for n, said in enumerate(OTHERS)]


async def test_an_existing_alias_is_never_suggested(tmp_path: Path, rules: RulesInForce) -> None:
    moved = [
        Caller(f"cs-{n}", f"custody suite {what}", "online", CUSTODY)
        for n, what in enumerate(["opening", "visiting", "phone", "address"])
    ]
    calls = await logged(tmp_path, [*moved, *unmoved()])
    found = SuggestionMiner(rules).suggest(calls)
    assert of_kind(found, SuggestionKind.ALIAS) == []  # "custody suite", "suite": its alias


async def test_too_few_calls_suggest_nothing(tmp_path: Path, rules: RulesInForce) -> None:
    calls = await logged(tmp_path, prisoner_calls())
    strict = SuggestionMiner(rules, SuggestSettings(min_calls=8))
    assert strict.suggest(calls) == []


FIGHTS = [
    "there's a fight outside the takeaway",
    "a fight going on outside the takeaway",
    "fight outside the kebab takeaway now",
]


async def test_re_transfers_to_the_fcr_suggest_an_example_for_incident(
    tmp_path: Path, rules: RulesInForce
) -> None:
    fights = [Caller(f"fight-{n}", said, "rc", "fcr") for n, said in enumerate(FIGHTS)]
    taught = [  # already like report_crime's examples: nothing to teach
        Caller(f"back-{n}", "I want to report a burglary", "fcr", "rc") for n in range(3)
    ]
    calls = await logged(tmp_path, [*fights, *taught, *unmoved()])
    (example,) = of_kind(SuggestionMiner(rules).suggest(calls), SuggestionKind.EXAMPLE)
    assert (example.target, example.text, example.destination) == (
        "incident", "there's a fight outside the takeaway", "fcr",
    )  # fmt: skip
    assert [c.call_id for c in example.calls] == ["fight-0", "fight-1", "fight-2"]
    assert example.sources == ("rc",)
    assert example.headline.endswith(
        'add example "there\'s a fight outside the takeaway" to intent incident?'
    )
    assert "nearest example of incident is" in example.why


async def test_moves_that_say_nothing_of_the_words_are_not_counted(
    tmp_path: Path, rules: RulesInForce
) -> None:
    closed = [
        Caller(c.call_id, c.said, c.routed_to, c.moved_to, "destination-closed")
        for c in prisoner_calls()
    ]
    assert SuggestionMiner(rules).suggest(await logged(tmp_path, closed)) == []


async def test_the_order_is_fixed_and_each_suggestion_is_there_once(
    tmp_path: Path, rules: RulesInForce
) -> None:
    fights = [Caller(f"fight-{n}", said, "rc", "fcr") for n, said in enumerate(FIGHTS)]
    calls = await logged(tmp_path, [*prisoner_calls(), *fights])
    miner = SuggestionMiner(rules)
    found = miner.suggest(calls)
    assert [(s.kind, s.count) for s in found] == [
        (SuggestionKind.ALIAS, 7), (SuggestionKind.EXAMPLE, 3),
    ]  # fmt: skip
    assert miner.suggest(list(reversed(calls))) == found
