"""Everything SMS, built from its settings, so the composition root wires one object.

``SmsService.running()`` is the lifetime the app gives it (a cleanup_ctx):
open the outbox (a database that cannot open stops start-up), run the one
worker, and on shutdown stop the worker before closing the HTTP session
and the database. A message being sent at that moment stays ``sending``
and is sent again at the next start-up (at-least-once; see outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ivr.clock import Clock, utc_now
from ivr.ha.claims import ALONE
from ivr.notify.gateway import HttpGatewayConfig, HttpSmsGateway
from ivr.notify.outbox import RetryPolicy, SmsOutbox, SmsWorker, claim_lease
from ivr.notify.settings import SmsSettings
from ivr.notify.survey import SmsInbound, SurveyService


@dataclass
class SmsService:
    """The outbox, its sender and the survey, wired from [sms].

    ``sender_waiting`` is set once the sender has started and waits to be the active
    node (``running(until_active)``): a test, or anything else that must know the
    standby's sender is parked rather than not yet scheduled, waits on it."""

    outbox: SmsOutbox
    gateway: HttpSmsGateway
    worker: SmsWorker
    survey: SurveyService
    inbound: SmsInbound
    sender_waiting: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    @classmethod
    def from_settings(
        cls, settings: SmsSettings, db_path: str, clock: Clock = utc_now, origin: str = ALONE
    ) -> SmsService:
        """The outbox in the app's database at ``db_path``; ``origin``: the node's, which
        holds the texts it sends (ivr.ha.claims)."""
        outbox = SmsOutbox(db_path, clock=clock, origin=origin)
        gateway = HttpSmsGateway(
            HttpGatewayConfig(
                url=settings.url,
                method=settings.method.value,
                auth_header=settings.auth_header,
                auth_value=settings.auth_value,
                body_template=settings.body_template,
                success_statuses=frozenset(settings.success_statuses),
                timeout=settings.timeout,
                id_field=settings.id_field,
                idempotency_header=settings.idempotency_header,
            )
        )
        worker = SmsWorker(
            outbox,
            gateway,
            sender=settings.sender,
            policy=RetryPolicy(
                max_attempts=settings.max_attempts,
                base_delay=settings.backoff_base,
                max_delay=settings.backoff_max,
                max_age=settings.max_age_hours * 3600.0,
            ),
            enabled=bool(settings.url),
            clock=clock,
            claim_s=claim_lease(settings.timeout),
        )
        survey = SurveyService(outbox, settings.survey_excluded, clock=clock)
        inbound = SmsInbound(survey, settings.inbound_secret, settings.inbound_header)
        return cls(outbox, gateway, worker, survey, inbound)

    @contextlib.asynccontextmanager
    async def running(self, until_active: asyncio.Event | None = None) -> AsyncIterator[None]:
        """The outbox open, the sender sending. ``until_active`` ([ha]): a standby sends
        nothing until it is the active node, since its origin is the active node's and
        its start-up would take back the texts that node is sending."""
        await self.outbox.open()
        task = asyncio.create_task(self._send(until_active), name="sms-worker")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.gateway.close()
            await self.outbox.close()

    async def _send(self, until_active: asyncio.Event | None) -> None:
        if until_active is not None:
            self.sender_waiting.set()
            await until_active.wait()
        await self.worker.run()
