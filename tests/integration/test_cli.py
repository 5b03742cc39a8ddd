"""The `ivr` command as a user runs it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from ivr.config import load_settings
from ivr.store.db import CallStore, iso

IVR = [sys.executable, "-m", "ivr.cli"]
# The defaults, whatever the shell running the tests has set.
NO_IVR_SETTINGS = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}


def test_serve_with_a_bad_config_explains_and_exits_2(tmp_path: Path) -> None:
    cfg = tmp_path / "ivr.toml"
    cfg.write_text("[ari]\nurl = 'nope'\n")
    result = subprocess.run(
        [*IVR, "serve", "--config", str(cfg)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "ivr.toml: [ari] url must start with http://" in result.stderr


def test_serve_refuses_an_empty_directory_in_one_line_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "directory.yaml").write_text("entries: []\n")
    result = subprocess.run(
        [*IVR, "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**NO_IVR_SETTINGS, "IVR_RULES": str(tmp_path), "IVR_DB": str(tmp_path / "x.db")},
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if "ivr serve" in line]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("ivr serve: refused [routing-bundle-invalid]: ")
    assert f"{tmp_path}/directory.yaml:1: the directory has no entries" in lines[0]
    assert "[directory-empty]" in lines[0] and "ivr rules check" in lines[0]


async def test_sim_serves_ari_with_the_credentials_from_the_environment() -> None:
    env = {**os.environ, "IVR_ARI_USER": "u1", "IVR_ARI_PASSWORD": "pw1"}
    proc = await asyncio.create_subprocess_exec(
        *IVR, "sim", "--port", "0", env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        url = re.search(r"(http://\S+/ari)", line)
        assert url, line
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": aiohttp.encode_basic_auth("u1", "pw1")}
            async with http.get(url.group(1) + "/asterisk/info", headers=headers) as resp:
                assert resp.status == 200
                assert (await resp.json())["system"]["version"] == "22.10.1"
            async with http.get(url.group(1) + "/asterisk/info") as resp:
                assert resp.status == 401
    finally:
        proc.terminate()
        await proc.wait()


async def test_sim_and_serve_agree_on_the_default_credentials() -> None:
    proc = await asyncio.create_subprocess_exec(
        *IVR, "sim", "--port", "0", env=NO_IVR_SETTINGS, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        url = re.search(r"(http://\S+/ari)", line)
        assert url, line
        serve = load_settings(None, env={})  # what `ivr serve` connects with by default
        async with aiohttp.ClientSession() as http:
            auth = {"Authorization": aiohttp.encode_basic_auth(serve.ari.user, serve.ari.password)}
            async with http.get(url.group(1) + "/asterisk/info", headers=auth) as resp:
                assert resp.status == 200
    finally:
        proc.terminate()
        await proc.wait()


def test_call_sends_a_recording_down_the_whole_path_and_prints_the_decision(
    tmp_path: Path,
) -> None:
    wav = Path(__file__).resolve().parents[2] / "demo" / "callers" / "firearms_licensing.wav"
    result = subprocess.run(
        [*IVR, "call", str(wav), "--json", "--db", str(tmp_path / "c.db")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["destination"] == "directory:firearms-licensing"
    assert {"action", "candidates", "intent", "rule", "reason"} <= set(decision)
    assert "pocketsphinx" in decision["evidence"]["inputs"]["engine"]


def test_call_refuses_a_file_that_is_not_audio(tmp_path: Path) -> None:
    bad = tmp_path / "x.wav"
    bad.write_text("not audio")
    result = subprocess.run([*IVR, "call", str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "ivr call:" in result.stderr


def test_store_purge_applies_the_retention_policy_and_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "calls.db"
    store = CallStore(path)
    for call_id, days in (("ancient", 500), ("old", 45), ("new", 1)):
        store.call_started(
            {
                "call_id": call_id,
                "channel_id": call_id,
                "caller_number": "07700900123",
                "started_at": iso(datetime.now(UTC) - timedelta(days=days)),
            }
        )
    store.close()
    result = subprocess.run(
        [*IVR, "store", "purge", "--db", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=NO_IVR_SETTINGS,
    )
    assert result.returncode == 0, result.stderr
    assert "numbers kept 30 days, records 400 days" in result.stderr
    assert "calls deleted: 1\n" in result.stdout
    assert "calls: number and name blanked: 1\n" in result.stdout
    store = CallStore(path)
    assert [(r["call_id"], r["caller_number"]) for r in store.recent_calls()] == [
        ("new", "07700900123"),
        ("old", ""),
    ]
    store.close()


def test_store_purge_without_a_database_says_so_and_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [*IVR, "store", "purge", "--db", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "no database at" in result.stderr


def demo_summary(stdout: str) -> list[str]:
    """The table (without the seconds column) and the totals: what a run did, not how fast."""
    lines = []
    for line in stdout.splitlines():
        if re.match(r"\d+\s+07700", line):
            lines.append(re.sub(r"\s+\d+\.\d\s+(yes|NO)", r" \1", line).rstrip())
        elif (
            line.startswith(("texts sent", "waiting for", "  callback for"))
            or "as expected" in line
        ):
            lines.append(re.sub(r"callback for \S+", "callback", line))
    return lines


@pytest.mark.timeout(360)  # two whole demo runs, each allowed 120 s on a loaded box
def test_two_demo_runs_place_their_calls_exit_0_and_give_the_same_outcomes_and_totals(
    tmp_path: Path,
) -> None:
    """The first run keeps its log where --db says; the second has a fresh one (the
    default): no caller is a repeat caller of the first run, so the tables agree."""
    env = {**NO_IVR_SETTINGS, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    kept = tmp_path / "d.db"
    runs = [
        subprocess.run(
            [*IVR, "demo", "--calls", "5", "--exit", "--speed", "20", *db],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
        )
        for db in (["--db", str(kept)], [])
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stdout + runs[1].stdout + runs[1].stderr
    assert re.search(r"past crime: keys 1\s+rc\s+transferred", runs[0].stdout)
    first, second = (demo_summary(r.stdout) for r in runs)
    assert first == second
    assert "5 of 5 calls completed as expected" in first
    assert kept.is_file()


def test_demo_refuses_a_speed_the_sample_callers_would_outrun() -> None:
    result = subprocess.run(
        [*IVR, "demo", "--speed", "1000"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "--speed between 0 and 100" in result.stderr
