"""Canned replies: the shipped file reads; the rules folder's own wins; a wrong file
is refused with a sentence naming the file and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.console.chat_replies import (
    FILE_NAME,
    RepliesError,
    load_replies,
    replies_file,
)


def test_the_shipped_replies_read_and_a_rules_folders_own_wins(tmp_path: Path) -> None:
    shipped = load_replies(replies_file(None))
    assert shipped and all(r.label and r.text for r in shipped)
    assert any("999" in r.text for r in shipped)
    assert replies_file(tmp_path) == replies_file(None)  # a folder without one
    (tmp_path / FILE_NAME).write_text('replies:\n  - {label: Hi, text: "Hello!"}\n')
    assert replies_file(tmp_path) == tmp_path / FILE_NAME
    assert [r.to_json() for r in load_replies(tmp_path / FILE_NAME)] == [
        {"label": "Hi", "text": "Hello!"}
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("replies: [", "cannot read"),
        ("- a list", 'expected "replies:"'),
        ("replies:\n  - {label: Hi}\n", "reply 1: give exactly a label and a text"),
        ("replies:\n  - {label: Hi, text: ''}\n", "reply 1: the text is 1 to 2000"),
        ("replies:\n  - {label: '', text: x}\n", "reply 1: the label is 1 to 60"),
        ("replies:\n  - {label: 7, text: x}\n", "the label is"),
        ("replies:\n" + "  - {label: a, text: b}\n" * 51, "at most 50 replies"),
    ],
)
def test_a_wrong_file_says_what_is_wrong(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / FILE_NAME
    path.write_text(text)
    with pytest.raises(RepliesError, match=complaint) as caught:
        load_replies(path)
    assert str(path) in str(caught.value)
