"""The ARI WebSocket: receive events, keep the link alive, come back after a drop.

Asterisk does not replay events missed while the socket was down (see the
reconnect trace), so after every reconnect the owner is told to reconcile
its calls with ``GET /channels``.

An open socket is not proof that Asterisk still sends this app's events: Asterisk 22
unregisters an app when the last socket that held it closes, even one that took it over
from this one and left, and one that registers while an older socket of the same name is
being torn down can be left with no registration at all (res_stasis ``app_update``). So
while connected the stream asks ``GET /applications/<app>`` now and then; gone (404), it
connects again, which registers the app afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from ivr.ari.client import AriClient
from ivr.ari.errors import AriError, AriNotFound
from ivr.ari.events import ApplicationReplaced, AriEvent, EventParseError, parse_event
from ivr.masking import mask_numbers

log = logging.getLogger(__name__)

EventHandler = Callable[[AriEvent], None]
ConnectedHandler = Callable[[bool], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter, so many apps do not reconnect in step."""

    initial: float = 0.5
    maximum: float = 30.0
    factor: float = 2.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.maximum, self.initial * self.factor ** max(0, attempt))
        return rng.uniform(ceiling / 2, ceiling)


class EventStream:
    """Owns the one WebSocket of the app; hands typed events to a handler.

    ``on_event`` runs synchronously on the loop for every event (it must not
    block); ``on_connected(reconnect)`` runs after each successful connect.
    """

    def __init__(
        self,
        client: AriClient,
        app: str,
        on_event: EventHandler,
        on_connected: ConnectedHandler,
        *,
        heartbeat: float = 20.0,
        backoff: Backoff = Backoff(),
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
        on_replaced: Callable[[], None] | None = None,
        registration_check: float = 20.0,
    ) -> None:
        self._client = client
        self._app = app
        self._on_event = on_event
        self._on_connected = on_connected
        self._heartbeat = heartbeat
        self._backoff = backoff
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._on_replaced = on_replaced  # [ha]: another node took the app: fence this one
        self._registration_check = registration_check  # seconds; 0 never checks
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self.connected = asyncio.Event()
        self.connects = 0
        self.skipped_messages = 0
        self.registrations_lost = 0
        # Another connection took the app over: this socket stays open but hears nothing.
        self.replaced = False

    async def run(self) -> None:
        """Connect, read, reconnect until cancelled. Never returns normally."""
        attempt = 0
        while True:
            try:
                async with self._client.http.ws_connect(
                    self._client.events_url,
                    params={"app": self._app},
                    headers=self._client.auth_headers,
                    heartbeat=self._heartbeat,
                ) as ws:
                    self._ws = ws
                    attempt = 0
                    self.connects += 1
                    self.connected.set()
                    log.info(
                        "ari websocket connected (app=%s, connect #%d)", self._app, self.connects
                    )
                    self.replaced = False
                    try:
                        await self._on_connected(self.connects > 1)
                    except Exception:
                        # Reconciliation is best effort: never let it kill the listener.
                        log.exception("after-connect reconciliation failed; events continue")
                    checker = asyncio.create_task(
                        self._keep_registered(ws), name="ari-registration"
                    )
                    try:
                        await self._read(ws)
                    finally:
                        checker.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await checker
                    log.warning("ari websocket closed (code=%s)", ws.close_code)
            except aiohttp.WSServerHandshakeError as exc:
                level = logging.ERROR if exc.status in (400, 401, 403) else logging.WARNING
                log.log(level, "ari websocket refused: HTTP %s %s", exc.status, exc.message)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                log.warning("ari websocket unavailable: %s: %s", type(exc).__name__, exc)
            finally:
                self._ws = None
                self.connected.clear()
            delay = self._backoff.delay(attempt, self._rng)
            attempt += 1
            log.info("ari websocket reconnect in %.2f s (attempt %d)", delay, attempt)
            await self._sleep(delay)

    async def close(self) -> None:
        ws = self._ws
        if ws is not None:
            await ws.close()

    async def _keep_registered(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Close the socket (so ``run`` connects again) once Asterisk no longer has the
        app; a failed check is the heartbeat's business, not this one's."""
        if self._registration_check <= 0:
            return
        while True:
            await asyncio.sleep(self._registration_check)
            if self.replaced and self._on_replaced is not None:
                return  # [ha]: the app is another node's now; this one is fenced
            try:
                await self._client.get_application(self._app)
            except AriNotFound:
                self.registrations_lost += 1
                log.error(
                    "Asterisk no longer has ARI app %s registered; connecting again", self._app
                )
                await ws.close()
                return
            except AriError as exc:
                log.debug("ari registration check failed: %s", exc)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.handle_text(msg.data)
            elif msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                break

    def handle_text(self, text: str) -> None:
        """Decode one message and hand it on; a bad message is logged and skipped."""
        try:
            event = parse_event(json.loads(text))
        except (ValueError, EventParseError) as exc:
            self.skipped_messages += 1
            # The message carries the caller's number.
            log.warning("skipped ari message: %s: %.200s", exc, mask_numbers(text))
            return
        if isinstance(event, ApplicationReplaced):
            self.replaced = True
            log.error(
                "another connection took over ARI app %s; this one gets no events until it"
                " is free again",
                self._app,
            )
            if self._on_replaced is not None:
                self._on_replaced()
                return
        try:
            self._on_event(event)
        except Exception:
            log.exception("event handler failed on %s", event.type)
