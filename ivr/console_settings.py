"""[console]: how long a sign-in lasts, when its cookie is Secure, how sign-ins are limited,
and how long the audit trail is kept.

Behind a TLS-terminating proxy the app sees plain HTTP: only a proxy listed in
``trusted_proxies`` may say otherwise (X-Forwarded-Proto, X-Forwarded-For), as anyone
else could send those headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from ivr.sections import AT_LEAST_ONE, Choice, ConfigError, Names, Number, Section, option

MINUTES = Number(unit="minutes")
HOURS = Number(unit="hours")
SECONDS = Number(unit="seconds")
# The audit trail answers complaints and reviews that come months after the call: it is
# kept at least this long whatever the config says.
MIN_AUDIT_DAYS = 90
AUDIT_DAYS = Number(low=MIN_AUDIT_DAYS, inclusive=True, unit="days")


class SecureCookie(StrEnum):
    AUTO = "auto"  # Secure when the request came over TLS (or a trusted proxy says so)
    ALWAYS = "always"  # Secure whatever the request says: a proxy not listed, say


@dataclass(frozen=True)
class ConsoleSettings(Section):
    TABLE = "console"

    idle_minutes: float = option(30.0, MINUTES)
    absolute_hours: float = option(12.0, HOURS)
    secure_cookie: SecureCookie = option(
        SecureCookie.AUTO, Choice(SecureCookie), env="IVR_CONSOLE_SECURE_COOKIE"
    )
    trusted_proxies: tuple[str, ...] = option((), Names("proxy addresses"))
    login_failures: int = option(5, AT_LEAST_ONE)  # per (user name, client address); 4x per address
    login_window_s: float = option(300.0, SECONDS)
    audit_days: float = option(400.0, AUDIT_DAYS)  # the retention chore purges older rows

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.idle_minutes)

    @property
    def absolute(self) -> timedelta:
        return timedelta(hours=self.absolute_hours)

    def validate(self) -> None:
        if self.idle > self.absolute:
            raise ConfigError("[console] idle_minutes must not be longer than absolute_hours")
