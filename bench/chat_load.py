"""Live chat under load: N open chats on one app process, memory and delivery latency.

The real app (ivr.app.build_app, [chat] on, a temporary database, aiohttp's AppRunner)
runs in a child process (``python -m bench.chat_load serve ...``) so its memory is its
own: VmRSS / VmHWM from /proc/<pid>/status at start, with the agents at their desks
(before chats), with every chat open and held, and after the messages.

Everything else happens in this process, the real way: agents (users with the chat
skill) sign in over HTTP and open the desk feed /desk/chat/ws; each chat's link is
issued through ChatLinks on the same database and secret (as the IVR does), opened with
its own client session (GET /chat/<token> -> the chat cookie) and the caller's WebSocket
/chat/ws; the agents take the chats (POST /api/chat/take with the CSRF token) up to
[chat] per_agent. Then each chat sends ``--messages`` each way, paced at ``--rate``
messages a second in all (the caller's side never over the page's 20 a minute per chat),
and each message's latency is the time from its send (here) to its arrival at the other
party's socket (here too, one clock). Lost and duplicated messages are counted (0 is
the only right answer). The clients share one core with their own loop: the latency
figures include this process's queueing, so they are an upper bound for the app.

    .venv/bin/python bench/chat_load.py                       # 500 chats, 100 agents x 5
    .venv/bin/python bench/chat_load.py --quick               # 20 chats, a few seconds
    .venv/bin/python bench/chat_load.py --db postgresql://...  # the call database on PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ivr.chat.links import ChatLinks  # noqa: E402
from ivr.chat.model import ChatContext  # noqa: E402
from ivr.chat.store import ChatRecords  # noqa: E402
from ivr.chat.tokens import Purpose, TokenSigner  # noqa: E402
from ivr.clock import utc_now  # noqa: E402
from ivr.console.chat_limits import MINUTE_S, ChatLimits  # noqa: E402
from ivr.console.chat_public import CHAT_COOKIE  # noqa: E402
from ivr.console.identity import Role, Skill  # noqa: E402
from ivr.console.people import add_person  # noqa: E402

SERVE = "serve"
PASSWORD = "chat-bench-password"
PER_MINUTE = ChatLimits().per_minute  # the caller's messages a chat may send a minute
OPENING_AT_ONCE = 50  # chats being opened at the same moment (links, pages, sockets)
SIGNING_IN_AT_ONCE = 8  # under the hash pool's queue bound (ivr.console.hashpool)
SETTLE_S = 30.0  # after the last send: what has not arrived by then is lost
START_S = 60.0  # the app's start-up, at most


# --- the app, in its own process ---------------------------------------------------------


async def serve(db_path: str, secret: str, per_agent: int) -> None:
    """The app on a free port: prints {"port": N}, runs until stdin closes, shuts down."""
    from aiohttp import web

    from ivr.app import build_app
    from ivr.config import Settings
    from ivr.speech.settings import SpeechEngine

    settings = Settings().overridden(
        {
            "store.db_path": db_path,
            "chat.enabled": True,
            "chat.secret": secret,
            "chat.per_agent": per_agent,
            # Chat's cost alone: no speech engine or sentence model in the baseline, no
            # Asterisk (the event stream retries in the background), no texts.
            "speech.engine": SpeechEngine.NONE,
            "routing.meaning": "off",
            "ari.url": "http://127.0.0.1:1",
            "sms.url": "",
            "callers.key": "",
            "http.api_token": "",
        }
    )
    runner = web.AppRunner(build_app(settings, utc_now))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
    await asyncio.to_thread(sys.stdin.read)  # the bench closes our stdin when done
    await runner.cleanup()


@dataclass(frozen=True)
class Memory:
    rss_mb: float
    hwm_mb: float

    def __str__(self) -> str:
        return f"VmRSS {self.rss_mb:.1f} MB, VmHWM {self.hwm_mb:.1f} MB"


class AppProcess:
    """The child running ``serve``: its address, memory and CPU time."""

    def __init__(self, proc: asyncio.subprocess.Process, url: str) -> None:
        self.proc = proc
        self.url = url

    @classmethod
    async def start(cls, db_path: str, secret: str, per_agent: int, log: Path) -> AppProcess:
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.chat_load",
                SERVE,
                db_path,
                secret,
                str(per_agent),
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
            )
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_S)
            port = int(json.loads(line)["port"])
        except (TimeoutError, ValueError, KeyError) as exc:
            proc.kill()
            await proc.wait()
            tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-2000:]
            raise SystemExit(f"the app did not start ({exc!r}); its log ends:\n{tail}") from None
        return cls(proc, f"http://127.0.0.1:{port}")

    def memory(self) -> Memory:
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.split()
        return Memory(int(fields["VmRSS"][0]) / 1024, int(fields["VmHWM"][0]) / 1024)

    def cpu_s(self) -> float:
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        after_name = stat.rsplit(")", 1)[1].split()
        return (int(after_name[11]) + int(after_name[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> int:
        """Close its stdin (a clean shutdown); killed if it hangs."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


