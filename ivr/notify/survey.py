"""Post-call SMS survey and the inbound webhook that records the replies.

Three questions scored 1-5 plus free text, as forces already run them
(DOMAIN.md: 82% satisfied overall, 91% for the RC, 79% with the time to
answer), so our figures compare with theirs:

1. overall satisfaction with the call,
2. the time it took to answer,
3. whether we understood and dealt with what the caller needed.

**Never for excluded categories** (setting ``[sms] survey_excluded``,
default domestic abuse, sexual offences, stalking and harassment, child
abuse): the phone may be read by the person the caller reported, and a
text from the police can put the caller at risk. A call carrying any
excluded category (intent, flag or operator-set category) gets no survey.

Replies come back through ``POST /sms/inbound`` (provider posts ``from``,
``body`` and optionally the ``reference`` we sent) guarded by a shared
secret header. A reply is matched to the latest survey sent to that
number in the last 7 days; replying again replaces the earlier answer
(a caller correcting themselves, or a provider re-posting).
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from aiohttp import web

from ivr.clock import Clock, utc_now
from ivr.http_guard import loads_json
from ivr.notify.numbers import InvalidNumber, normalise_uk_mobile
from ivr.notify.outbox import OutboxDown, OutboxStore, SmsOutbox
from ivr.notify.sensitive import DEFAULT_SURVEY_EXCLUDED, Sensitivity
from ivr.store.db import Row, iso, write_transaction

log = logging.getLogger(__name__)

DEFAULT_EXCLUDED = DEFAULT_SURVEY_EXCLUDED
REPLY_WINDOW = timedelta(days=7)
MAX_COMMENT = 1000

SURVEY_TEXT = (
    "Thank you for calling 101. Please help us improve: reply with 3 scores from 1 (poor) "
    "to 5 (excellent) for 1) your call overall 2) the time to answer 3) how well we dealt "
    "with your request, then any comments. E.g. 5 4 5 helpful. This number is not "
    "monitored: to report anything call 101, or 999 in an emergency."
)


class ReplyError(ValueError):
    """A reply we cannot read as three scores; the message tells the sender the format."""

    error_id = "survey-reply-invalid"


@dataclass(frozen=True)
class SurveyReply:
    scores: tuple[int, int, int]
    comment: str


_SCORES = re.compile(r"^\s*(\d+)\s*[,;/\s]\s*(\d+)\s*[,;/\s]\s*(\d+)\b[\s,;.:\-]*(.*)$", re.S)
_COMPACT = re.compile(r"^\s*(\d)(\d)(\d)\b[\s,;.:\-]*(.*)$", re.S)
_FORMAT = "expected three scores from 1 to 5, then any comments, e.g. '5 4 3 great service'"


def parse_reply(text: str) -> SurveyReply:
    """Read "5 4 3 great service", "5,4,3", "5/4/3" or "543 thanks" into scores + comment."""
    match = _SCORES.match(text) or _COMPACT.match(text)
    if match is None:
        raise ReplyError(_FORMAT)
    raw = [int(match.group(i)) for i in (1, 2, 3)]
    bad = [n for n in raw if not 1 <= n <= 5]
    if bad:
        raise ReplyError(f"score {bad[0]} is out of range: {_FORMAT}")
    comment = " ".join(match.group(4).split())[:MAX_COMMENT]
    return SurveyReply((raw[0], raw[1], raw[2]), comment)


SurveyOutcome = Literal["queued", "excluded", "not-mobile", "already-sent"]


@dataclass(frozen=True)
class SurveyOffer:
    outcome: SurveyOutcome
    outbox_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class ReplyOutcome:
    recorded: bool
    response_id: int | None = None
    call_id: str | None = None


class SurveyService:
    """Decides whether a call gets a survey, queues it, and records replies."""

    def __init__(
        self,
        outbox: SmsOutbox,
        excluded: Iterable[str] = DEFAULT_EXCLUDED,
        *,
        text: str = SURVEY_TEXT,
        clock: Clock = utc_now,
    ) -> None:
        self._outbox = outbox
        self.sensitivity = Sensitivity(excluded)
        self._text = text
        self._clock = clock

    def excluded_by(self, categories: Iterable[str], heard: Iterable[str] = ()) -> list[str]:
        """The call's categories that forbid a survey (empty: a survey may be sent)."""
        return self.sensitivity.blocked(categories, heard)

    async def offer(
        self, call_id: str, number: str, categories: Iterable[str], heard: Iterable[str] = ()
    ) -> SurveyOffer:
        """Queue the survey for a finished call unless excluded, not a mobile or already sent.

        ``heard``: what the caller said (every alternative), checked for sensitive topics.
        """
        blocked = self.excluded_by(categories, heard)
        if blocked:
            log.info("survey for %s not sent: excluded category %s", call_id, ", ".join(blocked))
            return SurveyOffer("excluded", reason=f"excluded category: {', '.join(blocked)}")
        try:
            normalise_uk_mobile(number)
        except InvalidNumber as exc:
            return SurveyOffer("not-mobile", reason=str(exc))
        if await self._outbox.run(lambda s: _survey_sent(s, call_id)):
            return SurveyOffer("already-sent")
        queued = await self._outbox.enqueue(number, self._text, "survey", call_id=call_id)
        return SurveyOffer("queued", outbox_id=queued.id)

    async def record_reply(
        self, sender: str, body: str, reference: str | None = None
    ) -> ReplyOutcome:
        """Match a reply to its survey and store it. Raises InvalidNumber / ReplyError."""
        number = normalise_uk_mobile(sender)
        since = iso(self._clock() - REPLY_WINDOW)
        survey = await self._outbox.run(lambda s: _find_survey(s, number, reference, since))
        if survey is None:
            return ReplyOutcome(False)
        reply = parse_reply(body)
        row = {
            "outbox_id": survey["id"],
            "call_id": survey["call_id"],
            "q1_overall": reply.scores[0],
            "q2_time_to_answer": reply.scores[1],
            "q3_dealt_with": reply.scores[2],
            "comment": reply.comment,
            "received_at": iso(self._clock()),
        }
        response_id = await self._outbox.run(lambda s: _save_response(s, row))
        return ReplyOutcome(True, response_id, survey["call_id"])


