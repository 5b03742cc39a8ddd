"""Signing in and out: the password check, the rate limit, the session, the audit.

An unknown name, a disabled user and a wrong password get the same answer after
about the same time (a dummy hash is checked), so the answer says nothing about
which names exist. Every attempt is audited, except repeats of a refusal by the
limit (the first per key per window is, with a count of those that were not).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ivr.clock import Clock
from ivr.console.audit import AuditAction, AuditLog, session_reference
from ivr.console.hashpool import RETRY_AFTER_S, HashPool, PoolFull
from ivr.console.identity import Operator
from ivr.console.passwords import BadInput, Check, Passwords, check_name
from ivr.console.ratelimit import Limited, LoginLimiter, Pending, RefusalTally
from ivr.console.sessions import Grant
from ivr.console.store import ConsoleDatabase
from ivr.store.db import iso

MAX_NAME = 64  # longer is no user; the limiter's key is cut to this
INVALID_NAME = "<invalid name>"  # what the audit says for a name no user could have


@dataclass(frozen=True)
class Refused:
    """Wrong name or password (``retry_after`` 0), or too many failures (seconds to wait)."""

    retry_after: int = 0


@dataclass(frozen=True)
class Busy:
    """Too many sign-ins waiting for the hasher: nothing was checked; try again later."""

    retry_after: int = RETRY_AFTER_S


def audited_name(name: str) -> str:
    """``name`` if some user could have it, else a placeholder: what an attacker types as
    a name (escape sequences, say) never reaches the audit trail or a terminal."""
    try:
        return check_name(name)
    except BadInput:
        return INVALID_NAME


class SignIn:
    def __init__(
        self,
        db: ConsoleDatabase,
        passwords: Passwords,
        limiter: LoginLimiter,
        audit: AuditLog,
        clock: Clock,
        pool: HashPool | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._passwords = passwords
        self._limiter = limiter
        self._audit = audit
        self._clock = clock
        self._pool = pool or HashPool()
        self._tally = RefusalTally(limiter.window_s, monotonic)

    async def attempt(
        self, name: str, password: str, client: str, replacing: str = ""
    ) -> Grant | Refused | Busy:
        """Check ``password``; on success start a session and end ``replacing`` (the
        session cookie the browser already had, if any)."""
        name = name[:MAX_NAME]
        pending = self._limiter.begin(name, client)
        if isinstance(pending, Limited):
            self._limited(name, pending, client)
            return Refused(pending.retry_after)
        try:
            outcome = await self._check(name, password, client, pending)
        except PoolFull:
            self._limiter.abandoned(pending)
            return Busy()
        except BaseException:
            self._limiter.abandoned(pending)
            raise
        if isinstance(outcome, Refused):
            return outcome
        if replacing:
            await self._db.run(lambda s: s.sessions.end(replacing))
        return outcome

    async def _check(
        self, name: str, password: str, client: str, pending: Pending
    ) -> Grant | Refused:
        user = await self._db.run(lambda s: s.users.get(name))
        stored = user.password_hash if user is not None and not user.disabled else None
        check = await self._pool.run(self._passwords.check, stored, password)
        if user is None or check is Check.WRONG:
            self._limiter.failed(pending)
            why = (
                "no such user"
                if user is None
                else "disabled"
                if user.disabled
                else "wrong password"
            )
            self._audit.record(
                audited_name(name), AuditAction.SIGN_IN_FAILED, {"why": why}, client=client
            )
            return Refused()
        self._limiter.succeeded(pending)
        if check is Check.RIGHT_REHASH:
            await self._rehash(user.name, password)
        now = self._clock()
        grant = await self._db.run(lambda s: s.sessions.start(user.operator, client, now))
        self._audit.record(
            user.name,
            AuditAction.SIGN_IN,
            {"role": user.role.value},
            client=client,
            session=session_reference(grant.token),  # the session this sitting's rows name
        )
        return grant

    async def _rehash(self, name: str, password: str) -> None:
        try:
            rehashed = await self._pool.run(self._passwords.hash, password)
        except PoolFull:
            return  # the old hash still works: replaced at a quieter sign-in
        at = self._clock()
        await self._db.run(lambda s: s.users.set_password(name, rehashed, iso(at)))

    def _limited(self, name: str, limited: Limited, client: str) -> None:
        first, unaudited = self._tally.first(limited.key)
        if not first:
            return
        detail: dict[str, object] = {"retry_after": limited.retry_after}
        detail["limit"] = limited.key.scope.value
        if unaudited:
            detail["unaudited_before"] = unaudited
        self._audit.record(audited_name(name), AuditAction.SIGN_IN_LIMITED, detail, client=client)

    async def sign_out(self, token: str, operator: Operator, client: str) -> None:
        await self._db.run(lambda s: s.sessions.end(token))
        self._audit.record(operator.name, AuditAction.SIGN_OUT, {}, client=client)

    def close(self) -> None:
        """Stop the hasher's threads (the app's end)."""
        self._pool.close()
