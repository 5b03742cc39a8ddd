"""One item added to a list in YAML by a textual edit: every style admins write."""

from __future__ import annotations

import pytest
import yaml

from ivr.suggest.yaml_edit import EditError, append_to_list, compose, find_item, flow_scalar


def add(text: str, value: str, key: str = "aliases", entry: str = "b") -> str:
    root = compose(text, "t.yaml")
    after = append_to_list(text, find_item(root, "entries", "id", entry), key, value)
    loaded = yaml.safe_load(after)["entries"]
    mine = next(e for e in loaded if e["id"] == entry)
    got = mine[key]
    assert (got.split("; ")[-1] if isinstance(got, str) else got[-1]) == value
    return after


def test_a_flow_list_gets_one_more_item_and_comments_stay() -> None:
    text = "# head\nentries:\n  - id: b  # the b\n    aliases: [x, y]  # two\n"
    assert (
        add(text, "z: w")
        == "# head\nentries:\n  - id: b  # the b\n    aliases: [x, y, 'z: w']  # two\n"
    )


def test_an_empty_flow_list() -> None:
    assert add("entries:\n- {id: b, aliases: []}\n", "z") == "entries:\n- {id: b, aliases: [z]}\n"


def test_a_block_list_gets_a_line_at_its_indent_after_its_last_item() -> None:
    text = "entries:\n- id: b\n  aliases:\n    - x\n    - y   # last\n  extension: '1'\n"
    assert add(text, "z") == (
        "entries:\n- id: b\n  aliases:\n    - x\n    - y   # last\n    - z\n  extension: '1'\n"
    )


def test_a_missing_key_in_a_flow_mapping_spanning_lines() -> None:
    text = "entries:\n- {id: a}\n- {id: b, kind: person,\n  extension: '4101'}\n"
    assert add(text, "Sal") == (
        "entries:\n- {id: a}\n- {id: b, kind: person,\n  extension: '4101', aliases: [Sal]}\n"
    )


def test_a_missing_key_in_a_block_mapping_goes_after_its_last_key() -> None:
    text = "entries:\n- id: b\n  name: B\n- id: c\n"
    assert add(text, "z") == "entries:\n- id: b\n  name: B\n  aliases: [z]\n- id: c\n"


def test_an_empty_key_and_a_null_one() -> None:
    assert add("entries:\n- id: b\n  aliases:\n", "z") == "entries:\n- id: b\n  aliases: [z]\n"
    assert add("entries:\n- id: b\n  aliases: ~\n", "z") == "entries:\n- id: b\n  aliases: [z]\n"


def test_a_semicolon_string_gets_one_more() -> None:
    assert add("entries:\n- id: b\n  aliases: x; y\n", "z") == (
        "entries:\n- id: b\n  aliases: x; y; z\n"
    )


def test_windows_line_ends_are_kept() -> None:
    text = "entries:\r\n- id: b\r\n  aliases:\r\n  - x\r\n"
    assert add(text, "z") == "entries:\r\n- id: b\r\n  aliases:\r\n  - x\r\n  - z\r\n"


def test_awkward_text_is_quoted() -> None:
    assert yaml.safe_load(f"[{flow_scalar('a, b] # c')}]") == ["a, b] # c"]
    assert yaml.safe_load(f"- {flow_scalar('yes')}") == ["yes"]


def test_what_cannot_be_edited_says_why() -> None:
    with pytest.raises(EditError, match="no id 'c'"):
        find_item(compose("entries:\n- id: b\n", "t"), "entries", "id", "c")
    with pytest.raises(EditError, match="not valid YAML"):
        compose("entries: [", "t")
    with pytest.raises(EditError, match="not a list"):
        add("entries:\n- id: b\n  aliases: {x: 1}\n", "z")