# --- what was sent and what arrived ------------------------------------------------------


class Way(StrEnum):
    TO_AGENT = "caller -> agent"
    TO_CALLER = "agent -> caller"


@dataclass
class Sent:
    way: Way
    at: float
    to: str  # the chat (to a caller) or the agent expected to receive it
    arrivals: list[float] = field(default_factory=list)


class Ledger:
    """Every message by its client id: when it was sent, where and when it arrived."""

    def __init__(self) -> None:
        self.sent: dict[str, Sent] = {}
        self.failed: list[str] = []  # sends the app refused (with why)
        self.misdelivered = 0
        self.expected = 0
        self._arrived = 0
        self.all_in = asyncio.Event()

    def send(self, client_id: str, way: Way, to: str) -> None:
        self.sent[client_id] = Sent(way, time.perf_counter(), to)

    def arrived(self, client_id: str, at: str) -> None:
        sent = self.sent.get(client_id)
        if sent is None or sent.to != at:
            self.misdelivered += 1
            return
        sent.arrivals.append(time.perf_counter())
        if len(sent.arrivals) == 1:
            self._arrived += 1
            if self._arrived >= self.expected:
                self.all_in.set()

    def fail(self, why: str) -> None:
        self.failed.append(why)

    def latencies_ms(self, way: Way | None = None) -> list[float]:
        return sorted(
            (s.arrivals[0] - s.at) * 1000
            for s in self.sent.values()
            if s.arrivals and (way is None or s.way is way)
        )

    @property
    def lost(self) -> int:
        return sum(1 for s in self.sent.values() if not s.arrivals)

    @property
    def duplicated(self) -> int:
        return sum(len(s.arrivals) - 1 for s in self.sent.values() if len(s.arrivals) > 1)


# --- the two parties ---------------------------------------------------------------------


def _new_session() -> aiohttp.ClientSession:
    # unsafe: the app is at 127.0.0.1, and aiohttp keeps no cookies of an IP host otherwise.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _read(ws: aiohttp.ClientWebSocketResponse, on_frame: Callable[[Any], None]) -> None:
    async for frame in ws:
        if frame.type is aiohttp.WSMsgType.TEXT:
            on_frame(json.loads(frame.data))


class Caller:
    """A phone with the chat page open: its own session, cookie and socket."""

    def __init__(self, index: int, ledger: Ledger) -> None:
        self.index = index
        self.ledger = ledger
        self.session = _new_session()
        self.chat_id = ""
        self.agent = ""  # who holds the chat (set once taken)
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.hello = asyncio.Event()
        self.joined = asyncio.Event()  # "an officer has joined"
        self.reader: asyncio.Task[None] | None = None
        self._seen: set[asyncio.Task[None]] = set()

    async def open(self, link_url: str, app_url: str, signer: TokenSigner) -> None:
        async with self.session.get(link_url) as page:  # 303 to /chat/, the page
            if page.status != 200 or not str(page.url).endswith("/chat/"):
                raise RuntimeError(f"chat link: {page.status} at {page.url}")
        cookie = next(c for c in self.session.cookie_jar if c.key == CHAT_COOKIE)
        self.chat_id = signer.verify(Purpose.CALLER, cookie.value) or ""
        self.ws = await self.session.ws_connect(f"{app_url}/chat/ws?since=0")
        self.reader = asyncio.create_task(_read(self.ws, self._frame))
        await asyncio.wait_for(self.hello.wait(), 30)

    def _frame(self, data: Any) -> None:
        kind = data.get("kind")
        if kind == "hello":
            self.hello.set()
        elif kind == "joined":
            self.joined.set()
        elif kind == "error":
            self.ledger.fail(f"caller {self.index}: {data.get('error')}")
        elif kind == "message" and data["message"]["sender"] == "agent":
            self.ledger.arrived(data["message"]["client_id"], self.chat_id)
            seen = {"type": "seen", "seq": data["message"]["seq"]}  # as the page does
            assert self.ws is not None
            task = asyncio.get_running_loop().create_task(self.ws.send_str(json.dumps(seen)))
            self._seen.add(task)
            task.add_done_callback(self._seen.discard)

    async def say(self, client_id: str, body: str) -> None:
        assert self.ws is not None
        self.ledger.send(client_id, Way.TO_AGENT, self.agent)
        await self.ws.send_str(json.dumps({"type": "send", "client_id": client_id, "body": body}))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader
        await self.session.close()