def _survey_sent(store: OutboxStore, call_id: str) -> bool:
    row = store.db.execute(
        "SELECT 1 FROM sms_outbox WHERE kind = 'survey' AND call_id = ? AND state != 'failed'",
        [call_id],
    ).fetchone()
    return row is not None


def _find_survey(store: OutboxStore, number: str, reference: str | None, since: str) -> Row | None:
    sql = (
        "SELECT id, call_id FROM sms_outbox WHERE kind = 'survey' AND to_number = ?"
        " AND state = 'sent' AND created_at >= ?"
    )
    params: list[str] = [number, since]
    if reference:
        sql += " AND reference = ?"
        params.append(reference)
    row = store.db.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
    return None if row is None else {"id": int(row[0]), "call_id": row[1]}


def _save_response(store: OutboxStore, row: Row) -> int:
    """Store the reply; a second reply to the same survey replaces the first. Its id."""
    with write_transaction(store.db):
        found = store.db.scalar(
            "INSERT INTO survey_responses (outbox_id, call_id, q1_overall, q2_time_to_answer,"
            " q3_dealt_with, comment, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (outbox_id) DO UPDATE SET q1_overall = excluded.q1_overall,"
            " q2_time_to_answer = excluded.q2_time_to_answer,"
            " q3_dealt_with = excluded.q3_dealt_with, comment = excluded.comment,"
            " received_at = excluded.received_at RETURNING id",
            [
                row["outbox_id"],
                row["call_id"],
                row["q1_overall"],
                row["q2_time_to_answer"],
                row["q3_dealt_with"],
                row["comment"],
                row["received_at"],
            ],
        )
    return int(found)


class SmsInbound:
    """``POST /sms/inbound``: the provider's webhook for replies (JSON or form-encoded).

    401 without the shared secret (and always, if no secret is configured:
    an open endpoint would let anyone write survey results); 400 with the
    reason for a missing field, a bad number or an unreadable reply; 202 for
    a sender we sent no survey to (logged, nothing stored); 200 when
    recorded; 503 while the outbox is not open, so the provider retries.
    """

    def __init__(self, survey: SurveyService, secret: str, header: str = "X-Sms-Secret") -> None:
        self._survey = survey
        self._secret = secret
        self._header = header

    def __repr__(self) -> str:
        return f"SmsInbound(header={self._header!r})"

    def register(self, app: web.Application, path: str = "/sms/inbound") -> None:
        app.router.add_post(path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(self._header, "")
        if not self._secret or not hmac.compare_digest(
            given.encode("utf-8"), self._secret.encode("utf-8")
        ):
            log.warning("sms inbound: refused a request without the shared secret")
            return _error(401, "missing or wrong shared secret")
        try:
            fields = await _fields(request)
        except ValueError as exc:
            return _error(400, str(exc), getattr(exc, "error_id", "invalid-request"))
        sender, body = fields.get("from", "").strip(), fields.get("body", "")
        if not sender or not body.strip():
            return _error(400, "the request needs 'from' and 'body'")
        try:
            outcome = await self._survey.record_reply(sender, body, fields.get("reference") or None)
        except InvalidNumber as exc:
            return _error(400, str(exc))
        except ReplyError as exc:
            return _error(400, str(exc))
        except OutboxDown:
            return _error(503, "not ready; try again")
        if not outcome.recorded:
            log.info("sms inbound: reply from a number with no open survey; ignored")
            return web.json_response(
                {"recorded": False, "reason": "no survey for this sender"}, status=202
            )
        return web.json_response(
            {"recorded": True, "response_id": outcome.response_id, "call_id": outcome.call_id}
        )


async def _fields(request: web.Request) -> dict[str, str]:
    if request.content_type == "application/json":
        data = loads_json(await request.read())  # BadJson is a ValueError
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object with 'from' and 'body'")
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}
    form = await request.post()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _error(status: int, message: str, error_id: str | None = None) -> web.Response:
    body = {"error": message} if error_id is None else {"error": message, "error_id": error_id}
    return web.json_response(body, status=status)
