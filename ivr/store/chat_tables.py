"""Live chat's tables (issue 17; migration step ``_m18_chat``), in a module of their own
to keep ivr.store.migrations short. The rows are ivr.chat.store's.

- ``chat_links``: each texted link. ``number`` (the caller's, for a callback asked from
  the chat) is blanked after [store] numbers_days; ``state`` is sent / opened / expired,
  and a link is opened by one conditional UPDATE (single use without a lock).
- ``chats``: one per chat started from a link; its queue place (priority, opened_at),
  the agent, and how it ended (outcome, closed_by).
- ``chat_messages``: the transcript, numbered per chat from 1 (``seq``: what a
  reconnecting page resumes after); a client's own id for a message makes a resend
  after a reconnect land once (unique per chat when given).
"""

from __future__ import annotations

from ivr.store.engine import Database

_TABLES = (
    "CREATE TABLE IF NOT EXISTS chat_links (link_id TEXT PRIMARY KEY, call_id TEXT NOT NULL,"
    " number TEXT NOT NULL DEFAULT '', context TEXT NOT NULL, created_at TEXT NOT NULL,"
    " expires_at TEXT NOT NULL, state TEXT NOT NULL, opened_at TEXT NOT NULL DEFAULT '',"
    " chat_id TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS chat_links_due ON chat_links (state, expires_at)",
    "CREATE INDEX IF NOT EXISTS chat_links_chat ON chat_links (chat_id)",
    "CREATE INDEX IF NOT EXISTS chat_links_created ON chat_links (created_at)",
    "CREATE TABLE IF NOT EXISTS chats (chat_id TEXT PRIMARY KEY, call_id TEXT NOT NULL,"
    " link_id TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, priority INTEGER NOT NULL,"
    " context TEXT NOT NULL, opened_at TEXT NOT NULL, answered_at TEXT NOT NULL DEFAULT '',"
    " agent TEXT NOT NULL DEFAULT '', closed_at TEXT NOT NULL DEFAULT '',"
    " closed_by TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL DEFAULT '',"
    " callback_requested_at TEXT NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS chats_state ON chats (state)",
    "CREATE INDEX IF NOT EXISTS chats_opened ON chats (opened_at)",
    "CREATE TABLE IF NOT EXISTS chat_messages (chat_id TEXT NOT NULL REFERENCES chats (chat_id),"
    " seq INTEGER NOT NULL, sender TEXT NOT NULL, author TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL, at TEXT NOT NULL, client_id TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (chat_id, seq))",
    "CREATE UNIQUE INDEX IF NOT EXISTS chat_messages_client ON chat_messages"
    " (chat_id, client_id) WHERE client_id != ''",
)


def chat_tables(db: Database) -> None:
    for statement in _TABLES:
        db.execute(statement)
