"""Canned replies for the chat desk: a short list a force keeps beside its rules
(``chat_replies.yaml`` in the rules folder; the shipped one where the folder has none).

Read once when the app starts; a wrong file stops the start with a sentence naming the
file and the entry, as the other files of the rules folder do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ivr.shipped import ROUTING_RULES

FILE_NAME = "chat_replies.yaml"
MAX_REPLIES = 50
MAX_LABEL = 60
MAX_TEXT = 2000  # a chat message's limit (ivr.chat.hub)


class RepliesError(ValueError):
    error_id = "chat-replies-invalid"


@dataclass(frozen=True)
class CannedReply:
    label: str  # what the desk lists
    text: str  # what the caller reads

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "text": self.text}


def replies_file(rules_dir: Path | None) -> Path:
    """The rules folder's file if it has one, else the shipped one."""
    if rules_dir is not None and (rules_dir / FILE_NAME).is_file():
        return rules_dir / FILE_NAME
    return ROUTING_RULES / FILE_NAME


def load_replies(path: Path) -> tuple[CannedReply, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RepliesError(f"{path}: cannot read the canned replies: {exc}") from None
    entries = data.get("replies") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RepliesError(f'{path}: expected "replies:" with a list of label and text')
    if len(entries) > MAX_REPLIES:
        raise RepliesError(f"{path}: at most {MAX_REPLIES} replies, not {len(entries)}")
    return tuple(_reply(path, n, entry) for n, entry in enumerate(entries, 1))


def _reply(path: Path, n: int, entry: Any) -> CannedReply:
    where = f"{path}: reply {n}"
    if not isinstance(entry, dict) or set(entry) != {"label", "text"}:
        raise RepliesError(f"{where}: give exactly a label and a text")
    label, text = entry["label"], entry["text"]
    if not isinstance(label, str) or not 0 < len(label.strip()) <= MAX_LABEL:
        raise RepliesError(f"{where}: the label is 1 to {MAX_LABEL} characters of text")
    if not isinstance(text, str) or not 0 < len(text.strip()) <= MAX_TEXT:
        raise RepliesError(f"{where}: the text is 1 to {MAX_TEXT} characters")
    return CannedReply(label.strip(), text.strip())
