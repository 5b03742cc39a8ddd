"""Everything SMS, built from Settings, so the composition root wires one object.

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
from dataclasses import dataclass

from ivr.config import Settings
from ivr.notify.gateway import HttpGatewayConfig, HttpSmsGateway
from ivr.notify.outbox import Clock, RetryPolicy, SmsOutbox, SmsWorker, utc_now
from ivr.notify.survey import SmsInbound, SurveyService


@dataclass
class SmsService:
    outbox: SmsOutbox
    gateway: HttpSmsGateway
    worker: SmsWorker
    survey: SurveyService
    inbound: SmsInbound

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = utc_now) -> SmsService:
        outbox = SmsOutbox(settings.db_path, clock=clock)
        gateway = HttpSmsGateway(
            HttpGatewayConfig(
                url=settings.sms_url,
                method=settings.sms_method.upper(),
                auth_header=settings.sms_auth_header,
                auth_value=settings.sms_auth_value,
                body_template=settings.sms_body_template,
                success_statuses=frozenset(settings.sms_success_statuses),
                timeout=settings.sms_timeout,
                id_field=settings.sms_id_field,
                idempotency_header=settings.sms_idempotency_header,
            )
        )
        worker = SmsWorker(
            outbox,
            gateway,
            sender=settings.sms_sender,
            policy=RetryPolicy(
                max_attempts=settings.sms_max_attempts,
                base_delay=settings.sms_backoff_base,
                max_delay=settings.sms_backoff_max,
                max_age=settings.sms_max_age_hours * 3600.0,
            ),
            enabled=bool(settings.sms_url),
            clock=clock,
        )
        survey = SurveyService(outbox, settings.sms_survey_excluded, clock=clock)
        inbound = SmsInbound(survey, settings.sms_inbound_secret, settings.sms_inbound_header)
        return cls(outbox, gateway, worker, survey, inbound)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self.outbox.open()
        task = asyncio.create_task(self.worker.run(), name="sms-worker")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.gateway.close()
            await self.outbox.close()
