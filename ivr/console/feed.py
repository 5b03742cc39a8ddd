"""BoardFeed: the board's change feed, served as server-sent events.

Calls tell the feed which call changed (``changed``, from BoardCallLog: a plain set add, so a
call never waits for the board). One publisher task coalesces bursts (at most one message
per ``min_interval_s``), builds only the changed rows, formats the message once and hands it
to every client's bounded queue. A client that cannot keep up is dropped (its queue is full:
it reconnects, as EventSource does by itself, and starts again from a snapshot) so a slow
browser never holds up the calls or the other clients. Every ``sweep_s`` all rows are
rebuilt and compared with what was sent: queue positions move when someone else leaves,
calls leave without a last log record, agents change state, none of which names the row.
With several Asterisk nodes on one database, the other nodes' live calls are read from it
every ``others_s`` (ivr.console.cluster, on a store thread) and sent when they changed.

Messages (``event:`` name, ``data:`` JSON):
  snapshot  {"now", "calls": [BoardCall...], "queues": QueuesPanel, "others": [OtherCall...]}
            on connect
  calls     {"now", "changed": [BoardCall...], "removed": [call_id...]}
  queues    {"now", "queues": QueuesPanel}
  others    {"now", "others": [OtherCall...]}   the other nodes' calls, all of them
and a comment line as a heartbeat when nothing else was sent for ``heartbeat_s``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from ivr.console.board import BoardView
from ivr.console.cluster import OtherCall
from ivr.console.panel import QueuesDesk

log = logging.getLogger(__name__)

HEARTBEAT = b": keep-alive\n\n"


class FeedEvent(StrEnum):
    SNAPSHOT = "snapshot"
    CALLS = "calls"
    QUEUES = "queues"
    OTHERS = "others"


class OtherCalls(Protocol):
    """Other nodes' live calls (``ivr.console.cluster.OtherNodes``)."""

    async def calls(self) -> list[OtherCall]: ...


def sse(event: FeedEvent, data: dict[str, Any]) -> bytes:
    """One server-sent event; JSON has no raw newlines, so one ``data:`` line is enough."""
    body = json.dumps(data, separators=(",", ":"))
    return f"event: {event.value}\ndata: {body}\n\n".encode()