class Agent:
    """A chat agent at a desk: signed in, the desk's feed open, taking and answering."""

    def __init__(self, name: str, ledger: Ledger) -> None:
        self.name = name
        self.ledger = ledger
        self.session = _new_session()
        self.csrf = ""
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.hello = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None
        self.held: list[str] = []

    async def sign_in(self, app_url: str) -> None:
        body = {"user": self.name, "password": PASSWORD}
        async with self.session.post(f"{app_url}/api/session", json=body) as r:
            if r.status != 200:
                raise RuntimeError(f"{self.name} sign-in: {r.status} {await r.text()}")
            self.csrf = (await r.json())["csrf_token"]
        self.ws = await self.session.ws_connect(f"{app_url}/desk/chat/ws")
        self.reader = asyncio.create_task(_read(self.ws, self._frame))
        await asyncio.wait_for(self.hello.wait(), 30)

    def _frame(self, data: Any) -> None:
        if data.get("kind") == "hello":
            self.hello.set()
        elif data.get("kind") == "message" and data["message"]["sender"] == "caller":
            self.ledger.arrived(data["message"]["client_id"], self.name)

    async def take_all(self, app_url: str, per_agent: int) -> None:
        """The next waiting chat, until this agent is full or nobody waits."""
        while len(self.held) < per_agent:
            async with self.session.post(
                f"{app_url}/api/chat/take", json={}, headers={"X-CSRF-Token": self.csrf}
            ) as r:
                if r.status in (404, 409):  # nobody waiting / full
                    return
                if r.status != 200:
                    raise RuntimeError(f"{self.name} take: {r.status} {await r.text()}")
                self.held.append((await r.json())["chat_id"])

    async def say(self, app_url: str, chat_id: str, client_id: str, body: str) -> None:
        self.ledger.send(client_id, Way.TO_CALLER, chat_id)
        async with self.session.post(
            f"{app_url}/api/chat/{chat_id}/say",
            json={"body": body, "client_id": client_id},
            headers={"X-CSRF-Token": self.csrf},
        ) as r:
            if r.status != 200:
                self.ledger.fail(f"{self.name} say: {r.status} {await r.text()}")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader
        await self.session.close()


# --- the run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    chats: int
    agents: int
    per_agent: int
    messages: int  # each way, per chat
    rate: float  # messages a second, both ways, all chats
    db: str = ""  # the call database (a PostgreSQL URL); "" a SQLite file made for the run

    @property
    def round_s(self) -> float:
        """One message each way in every chat; a caller's messages spaced so no chat
        sends over PER_MINUTE in any minute (only matters past PER_MINUTE messages)."""
        spread = 2 * self.chats / self.rate
        if self.messages <= PER_MINUTE:
            return spread
        return max(spread, MINUTE_S / PER_MINUTE * 1.1)


