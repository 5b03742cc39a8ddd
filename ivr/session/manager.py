"""CallManager: turns ARI events into call sessions and keeps them in step.

It is the app's only ARI event handler. A StasisStart for a channel nobody
owns is a new inbound call; every other event goes to whichever session
watches one of the object ids it names. After the WebSocket comes back it
reconciles with ``GET /channels`` because Asterisk drops, not replays, the
events of the gap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from ivr.ari import events as ari
from ivr.ari.client import AriClient
from ivr.ari.errors import AriError
from ivr.ari.models import Channel
from ivr.session.control import AriCallControl
from ivr.session.session import CallSession

log = logging.getLogger(__name__)

# appArgs the app gives the channels it creates itself; they are never new calls.
OWN_CHANNEL_ARGS = frozenset({"leg", "snoop", "media"})

SessionFactory = Callable[[Channel, str, AriCallControl], CallSession]


@dataclass
class LiveCall:
    session: CallSession
    control: AriCallControl
    task: asyncio.Task[None]


class CallManager:
    """Routes events to sessions (it is the EventRouter) and owns their tasks."""

    def __init__(self, client: AriClient, app: str, make_session: SessionFactory) -> None:
        self._client = client
        self._app = app
        self._make_session = make_session
        self._watchers: dict[str, asyncio.Queue[ari.AriEvent]] = {}
        self.calls: dict[str, LiveCall] = {}
        self.unrouted = 0

    # --- EventRouter -----------------------------------------------------------------

    def watch(self, object_id: str, sink: asyncio.Queue[ari.AriEvent]) -> None:
        self._watchers[object_id] = sink

    def unwatch(self, object_id: str) -> None:
        self._watchers.pop(object_id, None)

    # --- event intake ------------------------------------------------------------------

    def on_event(self, event: ari.AriEvent) -> None:
        if isinstance(event, ari.StasisStarted) and event.channel.id not in self._watchers:
            if event.args and event.args[0] in OWN_CHANNEL_ARGS:
                log.warning(
                    "own %s channel %s is not watched; ignoring", event.args[0], event.channel.id
                )
                return
            dialled = event.args[0] if event.args else event.channel.dialplan.exten
            self.start_call(event.channel, dialled)
            return
        if isinstance(event, ari.ApplicationReplaced):
            log.error(
                "another connection took over ARI app %s; this one gets no more events", self._app
            )
            return
        if isinstance(event, ari.UnknownEvent):
            log.debug("unhandled ari event %s", event.type)
            return
        sinks = {id(q): q for oid in event.object_ids() if (q := self._watchers.get(oid))}
        if not sinks:
            self.unrouted += 1
            log.debug("%s for objects %s that no call owns", event.type, event.object_ids())
        for queue in sinks.values():
            queue.put_nowait(event)

    def start_call(self, channel: Channel, dialled: str) -> CallSession:
        control = AriCallControl(
            self._client, self, self._app, channel.id, channel.language or "en"
        )
        session = self._make_session(channel, dialled, control)
        task = asyncio.create_task(self._run(session), name=f"call:{session.call_id}")
        self.calls[session.call_id] = LiveCall(session, control, task)
        log.info("call %s from %s to %s", session.call_id, channel.caller.number or "?", dialled)
        return session

    async def _run(self, session: CallSession) -> None:
        try:
            await session.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s crashed", session.call_id)
        finally:
            self.calls.pop(session.call_id, None)

    # --- after a reconnect ---------------------------------------------------------------

    async def reconcile(self) -> None:
        """Bring sessions in line with Asterisk after events may have been lost."""
        try:
            channels = await self._client.list_channels()
        except AriError as exc:
            log.error("reconcile: cannot list channels: %s", exc)
            return
        live = {c.id: c for c in channels}
        for call in list(self.calls.values()):
            await call.control.reconcile(set(live))
        for channel in channels:
            if channel.id in self._watchers or not self._is_ours_unowned(channel):
                continue
            log.warning("reconcile: adopting call %s that arrived while disconnected", channel.id)
            self.start_call(channel, channel.dialplan.exten)

    def _is_ours_unowned(self, channel: Channel) -> bool:
        plan = channel.dialplan
        if plan.app_name != "Stasis":
            return False
        app, _, args = plan.app_data.partition(",")
        return app == self._app and args.split(",")[0] not in OWN_CHANNEL_ARGS

    async def shutdown(self) -> None:
        tasks = [c.task for c in self.calls.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
