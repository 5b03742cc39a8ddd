"""[sms]: the provider's HTTP API, retries, the inbound webhook and the survey; and what
the texts after a call offer (in the file's [queues] table, beside the waits they follow).

No URL = SMS off: messages are stored and stay queued. The auth value and the inbound
secret are secrets (IVR_SMS_AUTH / IVR_SMS_INBOUND_SECRET): never in a repr or a log.
A set-up that would fail on the first text is refused at start-up instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ivr.notify.gateway import DEFAULT_BODY_TEMPLATE, TemplateError, check_template
from ivr.notify.sensitive import DEFAULT_SURVEY_EXCLUDED
from ivr.notify.texts import AbandonedOffer
from ivr.sections import (
    AT_LEAST_ONE,
    FLAG,
    POSITIVE,
    TEXT,
    Choice,
    HttpUrl,
    Names,
    Refused,
    Section,
    option,
)


class SmsMethod(StrEnum):
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"


class BodyTemplate:
    """JSON with only the placeholders the gateway fills (ivr.notify.gateway)."""

    def read(self, value: Any) -> str:
        template = TEXT.read(value)
        try:
            check_template(template)
        except TemplateError as exc:
            raise Refused(f"is not a usable template: {exc}", show_value=False) from exc
        return template


class SuccessStatuses:
    def read(self, value: Any) -> tuple[int, ...]:
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
            or not all(200 <= n <= 299 for n in value)
        ):
            raise Refused("must be 2xx codes")
        return tuple(value)


@dataclass(frozen=True)
class SmsSettings(Section):
    TABLE = "sms"

    url: str = option(
        "", HttpUrl(put_them="auth_header / IVR_SMS_AUTH", optional=True), env="IVR_SMS_URL"
    )
    method: SmsMethod = option(SmsMethod.POST, Choice(SmsMethod, fold_case=True))
    auth_header: str = option("Authorization", TEXT)
    auth_value: str = option("", TEXT, env="IVR_SMS_AUTH", secret=True)
    body_template: str = option(DEFAULT_BODY_TEMPLATE, BodyTemplate())
    sender: str = option("", TEXT)
    success_statuses: tuple[int, ...] = option((200, 201, 202), SuccessStatuses())
    timeout: float = option(10.0, POSITIVE)
    id_field: str = option("id", TEXT)  # dotted path to the provider's id in its JSON answer
    idempotency_header: str = option("", TEXT)  # e.g. "Idempotency-Key": the reference is sent
    max_attempts: int = option(8, AT_LEAST_ONE)
    backoff_base: float = option(30.0, POSITIVE)  # seconds; doubles per attempt, with jitter
    backoff_max: float = option(3600.0, POSITIVE)
    max_age_hours: float = option(24.0, POSITIVE)  # unsent by then: failed as expired
    # "" = the webhook (POST /sms/inbound) refuses everything.
    inbound_secret: str = option("", TEXT, env="IVR_SMS_INBOUND_SECRET", secret=True)
    inbound_header: str = option("X-Sms-Secret", TEXT)
    survey: bool = option(True, FLAG)  # text the survey after a call a person answered
    survey_excluded: tuple[str, ...] = option(DEFAULT_SURVEY_EXCLUDED, Names("category names"))


@dataclass(frozen=True)
class TextSettings(Section):
    TABLE = "queues"

    # The link texted for online reporting and tracking a report (never live chat).
    online_link: str = option("https://www.police.uk/", TEXT)
    abandoned_offer: AbandonedOffer = option(
        AbandonedOffer.BOTH, Choice(AbandonedOffer), key="abandoned_sms_offer"
    )
