"""Retention for live chat's tables (ivr.store.chat_tables), at the calls' two ages.

- after ``records_days``: a chat and its transcript (what the caller wrote, like a call's
  decisions) by when it opened; a link (its call's context) by when it was texted.
- after ``numbers_days``: the number a link was texted to (kept until then only for a
  callback asked from the chat).

Each is a ``... LIMIT ?`` statement the purge repeats, a short transaction each
(ivr.store.retention); messages go before their chat (a foreign key), by their key
(chat, seq): SQL both engines run, no SQLite rowid.
"""

from __future__ import annotations

ChatStep = tuple[str, str, list[object]]  # the report's step name, its SQL, its params


def chat_steps(records_cutoff: str, numbers_cutoff: str) -> list[ChatStep]:
    """The purge's chat steps, deletes first, for cutoffs in ``iso`` form."""
    return [
        (
            "chat messages deleted",
            "DELETE FROM chat_messages WHERE (chat_id, seq) IN (SELECT m.chat_id, m.seq"
            " FROM chat_messages m JOIN chats c ON c.chat_id = m.chat_id"
            " WHERE c.opened_at < ? LIMIT ?)",
            [records_cutoff],
        ),
        (
            "chats deleted",
            "DELETE FROM chats WHERE chat_id IN (SELECT c.chat_id FROM chats c"
            " WHERE c.opened_at < ? AND NOT EXISTS"
            " (SELECT 1 FROM chat_messages m WHERE m.chat_id = c.chat_id) LIMIT ?)",
            [records_cutoff],
        ),
        (
            "chat links deleted",
            "DELETE FROM chat_links WHERE link_id IN"
            " (SELECT link_id FROM chat_links WHERE created_at < ? LIMIT ?)",
            [records_cutoff],
        ),
        (
            "chat links: number blanked",
            "UPDATE chat_links SET number = '' WHERE link_id IN (SELECT link_id FROM chat_links"
            " WHERE created_at < ? AND number != '' LIMIT ?)",
            [numbers_cutoff],
        ),
    ]
