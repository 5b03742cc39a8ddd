"""Signing in and out: the password check, the rate limit, the session, the audit.

An unknown name, a disabled user and a wrong password get the same answer after
about the same time (a dummy hash is checked), so the answer says nothing about
which names exist. Every attempt is audited.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ivr.clock import Clock
from ivr.console.audit import AuditAction, AuditLog
from ivr.console.identity import Operator
from ivr.console.passwords import Check, Passwords
from ivr.console.ratelimit import LoginLimiter
from ivr.console.sessions import Grant
from ivr.console.store import ConsoleDatabase
from ivr.store.db import iso

MAX_NAME = 64  # longer is no user; the limiter's key is cut to this


@dataclass(frozen=True)
class Refused:
    """Wrong name or password (``retry_after`` 0), or too many failures (seconds to wait)."""

    retry_after: int = 0


class SignIn:
    def __init__(
        self,
        db: ConsoleDatabase,
        passwords: Passwords,
        limiter: LoginLimiter,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._db = db
        self._passwords = passwords
        self._limiter = limiter
        self._audit = audit
        self._clock = clock

    async def attempt(self, name: str, password: str, client: str) -> Grant | Refused:
        name = name[:MAX_NAME]
        wait = self._limiter.retry_after(name, client)
        if wait:
            self._audit.record(
                name, AuditAction.SIGN_IN_LIMITED, {"retry_after": wait}, client=client
            )
            return Refused(wait)
        user = await self._db.run(lambda s: s.users.get(name))
        stored = user.password_hash if user is not None and not user.disabled else None
        loop = asyncio.get_running_loop()
        check = await loop.run_in_executor(None, self._passwords.check, stored, password)
        if user is None or check is Check.WRONG:
            self._limiter.failed(name, client)
            why = (
                "no such user"
                if user is None
                else "disabled"
                if user.disabled
                else "wrong password"
            )
            self._audit.record(name, AuditAction.SIGN_IN_FAILED, {"why": why}, client=client)
            return Refused()
        if check is Check.RIGHT_REHASH:
            rehashed = await loop.run_in_executor(None, self._passwords.hash, password)
            at = self._clock()
            await self._db.run(lambda s: s.users.set_password(user.name, rehashed, iso(at)))
        now = self._clock()
        grant = await self._db.run(lambda s: s.sessions.start(user.operator, client, now))
        self._limiter.succeeded(name)
        self._audit.record(user.name, AuditAction.SIGN_IN, {"role": user.role.value}, client=client)
        return grant

    async def sign_out(self, token: str, operator: Operator, client: str) -> None:
        await self._db.run(lambda s: s.sessions.end(token))
        self._audit.record(operator.name, AuditAction.SIGN_OUT, {}, client=client)