def raise_fd_limit(plan: Plan) -> str:
    """Each chat holds a socket at each end (and the app's child inherits the limit)."""
    need = 4 * (plan.chats + plan.agents) + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return f"{soft} (enough; not raised)"
    if hard != resource.RLIM_INFINITY and hard < need:
        raise SystemExit(f"need {need} file descriptors, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    return f"raised from {soft} to {need}"


async def _bounded(at_once: int, jobs: Sequence[Awaitable[None]]) -> None:
    """``jobs`` (coroutines not yet started), at most ``at_once`` running."""
    gate = asyncio.Semaphore(at_once)

    async def one(job: Awaitable[None]) -> None:
        async with gate:
            await job

    await asyncio.gather(*(one(job) for job in jobs))


async def _issue_links(db_path: str, signer: TokenSigner, app_url: str, n: int) -> list[str]:
    """What the IVR side does when a caller says yes to chat, n times."""
    records = ChatRecords(db_path)
    await records.open()
    try:
        links = ChatLinks(records, signer, utc_now, public_url=app_url, minutes=30)
        urls = []
        for i in range(n):
            context = ChatContext(
                call_id=f"bench-call-{i}",
                intent="report-theft",
                destination="rc",
                heard=("someone took my bike from outside the station",),
                flags=("repeat-victim",) if i % 10 == 0 else (),
            )
            urls.append((await links.issue(context, f"07700{900000 + i:06d}")).url)
        return urls
    finally:
        await records.close()


def _add_agents(db_path: str, names: Sequence[str]) -> None:
    for name in names:
        add_person(db_path, name, Role.OPERATOR, PASSWORD, by="bench", skills=[Skill.CHAT])


async def _send_all(
    plan: Plan, app_url: str, callers: Sequence[Caller], by_agent: dict[str, Agent]
) -> None:
    """Round after round, one message each way in every chat, spread evenly over the round
    (a send is not waited for before the next: the pace is the plan's, not the app's)."""
    loop = asyncio.get_running_loop()
    step = plan.round_s / (2 * plan.chats)
    start = loop.time()
    tasks: list[asyncio.Task[None]] = []
    slot = 0
    for k in range(plan.messages):
        for caller in callers:
            agent = by_agent[caller.agent]
            sends: list[Awaitable[None]] = [
                caller.say(f"c{caller.index}-{k}", f"caller message {k} of chat {caller.index}"),
                agent.say(app_url, caller.chat_id, f"a{caller.index}-{k}", f"reply {k}"),
            ]
            for send in sends:
                delay = start + slot * step - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.ensure_future(send))
                slot += 1
    await asyncio.gather(*tasks)


def _pct(values: Sequence[float]) -> str:
    if not values:
        return "none"
    if len(values) == 1:
        return f"{values[0]:.1f} / {values[0]:.1f} / {values[0]:.1f} / {values[0]:.1f} ms"
    cut = statistics.quantiles(values, n=100, method="inclusive")
    return f"{cut[49]:.1f} / {cut[94]:.1f} / {cut[98]:.1f} / {max(values):.1f} ms"


@dataclass
class Measured:
    """What a run measured, beside the ledger's messages."""

    fds: str = ""
    pid: int = 0
    exit_code: int | None = None
    signed_s: float = 0.0  # the agents' sign-ins and desks
    opened_s: float = 0.0  # links opened, pages and sockets
    taken_s: float = 0.0
    sent_s: float = 0.0
    cpu_s: float = 0.0  # the app's, over the messages and their delivery
    memory: dict[str, Memory] = field(default_factory=dict)


START, DESKS, OPEN, AFTER = (
    "at start",
    "before chats (agents at desks)",
    "with all chats open",
    "after the messages",
)


async def run(plan: Plan, command: str) -> int:
    measured = Measured(fds=raise_fd_limit(plan))
    secret = secrets.token_urlsafe(32)
    ledger = Ledger()
    with tempfile.TemporaryDirectory(prefix="chat-load-") as tmp:
        db_path = plan.db or str(Path(tmp) / "calls.db")
        app = await AppProcess.start(db_path, secret, plan.per_agent, Path(tmp) / "app.log")
        measured.pid = app.proc.pid
        agents = [Agent(f"agent{n:03d}", ledger) for n in range(plan.agents)]
        callers = [Caller(i, ledger) for i in range(plan.chats)]
        try:
            await _drive(plan, app, db_path, TokenSigner(secret), agents, callers, measured)
        finally:
            await asyncio.gather(*(c.close() for c in callers), *(a.close() for a in agents))
            measured.exit_code = await app.stop()
    return report(plan, command, measured, ledger)


async def _drive(
    plan: Plan,
    app: AppProcess,
    db_path: str,
    signer: TokenSigner,
    agents: Sequence[Agent],
    callers: Sequence[Caller],
    measured: Measured,
) -> None:
    url, memory, ledger = app.url, measured.memory, callers[0].ledger
    memory[START] = app.memory()
    await asyncio.to_thread(_add_agents, db_path, [a.name for a in agents])
    t0 = time.perf_counter()
    await _bounded(SIGNING_IN_AT_ONCE, [a.sign_in(url) for a in agents])
    measured.signed_s = time.perf_counter() - t0
    memory[DESKS] = app.memory()

    urls = await _issue_links(db_path, signer, url, plan.chats)
    t0 = time.perf_counter()
    opening = [c.open(u, url, signer) for c, u in zip(callers, urls, strict=True)]
    await _bounded(OPENING_AT_ONCE, opening)
    measured.opened_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    await asyncio.gather(*(a.take_all(url, plan.per_agent) for a in agents))
    measured.taken_s = time.perf_counter() - t0
    holder = {chat_id: a.name for a in agents for chat_id in a.held}
    for caller in callers:
        caller.agent = holder.get(caller.chat_id, "")
    unheld = sum(1 for c in callers if not c.agent)
    if unheld:
        raise SystemExit(f"{unheld} chats not taken: raise --agents or --per-agent")
    # Every page has been told "an officer has joined" before the memory is read.
    await asyncio.wait_for(asyncio.gather(*(c.joined.wait() for c in callers)), 60)
    memory[OPEN] = app.memory()

    ledger.expected = 2 * plan.chats * plan.messages
    cpu0 = app.cpu_s()
    t0 = time.perf_counter()
    await _send_all(plan, url, callers, {a.name: a for a in agents})
    measured.sent_s = time.perf_counter() - t0
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ledger.all_in.wait(), SETTLE_S)
    measured.cpu_s = app.cpu_s() - cpu0
    memory[AFTER] = app.memory()