@dataclass(eq=False)
class Subscriber:
    """One connected client: what is still to be written to it (None: stop)."""

    queue: asyncio.Queue[bytes | None]
    dropped: bool = False

    def offer(self, message: bytes) -> bool:
        """Queue ``message``; False (and the client is told to stop) if it is too far behind."""
        if self.dropped:
            return False
        try:
            self.queue.put_nowait(message)
            return True
        except asyncio.QueueFull:
            self.stop()
            self.dropped = True
            return False

    def stop(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


@dataclass
class FeedStats:
    published: int = 0  # messages with changes
    rows_built: int = 0
    dropped_clients: int = 0
    cpu_s: float = 0.0  # process time spent building and formatting messages


def _row_key(row: dict[str, Any]) -> str:
    """A row without the fields that change every second (the page counts those itself)."""
    stable = dict(row, in_ivr_s=0)
    if stable.get("queue"):
        stable["queue"] = dict(stable["queue"], waited_s=0)
    return json.dumps(stable, sort_keys=True, separators=(",", ":"))


class BoardFeed:
    def __init__(
        self,
        view: BoardView,
        desk: QueuesDesk,
        *,
        others: OtherCalls | None = None,
        others_s: float = 2.0,
        min_interval_s: float = 0.25,
        sweep_s: float = 2.0,
        heartbeat_s: float = 15.0,
        client_backlog: int = 64,
    ) -> None:
        self.view = view
        self.desk = desk
        self.others = others
        self.others_s = others_s
        self.min_interval_s = min_interval_s
        self.sweep_s = sweep_s
        self.heartbeat_s = heartbeat_s
        self.client_backlog = client_backlog
        self.version = 0  # counts changes reported (a client may compare two reads)
        self.stats = FeedStats()
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._clients: set[Subscriber] = set()
        self._sent: dict[str, str] = {}  # call id -> the row's key as last published
        self._shown: set[str] = set()  # every call id a client may have on its board
        self._panel = ""  # the queues panel as last published
        self._others: list[dict[str, Any]] = []  # the other nodes' calls as last read
        self._others_key = "[]"
        self._closed = False

    # --- from the calls (never blocks, never raises) --------------------------------------

    def changed(self, call_id: str) -> None:
        self.version += 1
        self._dirty.add(call_id)
        self._wake.set()

    # --- clients --------------------------------------------------------------------------

    @property
    def clients(self) -> int:
        return len(self._clients)

    def subscribe(self) -> tuple[Subscriber, bytes]:
        """A new client and its first message (a snapshot of every call and the panel)."""
        subscriber = Subscriber(asyncio.Queue(maxsize=self.client_backlog))
        if self._closed:
            subscriber.stop()
        else:
            self._clients.add(subscriber)
        calls = self.view.snapshot()
        self._shown.update(c.call_id for c in calls)
        message = sse(
            FeedEvent.SNAPSHOT,
            {
                "now": self._now(),
                "calls": [c.to_json() for c in calls],
                "queues": self.desk.panel().to_json(),
                "others": self._others,
            },
        )
        return subscriber, message

    @property
    def other_calls(self) -> list[dict[str, Any]]:
        """The other nodes' calls as last read (the page's first rows)."""
        return self._others

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._clients.discard(subscriber)

    def close(self) -> None:
        """The app is stopping: every client's stream ends (no new ones start)."""
        self._closed = True
        for subscriber in self._clients:
            subscriber.stop()
        self._clients.clear()

    # --- the publisher --------------------------------------------------------------------

    async def run(self) -> None:
        """Publish changes until cancelled: a task of its own (BoardConsole starts it)."""
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self._publish_changes())
            if self.others is not None:
                tasks.create_task(self._poll_others(self.others))

    async def _poll_others(self, others: OtherCalls) -> None:
        """The other nodes' calls, read every ``others_s``; a failed read is tried again."""
        while True:
            try:
                self.others_read(await others.calls())
            except Exception:
                log.exception("board: reading the other nodes' calls failed")
            await asyncio.sleep(self.others_s)

    def others_read(self, calls: list[OtherCall]) -> bool:
        """The other nodes' calls as just read: sent to the clients only if they changed."""
        rows = [c.to_json() for c in calls]
        key = json.dumps(rows, sort_keys=True, separators=(",", ":"))
        if key == self._others_key:
            return False
        self._others, self._others_key = rows, key
        if self._clients:
            self._send(sse(FeedEvent.OTHERS, {"now": self._now(), "others": rows}))
        return True

    async def _publish_changes(self) -> None:
        loop = asyncio.get_running_loop()
        last = 0.0
        next_sweep = loop.time() + self.sweep_s
        while True:
            try:
                async with asyncio.timeout(max(0.0, next_sweep - loop.time())):
                    await self._wake.wait()
            except TimeoutError:
                pass
            # Coalesce: whatever else changes until the interval is up goes in this message.
            pause = last + self.min_interval_s - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            self._wake.clear()
            sweep = loop.time() >= next_sweep
            if sweep:
                next_sweep = loop.time() + self.sweep_s
            last = loop.time()
            try:
                self.publish(sweep=sweep)
            except Exception:
                log.exception("board: publishing a change failed")

    def publish(self, *, sweep: bool = False) -> None:
        """Send what changed since the last call (every row compared, with ``sweep``)."""
        dirty, self._dirty = self._dirty, set()
        if not self._clients:
            # Nobody watches: forget what was shown; a client that comes gets a snapshot.
            self._sent.clear()
            self._shown.clear()
            self._panel = ""
            if sweep:
                self._prune_notes()
            return
        started = time.process_time()
        changed, removed = self._changed_rows(dirty, sweep)
        now = self._now()
        if changed or removed:
            self._send(sse(FeedEvent.CALLS, {"now": now, "changed": changed, "removed": removed}))
        panel = self.desk.panel().to_json()
        panel_key = json.dumps(panel, sort_keys=True)
        if panel_key != self._panel:
            self._panel = panel_key
            self._send(sse(FeedEvent.QUEUES, {"now": now, "queues": panel}))
        if sweep:
            self._prune_notes()
        self.stats.cpu_s += time.process_time() - started

    def _changed_rows(self, dirty: set[str], sweep: bool) -> tuple[list[dict[str, Any]], list[str]]:
        ids: Iterable[str] = dirty
        if sweep:
            ids = dirty | set(self.view.calls()) | self._shown
        rows, gone = self.view.rows(ids)
        self.stats.rows_built += len(rows)
        changed: list[dict[str, Any]] = []
        for row in rows:
            data = row.to_json()
            key = _row_key(data)
            # A call that reported a change is sent as it is; the sweep sends only real changes.
            if row.call_id in dirty or self._sent.get(row.call_id) != key:
                changed.append(data)
                self._sent[row.call_id] = key
                self._shown.add(row.call_id)
        removed = [g for g in gone if g in self._shown]
        for call_id in removed:
            self._shown.discard(call_id)
            self._sent.pop(call_id, None)
        return changed, removed

    def _send(self, message: bytes) -> None:
        self.stats.published += 1
        for subscriber in list(self._clients):
            if not subscriber.offer(message):
                self._clients.discard(subscriber)
                self.stats.dropped_clients += 1
                log.info("board: a client too far behind was dropped (it will reconnect)")

    def _prune_notes(self) -> None:
        """Notes of calls whose sessions are gone (the note outlived the call's last record)."""
        live = {c.call_id for c in self.view.live()}
        for call_id in self.view.notes.known() - live:
            self.view.notes.forget(call_id)

    def _now(self) -> float:
        return self.view.clock().timestamp()
