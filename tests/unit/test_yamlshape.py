"""One declared shape per mapping: misspelt keys, wrong kinds, missing keys, each on its line."""

from __future__ import annotations

import pytest

from ivr.yamlfile import DataFileError, parse_yaml
from ivr.yamlshape import Kind, Number, Problems, Shape

RULE = Shape(
    {"name": Kind.TEXT, "when": Kind.MAPPING, "then": Kind.MAPPING, "continue": Kind.FLAG},
    required=frozenset({"name", "then"}),
    hint="with name:, when: and then:",
)

GOOD = """\
name: rc-closed
when: {destination: rc}
then:
  divert: fcr
continue: true
"""


def test_a_mapping_that_fits_comes_back_whole_with_its_lines() -> None:
    problems = Problems("rules.yaml")
    node = RULE.check(parse_yaml(GOOD), problems, "rule")
    assert problems.items == []
    assert node == {
        "name": "rc-closed",
        "when": {"destination": "rc"},
        "then": {"divert": "fcr"},
        "continue": True,
    }
    assert node is not None and node.line == 1
    assert node.line_of("then") == 3 and node.line_of("continue") == 5


def test_a_misspelt_key_is_named_on_its_line_with_what_was_expected() -> None:
    problems = Problems("rules.yaml")
    node = RULE.check(parse_yaml("name: a\nthen: {}\nwen: {}\n"), problems, "rule 'a'")
    assert problems.items == [
        "rules.yaml:3: rule 'a': unknown key 'wen' (expected one of continue, name, then, when)"
    ]
    assert node is not None and "wen" not in node


def test_a_value_of_the_wrong_kind_is_reported_and_left_out() -> None:
    problems = Problems("rules.yaml")
    text = "name: a\nthen: {}\ncontinue: maybe\nwhen: [rc]\n"
    node = RULE.check(parse_yaml(text), problems, "rule 'a'")
    assert problems.items == [
        "rules.yaml:3: rule 'a'.continue: expected true or false, not 'maybe'",
        "rules.yaml:4: rule 'a'.when: expected a mapping",
    ]
    assert node is not None and set(node) == {"name", "then"}


def test_a_missing_key_is_reported_at_the_mapping_but_not_one_of_the_wrong_kind() -> None:
    problems = Problems("rules.yaml")
    RULE.check(parse_yaml("\n\nname: 7\nwhen: {}\n"), problems, "rule")
    assert problems.items == [
        "rules.yaml:3: rule.name: expected text, not 7",
        "rules.yaml:3: rule: missing 'then:'",
    ]


def test_no_mapping_at_all_is_reported_at_the_given_line_with_the_hint() -> None:
    problems = Problems("rules.yaml")
    assert RULE.check("just text", problems, "rule", line=12) is None
    assert problems.items == [
        "rules.yaml:12: rule: expected a mapping with name:, when: and then:, not 'just text'"
    ]


def test_top_level_messages_have_no_prefix() -> None:
    problems = Problems("intents.yaml")
    Shape({"intents": Kind.LIST}).check(parse_yaml("intents: []\nextra: 1\n"), problems)
    assert problems.items == ["intents.yaml:2: unknown key 'extra' (expected one of intents)"]


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (Kind.TEXT, "x", 1),
        (Kind.FLAG, False, "no"),
        (Kind.NUMBER, 0.5, True),
        (Kind.WHOLE, 3, 3.5),
        (Kind.MAPPING, {}, []),
        (Kind.LIST, [], {}),
        (Kind.NAMES, ["rc", "fcr"], ["rc", ""]),
        (Kind.NAMES, "rc", []),
    ],
)
def test_each_kind_takes_its_own_values_and_no_others(
    kind: Kind, good: object, bad: object
) -> None:
    assert kind.holds(good)
    assert not kind.holds(bad)
    assert Kind.ANY.holds(bad)


def test_problems_raise_as_the_files_own_error_only_when_there_are_some() -> None:
    class RulesError(DataFileError):
        pass

    problems = Problems("rules.yaml")
    problems.raise_if_any(RulesError)
    problems.add(4, "bad")
    with pytest.raises(RulesError) as caught:
        problems.raise_if_any(RulesError)
    assert caught.value.errors == ["rules.yaml:4: bad"]


def test_a_number_out_of_its_range_names_the_range_and_the_value() -> None:
    shape = Shape(
        {
            "limit": Number(1, 10, whole=True),
            "wait": Number(0, 1440, unit="minutes"),
            "ring_s": Number(1),
        }
    )
    problems = Problems("q.yaml")
    node = shape.check(parse_yaml("limit: 2.5\nwait: -1\nring_s: 0\n"), problems)
    assert problems.items == [
        "q.yaml:1: limit: expected a whole number from 1 to 10, not 2.5",
        "q.yaml:2: wait: expected a number of minutes from 0 to 1440, not -1",
        "q.yaml:3: ring_s: expected a number >= 1, not 0",
    ]
    assert node == {}
    assert shape.check(parse_yaml("limit: 10\nwait: 0.5\nring_s: 86400\n"), problems) == {
        "limit": 10,
        "wait": 0.5,
        "ring_s": 86400,
    }


def test_an_empty_key_is_the_wrong_kind_unless_it_may_be_empty() -> None:
    shape = Shape(
        {"keypad": Kind.MAPPING, "destination": Kind.TEXT}, may_be_empty=frozenset({"keypad"})
    )
    problems = Problems("rules.yaml")
    node = shape.check(parse_yaml("keypad:\ndestination:\n"), problems)
    assert problems.items == ["rules.yaml:2: destination: expected text, not None"]
    assert node == {}
