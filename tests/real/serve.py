"""`ivr serve` as a deployment runs it, answering the test's real Asterisk.

The real CLI in a process of its own (``python -m ivr.cli serve --config <toml>`` from
this checkout), the ARI settings in the environment as the README says, the desks in the
TOML's ``[destinations]`` at ``Local/<desk>@test-agents``. What the test waits on is the
process's own log (stderr), line by line: it says when it connected to Asterisk and
which calls it adopted, the moment it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ivr.routing.bundle import DEFAULT_FOLDER as SHIPPED_RULES
from ivr.shipped import REPO_ROOT
from tests.real.app import DESKS
from tests.real.asterisk import RealAsterisk, free_port

CONNECTED = "ari websocket connected (app=ivr101"
LOG_WAIT_S = 60.0  # a cold start loads the routing bundle and its sentence model


def always_open() -> str:
    """The shipped schedules.yaml with every schedule open at every hour. `ivr serve` runs
    on the wall clock, and these tests are not about opening hours: with the shipped
    hours a crime keyed after 8 pm goes to the Force Control Room, not the Resolution
    Centre's queue they wait in (the in-process app gets a weekday morning instead)."""
    shipped = yaml.safe_load((SHIPPED_RULES / "schedules.yaml").read_text(encoding="utf-8"))
    shipped["schedules"] = dict.fromkeys(shipped["schedules"], "always")
    shipped["closures"] = []
    return yaml.safe_dump(shipped, sort_keys=False)


def rules_folder(folder: Path, files: Mapping[str, str]) -> Path:
    """A routing rules folder of ``files`` and every schedule open (a file missing from
    it is the shipped one)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"schedules.yaml": always_open(), **files}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def serve_toml(http_port: int, rules: Path) -> str:
    """Keypad only, short waits; the desks where the test answers them; ``rules``."""
    desks = "\n".join(f'{desk} = "Local/{desk}@test-agents"' for desk in DESKS)
    return (
        f"[http]\nport = {http_port}\n\n"
        f'[routing]\nrules = "{rules}"\n\n'
        "[flow]\nfirst_digit_timeout = 2.0\nring_timeout = 4\n\n"
        '[speech]\nengine = "none"\n\n'
        f"[destinations]\n{desks}\n"
    )


def serve_env(asterisk: RealAsterisk, db_path: Path | str) -> dict[str, str]:
    """The environment without the developer's own IVR_* settings, plus the ARI ones."""
    user, password = asterisk.credentials
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    env.update(
        IVR_ARI_URL=asterisk.ari_url,
        IVR_ARI_USER=user,
        IVR_ARI_PASSWORD=password,
        IVR_DB=str(db_path),
        PYTHONPATH=str(REPO_ROOT),  # this checkout's code, whatever .venv points at
    )
    return env


@dataclass
class ServeProcess:
    """One `ivr serve`; its log lines as they come (also kept in ``log_file``)."""

    config: Path
    env: dict[str, str]
    log_file: Path
    url: str = ""  # its HTTP side (the console, /api/board with IVR_API_TOKEN)
    lines: list[str] = field(default_factory=list)
    _process: asyncio.subprocess.Process | None = None
    _reader: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        self.lines.clear()
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ivr.cli",
            "serve",
            "--config",
            str(self.config),
            cwd=REPO_ROOT,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read(self._process), name="serve-log")

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        with self.log_file.open("a", encoding="utf-8") as out:
            while line := await process.stderr.readline():
                text = line.decode(errors="replace").rstrip()
                out.write(text + "\n")
                self.lines.append(text)
                self._changed.set()
        self._changed.set()  # the process ended: a waiter must not wait for ever

    async def until_logged(self, *parts: str, timeout: float = LOG_WAIT_S) -> str:
        """The first line (since the last start) that has every one of ``parts``."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self._changed.clear()
                    for line in self.lines:
                        if all(part in line for part in parts):
                            return line
                    if self._process is not None and self._process.returncode is not None:
                        raise AssertionError(f"ivr serve exited: see {self.log_file}")
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(f"ivr serve never logged {parts}: see {self.log_file}") from None

    async def kill(self) -> None:
        """SIGKILL: no shutdown of its own, as a crash or the OOM killer would end it."""
        await self._end(signal.SIGKILL)

    async def _end(self, how: signal.Signals) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        process.send_signal(how)
        await process.wait()
        if self._reader is not None:
            await self._reader

    async def stop(self) -> None:
        await self._end(signal.SIGTERM)


@contextlib.asynccontextmanager
async def ivr_serve(
    asterisk: RealAsterisk,
    folder: Path,
    *,
    db: Path | str | None = None,
    extra_toml: str = "",
    name: str = "serve",
    api_token: str = "",
    rules: Mapping[str, str] | None = None,
) -> AsyncIterator[ServeProcess]:
    """A started `ivr serve` (its call log ``db``, by default ``folder/calls.db``),
    stopped on the way out. ``name`` tells several apart (their config and log files);
    ``api_token`` (IVR_API_TOKEN: the environment only) opens its API to a bearer;
    ``rules``: routing rules files by name (queues.yaml: its text), the rest shipped."""
    config = folder / f"{name}.toml"
    port = free_port()
    rules_dir = rules_folder(folder / f"{name}-rules", rules or {})
    config.write_text(serve_toml(port, rules_dir) + extra_toml, encoding="utf-8")
    env = serve_env(asterisk, folder / "calls.db" if db is None else db)
    if api_token:
        env["IVR_API_TOKEN"] = api_token
    serve = ServeProcess(config, env, folder / f"{name}.log", f"http://127.0.0.1:{port}")
    await serve.start()
    try:
        yield serve
    finally:
        await serve.stop()
