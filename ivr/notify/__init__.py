"""SMS: a gateway seam, a store-first outbox with one sending worker, and the post-call survey.

Texts are promises to callers (a callback, an online link, a survey), so
every message is committed to SQLite before anything tries to send it; see
``outbox`` for the at-least-once contract and ``survey`` for exclusions.
"""

from ivr.notify.gateway import (
    HttpGatewayConfig,
    HttpSmsGateway,
    SendResult,
    SmsGateway,
    SmsMessage,
)
from ivr.notify.numbers import InvalidNumber, normalise_uk_mobile
from ivr.notify.outbox import Queued, RetryPolicy, SmsOutbox, SmsWorker
from ivr.notify.service import SmsService
from ivr.notify.survey import SmsInbound, SurveyService, parse_reply

__all__ = [
    "HttpGatewayConfig",
    "HttpSmsGateway",
    "InvalidNumber",
    "Queued",
    "RetryPolicy",
    "SendResult",
    "SmsGateway",
    "SmsInbound",
    "SmsMessage",
    "SmsOutbox",
    "SmsService",
    "SmsWorker",
    "SurveyService",
    "normalise_uk_mobile",
    "parse_reply",
]
