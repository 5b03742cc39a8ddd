"""Who is asking: the signed-in person (or machine client) behind a console request.

The auth middleware (ivr.console.auth) puts an ``Operator`` on every request it lets
through; handlers ask ``operator_of`` / ``require`` and never read cookies or headers
themselves. Every action and every view of personal data is written to the ``Audit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from aiohttp import web


class Role(StrEnum):
    OPERATOR = "operator"  # the board, acting on calls, diverts, messages
    ADMIN = "admin"  # all of that, and rules, intents, the directory, schedules, users


class Skill(StrEnum):
    """What a person is trained for, apart from their role: an admin holds every role but
    only the skills they were given (answering the public in chat is a trained job)."""

    CHAT = "chat"  # answers live chats at the chat desk (ivr.console.chat_desk)


@dataclass(frozen=True)
class Operator:
    name: str  # the user name, or "api-token" for a machine client
    role: Role
    phone: str = ""  # the endpoint a call is taken to ("PJSIP/operator-1"), if any
    skills: frozenset[Skill] = frozenset()

    def may(self, role: Role) -> bool:
        return self.role == Role.ADMIN or self.role == role

    def can(self, skill: Skill) -> bool:
        return skill in self.skills


def skills_text(skills: Iterable[Skill]) -> str:
    """The users table's form: names, sorted, comma-separated ("" for none)."""
    return ",".join(sorted(s.value for s in set(skills)))


def skills_of(text: str) -> frozenset[Skill]:
    """The stored form back; a name this release does not know is ignored (a newer
    release's skill in a shared database gives nothing here, rather than an error)."""
    known = {s.value for s in Skill}
    return frozenset(Skill(n) for n in text.split(",") if n in known)


OPERATOR = web.RequestKey("operator", Operator)


def operator_of(request: web.Request) -> Operator:
    """The signed-in operator; 401 (as JSON) when nobody is."""
    operator: Operator | None = request.get(OPERATOR)
    if operator is None:
        raise web.HTTPUnauthorized(
            text='{"error": "sign in first"}', content_type="application/json"
        )
    return operator


def require(request: web.Request, role: Role) -> Operator:
    """The operator, if they hold ``role`` (an admin holds every role); else 403."""
    operator = operator_of(request)
    if not operator.may(role):
        raise web.HTTPForbidden(
            text=f'{{"error": "this needs the {role} role"}}', content_type="application/json"
        )
    return operator


class Audit(Protocol):
    """The append-only audit trail (ivr.console.audit.AuditLog)."""

    def record(self, who: str, action: str, detail: Mapping[str, Any]) -> None:
        """Queue one entry (never blocks the loop, never raises into a request)."""
        ...
