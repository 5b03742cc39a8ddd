"""A TCP proxy between the app and Asterisk's HTTP port that a test can cut and restore.

The app's ARI URL is the proxy's, so its REST requests and its event WebSocket both go
through it. ``cut()`` closes every connection it carries and turns new ones away (as a
network that drops does); ``restore()`` lets new ones through again. What a test waits
on is the proxy's own record: a connection turned away while cut is the app noticing the
drop and trying again. ``cut_between_requests()`` waits first until every request the
app has sent has had its answer back: Asterisk can announce a playback on another socket
before the app's ``POST /play`` has its reply, and a request cut in flight is another
case (the call steps down to a person) than a link lost while the call waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

CHUNK = 65536


@dataclass(eq=False)  # each pipe is itself (kept in a set)
class _Pipe:
    """One client connection and its upstream twin; closing either closes both."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    # The app has sent bytes Asterisk has not answered yet (its last bytes went up).
    awaiting: bool = False

    def close(self) -> None:
        for writer in (self.client, self.upstream):
            writer.close()


@dataclass
class CuttableProxy:
    """Forwards 127.0.0.1:<port> to ``target_port``; ``cut`` and ``restore`` the link."""

    target_port: int
    port: int = 0
    turned_away: int = 0
    _open: bool = True
    _pipes: set[_Pipe] = field(default_factory=set)
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Close the port, then end every connection's pumps (their sockets closed)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self.cut()
        for handler in self._handlers:
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    def cut(self) -> None:
        """Drop every connection now; turn new ones away until ``restore``."""
        self._open = False
        for pipe in list(self._pipes):
            pipe.close()
        self._pipes.clear()

    async def cut_between_requests(self, timeout: float = 15.0) -> None:
        """``cut`` once no connection waits on an answer (a WebSocket's ping included)."""
        async with asyncio.timeout(timeout):
            while any(pipe.awaiting for pipe in self._pipes):
                self._changed.clear()
                await self._changed.wait()
        self.cut()

    def restore(self) -> None:
        self._open = True

    def is_cut(self) -> bool:
        return not self._open

    async def until_turned_away(self, count: int = 1, timeout: float = 15.0) -> None:
        """Until ``count`` connections in all have been turned away while cut."""
        async with asyncio.timeout(timeout):
            while self.turned_away < count:
                self._changed.clear()
                await self._changed.wait()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            await self._carry(reader, writer)
        finally:
            self._handlers.discard(handler)
            writer.close()

    async def _carry(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.is_cut():
            self.turned_away += 1
            self._changed.set()
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        pipe = _Pipe(writer, up_writer)
        if self.is_cut():  # cut while connecting upstream
            pipe.close()
            return
        self._pipes.add(pipe)
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, pipe, upward=True),
                self._pump(up_reader, writer, pipe, upward=False),
            )
        finally:
            self._pipes.discard(pipe)
            pipe.close()

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        pipe: _Pipe,
        *,
        upward: bool,
    ) -> None:
        """Copy one direction until either side closes; then close the other."""
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(CHUNK):
                pipe.awaiting = upward  # before it goes on: the answer can come back first
                self._changed.set()
                writer.write(data)
                await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def cuttable_proxy(target_port: int) -> AsyncIterator[CuttableProxy]:
    proxy = CuttableProxy(target_port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
