"""An address we cannot listen on: one line saying why, with an error id; never a traceback.

A port someone else holds, a host name that does not resolve, a port out of range.
"""

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


UNKNOWN_HOST = "nosuchhost.invalid"  # .invalid never resolves (RFC 6761)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IVR, *args], capture_output=True, text=True, timeout=60, env=NO_IVR_SETTINGS
    )


def _serve_config(tmp_path: Path, http: str) -> Path:
    config = tmp_path / "ivr.toml"
    config.write_text(
        f'[ari]\nurl = "http://127.0.0.1:9"\n[store]\ndb = "{tmp_path / "calls.db"}"\n'
        f'[http]\n{http}\n[speech]\nengine = "none"\n'
    )
    return config


def test_sim_on_an_unknown_host_says_so_and_exits_1() -> None:
    result = _run("sim", "--host", UNKNOWN_HOST, "--port", "0")
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"ivr sim: cannot listen on {UNKNOWN_HOST}:0: unknown host")
    assert line.endswith("[host-unknown]")


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_sim_refuses_a_port_out_of_range_before_starting(port: str) -> None:
    result = _run("sim", "--port", port)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"ivr sim: error: argument --port: {port} is not a port: use 0 to 65535 [port-out-of-range]"
    )


def test_serve_on_an_unknown_host_says_so_and_exits_1(tmp_path: Path) -> None:
    config = _serve_config(tmp_path, f'host = "{UNKNOWN_HOST}"\nport = 8101')
    result = _run("--log-level", "ERROR", "serve", "--config", str(config))
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"ivr serve: cannot listen on {UNKNOWN_HOST}:8101: unknown host")
    assert line.endswith("[host-unknown]")


def test_serve_with_a_port_out_of_range_says_so_and_exits_1(tmp_path: Path) -> None:
    config = _serve_config(tmp_path, "port = 99999")
    result = _run("--log-level", "ERROR", "serve", "--config", str(config))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "ivr serve: cannot listen on 127.0.0.1:99999: a port is 0 to 65535 [port-out-of-range]"
    ]
