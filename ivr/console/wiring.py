"""The console's routing side as one part the composition root builds, starts and stops.

ConsoleRouting holds the operators' actions, diverts and incident messages; ``start``
opens their stores and hands them to routing (diverts as overrides) and the call flow
(messages after the welcome and after a match); ``register`` adds the JSON API.
``follow`` reads them again every few seconds, for what other nodes set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web

from ivr.console import message_routes
from ivr.console.actions import ConsoleActions, RuntimeCalls
from ivr.console.api import register
from ivr.console.destinations import KnownDestinations
from ivr.console.diverts import DivertStore
from ivr.console.identity import Audit
from ivr.console.message_prompts import MessagePrompts
from ivr.console.messages import IncidentMessages
from ivr.console.openapi import ApiDocument
from ivr.runtime import Runtime

log = logging.getLogger(__name__)

# How soon a divert or message set on another node applies here: a small table read.
FOLLOW_S = 2.0


@dataclass
class ConsoleRouting:
    runtime: Runtime
    audit: Audit
    actions: ConsoleActions
    diverts: DivertStore
    messages: IncidentMessages
    prompts: MessagePrompts  # the messages admins add (ivr.console.message_routes)

    @classmethod
    def build(cls, runtime: Runtime, audit: Audit) -> ConsoleRouting:
        db_path = runtime.settings.store.db_path
        destinations = KnownDestinations(runtime.routing)
        routing = runtime.routing

        def intents() -> set[str]:
            return {intent.name for intent in routing.bundle.intents.intents}

        settings = runtime.settings.messages
        added = MessagePrompts(db_path, runtime.prompts, settings, audit, runtime.clock)
        return cls(
            runtime,
            audit,
            ConsoleActions(RuntimeCalls(runtime), destinations, audit, lambda: runtime.queues),
            DivertStore(db_path, destinations, audit, runtime.clock),
            IncidentMessages(db_path, runtime.prompts.ids, audit, runtime.clock, intents, added),
            added,
        )

    async def start(self) -> None:
        """Open the stores (what was in force before a restart is again), then apply them."""
        await self.diverts.open()
        await self.prompts.open()
        await self.messages.open()
        self.runtime.routing.use_overrides(self.diverts)
        self.runtime.flows.use_notices(self.messages)

    async def stop(self) -> None:
        await self.messages.close()
        await self.prompts.close()
        await self.diverts.close()

    def register(self, app: web.Application) -> ApiDocument:
        """The JSON API's routes on ``app``, started and stopped with it."""
        app.cleanup_ctx.append(self._lifetime())
        doc = register(app, self.actions, self.diverts, self.messages, self.audit)
        message_routes.register(app, self.prompts, self.messages, self.audit, doc)
        return doc

    async def follow(self, every_s: float = FOLLOW_S) -> None:
        """Diverts and messages set or cancelled on another node sharing the database (or
        on the node this one took over from) apply here within ``every_s``. A database
        that cannot be read keeps what is in memory (logged), never stops the calls."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.diverts.refresh()
                await self.messages.refresh()
            except Exception as exc:
                log.warning("diverts and messages not refreshed: %s: %s", type(exc).__name__, exc)

    def _lifetime(self) -> Callable[[web.Application], AsyncIterator[None]]:
        async def lifetime(app: web.Application) -> AsyncIterator[None]:
            await self.start()
            following = asyncio.create_task(self.follow(), name="console-follow")
            yield
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following
            await self.stop()

        return lifetime
