"""Who is asking: the signed-in person (or machine client) behind a console request.

The auth middleware (ivr.console.auth) puts an ``Operator`` on every request it lets
through; handlers ask ``operator_of`` / ``require`` and never read cookies or headers
themselves. Every action and every view of personal data is written to the ``Audit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from aiohttp import web


class Role(StrEnum):
    OPERATOR = "operator"  # the board, acting on calls, diverts, messages
    ADMIN = "admin"  # all of that, and rules, intents, the directory, schedules, users


@dataclass(frozen=True)
class Operator:
    name: str  # the user name, or "api-token" for a machine client
    role: Role
    phone: str = ""  # the endpoint a call is taken to ("PJSIP/operator-1"), if any

    def may(self, role: Role) -> bool:
        return self.role == Role.ADMIN or self.role == role


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
