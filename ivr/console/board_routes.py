"""The board's HTTP side: the page at ``/``, its JSON and server-sent events, the queues panel
and the two callback actions.

Who is asking comes from the auth middleware (``identity.OPERATOR``); the CSRF token of a
cookie session is checked there too, so these handlers only check the role, validate the
body and audit. The lead wires it with ``BoardConsole.build(...)`` and ``register(app, ...)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiohttp import web

from ivr.callers.model import HATE_INCIDENT, REPEAT_VICTIM, VULNERABLE
from ivr.clock import Clock, utc_now
from ivr.console.access import ACCESS
from ivr.console.board import LONG_WAIT_S, BoardView, LiveCalls
from ivr.console.bodies import json_object
from ivr.console.cluster import OtherNodes
from ivr.console.errors import BadRequest
from ivr.console.feed import HEARTBEAT, BoardFeed
from ivr.console.identity import OPERATOR, Audit, Operator, Role, require
from ivr.console.notes import BoardCallLog, CallNotes
from ivr.console.pages import Pages, add_static
from ivr.console.panel import CallbackNotFound, QueuesDesk, Withdrawal
from ivr.console.reasons import MAX_REASON_CHARS, ReasonCode
from ivr.queues.service import QueueService
from ivr.store.log import CallLog

log = logging.getLogger(__name__)


class BoardAudit(StrEnum):
    """What the board writes to the audit trail."""

    BOARD_VIEWED = "board-viewed"  # callers' details (masked numbers, words) were shown
    QUEUES_VIEWED = "queues-viewed"
    CALLBACK_CANCELLED = "callback-cancelled"
    CALLBACK_CALLED_NOW = "callback-called-now"


PRIORITY_FLAGS = (VULNERABLE, REPEAT_VICTIM, HATE_INCIDENT)
STREAMS_PER_OPERATOR = 3  # a board, a second screen, a reload racing the old one
STREAMS_IN_ALL = 50  # each builds a snapshot on the loop that runs the calls


class StreamSlots:
    """How many event streams each operator holds: a few each, and a ceiling for all."""

    def __init__(self) -> None:
        self._held: Counter[str] = Counter()

    def take(self, operator: str) -> str | None:
        """None when a slot was taken; else why not."""
        if self._held[operator] >= STREAMS_PER_OPERATOR:
            return f"at most {STREAMS_PER_OPERATOR} live boards per person: close one"
        if sum(self._held.values()) >= STREAMS_IN_ALL:
            return "too many live boards are open: try again shortly"
        self._held[operator] += 1
        return None

    def give_back(self, operator: str) -> None:
        self._held[operator] -= 1
        if self._held[operator] <= 0:
            del self._held[operator]


@dataclass
class BoardConsole:
    """The board's parts, built once per app."""

    view: BoardView
    feed: BoardFeed
    desk: QueuesDesk
    call_log: BoardCallLog  # give this to the sessions instead of the SqliteCallLog
    audit: Audit
    pages: Pages
    destinations: tuple[str, ...]
    slots: StreamSlots = field(default_factory=StreamSlots)
    # Several Asterisk nodes on one database: this node's name (its calls' origin) and
    # the others' live calls, read-only (None: not read).
    node: str = ""
    others: OtherNodes | None = None

    @classmethod
    def build(
        cls,
        *,
        inner_log: CallLog,
        live: LiveCalls,
        audit: Audit,
        queues: QueueService | None = None,
        callbacks: Withdrawal | None = None,  # the CallbackWorker
        destinations: Iterable[str] = (),
        clock: Clock = utc_now,
        long_wait_s: float = LONG_WAIT_S,
        others: OtherNodes | None = None,
    ) -> BoardConsole:
        notes = CallNotes()
        view = BoardView(live, notes, queues, clock=clock, long_wait_s=long_wait_s)
        desk = QueuesDesk(queues, callbacks)
        feed = BoardFeed(view, desk, others=others)
        return cls(
            view,
            feed,
            desk,
            BoardCallLog(inner_log, notes, feed.changed),
            audit,
            Pages(),
            tuple(sorted(set(destinations))),
            node=others.origin if others is not None else "",
            others=others,
        )

    async def other_calls(self) -> list[dict[str, Any]]:
        """The other nodes' live calls, read now."""
        if self.others is None:
            return []
        return [c.to_json() for c in await self.others.calls()]


BOARD = web.AppKey("board", BoardConsole)


def register(app: web.Application, console: BoardConsole) -> None:
    """Routes, ``/static/``, and the feed's publisher task for the app's lifetime."""
    app[BOARD] = console
    add_static(app)
    app.router.add_get("/", _board_page)
    app.router.add_get("/api/board", _board_json)
    app.router.add_get("/api/board/events", _board_events)
    app.router.add_get("/api/queues", _queues_json)
    app.router.add_post("/api/callbacks/{call_id}/cancel", _cancel_callback)
    app.router.add_post("/api/callbacks/{call_id}/now", _callback_now)
    app.cleanup_ctx.append(_publisher)
    app.on_shutdown.append(_close_streams)


async def _publisher(app: web.Application) -> AsyncIterator[None]:
    others = app[BOARD].others
    if others is not None:
        await others.open()
    task = asyncio.create_task(app[BOARD].feed.run(), name="board-feed")
    yield
    app[BOARD].feed.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if others is not None:
        await others.close()


async def _close_streams(app: web.Application) -> None:
    """Open event streams would hold the shutdown up: each is told to end."""
    app[BOARD].feed.close()


