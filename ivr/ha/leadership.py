"""Leadership: which node of several answers one Asterisk's calls, by a database lease.

The ARI worker waits in ``acquire`` before it connects (a standby: its HTTP server and
console run, calls do not reach it), then ``keep`` renews the lease while it serves.

A node that finds its lease taken over (it stalled past the lease, or the database
was cut off from it while a standby could reach it), or hears ApplicationReplaced from
Asterisk, is *fenced*: it must never send Asterisk another request for the calls the
new active node now runs. ``on_fenced`` ends the process at once (``os._exit``): no
cleanup may run, since cleanup means ARI requests; the service manager starts it again,
as a standby. A database that cannot be reached is not a takeover: the active node
keeps serving (callers are never dropped for the database's sake) and says so loudly.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Final

from ivr.ha.lease import Held, LeaseBook, LeaseStore
from ivr.ha.settings import HaSettings
from ivr.notifier import Notifier

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# The exit status of a fenced node: a service manager restarts it (Restart=always).
FENCED_EXIT: Final = 3


class Role(StrEnum):
    STANDBY = "standby"
    ACTIVE = "active"
    FENCED = "fenced"


def exit_now(reason: str) -> None:
    log.critical("fenced: %s; exiting without touching any call", reason)
    logging.shutdown()
    os._exit(FENCED_EXIT)


def ari_lease_name(ari_url: str, app: str) -> str:
    """One lease per Asterisk and ARI application: the thing only one node may hold."""
    return f"ari:{ari_url.rstrip('/')}:{app}"


class Leadership:
    def __init__(
        self,
        book: LeaseBook,
        name: str,
        settings: HaSettings,
        *,
        on_fenced: Callable[[str], None] = exit_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.book = book
        self.name = name
        self.node = settings.node_name
        self._lease_s = settings.lease_s
        self._every_s = settings.renew_every_s
        self._on_fenced = on_fenced
        self._sleep = sleep
        self._held: Held | None = None
        self.role = Role.STANDBY
        self.holder = ""  # who holds the lease, as last seen
        self.active = asyncio.Event()
        self._rounds = Notifier()

    def next_round(self) -> asyncio.Future[None]:
        """Resolved once the next round of ``acquire`` or ``keep`` (one read or renewal
        of the lease, done or failed) is handled, before the loop sleeps: something that
        watches the role re-reads it then, not on a timer."""
        return self._rounds.next()

    async def acquire(self) -> Held:
        """Wait until this node holds the lease (at once when it is free)."""
        waiting_on = None
        while True:
            try:
                held = await self.book.run(
                    lambda s: s.try_acquire(self.name, self.node, self._lease_s)
                )
                if held is not None:
                    self._held, self.role, self.holder = held, Role.ACTIVE, self.node
                    log.info(
                        "active: %s holds %s (generation %d)", self.node, self.name, held.generation
                    )
                    self.active.set()
                    return held
                row = await self.book.run(lambda s: s.current(self.name))
                if row is not None:
                    self.holder = row.holder
                    if row.holder != waiting_on:
                        waiting_on = row.holder
                        log.info(
                            "standby: %s holds %s (%.1f s left); %s waits",
                            row.holder,
                            self.name,
                            row.expires_in_s,
                            self.node,
                        )
            except Exception as exc:  # the database: try again, never give up on it
                log.warning("standby: the lease cannot be read: %s: %s", type(exc).__name__, exc)
            self._rounds.notify()
            await self._sleep(self._every_s)

    async def keep(self) -> None:
        """Renew the lease until cancelled; fence this node if it was taken over."""
        held = self._held
        assert held is not None, "keep() after acquire()"
        unrenewed_s = 0.0
        while True:
            await self._sleep(self._every_s)
            try:
                still = await self.book.run(lambda s: s.renew(self.name, held, self._lease_s))
            except Exception as exc:
                unrenewed_s += self._every_s
                level = logging.ERROR if unrenewed_s >= self._lease_s else logging.WARNING
                log.log(
                    level,
                    "the lease %s was not renewed for %.1f s (%s: %s); serving on",
                    self.name,
                    unrenewed_s,
                    type(exc).__name__,
                    exc,
                )
                self._rounds.notify()
                continue
            unrenewed_s = 0.0
            if not still:
                row = await self._current_or_none()
                self.fence(f"the lease {self.name} was taken over by {row or 'another node'}")
                return
            self._rounds.notify()

    def fence(self, reason: str) -> None:
        if self.role is Role.FENCED:
            return
        self.role = Role.FENCED
        self.active.clear()
        self._on_fenced(reason)

    async def release(self) -> None:
        """A clean stop: the lease runs out now, so a standby need not wait for it."""
        held, self._held = self._held, None
        if held is None or self.role is not Role.ACTIVE:
            return
        self.role = Role.STANDBY
        self.active.clear()
        try:
            await self.book.run(lambda s: s.release(self.name, held))
        except Exception as exc:
            log.warning("the lease %s was not released (%s); it runs out", self.name, exc)

    async def _current_or_none(self) -> str | None:
        try:
            row = await self.book.run(lambda s: s.current(self.name))
        except Exception:
            return None
        return None if row is None else row.holder

    def report(self) -> dict[str, object]:
        """For /health: this node's role and who holds the lease."""
        return {"ha": {"role": str(self.role), "node": self.node, "holder": self.holder}}


__all__ = ["FENCED_EXIT", "Leadership", "LeaseBook", "LeaseStore", "Role", "ari_lease_name"]
