"""The console's people: name, role, phone and password hash, on the call database.

Synchronous (one store thread, ivr.console.store); a disabled user is kept, not
deleted, so the audit trail still names someone who exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ivr.console.identity import Operator, Role, Skill, skills_of, skills_text
from ivr.store.db import Row
from ivr.store.engine import Database


class UserExists(ValueError):
    pass


class NoSuchUser(LookupError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    phone: str
    password_hash: str
    disabled: bool
    skills: frozenset[Skill] = frozenset()

    @property
    def operator(self) -> Operator:
        return Operator(self.name, self.role, self.phone, self.skills)


class UserStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        name: str,
        role: Role,
        phone: str,
        password_hash: str,
        at: str,
        skills: Iterable[Skill] = (),
    ) -> None:
        if self.get(name) is not None:
            raise UserExists(f"there is already a user {name!r}")
        self.db.insert(
            "users",
            {
                "name": name,
                "role": role.value,
                "phone": phone,
                "password_hash": password_hash,
                "created_at": at,
                "password_changed_at": at,
                "disabled_at": "",
                "skills": skills_text(skills),
            },
        )

    def get(self, name: str) -> User | None:
        rows = self.db.rows_where("users", "name = ?", [name])
        return _user(rows[0]) if rows else None

    def all(self) -> list[User]:
        return [_user(r) for r in self.db.rows_where("users", order_by="name")]

    def set_password(self, name: str, password_hash: str, at: str) -> None:
        cur = self.db.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?",
            [password_hash, at, name],
        )
        if cur.rowcount == 0:
            raise NoSuchUser(f"no user {name!r}")

    def set_skills(self, name: str, skills: Iterable[Skill]) -> None:
        cur = self.db.execute(
            "UPDATE users SET skills = ? WHERE name = ?", [skills_text(skills), name]
        )
        if cur.rowcount == 0:
            raise NoSuchUser(f"no user {name!r}")

    def disable(self, name: str, at: str) -> bool:
        """Disable ``name``; False if they were already. (Their sessions: SessionStore.)"""
        user = self.get(name)
        if user is None:
            raise NoSuchUser(f"no user {name!r}")
        if user.disabled:
            return False
        self.db.execute("UPDATE users SET disabled_at = ? WHERE name = ?", [at, name])
        return True

    def enable(self, name: str) -> None:
        """Let a disabled ``name`` sign in again (the demo's people, a run later)."""
        self.db.execute("UPDATE users SET disabled_at = '' WHERE name = ?", [name])


def _user(row: Row) -> User:
    return User(
        name=row["name"],
        role=Role(row["role"]),
        phone=row["phone"] or "",
        password_hash=row["password_hash"],
        disabled=bool(row["disabled_at"]),
        skills=skills_of(row.get("skills") or ""),
    )
