"""The console's access control, built and added to an app in one call (``register``).

The composition root (ivr.app) calls ``register`` once; other console modules reach
the audit trail as ``app[ACCESS].audit``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from ivr.clock import Clock, utc_now
from ivr.console.audit import AuditLog
from ivr.console.auth import ConsoleAuth
from ivr.console.hashpool import HashPool
from ivr.console.headers import add_security_headers
from ivr.console.passwords import Passwords
from ivr.console.ratelimit import LoginLimiter
from ivr.console.refusals import RefusalAudit
from ivr.console.requests import RequestFacts
from ivr.console.session_routes import SessionRoutes
from ivr.console.sessions import SessionPolicy
from ivr.console.signin import SignIn
from ivr.console.store import ConsoleDatabase
from ivr.console_settings import ConsoleSettings
from ivr.web.routes import add_health_report


@dataclass(frozen=True)
class ConsoleAccess:
    db: ConsoleDatabase
    audit: AuditLog
    auth: ConsoleAuth
    sign_in: SignIn
    facts: RequestFacts

    @classmethod
    def build(
        cls,
        db_path: str,
        api_token: str,
        settings: ConsoleSettings,
        clock: Clock = utc_now,
        passwords: Passwords | None = None,
        pool: HashPool | None = None,
    ) -> ConsoleAccess:
        db = ConsoleDatabase(db_path, SessionPolicy(settings.idle, settings.absolute))
        audit = AuditLog(db, clock)
        facts = RequestFacts(frozenset(settings.trusted_proxies), settings.secure_cookie)
        limiter = LoginLimiter(settings.login_failures, settings.login_window_s)
        sign_in = SignIn(db, passwords or Passwords(), limiter, audit, clock, pool or HashPool())
        auth = ConsoleAuth(db, api_token, facts, clock, RefusalAudit(audit))
        return cls(db, audit, auth, sign_in, facts)

    async def lifetime(self, app: web.Application) -> AsyncIterator[None]:
        """aiohttp cleanup_ctx: the console's database (and password hasher) while the
        app runs."""
        await self.db.open()
        try:
            yield
        finally:
            self.sign_in.close()
            await self.db.close()


ACCESS = web.AppKey("console_access", ConsoleAccess)


def register(
    app: web.Application,
    db_path: str,
    api_token: str,
    settings: ConsoleSettings,
    clock: Clock = utc_now,
    passwords: Passwords | None = None,
    pool: HashPool | None = None,
) -> ConsoleAccess:
    """Add the auth middleware (after those already there), the security headers,
    /api/session and /login, and the console database's lifetime."""
    access = ConsoleAccess.build(db_path, api_token, settings, clock, passwords, pool)
    install(app, access)
    return access


def install(app: web.Application, access: ConsoleAccess) -> None:
    """Add a built ConsoleAccess to ``app`` (the composition root builds it first: the
    board and the actions audit through it)."""
    app[ACCESS] = access
    add_security_headers(app)
    app.middlewares.append(access.auth.middleware)
    app.cleanup_ctx.append(access.lifetime)
    add_health_report(app, access.audit.health)
    SessionRoutes(access.sign_in, access.facts).add_to(app)
