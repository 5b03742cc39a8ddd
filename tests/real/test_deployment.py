"""The deployment files as a force installs them (dialplans/README.md), on a real
Asterisk 22: they load cleanly, listen only where they say, and the README's checklist
holds."""

from __future__ import annotations

import re

import aiohttp

from tests.real.app import real_app
from tests.real.asterisk import COPIED, RealAsterisk
from tests.real.listeners import Listener, listeners_of

OURS = (*COPIED, "ari.conf")
# IAX2, DUNDi, UNISTIM, Skinny, MGCP, AMI: what a stock autoload opens on every address.
STOCK_LISTENER_PORTS = {4569, 4520, 5000, 2000, 2727, 5038}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth(user, password)}


def test_the_deployed_files_load_without_a_warning_of_their_own(asterisk: RealAsterisk) -> None:
    log = asterisk.boot_log
    complaints = [line for line in log.splitlines() if re.search(r"\] (WARNING|ERROR)\[", line)]
    assert not [line for line in complaints if "ERROR[" in line]
    assert not [line for line in complaints if any(name in line for name in OURS)]


def test_asterisk_listens_on_loopback_only(asterisk: RealAsterisk) -> None:
    """modules.conf loads no module that opens a service on every address: the only
    sockets on a wildcard address are PJSIP's DNS resolver's (one per family, on an
    ephemeral port, answering only its own queries)."""
    sockets = listeners_of(asterisk.pid)
    assert all(s.loopback for s in sockets if s.tcp), sockets
    assert not {s.port for s in sockets} & STOCK_LISTENER_PORTS, sockets
    wildcard = [s for s in sockets if not s.loopback]
    assert all(s.ephemeral and not s.tcp for s in wildcard), wildcard
    assert len(wildcard) <= 2, wildcard
    assert Listener(tcp=True, address="127.0.0.1", port=asterisk.folder.http_port) in sockets
    assert Listener(tcp=False, address="127.0.0.1", port=asterisk.folder.sip_port) in sockets


def test_the_deployed_ari_conf_holds_the_password_once(asterisk: RealAsterisk) -> None:
    """envsubst also fills a ${...} in a comment: the file must not show it twice."""
    deployed = (asterisk.folder.etc / "ari.conf").read_text()
    assert deployed.count(asterisk.folder.password) == 1
    assert "${" not in deployed


async def test_the_readme_checklist_holds_on_the_deployed_files(
    asterisk: RealAsterisk, db_path: str
) -> None:
    http = asterisk.rx("http show status")
    assert f"127.0.0.1:{asterisk.folder.http_port}" in http
    assert "/ari/" in http
    stasis = asterisk.rx("module show like stasis")
    assert "app_stasis.so" in stasis
    assert "res_stasis_snoop.so" in stasis
    assert "chan_rtp.so" in asterisk.rx("module show like chan_rtp")
    endpoints = asterisk.rx("pjsip show endpoints")
    assert all(name in endpoints for name in ("switchboard", "rc-agent-1", "fcr-agent-1"))
    assert "Stasis(ivr101" in asterisk.rx("dialplan show ivr101-entry")
    assert "fallback" in asterisk.rx("dialplan show ivr-agents")
    assert "Language en" in asterisk.rx("core show sound ivr101/welcome")
    user, password = asterisk.credentials
    async with aiohttp.ClientSession() as client:
        info_url = f"{asterisk.ari_url}/ari/asterisk/info"
        async with client.get(info_url, headers=basic(user, password)) as resp:
            assert resp.status == 200
            assert "system" in await resp.json()
        async with client.get(info_url, headers=basic(user, "wrong")) as resp:
            assert resp.status == 401
        async with real_app(asterisk, db_path):
            assert "ivr101" in asterisk.rx("ari show apps")
            app_url = f"{asterisk.ari_url}/ari/applications/ivr101"
            async with client.get(app_url, headers=basic(user, password)) as resp:
                assert resp.status == 200