# --- pages ---------------------------------------------------------------------------------


async def _board_page(request: web.Request) -> web.StreamResponse:
    if request.get(OPERATOR) is None:
        raise web.HTTPSeeOther("/login")  # the sign-in page (ivr.console.auth)
    operator = require(request, Role.OPERATOR)
    console = request.app[BOARD]
    console.audit.record(operator.name, BoardAudit.BOARD_VIEWED, {"via": "page"})
    return console.pages.render(
        "board.html",
        operator=operator,
        now=console.view.clock().timestamp(),
        calls=console.view.snapshot(),
        panel=console.desk.panel(),
        node=console.node,
        others=await console.other_calls(),
        destinations=console.destinations,
        reasons=list(ReasonCode),
        priority_flags=PRIORITY_FLAGS,
        max_reason=MAX_REASON_CHARS,
    )


# --- JSON ----------------------------------------------------------------------------------


async def _board_json(request: web.Request) -> web.Response:
    operator = require(request, Role.OPERATOR)
    console = request.app[BOARD]
    console.audit.record(operator.name, BoardAudit.BOARD_VIEWED, {"via": "api"})
    return web.json_response(
        {
            "now": console.view.clock().timestamp(),
            "calls": [c.to_json() for c in console.view.snapshot()],
            "node": console.node,
            "others": await console.other_calls(),
        }
    )


async def _queues_json(request: web.Request) -> web.Response:
    operator = require(request, Role.OPERATOR)
    console = request.app[BOARD]
    console.audit.record(operator.name, BoardAudit.QUEUES_VIEWED, {})
    return web.json_response(console.desk.panel().to_json())


async def _board_events(request: web.Request) -> web.StreamResponse:
    operator = require(request, Role.OPERATOR)
    if request.method != "GET":
        raise web.HTTPMethodNotAllowed(request.method, ["GET"])  # a HEAD would hold a slot
    console = request.app[BOARD]
    refused = console.slots.take(operator.name)
    if refused is not None:
        raise web.HTTPTooManyRequests(
            text=json.dumps({"error": refused}), content_type="application/json"
        )
    try:
        return await _stream(request, console, operator)
    finally:
        console.slots.give_back(operator.name)


async def _stream(
    request: web.Request, console: BoardConsole, operator: Operator
) -> web.StreamResponse:
    feed = console.feed
    console.audit.record(operator.name, BoardAudit.BOARD_VIEWED, {"via": "events"})
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # a proxy in front must pass each event on at once
        }
    )
    await response.prepare(request)
    subscriber, first = feed.subscribe()
    try:
        await response.write(first)
        while True:
            try:
                async with asyncio.timeout(feed.heartbeat_s):
                    message = await subscriber.queue.get()
            except TimeoutError:
                message = HEARTBEAT
                if not await _still_signed_in(request):
                    await response.write(SIGNED_OUT)  # the page says it is not live
                    break
            if message is None:
                break  # too far behind, or the app is stopping
            await response.write(message)
    except ConnectionError:
        pass  # the client went away mid-write
    finally:
        feed.unsubscribe(subscriber)
    return response


SIGNED_OUT = b"event: signed-out\ndata: {}\n\n"


async def _still_signed_in(request: web.Request) -> bool:
    """Callers' details stop flowing once the operator is signed out, disabled or expired."""
    access = request.app.get(ACCESS)
    return access is None or await access.auth.still_signed_in(request)


# --- callback actions ----------------------------------------------------------------------


async def _cancel_callback(request: web.Request) -> web.Response:
    operator = require(request, Role.OPERATOR)
    console = request.app[BOARD]
    call_id = request.match_info["call_id"]
    body = await _json_object(request)
    reason = _reason(body)
    try:
        await console.desk.cancel(call_id, f"operator {operator.name}: {reason}")
    except CallbackNotFound:
        raise _error(404, f"no open callback for call {call_id}") from None
    console.audit.record(
        operator.name, BoardAudit.CALLBACK_CANCELLED, {"call_id": call_id, "reason": reason}
    )
    console.feed.changed(call_id)
    return web.json_response({"call_id": call_id, "cancelled": True})


async def _callback_now(request: web.Request) -> web.Response:
    operator = require(request, Role.OPERATOR)
    console = request.app[BOARD]
    call_id = request.match_info["call_id"]
    if request.can_read_body:
        await _json_object(request)  # an empty body is fine; a bad one is still a 400
    try:
        entry = await console.desk.call_now(call_id)
    except CallbackNotFound:
        raise _error(404, f"no waiting callback for call {call_id}") from None
    console.audit.record(operator.name, BoardAudit.CALLBACK_CALLED_NOW, {"call_id": call_id})
    console.feed.changed(call_id)
    return web.json_response({"call_id": call_id, "queue": entry.queue, "ready": True})


def _error(status: int, message: str) -> web.HTTPException:
    """A JSON error the page and a force's tools can show as it is."""
    kind = web.HTTPNotFound if status == 404 else web.HTTPBadRequest
    return kind(text=json.dumps({"error": message}), content_type="application/json")


async def _json_object(request: web.Request) -> Mapping[str, Any]:
    try:
        return await json_object(request, empty_ok=True)
    except BadRequest as exc:
        raise _error(400, exc.message) from None


def _reason(body: Mapping[str, Any]) -> str:
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise _error(400, '"reason" is required: a short text saying why')
    reason = reason.strip()
    if len(reason) > MAX_REASON_CHARS:
        raise _error(400, f'"reason" is longer than {MAX_REASON_CHARS} characters')
    return reason