def report(plan: Plan, command: str, m: Measured, ledger: Ledger) -> int:
    """The figures, after the command that made them; 1 if any message went astray."""
    per_chat_kb = (m.memory[OPEN].rss_mb - m.memory[DESKS].rss_mb) * 1024 / plan.chats
    sent = len(ledger.sent)
    print(f"command: {command}")
    print(
        f"chats: {plan.chats} open, held by {plan.agents} agents x {plan.per_agent};"
        f" {plan.messages} messages each way per chat at {plan.rate:g}/s"
    )
    print(f"file descriptor limit: {m.fds}")
    print(f"app process: pid {m.pid}, exit code {m.exit_code}")
    print(
        f"setup: agents signed in {m.signed_s:.1f} s, chats opened {m.opened_s:.2f} s,"
        f" taken {m.taken_s:.2f} s"
    )
    for when, memory in m.memory.items():
        print(f"memory {when}: {memory}")
    print(f"memory per open chat: {per_chat_kb:.1f} KB (VmRSS)")
    print(
        f"messages: {sent} sent in {m.sent_s:.1f} s; app CPU {m.cpu_s:.2f} s"
        f" ({m.cpu_s / max(sent, 1) * 1000:.2f} ms per message)"
    )
    print(f"delivery p50 / p95 / p99 / max (all): {_pct(ledger.latencies_ms())}")
    for way in Way:
        print(f"delivery p50 / p95 / p99 / max ({way.value}): {_pct(ledger.latencies_ms(way))}")
    print(
        f"lost: {ledger.lost}, duplicated: {ledger.duplicated},"
        f" misdelivered: {ledger.misdelivered}, refused: {len(ledger.failed)}"
    )
    for why in ledger.failed[:5]:
        print(f"  refused: {why}")
    bad = ledger.lost or ledger.duplicated or ledger.misdelivered or ledger.failed
    return 1 if bad else 0


def parse(argv: Sequence[str] | None) -> tuple[Plan, str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--per-agent", type=int, default=5, help="[chat] per_agent")
    parser.add_argument("--messages", type=int, default=5, help="each way, per chat")
    parser.add_argument(
        "--rate", type=float, default=50.0, help="messages a second, both ways, all chats"
    )
    parser.add_argument("--quick", action="store_true", help="20 chats, 4 agents x 5, 2 each way")
    parser.add_argument(
        "--db",
        default="",
        help="call database (a postgresql:// URL); default: a new SQLite file",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.chats, args.agents, args.per_agent, args.messages = 20, 4, 5, 2
        args.rate = max(args.rate, 100.0)
    for name in ("chats", "agents", "per_agent", "messages"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not args.rate > 0:
        parser.error("--rate must be above 0")
    if args.agents * args.per_agent < args.chats:
        parser.error(
            f"{args.agents} agents x {args.per_agent} hold {args.agents * args.per_agent}"
            f" chats, fewer than --chats {args.chats}"
        )
    plan = Plan(args.chats, args.agents, args.per_agent, args.messages, args.rate, args.db)
    shown = list(argv) if argv is not None else sys.argv[1:]
    return plan, " ".join([".venv/bin/python bench/chat_load.py", *shown])


def main(argv: Sequence[str] | None = None) -> int:
    plan, command = parse(argv)
    return asyncio.run(run(plan, command))


def _serve_main(argv: Sequence[str]) -> int:
    db_path, secret, per_agent = argv
    asyncio.run(serve(db_path, secret, int(per_agent)))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == [SERVE]:
        sys.exit(_serve_main(sys.argv[2:]))
    sys.exit(main())
