"""Adding and disabling people from code that is not the CLI: the demo's operator and
admin for one run, and the browser tests' users. Audited like ``ivr users``."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from ivr.console.audit import AuditAction
from ivr.console.identity import Role, Skill, skills_text
from ivr.console.passwords import Passwords, check_name, check_phone
from ivr.console.sessions import SessionPolicy
from ivr.console.store import ConsoleStore
from ivr.console_settings import ConsoleSettings
from ivr.store.db import iso, write_transaction

_DEFAULTS = ConsoleSettings()
_POLICY = SessionPolicy(_DEFAULTS.idle, _DEFAULTS.absolute)  # only ends sessions here


def new_password() -> str:
    """A password nobody chose: long, random, easy to copy from a terminal."""
    return secrets.token_urlsafe(12)


def add_person(
    db_path: str | Path,
    name: str,
    role: Role,
    password: str,
    *,
    by: str,
    phone: str = "",
    skills: Iterable[Skill] = (),
) -> None:
    """Add ``name``; if they exist, give them this password and these skills, and let
    them sign in again."""
    skills = frozenset(skills)
    hashed = Passwords().hash(password)
    store = ConsoleStore(db_path, _POLICY)
    try:
        now = datetime.now(UTC)
        if store.users.get(name) is None:
            store.users.add(check_name(name), role, check_phone(phone), hashed, iso(now), skills)
            detail = {"user": name, "role": role.value, "phone": phone}
            if skills:
                detail["skills"] = skills_text(skills)
            store.audit.append(now, by, AuditAction.USER_ADDED, detail)
        else:
            with write_transaction(store.db):
                reset_password(store, name, hashed, now)
                store.users.enable(name)
                store.users.set_skills(name, skills)
            store.audit.append(now, by, AuditAction.PASSWORD_CHANGED, {"user": name})
    finally:
        store.close()


def reset_password(store: ConsoleStore, name: str, hashed: str, now: datetime) -> None:
    """Give ``name`` a new password and end their sessions, in one transaction: whoever
    held the old password (the reason for a reset, often) is signed out with it."""
    with write_transaction(store.db):
        store.users.set_password(name, hashed, iso(now))
        store.sessions.end_all_of(name)


def disable_person(db_path: str | Path, name: str, *, by: str) -> None:
    """Stop ``name`` signing in and end their sessions (the demo's people, at its end)."""
    store = ConsoleStore(db_path, _POLICY)
    try:
        now = datetime.now(UTC)
        if store.disable_user(name, now):
            store.audit.append(now, by, AuditAction.USER_DISABLED, {"user": name})
    finally:
        store.close()
