"""``ivr serve`` as its own process against a real Asterisk, watched from outside: its
/health and /metrics over HTTP, its CPU and memory from /proc, its SQLite call log.

The settings come the way a force gives them: ARI, the database and the scrape token in
the environment, the desks in a TOML file (here: the load agents' context).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ivr.shipped import REPO_ROOT
from tests.real.asterisk import RealAsterisk, free_port

DESKS = ("emergency", "fcr", "rc", "switchboard")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY_TIMEOUT_S = 180.0  # the speech models load in the background after the start


@dataclass(frozen=True)
class Lag:
    """The app's event-loop lag histogram (cumulative counts by upper bound, seconds)."""

    buckets: tuple[tuple[float, float], ...]
    count: float

    def since(self, before: Lag) -> Lag:
        earlier = dict(before.buckets)
        return Lag(
            tuple((le, n - earlier.get(le, 0.0)) for le, n in self.buckets),
            self.count - before.count,
        )

    def quantile(self, q: float) -> float:
        """The bucket bound under which ``q`` of the samples lie (an upper bound)."""
        if self.count <= 0:
            return 0.0
        for le, n in self.buckets:
            if n >= q * self.count:
                return le
        return float("inf")


_BUCKET = re.compile(r'^ivr_event_loop_lag_seconds_bucket\{le="([^"]+)"\} (\S+)$', re.M)
_COUNT = re.compile(r"^ivr_event_loop_lag_seconds_count (\S+)$", re.M)
_LAST = re.compile(r"^ivr_event_loop_lag_last_seconds (\S+)$", re.M)


class ServeProcess:
    """One running ``ivr serve``."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, token: str, db: Path) -> None:
        self.process = process
        self.port = port
        self.token = token
        self.db = db

    @property
    def pid(self) -> int:
        return self.process.pid

    def _get(self, path: str, token: bool = False) -> tuple[int, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def health(self) -> dict[str, object] | None:
        try:
            _, body = self._get("/health")
        except OSError:
            return None
        health: dict[str, object] = json.loads(body)
        return health

    def until_ready(self, speech: bool) -> None:
        """Until /health says ARI is connected (and the speech engine is up, if asked);
        the process exiting first fails with its log."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ivr serve exited ({self.process.returncode})")
            health = self.health()
            if health and health.get("ari_connected") and (health.get("speech") or not speech):
                return
            time.sleep(0.5)  # a separate process: nothing to wait on but its answers
        raise RuntimeError(f"ivr serve not ready in {READY_TIMEOUT_S:g} s: {self.health()}")

    def metrics(self) -> str:
        status, body = self._get("/metrics", token=True)
        if status != 200:
            raise RuntimeError(f"/metrics: {status} {body[:200]!r}")
        return body.decode()

    def lag(self) -> Lag:
        text = self.metrics()
        buckets = tuple((float(le), float(n)) for le, n in _BUCKET.findall(text))
        count = _COUNT.search(text)
        return Lag(buckets, float(count.group(1)) if count else 0.0)

    def lag_last_s(self) -> float:
        found = _LAST.search(self.metrics())
        return float(found.group(1)) if found else 0.0

    def cpu_seconds(self) -> float:
        """The app's CPU with its speech worker processes' (children, while they live)."""
        total = proc_cpu_seconds(self.pid)
        for child in children(self.pid):
            with contextlib.suppress(OSError):  # gone since it was listed
                total += proc_cpu_seconds(child)
        return total

    def rss_mb(self) -> float:
        return proc_rss_mb(self.pid)

    def query(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        """A read of the app's call log (WAL: reading never blocks the app's writer)."""
        with contextlib.closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)) as db:
            return db.execute(sql, args).fetchall()


def children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (/proc/<pid>/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def proc_runqueue_wait_s(pid: int) -> float:
    """How long the process's main thread (the app's event loop) has waited, runnable,
    for a CPU (/proc/<pid>/schedstat, nanoseconds): lag the app did not cause."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def settings_toml() -> str:
    desks = "\n".join(f'{desk} = "Local/{desk}@load-agents"' for desk in DESKS)
    return f"[destinations]\n{desks}\n"


@contextlib.contextmanager
def running_serve(asterisk: RealAsterisk, work: Path, speech_engine: str) -> Iterator[ServeProcess]:
    """``.venv/bin/python -m ivr.cli serve`` from this worktree (not the ``ivr`` script,
    which runs the shared install's code), logging to ``work/serve.log``."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "ivr.toml"
    port = free_port()
    config.write_text(settings_toml() + f"\n[http]\nport = {port}\n", encoding="utf-8")
    user, password = asterisk.credentials
    token = secrets.token_hex(16)
    db = work / "calls.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "IVR_ARI_URL": asterisk.ari_url,
        "IVR_ARI_USER": user,
        "IVR_ARI_PASSWORD": password,
        "IVR_DB": str(db),
        "IVR_METRICS_TOKEN": token,
        "IVR_SPEECH_ENGINE": speech_engine,
        "IVR_CALLER_KEY": secrets.token_hex(16),
        "IVR_LOG_LEVEL": "WARNING",
    }
    with (work / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ivr.cli", "serve", "--config", str(config)],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    serve = ServeProcess(process, port, token, db)
    try:
        yield serve
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
