"""A port someone else holds: one line saying so and exit 1, not a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

IVR = [sys.executable, "-m", "ivr.cli"]
NO_IVR_SETTINGS = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def _assert_one_line_refusal(
    result: subprocess.CompletedProcess[str], command: str, port: int
) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        f"ivr {command}: cannot listen on 127.0.0.1:{port}: address already in use"
        " [port-unavailable]"
    ], result.stderr


def test_sim_on_a_busy_port_says_so_and_exits_1(busy_port: int) -> None:
    result = subprocess.run(
        [*IVR, "sim", "--port", str(busy_port)], capture_output=True, text=True, timeout=60
    )
    _assert_one_line_refusal(result, "sim", busy_port)


def test_serve_on_a_busy_port_says_so_and_exits_1(busy_port: int, tmp_path: Path) -> None:
    config = tmp_path / "ivr.toml"
    config.write_text(
        f'[ari]\nurl = "http://127.0.0.1:9"\n[store]\ndb = "{tmp_path / "calls.db"}"\n'
        f'[http]\nport = {busy_port}\n[speech]\nengine = "none"\n'
    )
    result = subprocess.run(
        [*IVR, "--log-level", "ERROR", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=NO_IVR_SETTINGS,
    )
    _assert_one_line_refusal(result, "serve", busy_port)
